// Loads data for a page when its inputs change, ignoring answers that arrive after newer inputs; with loading, error, reload.
import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react'

export interface Loaded<T> {
  data: T
  loading: boolean
  error: unknown
  reload: () => void
}

export function useLoad<T>(load: () => Promise<T>, initial: T, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T>(initial)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    let live = true
    setLoading(true)
    loadRef.current().then(
      (result) => {
        if (!live) return
        setData(result)
        setError(null)
        setLoading(false)
      },
      (e: unknown) => {
        if (!live) return
        setError(e)
        setLoading(false)
      },
    )
    return () => {
      live = false
    }
    // the caller's deps decide when to load again; tick is the reload button
  }, [...deps, tick])

  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data, loading, error, reload }
}
