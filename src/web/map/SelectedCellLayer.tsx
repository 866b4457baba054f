// Highlight of the selected grid cell and the clicked point.
import { useEffect } from 'react'
import type { GeoJSONSource } from 'maplibre-gl'
import type { Feature, FeatureCollection, Geometry } from 'geojson'
import { useMap } from './MapView'

const SOURCE = 'selected-cell'
const LAYERS = ['selected-cell-fill', 'selected-cell-line', 'selected-point'] as const

export function SelectedCellLayer({ geometry, point }: { geometry: Geometry | null; point: [number, number] | null }) {
  const map = useMap()

  useEffect(() => {
    map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
    map.addLayer({
      id: 'selected-cell-fill', type: 'fill', source: SOURCE, filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'fill-color': '#fadb14', 'fill-opacity': 0.35 },
    })
    map.addLayer({
      id: 'selected-cell-line', type: 'line', source: SOURCE, filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'line-color': '#d4380d', 'line-width': 3 },
    })
    map.addLayer({
      id: 'selected-point', type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 6, 'circle-color': '#d4380d', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
    })
    return () => {
      if (!map.style) return
      for (const id of [...LAYERS].reverse()) if (map.getLayer(id)) map.removeLayer(id)
      if (map.getSource(SOURCE)) map.removeSource(SOURCE)
    }
  }, [map])

  useEffect(() => {
    const features: Feature[] = []
    if (geometry) features.push({ type: 'Feature', geometry, properties: {} })
    if (point) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: point }, properties: {} })
    const data: FeatureCollection = { type: 'FeatureCollection', features }
    ;(map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(data)
  }, [map, geometry, point])

  return null
}
