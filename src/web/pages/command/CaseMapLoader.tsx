// Loads the open cases in view: at once when the filters change, debounced after the map stops moving, and debounced
// again when a case changes anywhere (server-sent events); the view stays where the user left it.
import { useEffect, useRef } from 'react'
import type { Map as MapLibre } from 'maplibre-gl'
import type { Bbox, CaseMapQuery, CaseMapReply } from '../../api/client'
import { useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { useMap } from '../../map/MapView'
import { loadCaseMap } from './caseMapData'

const MOVE_DEBOUNCE_MS = 300
const LIVE_DEBOUNCE_MS = 800

function viewBbox(map: MapLibre): Bbox {
  const b = map.getBounds()
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)]
}

export interface LoaderCallbacks {
  onLoading: () => void
  onData: (reply: CaseMapReply) => void
  onError: (error: unknown) => void
}

export function CaseMapLoader({ query, onLoading, onData, onError }: { query: CaseMapQuery } & LoaderCallbacks) {
  const map = useMap()
  const callbacks = useRef<LoaderCallbacks>({ onLoading, onData, onError })
  useEffect(() => {
    callbacks.current = { onLoading, onData, onError }
  }, [onLoading, onData, onError])
  const queryRef = useRef(query)
  const controller = useRef<AbortController | undefined>(undefined)

  const load = useRef(() => {
    controller.current?.abort()
    const current = new AbortController()
    controller.current = current
    callbacks.current.onLoading()
    loadCaseMap(viewBbox(map), queryRef.current, current.signal).then(
      (reply) => {
        if (!current.signal.aborted) callbacks.current.onData(reply)
      },
      (error: unknown) => {
        if (!current.signal.aborted) callbacks.current.onError(error)
      },
    )
  }).current

  // New filters: load now. (The first run is the first load.)
  const key = JSON.stringify(query)
  useEffect(() => {
    queryRef.current = query
    load()
    // the key stands for the query's content
  }, [key])

  const afterMove = useDebounced(load, MOVE_DEBOUNCE_MS)
  useEffect(() => {
    map.on('moveend', afterMove)
    return () => {
      map.off('moveend', afterMove)
      controller.current?.abort()
    }
  }, [map, afterMove])

  const afterChange = useDebounced(load, LIVE_DEBOUNCE_MS)
  useLiveEvents(afterChange)

  return null
}
