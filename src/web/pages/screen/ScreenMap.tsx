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
import { CasesLayer } from '../command/CasesLayer'
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

export function ScreenMap({ counts }: { counts: LightCounts | null }) {
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
