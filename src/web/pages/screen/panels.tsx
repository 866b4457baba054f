// The command screen's panels: one frame, the key figures, lists (overdue, newest, streets, hot spots), the 30-day
// trend, the month's rankings and the IoT figures. Sizes are in em of the screen's font, which follows the viewport.
import type { ReactNode } from 'react'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { AlarmList, AnalyticsSummary, EvaluationRanking, Hotspots, Lang, Names, Trends } from '../../api/client'
import { shortDate, useChart, type ChartOption } from '../analysis/charts'
import type { DeviceCounts } from './useScreenData'

export const nameIn = (names: Names | null | undefined, lang: Lang) => (names ? names[lang] : '—')

export function Panel({ id, title, extra, children }: { id: string; title: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <section className={`xh-screen-panel xh-screen-${id}`} data-testid={`screen-panel-${id}`}>
      <header className="xh-screen-panel-title"><span>{title}</span>{extra}</header>
      <div className="xh-screen-panel-body">{children}</div>
    </section>
  )
}

function Figure({ id, label, value, tone, count }: { id: string; label: string; value: string; tone?: 'red' | 'green' | 'blue'; count?: number }) {
  return (
    <div className={`xh-screen-kpi ${tone ? `xh-screen-kpi-${tone}` : ''}`} data-testid={`screen-kpi-${id}`} data-count={count}>
      <div className="xh-screen-kpi-value">{value}</div>
      <div className="xh-screen-kpi-label">{label}</div>
    </div>
  )
}

export function Kpis({ summary, lang }: { summary: AnalyticsSummary | null; lang: Lang }) {
  const { t } = useTranslation()
  const n = (v: number | undefined) => (v === undefined ? '—' : v.toLocaleString(lang))
  const rate = summary?.month.closureRate
  return (
    <section className="xh-screen-panel xh-screen-kpis" data-testid="screen-panel-kpis">
      <Figure id="reported" label={t('screen.kpi.reportedToday')} value={n(summary?.today.reported)} count={summary?.today.reported} tone="blue" />
      <Figure id="closed" label={t('screen.kpi.closedToday')} value={n(summary?.today.closed)} count={summary?.today.closed} tone="green" />
      <Figure id="open" label={t('screen.kpi.open')} value={n(summary?.open.total)} count={summary?.open.total} />
      <Figure id="overdue" label={t('screen.kpi.overdue')} value={n(summary?.open.red)} count={summary?.open.red} tone="red" />
      <Figure id="rate" label={t('screen.kpi.closureRate')} value={rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`} />
    </section>
  )
}

/** "3 h 20 min" / "2 d 4 h" overdue. */
function overdueText(minutes: number, t: (key: string, o?: Record<string, unknown>) => string) {
  if (minutes < 60) return t('screen.minutes', { count: minutes })
  if (minutes < 24 * 60) return t('screen.hours', { h: Math.floor(minutes / 60), m: minutes % 60 })
  return t('screen.days', { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) })
}

export function OverdueList({ summary, lang }: { summary: AnalyticsSummary | null; lang: Lang }) {
  const { t } = useTranslation()
  if (!summary) return null
  if (!summary.overdue.length) return <div className="xh-screen-empty">{t('screen.noOverdue')}</div>
  return (
    <ol className="xh-screen-list" data-testid="screen-overdue">
      {summary.overdue.map((c) => (
        <li key={c.id} data-testid="screen-overdue-item" data-id={c.id}>
          <span className="xh-screen-dot xh-screen-red" />
          <span className="xh-screen-grow">
            <b>{nameIn(c.className, lang)}</b>
            <small>{nameIn(c.streetName, lang)} · {c.unitName ? nameIn(c.unitName, lang) : t('screen.notDispatched')} · {c.ticket}</small>
          </span>
          <span className="xh-screen-late">{overdueText(c.overdueMinutes, t)}</span>
        </li>
      ))}
    </ol>
  )
}

export function LatestList({ summary, lang }: { summary: AnalyticsSummary | null; lang: Lang }) {
  const { t } = useTranslation()
  if (!summary) return null
  if (!summary.latest.length) return <div className="xh-screen-empty">{t('screen.noCases')}</div>
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', month: '2-digit', day: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' })
  return (
    <ol className="xh-screen-list" data-testid="screen-latest">
      {summary.latest.map((c) => (
        <li key={c.id} data-testid="screen-latest-item" data-id={c.id} data-ticket={c.ticket}>
          <span className="xh-screen-time">{time.format(new Date(c.createdAt))}</span>
          <span className="xh-screen-grow">
            <b>{nameIn(c.className, lang)}</b>
            <small>{nameIn(c.streetName, lang)} · {nameIn(c.sourceName, lang)}</small>
          </span>
        </li>
      ))}
    </ol>
  )
}

export function StreetBars({ summary, lang }: { summary: AnalyticsSummary | null; lang: Lang }) {
  const { t } = useTranslation()
  if (!summary) return null
  const streets = summary.streets.filter((s) => s.id !== null)
  if (!streets.length) return <div className="xh-screen-empty">{t('screen.noCases')}</div>
  const most = Math.max(1, ...streets.map((s) => s.open))
  return (
    <ol className="xh-screen-bars" data-testid="screen-streets">
      {streets.map((s) => (
        <li key={s.id}>
          <span className="xh-screen-bar-name">{nameIn(s.name, lang)}</span>
          <span className="xh-screen-bar-track">
            <span className="xh-screen-bar" style={{ width: `${(s.open / most) * 100}%` }} />
            <span className="xh-screen-bar xh-screen-bar-red" style={{ width: `${(s.overdue / most) * 100}%` }} />
          </span>
          <span className="xh-screen-bar-value">{s.open}{s.overdue > 0 && <em> / {s.overdue}</em>}</span>
        </li>
      ))}
    </ol>
  )
}

/** The screen's font size in px (screen.css: min(0.75vw, 1.3333vh)), for what is drawn on canvas. */
export function useScreenFont(): number {
  const size = () => Math.min(window.innerWidth * 0.0075, window.innerHeight * 0.013333)
  const [px, setPx] = useState(size)
  useEffect(() => {
    const resize = () => setPx(size())
    window.addEventListener('resize', resize)
    return () => window.removeEventListener('resize', resize)
  }, [])
  return px
}

export function TrendChart({ trends, lang }: { trends: Trends | null; lang: Lang }) {
  const { t } = useTranslation()
  const font = useScreenFont()
  const option = useMemo<ChartOption | null>(() => {
    if (!trends) return null
    const small = Math.round(font * 0.85)
    const total = trends.buckets.map((_, i) => trends.series.reduce((s, x) => s + (x.counts[i] ?? 0), 0) + (trends.other?.counts[i] ?? 0))
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: font * 0.3, right: font * 0.8, top: font * 2.2, bottom: font * 0.3, containLabel: true },
      legend: { top: 0, textStyle: { color: '#cbd5e1', fontSize: small }, itemWidth: font * 1.2, itemHeight: font * 0.6, itemGap: font },
      tooltip: { trigger: 'axis', textStyle: { fontSize: small } },
      xAxis: { type: 'category', data: trends.buckets.map(shortDate), axisLabel: { color: '#94a3b8', fontSize: small } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#94a3b8', fontSize: small }, splitLine: { lineStyle: { color: 'rgba(148,163,184,0.15)' } } },
      series: [
        { type: 'line', name: t('screen.total'), data: total, smooth: true, showSymbol: false, lineStyle: { width: font * 0.2, color: '#38bdf8' }, areaStyle: { color: 'rgba(56,189,248,0.15)' } },
        ...trends.series.map((s) => ({ type: 'line' as const, name: s.name[lang], data: s.counts, smooth: true, showSymbol: false, lineStyle: { width: font * 0.1 } })),
      ],
    }
  }, [trends, lang, t, font])
  const ref = useChart(option, lang, 'dark')
  return <div ref={ref} className="xh-screen-chart" data-testid="screen-trend-chart" />
}

export function HotspotList({ hotspots, lang }: { hotspots: Hotspots | null; lang: Lang }) {
  const { t } = useTranslation()
  if (!hotspots) return null
  if (!hotspots.items.length) return <div className="xh-screen-empty">{t('screen.noHotspots')}</div>
  return (
    <ol className="xh-screen-list" data-testid="screen-hotspots">
      {hotspots.items.map((h) => (
        <li key={`${h.cellId}-${h.classKind}-${h.classCode}`}>
          <span className="xh-screen-count">{h.recurrences}</span>
          <span className="xh-screen-grow">
            <b>{nameIn(h.className, lang)} · {nameIn(h.streetName, lang)}</b>
            <small>{h.reason[lang].split(lang === 'en' ? '; ' : '；').slice(1).join(lang === 'en' ? '; ' : '；') || t('screen.cell', { code: h.cellCode ?? '—' })}</small>
          </span>
        </li>
      ))}
    </ol>
  )
}

function RankingTable({ ranking, title }: { ranking: EvaluationRanking; title: string }) {
  const { t } = useTranslation()
  return (
    <div className="xh-screen-ranking">
      <div className="xh-screen-subtitle">{title} · {ranking.period.label}</div>
      <ol className="xh-screen-list">
        {ranking.rows.map((row) => {
          const move = row.previousRank === null || row.rank === null ? null : row.previousRank - row.rank
          return (
            <li key={row.id} className={row.rank === null ? 'xh-screen-ranking-nodata' : undefined} data-testid="screen-ranking-row">
              <span className={`xh-screen-rank xh-screen-rank-${Math.min(row.rank ?? 4, 4)}`}>{row.rank ?? '–'}</span>
              {/* a long name (a department's full name) wraps to a second line rather than losing its end */}
              <span className="xh-screen-ranking-name" title={row.name}>{row.name}</span>
              <span className="xh-screen-ranking-figures">
                <span className="xh-screen-score">{row.composite === null ? t('screen.noData') : row.composite.toFixed(1)}</span>
                {row.rank !== null && (
                  <span className={`xh-screen-move ${move && move > 0 ? 'up' : move && move < 0 ? 'down' : ''}`}>{move === null || move === 0 ? '–' : move > 0 ? `▲${move}` : `▼${-move}`}</span>
                )}
              </span>
            </li>
          )
        })}
      </ol>
    </div>
  )
}

export function Rankings({ rankings }: { rankings: { streets: EvaluationRanking | null; units: EvaluationRanking | null } | null }) {
  const { t } = useTranslation()
  if (!rankings) return null
  if (!rankings.streets && !rankings.units) return <div className="xh-screen-empty" data-testid="screen-rankings-empty">{t('screen.noRankings')}</div>
  return (
    <div className="xh-screen-ranking-tables" data-testid="screen-rankings">
      {rankings.streets && <RankingTable ranking={rankings.streets} title={t('screen.rankStreets')} />}
      {rankings.units && <RankingTable ranking={rankings.units} title={t('screen.rankUnits')} />}
    </div>
  )
}

export function IotPanel({ alarms, devices, lang }: { alarms: AlarmList | null; devices: DeviceCounts | null; lang: Lang }) {
  const { t } = useTranslation()
  return (
    <div className="xh-screen-iot-body">
      {devices && (
        <div className="xh-screen-iot-figures" data-testid="screen-devices">
          <span><b>{devices.total}</b>{t('screen.devices')}</span>
          <span className="xh-screen-green"><b>{devices.states.online}</b>{t('screen.online')}</span>
          <span className="xh-screen-muted"><b>{devices.states.offline + devices.states.never}</b>{t('screen.offline')}</span>
          <span className="xh-screen-redtext"><b>{devices.alarmed}</b>{t('screen.alarmed')}</span>
        </div>
      )}
      {alarms && (alarms.items.length ? (
        <ol className="xh-screen-list" data-testid="screen-alarms">
          {alarms.items.map((a) => (
            <li key={a.id}>
              <span className={`xh-screen-dot xh-screen-sev-${a.severity}`} />
              <span className="xh-screen-grow">
                <b>{lang === 'en' ? a.rule.nameEn : a.rule.name}</b>
                <small>{a.device.name} · {a.device.code}</small>
              </span>
            </li>
          ))}
        </ol>
      ) : <div className="xh-screen-empty">{t('screen.noAlarms')}</div>)}
    </div>
  )
}
