// The reports on the public map: one circle per report coloured by its stage; a tap selects it.
import { useEffect, useRef } from 'react'
import type { ExpressionSpecification, GeoJSONSource, MapLayerMouseEvent } from 'maplibre-gl'
import type { FeatureCollection, Point } from 'geojson'
import { useMap } from '../../map/MapView'
import { STAGE_COLOURS } from './stages'

const SOURCE = 'public-reports'
const POINTS = 'public-report-points'

const STAGE_COLOUR: ExpressionSpecification = [
  'match', ['get', 'stage'],
  'submitted', STAGE_COLOURS.submitted, 'accepted', STAGE_COLOURS.accepted, 'in_progress', STAGE_COLOURS.in_progress,
  'closed', STAGE_COLOURS.closed, STAGE_COLOURS.declined,
]

export function PublicReportsLayer({ data, onSelect }: {
  data: FeatureCollection<Point, { ticket: string; stage: string; reportedMs: number }>
  onSelect: (ticket: string) => void
}) {
  const map = useMap()
  const select = useRef(onSelect)
  useEffect(() => {
    select.current = onSelect
  }, [onSelect])

  useEffect(() => {
    map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
    map.addLayer({
      id: POINTS,
      type: 'circle',
      source: SOURCE,
      // reports at one place: the newest on top, so a tap there opens the latest
      layout: { 'circle-sort-key': ['get', 'reportedMs'] },
      paint: {
        'circle-color': STAGE_COLOUR,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 16, 10],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    })
    const pick = (e: MapLayerMouseEvent) => {
      const ticket = (e.features?.[0]?.properties as { ticket?: string } | undefined)?.ticket
      if (ticket) select.current(ticket)
    }
    map.on('click', POINTS, pick)
    return () => {
      map.off('click', POINTS, pick)
      if (!map.style) return
      if (map.getLayer(POINTS)) map.removeLayer(POINTS)
      if (map.getSource(SOURCE)) map.removeSource(SOURCE)
    }
  }, [map])

  useEffect(() => {
    ;(map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(data)
  }, [map, data])

  return null
}
