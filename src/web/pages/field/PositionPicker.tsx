// Where the problem is: the device's position (WGS-84) as a pin on a small map, which the user may drag or move by a
// tap; the grid cell, community and street found there (GET /api/grid/lookup). Works as a form control.
import { useEffect, useMemo, useRef, useState } from 'react'
import { Alert, Button, Spin, Typography } from 'antd'
import { AimOutlined } from '@ant-design/icons'
import { Marker } from 'maplibre-gl'
import { useTranslation } from 'react-i18next'
import { gridExtent, lookup, type AppConfig, type Bbox, type Lang, type LookupResult } from '../../api/client'
import { useAuth } from '../../app/auth'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView, useMap } from '../../map/MapView'
import { formatDistance, useGeolocation } from './geo'

export interface PinnedPosition {
  lng: number
  lat: number
  /** Metres, from the device; null once the user placed the pin by hand. */
  accuracy: number | null
}

/** Half the view around the first position, in degrees (about 1.5 km × 1.3 km: the cell and its neighbours). */
const HALF_LNG = 0.008
const HALF_LAT = 0.006

/** The draggable pin; a tap on the map moves it too. Follows `point` when it changes from outside. */
export function Pin({ point, onMove }: { point: [number, number]; onMove: (point: [number, number]) => void }) {
  const map = useMap()
  const marker = useRef<Marker | null>(null)
  const moveRef = useRef(onMove)
  useEffect(() => {
    moveRef.current = onMove
  }, [onMove])

  useEffect(() => {
    const pin = new Marker({ draggable: true, color: '#d4380d' }).setLngLat(point).addTo(map)
    pin.getElement().dataset.testid = 'field-pin'
    pin.on('dragend', () => {
      const at = pin.getLngLat()
      moveRef.current([at.lng, at.lat])
    })
    const tap = (e: { lngLat: { lng: number; lat: number } }) => moveRef.current([e.lngLat.lng, e.lngLat.lat])
    map.on('click', tap)
    marker.current = pin
    return () => {
      map.off('click', tap)
      pin.remove()
      marker.current = null
    }
    // created once per map; later positions go through setLngLat below
  }, [map])

  useEffect(() => {
    marker.current?.setLngLat(point)
    if (!map.getBounds().contains(point)) map.easeTo({ center: point })
  }, [map, point[0], point[1]])

  return null
}

function PlaceLine({ position }: { position: PinnedPosition }) {
  const { t } = useTranslation()
  const [state, setState] = useState<{ key: string; result?: LookupResult; failed?: boolean } | null>(null)
  const key = `${position.lng.toFixed(6)},${position.lat.toFixed(6)}`
  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      lookup(position.lng, position.lat).then(
        (result) => live && setState({ key, result }),
        () => live && setState({ key, failed: true }),
      )
    }, 250)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [key])

  if (!state || state.key !== key) return <div className="xh-field-place" data-testid="field-place" data-status="loading"><Spin size="small" /></div>
  if (state.failed || !state.result) {
    return <div className="xh-field-place" data-testid="field-place" data-status="failed"><Typography.Text type="secondary">{t('field.position.placeLater')}</Typography.Text></div>
  }
  const { cell, community, street } = state.result
  if (!cell) {
    return <div className="xh-field-place" data-testid="field-place" data-status="outside"><Typography.Text type="warning">{t('field.position.outside')}</Typography.Text></div>
  }
  return (
    <div className="xh-field-place" data-testid="field-place" data-status="inside" data-cell={cell.code}>
      <Typography.Text strong data-testid="field-place-street">{[street?.name, community?.name].filter(Boolean).join(' · ')}</Typography.Text>
      <Typography.Text type="secondary" className="xh-ticket">{t('field.position.cell', { code: cell.code })}{cell.name ? ` ${cell.name}` : ''}</Typography.Text>
    </div>
  )
}

/**
 * The device's position as the pin: each new fix places it (asking again is how the user returns to the device's
 * position), and the first fix gives the view around it (`half`: half its width and height, in degrees).
 */
export function useDevicePin(onChange: ((value: PinnedPosition) => void) | undefined, half: [number, number] = [HALF_LNG, HALF_LAT]) {
  const geo = useGeolocation()
  const [around, setAround] = useState<Bbox | null>(null)
  const changeRef = useRef(onChange)
  useEffect(() => {
    changeRef.current = onChange
  }, [onChange])
  const [halfLng, halfLat] = half
  useEffect(() => {
    if (!geo.fix) return
    const { lng, lat, accuracy } = geo.fix
    changeRef.current?.({ lng, lat, accuracy })
    setAround((b) => b ?? [lng - halfLng, lat - halfLat, lng + halfLng, lat + halfLat])
  }, [geo.fix, halfLng, halfLat])
  return { geo, around, setAround }
}

/** The settings of a small map opened on `bbox` with the district's base map; null until there is a box. */
export function usePinMapConfig(bbox: Bbox | null): Pick<AppConfig, 'baseMap' | 'tiandituKey' | 'bbox'> | null {
  const { config } = useAuth()
  return useMemo(
    () => (bbox ? { baseMap: config?.baseMap ?? 'none', tiandituKey: config?.tiandituKey, bbox } : null),
    [config?.baseMap, config?.tiandituKey, bbox],
  )
}

export function PositionPicker({ value, onChange, id }: {
  value?: PinnedPosition
  onChange?: (value: PinnedPosition) => void
  id?: string
}) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { geo, around: bbox, setAround: setBbox } = useDevicePin(onChange)

  // No position from the device: open the map on the user's area, and the user taps where the problem is.
  useEffect(() => {
    if (!geo.problem || bbox) return
    let live = true
    gridExtent().then((r) => live && r.bbox && setBbox((b) => b ?? r.bbox), () => undefined)
    return () => {
      live = false
    }
  }, [geo.problem, bbox])

  const mapConfig = usePinMapConfig(bbox)
  const point = useMemo<[number, number] | null>(() => (value ? [value.lng, value.lat] : null), [value?.lng, value?.lat])

  return (
    <div className="xh-field-position" id={id} data-testid="field-position">
      {geo.problem && (
        <Alert type="warning" showIcon style={{ marginBottom: 8 }} data-testid="field-geo-problem"
          title={t(`field.position.problem.${geo.problem}`)} />
      )}
      <div className="xh-field-map">
        {mapConfig ? (
          <MapView config={mapConfig}>
            <GridCellsLayer />
            {point && <Pin point={point} onMove={([lng, lat]) => onChange?.({ lng, lat, accuracy: null })} />}
          </MapView>
        ) : (
          <div className="xh-center" style={{ height: '100%', gap: 8 }}>
            {!geo.problem && <Spin size="small" />}
            <Typography.Text type="secondary">{geo.problem ? t('field.position.noMap') : t('field.position.locating')}</Typography.Text>
          </div>
        )}
      </div>
      <div className="xh-field-position-foot">
        <div style={{ minWidth: 0, flex: 1 }}>
          {value ? <PlaceLine position={value} /> : <Typography.Text type="secondary">{geo.locating ? t('field.position.locating') : t('field.position.tapMap')}</Typography.Text>}
          {value && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="field-coordinates">
              {value.lng.toFixed(6)}, {value.lat.toFixed(6)}
              {value.accuracy !== null ? ` · ${t('field.position.accuracy', { distance: formatDistance(value.accuracy, lang) })}` : ` · ${t('field.position.manual')}`}
            </Typography.Text>
          )}
        </div>
        <Button icon={<AimOutlined />} onClick={geo.locate} loading={geo.locating} data-testid="field-locate">{t('field.position.locate')}</Button>
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('field.position.hint')}</Typography.Text>
    </div>
  )
}
