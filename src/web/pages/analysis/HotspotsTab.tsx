// Hot spots: where problems keep coming back — a heat map of every cell's recurrences and a list of the grid cell ×
// class pairs with the most, each with its reason (how often, what time of day, which weekdays). A row click flies
// the map there.
import { useEffect, useMemo, useState } from 'react'
import { Card, Col, Empty, Row, Select, Space, Table, Typography } from 'antd'
import type { GeoJSONSource } from 'maplibre-gl'
import { useTranslation } from 'react-i18next'
import { analyticsHotspots, type Hotspot, type Hotspots, type Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView, useMap } from '../../map/MapView'
import { useMapConfig } from '../../map/useMapConfig'
import { lastDays, PeriodPicker } from './PeriodPicker'

const HEAT_SOURCE = 'analysis-heat'
const HEAT_LAYER = 'analysis-heat'
const SPOT_SOURCE = 'analysis-spots'
const SPOT_LAYER = 'analysis-spots'

/** The heat of every cell (weighted by its recurrences, then its reports) and the listed hot spots as rings. */
function HeatLayer({ data, focus }: { data: Hotspots | null; focus: Hotspot | null }) {
  const map = useMap()
  useEffect(() => {
    map.addSource(HEAT_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
    map.addSource(SPOT_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
    map.addLayer({
      id: HEAT_LAYER,
      type: 'heatmap',
      source: HEAT_SOURCE,
      paint: {
        'heatmap-weight': ['interpolate', ['linear'], ['get', 'weight'], 0, 0, 10, 1],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 3],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 12, 16, 40],
        'heatmap-opacity': 0.8,
      },
    })
    map.addLayer({
      id: SPOT_LAYER,
      type: 'circle',
      source: SPOT_SOURCE,
      paint: { 'circle-radius': 7, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#cf1322', 'circle-stroke-width': 2 },
    })
    return () => {
      if (!map.style) return
      for (const layer of [SPOT_LAYER, HEAT_LAYER]) if (map.getLayer(layer)) map.removeLayer(layer)
      for (const source of [SPOT_SOURCE, HEAT_SOURCE]) if (map.getSource(source)) map.removeSource(source)
    }
  }, [map])
  useEffect(() => {
    const heat = data?.heat ?? []
    ;(map.getSource(HEAT_SOURCE) as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: heat.map((h) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [h.lng, h.lat] }, properties: { weight: h.recurrences + h.count / 10 } })),
    })
    ;(map.getSource(SPOT_SOURCE) as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: (data?.items ?? []).map((h) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: h.position }, properties: { recurrences: h.recurrences } })),
    })
  }, [map, data])
  useEffect(() => {
    if (focus) map.flyTo({ center: focus.position, zoom: Math.max(map.getZoom(), 15) })
  }, [map, focus])
  return null
}

export function HotspotsTab() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const config = useMapConfig()
  const { can } = useAuth()
  const [period, setPeriod] = useState(lastDays(90))
  const [withinDays, setWithinDays] = useState(30)
  const [focus, setFocus] = useState<Hotspot | null>(null)
  const { data, loading, error } = useLoad(() => analyticsHotspots({ ...period, withinDays, limit: 50 }), null as Hotspots | null, [period.from, period.to, withinDays])
  const options = useMemo(() => [7, 14, 30, 60, 90].map((d) => ({ value: d, label: t('analysis.withinDaysValue', { count: d }) })), [t])

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <PeriodPicker value={period} onChange={setPeriod} />
        <span>{t('analysis.withinDays')}</span>
        <Select value={withinDays} onChange={setWithinDays} options={options} style={{ width: 120 }} data-testid="analysis-within" />
      </Space>
      {error !== null && <ServerError error={error} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('analysis.heat')} styles={{ body: { padding: 0 } }}>
            <div style={{ position: 'relative', height: 520 }} data-testid="analysis-heat">
              {config && <MapView config={config}>{can('grid:read') && <GridCellsLayer tone="muted" />}<HeatLayer data={data} focus={focus} /></MapView>}
            </div>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('analysis.list')}>
            <Table
              size="small"
              rowKey={(r) => `${r.cellId}:${r.classKind}:${r.classCode}`}
              loading={loading}
              dataSource={data?.items ?? []}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              locale={{ emptyText: <Empty description={t('analysis.noHotspots')} /> }}
              onRow={(r) => ({ onClick: () => setFocus(r), style: { cursor: 'pointer' } })}
              data-testid="analysis-hotspots"
              columns={[
                { title: t('analysis.cell'), render: (_, r) => <><div>{r.cellCode ?? '—'}</div><Typography.Text type="secondary">{r.streetName?.[lang] ?? ''}</Typography.Text></> , width: 170 },
                { title: t('analysis.class'), render: (_, r) => r.className[lang], width: 140 },
                { title: t('analysis.count'), dataIndex: 'count', align: 'right', width: 70 },
                { title: t('analysis.recurrences'), dataIndex: 'recurrences', align: 'right', width: 90 },
                { title: t('analysis.reason'), render: (_, r) => <span data-testid="analysis-hotspot-reason">{r.reason[lang]}</span> },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  )
}
