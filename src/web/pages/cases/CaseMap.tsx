// A small map around a case's position: the configured base map, the grid cells around it, and the point.
import { useMemo } from 'react'
import type { AppConfig, Bbox } from '../../api/client'
import { useAuth } from '../../app/auth'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView } from '../../map/MapView'
import { SelectedCellLayer } from '../../map/SelectedCellLayer'

/** Half the width and height of the view around the case, in degrees (about 2.3 km × 2 km at Wuhan's latitude: a few cells). */
const HALF_LNG = 0.012
const HALF_LAT = 0.009

export function CaseMap({ position }: { position: [number, number] }) {
  const { config, can } = useAuth()
  const [lng, lat] = position
  const bbox = useMemo<Bbox>(() => [lng - HALF_LNG, lat - HALF_LAT, lng + HALF_LNG, lat + HALF_LAT], [lng, lat])
  const mapConfig = useMemo<Pick<AppConfig, 'baseMap' | 'tiandituKey' | 'bbox'>>(
    () => ({ baseMap: config?.baseMap ?? 'none', tiandituKey: config?.tiandituKey, bbox }),
    [config?.baseMap, config?.tiandituKey, bbox],
  )
  const point = useMemo<[number, number]>(() => [lng, lat], [lng, lat])
  return (
    <div className="xh-case-map" data-testid="case-map">
      <MapView config={mapConfig}>
        {can('grid:read') && <GridCellsLayer />}
        <SelectedCellLayer geometry={null} point={point} />
      </MapView>
    </div>
  )
}
