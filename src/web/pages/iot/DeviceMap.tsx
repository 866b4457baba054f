// The devices on a map (GET /api/iot/devices/map): points coloured by their worst open alarm, else by their state;
// a click shows the device and leads to its detail. The view fits the first devices shown and then keeps still on
// reloads (filters, live changes); the legend counts the points by colour.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Link } from 'react-router'
import { Alert, Spin } from 'antd'
import { LngLatBounds, type ExpressionSpecification, type GeoJSONSource, type MapLayerMouseEvent, type MapMouseEvent } from 'maplibre-gl'
import { useTranslation } from 'react-i18next'
import { MapPopup } from '../../map/MapPopup'
import { deviceMap, type DeviceMapFeatureProps, type DeviceMapReply, type DeviceQuery, type DeviceState, type Severity } from '../../api/client'
import { useAuth } from '../../app/auth'
import { errorMessage } from '../../app/ServerError'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView, useMap } from '../../map/MapView'
import { DEVICE_STATES, DeviceStateBadge, SEVERITIES, SEVERITY_COLOURS, SeverityTag, STATE_COLOURS } from './shared'

export const DEVICE_SOURCE = 'iot-devices'
export const DEVICE_POINTS = 'iot-device-points'

/** Alarm severity first, else the device's state. */
const COLOUR: ExpressionSpecification = [
  'match', ['coalesce', ['get', 'worstAlarm'], ['get', 'state']],
  ...SEVERITIES.flatMap((s) => [s, SEVERITY_COLOURS[s]]),
  ...DEVICE_STATES.flatMap((s) => [s, STATE_COLOURS[s]]),
  '#8c8c8c',
] as unknown as ExpressionSpecification

type LegendKey = Severity | DeviceState
const legendKey = (p: DeviceMapFeatureProps): LegendKey => p.worstAlarm ?? p.state

function DevicesLayer({ data, onSelect }: { data: DeviceMapReply; onSelect: (id: string) => void }) {
  const map = useMap()
  const fitted = useRef(false)
  const select = useRef(onSelect)
  useEffect(() => {
    select.current = onSelect
  }, [onSelect])

  useEffect(() => {
    map.addSource(DEVICE_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
    map.addLayer({
      id: DEVICE_POINTS,
      type: 'circle',
      source: DEVICE_SOURCE,
      // devices with an alarm on top
      layout: { 'circle-sort-key': ['case', ['to-boolean', ['get', 'worstAlarm']], 1, 0] },
      paint: {
        'circle-color': COLOUR,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, ['case', ['to-boolean', ['get', 'worstAlarm']], 6, 4], 16, ['case', ['to-boolean', ['get', 'worstAlarm']], 10, 7]],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    })
    const pick = (e: MapLayerMouseEvent) => {
      const id = (e.features?.[0]?.properties as DeviceMapFeatureProps | undefined)?.id
      if (id) select.current(id)
    }
    const pointer = () => { map.getCanvas().style.cursor = 'pointer' }
    const plain = () => { map.getCanvas().style.cursor = '' }
    map.on('click', DEVICE_POINTS, pick)
    map.on('mouseenter', DEVICE_POINTS, pointer)
    map.on('mouseleave', DEVICE_POINTS, plain)
    return () => {
      map.off('click', DEVICE_POINTS, pick)
      map.off('mouseenter', DEVICE_POINTS, pointer)
      map.off('mouseleave', DEVICE_POINTS, plain)
      if (!map.style) return
      if (map.getLayer(DEVICE_POINTS)) map.removeLayer(DEVICE_POINTS)
      if (map.getSource(DEVICE_SOURCE)) map.removeSource(DEVICE_SOURCE)
    }
  }, [map])

  useEffect(() => {
    ;(map.getSource(DEVICE_SOURCE) as GeoJSONSource | undefined)?.setData(data)
    if (fitted.current || data.features.length === 0) return
    fitted.current = true
    const bounds = new LngLatBounds()
    for (const f of data.features) bounds.extend(f.geometry.coordinates)
    map.fitBounds(bounds, { padding: 48, maxZoom: 16, duration: 0 })
  }, [map, data])

  return null
}

function DevicePopup({ device, modelName, onClose }: { device: DeviceMapFeatureProps & { at: [number, number] }; modelName: (key: string) => string; onClose: () => void }) {
  const { t } = useTranslation()
  return (
    <MapPopup at={device.at} onClose={onClose}>
      <div className="xh-case-popup" data-testid="device-popup" data-device-id={device.id}>
        <Link to={`/iot/devices/${device.id}`} className="xh-ticket">{device.code}</Link>
        <div>{device.name}</div>
        <div className="xh-case-popup-meta">{modelName(device.modelKey)}</div>
        <div className="xh-case-popup-line">
          <DeviceStateBadge state={device.state} />
          {device.worstAlarm && <SeverityTag severity={device.worstAlarm} count={device.alarms} />}
        </div>
        <Link to={`/iot/devices/${device.id}`} data-testid="device-popup-open">{t('iot.devices.open')}</Link>
      </div>
    </MapPopup>
  )
}

export function DeviceMap({ query, reloadKey, modelName }: {
  query: Omit<DeviceQuery, 'page' | 'pageSize'>
  /** Changes when the page hears a device or alarm changed: the points load again. */
  reloadKey: number
  modelName: (key: string) => string
}) {
  const { t } = useTranslation()
  const { config, can } = useAuth()
  const [data, setData] = useState<DeviceMapReply | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const key = JSON.stringify(query)

  useEffect(() => {
    const abort = new AbortController()
    setLoading(true)
    deviceMap(JSON.parse(key) as typeof query, { signal: abort.signal }).then(
      (reply) => {
        setData(reply)
        setError(null)
        setLoading(false)
      },
      (e: unknown) => {
        if (abort.signal.aborted) return
        setError(e)
        setLoading(false)
      },
    )
    return () => abort.abort()
  }, [key, reloadKey])

  const mapConfig = useMemo(() => (config ? { baseMap: config.baseMap, tiandituKey: config.tiandituKey, bbox: config.bbox } : null), [config])
  const counts = useMemo(() => {
    const result = new Map<LegendKey, number>()
    for (const f of data?.features ?? []) result.set(legendKey(f.properties), (result.get(legendKey(f.properties)) ?? 0) + 1)
    return result
  }, [data])
  const selected = useMemo(() => {
    const f = data?.features.find((x) => x.properties.id === selectedId)
    return f ? { ...f.properties, at: f.geometry.coordinates } : null
  }, [data, selectedId])

  const onMapClick = useCallback((e: MapMouseEvent) => {
    const hits = e.target.getLayer(DEVICE_POINTS) ? e.target.queryRenderedFeatures(e.point, { layers: [DEVICE_POINTS] }) : []
    if (hits.length === 0) setSelectedId(null)
  }, [])

  if (!mapConfig) return <div className="xh-center"><Spin /></div>
  const legend: LegendKey[] = [...SEVERITIES, ...DEVICE_STATES]
  return (
    <div className="xh-iot-map" data-testid="device-map" data-loaded={data !== null && !loading} data-count={data?.features.length ?? 0}>
      <MapView config={mapConfig} onClick={onMapClick}>
        {can('grid:read') && <GridCellsLayer tone="muted" />}
        {data && <DevicesLayer data={data} onSelect={setSelectedId} />}
        {selected && <DevicePopup device={selected} modelName={modelName} onClose={() => setSelectedId(null)} />}
      </MapView>
      <div className="xh-iot-legend" data-testid="device-map-legend">
        {loading && <Spin size="small" />}
        {legend.filter((k) => counts.get(k)).map((k) => (
          <span key={k} className="xh-legend-item" data-testid={`device-legend-${k}`} data-count={counts.get(k)}>
            <span className="xh-light-dot" style={{ background: (SEVERITY_COLOURS as Record<string, string>)[k] ?? STATE_COLOURS[k as DeviceState] }} />
            {(SEVERITIES as readonly string[]).includes(k) ? t(`iot.severity.${k}`) : t(`iot.state.${k}`)}
            <b>{counts.get(k)}</b>
          </span>
        ))}
        {data && data.features.length === 0 && !loading && <span>{t('iot.devices.noneOnMap')}</span>}
      </div>
      {error !== null && <Alert className="xh-map-error" type="warning" showIcon closable onClose={() => setError(null)} title={errorMessage(error)} />}
    </div>
  )
}
