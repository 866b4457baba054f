// Command map (指挥地图): the open cases in the user's scope on the map, coloured by their time light, clustered where
// they are many; a click shows a case and leads to it. Filters by light, state, class, street and source; the counts by
// light are the legend. The view reloads when moved and follows case changes live, without moving.
import { useCallback, useMemo, useState } from 'react'
import { Alert, Badge, Button, Card, Drawer, Spin, Typography } from 'antd'
import { FilterOutlined } from '@ant-design/icons'
import type { MapMouseEvent } from 'maplibre-gl'
import { useTranslation } from 'react-i18next'
import { type CaseMapQuery, type CaseMapReply, type Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { errorMessage } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView } from '../../map/MapView'
import { useClasses } from '../cases/shared'
import { useUnits } from '../units/unitTree'
import { countByLight, lightOf, toFeatures } from './caseMapData'
import { CaseMapLoader } from './CaseMapLoader'
import { CasePopup } from './CasePopup'
import { useMapConfig } from '../../map/useMapConfig'
import { CASE_CLUSTERS, CASE_POINTS, CasesLayer } from './CasesLayer'
import { activeFilters, ALL_LIGHTS, FilterFields, LightFilter, LightLegend, type Filters } from './CommandFilters'

const EMPTY: CaseMapReply = { items: [], total: 0, truncated: false }

export default function CommandMapPage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const mobile = useIsMobile()
  const { can } = useAuth()
  const config = useMapConfig()
  const { classes, className } = useClasses()
  const { units } = useUnits(can('org:read'))
  const streets = useMemo(() => units.filter((u) => u.kind === 'street' || u.kind === 'zone'), [units])

  const [filters, setFilters] = useState<Filters>(ALL_LIGHTS)
  const [reply, setReply] = useState<CaseMapReply>(EMPTY)
  const [loaded, setLoaded] = useState(false)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [drawerOpen, setDrawerOpen] = useState(false)

  const query = useMemo<CaseMapQuery>(() => ({
    state: filters.state,
    classCode: filters.classValue?.split(':')[1],
    streetId: filters.streetId,
    source: filters.source,
  }), [filters.state, filters.classValue, filters.streetId, filters.source])

  const onLoading = useCallback(() => setLoading(true), [])
  const onData = useCallback((next: CaseMapReply) => {
    setReply(next)
    setLoaded(true)
    setLoading(false)
    setError(null)
  }, [])
  const onError = useCallback((e: unknown) => {
    setLoading(false)
    setError(e)
  }, [])

  const counts = useMemo(() => countByLight(reply.items), [reply.items])
  const shown = useMemo(() => new Set(filters.lights), [filters.lights])
  const features = useMemo(() => toFeatures(reply.items, shown), [reply.items, shown])
  const selected = reply.items.find((item) => item.id === selectedId && shown.has(lightOf(item))) ?? null

  // A click on the map away from every case closes the popup.
  const onMapClick = useCallback((e: MapMouseEvent) => {
    const hits = e.target.queryRenderedFeatures(e.point, { layers: [CASE_POINTS, CASE_CLUSTERS].filter((id) => e.target.getLayer(id)) })
    if (hits.length === 0) setSelectedId(null)
  }, [])

  if (!config) return <div className="xh-center"><Spin size="large" /></div>

  const active = activeFilters(filters)
  const status = (
    <span className="xh-command-status" data-testid="command-total" data-count={reply.items.length} data-loaded={loaded}>
      {loading && <Spin size="small" style={{ marginInlineEnd: 6 }} />}
      {loaded ? t('command.inView', { count: reply.items.length }) : t('command.loading')}
    </span>
  )
  const lightFilter = (legend: boolean) => (
    <LightFilter value={filters.lights} counts={counts} legend={legend} onChange={(lights) => setFilters({ ...filters, lights })} />
  )
  const fields = <FilterFields value={filters} onChange={setFilters} classes={classes} streets={streets} lang={lang} />
  const truncated = reply.truncated && (
    <Typography.Text type="warning" className="xh-command-note" data-testid="command-truncated">{t('command.truncated', { count: reply.items.length })}</Typography.Text>
  )

  return (
    <div className="xh-map-page" data-testid="command-page">
      <MapView config={config} onClick={onMapClick} padding={mobile ? { top: 56, bottom: 24, left: 24, right: 24 } : { top: 24, bottom: 24, left: 316, right: 24 }}>
        {can('grid:read') && <GridCellsLayer tone="muted" />}
        <CasesLayer data={features} onSelect={setSelectedId} />
        <CaseMapLoader query={query} onLoading={onLoading} onData={onData} onError={onError} />
        {selected && <CasePopup item={selected} className={className} onClose={() => setSelectedId(null)} />}
      </MapView>

      {mobile ? (
        <>
          <div className="xh-command-bar" data-testid="command-legend">
            {status}
            <LightLegend counts={counts} value={filters.lights} />
          </div>
          <Badge count={active} size="small" className="xh-command-filter-button">
            <Button icon={<FilterOutlined />} onClick={() => setDrawerOpen(true)} data-testid="command-filters-toggle" aria-label={t('cases.filter.title')} />
          </Badge>
          <Drawer
            open={drawerOpen}
            placement="bottom"
            size="auto"
            title={t('cases.filter.title')}
            onClose={() => setDrawerOpen(false)}
            data-testid="command-filters-drawer"
          >
            {lightFilter(false)}
            {fields}
            {truncated}
          </Drawer>
        </>
      ) : (
        <Card className="xh-command-panel" size="small" title={t('nav.command')} extra={status} data-testid="command-legend">
          {lightFilter(true)}
          {fields}
          {truncated}
        </Card>
      )}
      {error !== null && <Alert className="xh-map-error" type="warning" showIcon closable onClose={() => setError(null)} title={errorMessage(error)} />}
    </div>
  )
}
