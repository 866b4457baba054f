// The command map's data: open cases in a bounding box from GET /api/cases/map, as GeoJSON points keyed by light,
// and the counts by light for the legend.
import type { FeatureCollection, Point } from 'geojson'
import type { Bbox, CaseMapItem, CaseMapQuery, CaseMapReply } from '../../api/client'
import { caseMap } from '../../api/client'

/** A case's light on the map: a running time limit's colour, or none (suspended, no limit yet) in grey. */
export type LightKey = 'green' | 'yellow' | 'red' | 'none'
export const LIGHT_KEYS: readonly LightKey[] = ['red', 'yellow', 'green', 'none']

export const MAP_LIGHT_COLOURS: Record<LightKey, string> = { green: '#52c41a', yellow: '#faad14', red: '#f5222d', none: '#8c8c8c' }

/** How pressing a light is: a cluster takes the colour of its worst member. */
export const LIGHT_RANK: Record<LightKey, number> = { none: 0, green: 1, yellow: 2, red: 3 }

export type LightCounts = Record<LightKey, number>

export const lightOf = (item: Pick<CaseMapItem, 'light'>): LightKey => item.light ?? 'none'

export function countByLight(items: readonly CaseMapItem[]): LightCounts {
  const counts: LightCounts = { red: 0, yellow: 0, green: 0, none: 0 }
  for (const item of items) counts[lightOf(item)] += 1
  return counts
}

export interface CaseFeatureProps {
  id: string
  light: LightKey
  rank: number
}

/** The cases whose light is shown, as points carrying only what the layers style and the click looks up. */
export function toFeatures(items: readonly CaseMapItem[], shown: ReadonlySet<LightKey>): FeatureCollection<Point, CaseFeatureProps> {
  return {
    type: 'FeatureCollection',
    features: items.filter((item) => shown.has(lightOf(item))).map((item) => ({
      type: 'Feature',
      id: item.id,
      geometry: { type: 'Point', coordinates: item.position },
      properties: { id: item.id, light: lightOf(item), rank: LIGHT_RANK[lightOf(item)] },
    })),
  }
}

/** The open cases in the box (the server's filters; lights are filtered here so the legend counts every light). */
export function loadCaseMap(bbox: Bbox, query: CaseMapQuery, signal: AbortSignal): Promise<CaseMapReply> {
  return caseMap({ ...query, bbox: bbox.map((n) => n.toFixed(6)).join(',') }, { signal })
}
