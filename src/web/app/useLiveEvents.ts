// Live updates: one server-sent event stream (/api/events) per browser tab, shared by the pages that listen to it.
import { useEffect, useRef } from 'react'

export interface LiveEvent {
  /** 'notification': something new waits in the signed-in user's notifications. */
  type: 'case.changed' | 'case.overdue' | 'notification'
  caseId?: string
}

type Listener = (event: LiveEvent) => void

const TYPES: ReadonlyArray<LiveEvent['type']> = ['case.changed', 'case.overdue', 'notification']
const listeners = new Set<Listener>()
let source: EventSource | null = null

function connect(): void {
  // The browser reconnects by itself when the stream ends (server restart, lifetime, network).
  source = new EventSource('/api/events', { withCredentials: true })
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      let data: { caseId?: unknown } = {}
      try {
        data = JSON.parse((e as MessageEvent<string>).data) as { caseId?: unknown }
      } catch {
        // not JSON: the type alone still says something changed
      }
      const event: LiveEvent = { type, caseId: typeof data.caseId === 'string' ? data.caseId : undefined }
      for (const listener of listeners) listener(event)
    })
  }
}

/** Calls `listener` for every case event the user may see, while the component is mounted (and `enabled`). */
export function useLiveEvents(listener: Listener, enabled = true): void {
  const ref = useRef(listener)
  useEffect(() => {
    ref.current = listener
  }, [listener])
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return
    const relay: Listener = (event) => ref.current(event)
    listeners.add(relay)
    if (!source) connect()
    return () => {
      listeners.delete(relay)
      if (listeners.size === 0) {
        source?.close()
        source = null
      }
    }
  }, [enabled])
}

/** A function that runs `fn` once, `ms` after the last of a burst of calls (cancelled on unmount). */
export function useDebounced(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => {
    fnRef.current = fn
  }, [fn])
  useEffect(() => () => clearTimeout(timer.current), [])
  const call = useRef(() => {
    clearTimeout(timer.current)
    timer.current = setTimeout(() => fnRef.current(), ms)
  })
  return call.current
}
