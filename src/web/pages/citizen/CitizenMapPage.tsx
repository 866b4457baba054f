// The public map of reported problems (last 90 days): circles coloured by stage, loaded for the view; a tap opens a
// popup with the class, stage and date, and the text and photos only where staff published them.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Link } from 'react-router'
import type { FeatureCollection, Point } from 'geojson'
import { Spin, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { MapPopup } from '../../map/MapPopup'
import { publicMap, type Lang, type PublicCase } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { MapView, useMap } from '../../map/MapView'
import { PublicReportsLayer } from './PublicReportsLayer'
import { publicClassName, StageTag } from './shared'
import { STAGE_COLOURS, STAGE_STEPS } from './stages'

/** Loads the reports in view whenever the map stops moving. */
function ViewLoader({ onItems }: { onItems: (items: PublicCase[], truncated: boolean) => void }) {
  const map = useMap()
  const done = useRef(onItems)
  useEffect(() => {
    done.current = onItems
  }, [onItems])
  useEffect(() => {
    let controller: AbortController | null = null
    const load = () => {
      controller?.abort()
      controller = new AbortController()
      const b = map.getBounds()
      const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
      const bbox: [number, number, number, number] = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      publicMap(bbox, { signal: controller.signal }).then((r) => done.current(r.items, r.truncated), () => undefined)
    }
    load()
    map.on('moveend', load)
    return () => {
      map.off('moveend', load)
      controller?.abort()
    }
  }, [map])
  return null
}

function ReportPopup({ item, lang, onClose }: { item: PublicCase; lang: Lang; onClose: () => void }) {
  const { t } = useTranslation()
  return (
    <MapPopup at={item.position} onClose={onClose} maxWidth="260px">
      <div className="xh-case-popup" data-testid="citizen-map-popup" data-ticket={item.ticket}>
        <Typography.Text strong>{publicClassName(item, lang)}</Typography.Text>
        <div className="xh-case-popup-line"><StageTag stage={item.stage} /></div>
        <div className="xh-case-popup-meta">{t('citizen.follow.reportedAt')} {formatDateTime(item.reportedAt, lang)}</div>
        {item.description && <Typography.Paragraph ellipsis={{ rows: 3 }} style={{ margin: 0 }}>{item.description}</Typography.Paragraph>}
        {item.photos.length > 0 && (
          <div className="xh-photos">{item.photos.slice(0, 3).map((p) => <img key={p.url} src={p.thumbnailUrl} alt="" className="xh-citizen-popup-photo" />)}</div>
        )}
        <Link to={`/citizen/ticket/${item.ticket}`} data-testid="citizen-map-popup-open">{t('citizen.map.open')}</Link>
      </div>
    </MapPopup>
  )
}

export default function CitizenMapPage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { config } = useAuth()
  const [items, setItems] = useState<PublicCase[] | null>(null)
  const [truncated, setTruncated] = useState(false)
  const [selected, setSelected] = useState<string | null>(null)
  const onItems = useCallback((list: PublicCase[], more: boolean) => {
    setItems(list)
    setTruncated(more)
  }, [])
  const data = useMemo<FeatureCollection<Point, { ticket: string; stage: string; reportedMs: number }>>(() => ({
    type: 'FeatureCollection',
    features: (items ?? []).map((c) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c.position }, properties: { ticket: c.ticket, stage: c.stage, reportedMs: Date.parse(c.reportedAt) } })),
  }), [items])
  const chosen = items?.find((c) => c.ticket === selected)
  const mapConfig = useMemo(() => (config ? { baseMap: config.baseMap, tiandituKey: config.tiandituKey, bbox: config.bbox } : null), [config])

  return (
    <div className="xh-citizen-map-page" data-testid="citizen-map-page" data-count={items?.length ?? -1}>
      <div className="xh-citizen-map-bar">
        <Typography.Text strong>{t('citizen.map.title')}</Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="citizen-map-count">
          {items === null ? <Spin size="small" /> : truncated ? t('citizen.map.truncated', { count: items.length }) : t('citizen.map.count', { count: items.length })}
        </Typography.Text>
      </div>
      <div className="xh-citizen-map-body">
        {mapConfig && (
          <MapView config={mapConfig} padding={12}>
            <ViewLoader onItems={onItems} />
            <PublicReportsLayer data={data} onSelect={setSelected} />
            {chosen && <ReportPopup key={chosen.ticket} item={chosen} lang={lang} onClose={() => setSelected(null)} />}
          </MapView>
        )}
        <div className="xh-citizen-legend" data-testid="citizen-map-legend">
          {[...STAGE_STEPS, 'declined' as const].map((s) => (
            <span key={s}><i style={{ background: STAGE_COLOURS[s] }} />{t(`citizen.stage.${s}`)}</span>
          ))}
        </div>
      </div>
    </div>
  )
}
