// The command screen's map: the open cases by light (the command map's layers and live loader) over a dark ground and
// the grid's outlines, with the counts by light as its legend.
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CaseMapReply } from '../../api/client'
import { useAuth } from '../../app/auth'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView, useMap } from '../../map/MapView'
import { useMapConfig } from '../../map/useMapConfig'
import { CaseMapLoader } from '../command/CaseMapLoader'
import { CASE_CLUSTERS, CASE_POINTS, CasesLayer } from '../command/CasesLayer'
import { LIGHT_KEYS, MAP_LIGHT_COLOURS, toFeatures, type LightCounts } from '../command/caseMapData'

const ALL = new Set(LIGHT_KEYS)
const NO_QUERY = {}

/** The offline ground in the screen's colours (a raster base map stays as it is). */
function DarkGround() {
  const map = useMap()
  useEffect(() => {
    if (map.getLayer('background')) map.setPaintProperty('background', 'background-color', '#0b1f3a')
  }, [map])
  return null
}

/** The case points and clusters sized for the screen's font (a wall of 7680×2160 draws them twice as large). */
function ScaledCases({ scale }: { scale: number }) {
  const map = useMap()
  useEffect(() => {
    if (map.getLayer(CASE_POINTS)) {
      map.setPaintProperty(CASE_POINTS, 'circle-radius', ['interpolate', ['linear'], ['zoom'], 10, 5 * scale, 16, 8 * scale])
      map.setPaintProperty(CASE_POINTS, 'circle-stroke-width', 2 * scale)
    }
    if (map.getLayer(CASE_CLUSTERS)) {
      map.setPaintProperty(CASE_CLUSTERS, 'circle-radius', ['step', ['get', 'point_count'], 14 * scale, 10, 18 * scale, 50, 23 * scale, 200, 28 * scale])
      map.setPaintProperty(CASE_CLUSTERS, 'circle-stroke-width', 2 * scale)
    }
  }, [map, scale])
  return null
}

export function ScreenMap({ counts, font }: { counts: LightCounts | null; font: number }) {
  const { t } = useTranslation()
  const { can } = useAuth()
  const mapConfig = useMapConfig()
  const [reply, setReply] = useState<CaseMapReply | null>(null)
  const gridReadable = can('grid:read')
  const features = useMemo(() => toFeatures(reply?.items ?? [], ALL), [reply])

  return (
    <>
      {mapConfig && (
        <MapView config={mapConfig} padding={16}>
          <DarkGround />
          {gridReadable && <GridCellsLayer tone="muted" />}
          <CasesLayer data={features} onSelect={() => undefined} />
          <ScaledCases scale={Math.max(1, font / 14.4)} />
          <CaseMapLoader query={NO_QUERY} onLoading={() => undefined} onData={setReply} onError={() => undefined} />
        </MapView>
      )}
      <div className="xh-screen-legend" data-testid="screen-map-status" data-loaded={reply !== null} data-count={reply?.items.length ?? 0}>
        {LIGHT_KEYS.map((light) => (
          <span key={light} className="xh-screen-legend-item" data-testid={`screen-legend-${light}`} data-count={counts?.[light] ?? 0}>
            <i style={{ background: MAP_LIGHT_COLOURS[light] }} />
            {t(`screen.light.${light}`)} <b>{counts?.[light] ?? '—'}</b>
          </span>
        ))}
      </div>
    </>
  )
}
