// The cases on the command map: a clustered GeoJSON source, clusters coloured by their worst light and sized by their
// count (the count drawn as an HTML label: the offline base style has no glyphs), points coloured by light.
// A click on a cluster zooms into it, a click on a point selects the case.
import { useEffect, useRef } from 'react'
import { Marker, type ExpressionSpecification, type GeoJSONSource, type MapLayerMouseEvent } from 'maplibre-gl'
import type { FeatureCollection, Point } from 'geojson'
import { useMap } from '../../map/MapView'
import { MAP_LIGHT_COLOURS, type CaseFeatureProps } from './caseMapData'

export const CASE_SOURCE = 'command-cases'
export const CASE_CLUSTERS = 'command-case-clusters'
export const CASE_POINTS = 'command-case-points'

/** Colour of a light rank (the cluster's worst member): 3 red, 2 yellow, 1 green, 0 none. */
const RANK_COLOUR: ExpressionSpecification = [
  'match', ['get', 'worst'], 3, MAP_LIGHT_COLOURS.red, 2, MAP_LIGHT_COLOURS.yellow, 1, MAP_LIGHT_COLOURS.green, MAP_LIGHT_COLOURS.none,
]
const LIGHT_COLOUR: ExpressionSpecification = [
  'match', ['get', 'light'], 'red', MAP_LIGHT_COLOURS.red, 'yellow', MAP_LIGHT_COLOURS.yellow, 'green', MAP_LIGHT_COLOURS.green, MAP_LIGHT_COLOURS.none,
]

/** Keeps one HTML count label on every cluster the source holds for the current view. */
function clusterLabels(map: ReturnType<typeof useMap>): { update: () => void; clear: () => void } {
  const shown = new Map<number, Marker>()
  const update = () => {
    if (!map.getSource(CASE_SOURCE) || !map.isSourceLoaded(CASE_SOURCE)) return
    const seen = new Set<number>()
    for (const feature of map.querySourceFeatures(CASE_SOURCE, { filter: ['has', 'point_count'] })) {
      const props = feature.properties as { cluster_id: number; point_count: number }
      const id = props.cluster_id
      if (seen.has(id)) continue
      seen.add(id)
      // a new data set may give an id to another cluster: text and place are set every time
      const text = props.point_count >= 10_000 ? `${Math.floor(props.point_count / 1000)}k` : String(props.point_count)
      const at = (feature.geometry as Point).coordinates as [number, number]
      let marker = shown.get(id)
      if (!marker) {
        const element = document.createElement('div')
        element.className = 'xh-cluster-count'
        element.dataset.testid = 'command-cluster'
        marker = new Marker({ element }).setLngLat(at).addTo(map)
        shown.set(id, marker)
      } else {
        marker.setLngLat(at)
      }
      const element = marker.getElement()
      if (element.textContent !== text) element.textContent = text
    }
    for (const [id, marker] of shown) {
      if (seen.has(id)) continue
      marker.remove()
      shown.delete(id)
    }
  }
  const clear = () => {
    for (const marker of shown.values()) marker.remove()
    shown.clear()
  }
  return { update, clear }
}

export function CasesLayer({ data, onSelect }: {
  data: FeatureCollection<Point, CaseFeatureProps>
  onSelect: (caseId: string) => void
}) {
  const map = useMap()
  const select = useRef(onSelect)
  useEffect(() => {
    select.current = onSelect
  }, [onSelect])

  useEffect(() => {
    map.addSource(CASE_SOURCE, {
      type: 'geojson',
      data: { type: 'FeatureCollection', features: [] },
      cluster: true,
      clusterRadius: 48,
      clusterMaxZoom: 15,
      clusterProperties: { worst: ['max', ['get', 'rank']] },
    })
    map.addLayer({
      id: CASE_CLUSTERS,
      type: 'circle',
      source: CASE_SOURCE,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': RANK_COLOUR,
        'circle-opacity': 0.85,
        'circle-radius': ['step', ['get', 'point_count'], 14, 10, 18, 50, 23, 200, 28],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    })
    map.addLayer({
      id: CASE_POINTS,
      type: 'circle',
      source: CASE_SOURCE,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': LIGHT_COLOUR,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 5, 16, 8],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    })
    const labels = clusterLabels(map)
    const zoomIn = (e: MapLayerMouseEvent) => {
      const feature = e.features?.[0]
      if (!feature) return
      const clusterId = (feature.properties as { cluster_id: number }).cluster_id
      const center = (feature.geometry as Point).coordinates as [number, number]
      ;(map.getSource(CASE_SOURCE) as GeoJSONSource).getClusterExpansionZoom(clusterId).then(
        (zoom) => map.easeTo({ center, zoom: Math.min(zoom, map.getMaxZoom()) }),
        () => undefined,
      )
    }
    const pick = (e: MapLayerMouseEvent) => {
      const id = (e.features?.[0]?.properties as CaseFeatureProps | undefined)?.id
      if (id) select.current(id)
    }
    const pointer = () => { map.getCanvas().style.cursor = 'pointer' }
    const plain = () => { map.getCanvas().style.cursor = '' }
    map.on('click', CASE_CLUSTERS, zoomIn)
    map.on('click', CASE_POINTS, pick)
    for (const layer of [CASE_CLUSTERS, CASE_POINTS]) {
      map.on('mouseenter', layer, pointer)
      map.on('mouseleave', layer, plain)
    }
    map.on('render', labels.update)
    return () => {
      map.off('click', CASE_CLUSTERS, zoomIn)
      map.off('click', CASE_POINTS, pick)
      for (const layer of [CASE_CLUSTERS, CASE_POINTS]) {
        map.off('mouseenter', layer, pointer)
        map.off('mouseleave', layer, plain)
      }
      map.off('render', labels.update)
      labels.clear()
      if (!map.style) return
      for (const layer of [CASE_POINTS, CASE_CLUSTERS]) if (map.getLayer(layer)) map.removeLayer(layer)
      if (map.getSource(CASE_SOURCE)) map.removeSource(CASE_SOURCE)
    }
  }, [map])

  useEffect(() => {
    ;(map.getSource(CASE_SOURCE) as GeoJSONSource | undefined)?.setData(data)
  }, [map, data])

  return null
}
