// Grid cells layer: fetches the cells in view on every moveend, fills them by street and outlines them.
import { useEffect, useRef } from 'react'
import type { GeoJSONSource, Map as MapLibre } from 'maplibre-gl'
import type { FeatureCollection } from 'geojson'
import { cellsGeoJson, type Bbox, type CellCollection } from '../api/client'
import { useMap } from './MapView'

export const GRID_SOURCE = 'grid-cells'
export const GRID_FILL = 'grid-cells-fill'
const GRID_LINE = 'grid-cells-line'
/** The server's ceiling per request; a district (~5,000 cells) fits whole. */
const MAX_CELLS = 20_000

/** Sixteen distinct hues, neighbours in the list far apart on the colour wheel. */
const PALETTE = ['#1c7ed6', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#0c8599', '#d4a017', '#5f3dc4', '#66a80f', '#d6336c', '#495057', '#f08c00', '#1098ad', '#862e9c', '#a0522d', '#364fc7']

/** A street keeps its colour wherever it is on screen: streets 001…016 get distinct colours, zones (4xx) are offset. */
export function streetColour(streetCode: string): string {
  const n = Number.parseInt(streetCode.slice(-3), 10)
  if (Number.isNaN(n)) return PALETTE[0]!
  return PALETTE[(n - 1 + Math.floor(n / 100) * 5) % PALETTE.length] ?? PALETTE[0]!
}

function viewBbox(map: MapLibre): Bbox {
  const b = map.getBounds()
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)]
}

/** 'muted': thin grey outlines only, as a quiet background under other data (the command map's cases). */
export type GridTone = 'streets' | 'muted'

export function GridCellsLayer({ onData, onError, tone = 'streets' }: {
  onData?: (cells: CellCollection) => void
  onError?: (error: unknown) => void
  tone?: GridTone
}) {
  const map = useMap()
  const callbacks = useRef({ onData, onError })
  useEffect(() => {
    callbacks.current = { onData, onError }
  }, [onData, onError])

  useEffect(() => {
    map.addSource(GRID_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
    map.addLayer({
      id: GRID_FILL,
      type: 'fill',
      source: GRID_SOURCE,
      paint: tone === 'muted'
        ? { 'fill-color': '#64748b', 'fill-opacity': 0.04 }
        : { 'fill-color': ['get', 'colour'], 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 10, 0.28, 16, 0.14] },
    })
    map.addLayer({
      id: GRID_LINE,
      type: 'line',
      source: GRID_SOURCE,
      paint: {
        'line-color': tone === 'muted' ? '#94a3b8' : ['get', 'colour'],
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.4, 14, 1, 17, 2],
        'line-opacity': tone === 'muted' ? 0.6 : 0.85,
      },
    })
    let controller: AbortController | undefined
    const load = () => {
      controller?.abort()
      const current = new AbortController()
      controller = current
      cellsGeoJson(viewBbox(map), current.signal, MAX_CELLS).then(
        (cells) => {
          if (current.signal.aborted) return
          for (const f of cells.features) {
            ;(f.properties as unknown as Record<string, unknown>).colour = streetColour(f.properties.streetCode ?? '')
          }
          ;(map.getSource(GRID_SOURCE) as GeoJSONSource | undefined)?.setData(cells as unknown as FeatureCollection)
          callbacks.current.onData?.(cells)
        },
        (error: unknown) => {
          if (current.signal.aborted) return
          callbacks.current.onError?.(error)
        },
      )
    }
    const pointer = () => { map.getCanvas().style.cursor = 'pointer' }
    const plain = () => { map.getCanvas().style.cursor = '' }
    map.on('moveend', load)
    map.on('mouseenter', GRID_FILL, pointer)
    map.on('mouseleave', GRID_FILL, plain)
    load()
    return () => {
      controller?.abort()
      map.off('moveend', load)
      map.off('mouseenter', GRID_FILL, pointer)
      map.off('mouseleave', GRID_FILL, plain)
      if (!map.style) return
      if (map.getLayer(GRID_LINE)) map.removeLayer(GRID_LINE)
      if (map.getLayer(GRID_FILL)) map.removeLayer(GRID_FILL)
      if (map.getSource(GRID_SOURCE)) map.removeSource(GRID_SOURCE)
    }
  }, [map, tone])

  return null
}
