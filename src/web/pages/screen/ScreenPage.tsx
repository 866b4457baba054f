// The command screen (指挥大屏): a full-screen live view for the command centre's wall — open cases by light on the
// map, today's counts and the closure rate, the overdue and the newest cases, streets, the 30-day trend, hot spots,
// the month's rankings and, for those who may see them, alarms and devices. No app chrome, dark, and sized from the
// viewport (one 1920×1080 screen up to a 2×4 wall of them, 7680×2160). It follows changes live, without reloading.
import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import type { Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { HotspotList, IotPanel, Kpis, LatestList, OverdueList, Panel, Rankings, StreetBars, TrendChart, useScreenFont } from './panels'
import { ScreenMap } from './ScreenMap'
import { useScreenData } from './useScreenData'
import './screen.css'

function Clock({ lang }: { lang: Lang }) {
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000)
    return () => clearInterval(timer)
  }, [])
  const text = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium', hour12: false, timeZone: 'Asia/Shanghai' }).format(now)
  return <span className="xh-screen-clock">{text}</span>
}

export default function ScreenPage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { config } = useAuth()
  const data = useScreenData()
  const font = useScreenFont()
  const iot = data.canAlarms || data.canDevices
  const { summary } = data
  const counts = summary ? { red: summary.open.red, yellow: summary.open.yellow, green: summary.open.green, none: summary.open.none } : null

  return (
    <div className={`xh-screen ${iot ? '' : 'xh-screen-no-iot'}`} data-testid="screen">
      <header className="xh-screen-panel xh-screen-head" data-testid="screen-panel-head">
        <Link to="/" className="xh-screen-exit" title={t('screen.exit')} aria-label={t('screen.exit')}>✕</Link>
        <h1>{t('screen.title', { district: (lang === 'en' ? config?.districtNameEn : null) ?? config?.districtName ?? '' })}</h1>
        <span className={`xh-screen-live ${data.stale ? 'stale' : ''}`} data-testid="screen-live" data-updated={data.updatedAt ?? ''}>
          {data.stale ? t('screen.stale') : t('screen.live')}
        </span>
        <Clock lang={lang} />
      </header>
      <Kpis summary={summary} lang={lang} />
      <section className="xh-screen-panel xh-screen-map" data-testid="screen-panel-map">
        <ScreenMap counts={counts} font={font} />
      </section>
      <Panel id="streets" title={t('screen.streets')} extra={<small>{t('screen.streetsHint')}</small>}><StreetBars summary={summary} lang={lang} /></Panel>
      <Panel id="trend" title={t('screen.trend')}><TrendChart trends={data.trends} lang={lang} /></Panel>
      <Panel id="hotspots" title={t('screen.hotspots')}><HotspotList hotspots={data.hotspots} lang={lang} /></Panel>
      <Panel id="overdue" title={t('screen.overdue')} extra={summary && <b className="xh-screen-redtext">{summary.open.red}</b>}><OverdueList summary={summary} lang={lang} /></Panel>
      <Panel id="latest" title={t('screen.latest')}><LatestList summary={summary} lang={lang} /></Panel>
      <Panel id="rankings" title={t('screen.rankings')}><Rankings rankings={data.rankings} /></Panel>
      {iot && <Panel id="iot" title={t('screen.iot')}><IotPanel alarms={data.alarms} devices={data.devices} lang={lang} /></Panel>}
    </div>
  )
}
