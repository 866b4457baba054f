// The city management brain (城管大脑): the command screen's summary, trends, hot spots with their reasons, top sources
// per street and forecasts with their backtest, each over the cases in the user's data scope. The counting is SQL
// (repository.ts); the reading of the counts is pure (hotspots.ts, forecast.ts).
import type { Db } from '../../platform/db/engine.js'
import type { Principal } from '../../platform/auth/principal.js'
import { AppError, type Locale } from '../../platform/errors.js'
import { listClasses } from '../classes/service.js'
import type { WorkingCalendar } from '../cases/calendar.js'
import { OPEN_STATES } from '../cases/workflow.js'
import type { OrgService } from '../org/service.js'
import { addDays, backtest, type Calendar, type DayKind, type DayOf, fillDays, forecast, weekdayOf, weekly } from './forecast.js'
import { reasonOf, timeOfDayPattern, weekdayPattern } from './hotspots.js'
import * as repo from './repository.js'

const DAY_MS = 86_400_000
/** China keeps one time zone, UTC+8, without daylight saving. */
export const OFFSET_MINUTES = 480
/** The job that brings the hot spots' copy of the reports up to date, and how often it runs. */
export const HOTSPOTS_REFRESH_JOB = 'hotspots.refresh'
export const HOTSPOTS_REFRESH_EVERY_MS = 10_000
/** The longest period one question may cover. */
export const MAX_DAYS = 731

type Names = Record<Locale, string>

export interface Period {
  /** Local dates, inclusive. */
  from: string
  to: string
}

/** The local date of an instant. */
export const localDate = (at: Date) => new Date(at.getTime() + OFFSET_MINUTES * 60_000).toISOString().slice(0, 10)
/** The instant a local date begins. */
export const startOf = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - OFFSET_MINUTES * 60_000)

/** A period from the query (`from`/`to` local dates), by default the `days` days up to today. */
export function periodOf(query: { from?: string | undefined; to?: string | undefined }, days: number, now = new Date()): Period {
  const to = query.to ?? localDate(now)
  const from = query.from ?? addDays(to, -(days - 1))
  const length = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1
  if (!(length >= 1)) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '开始日期晚于结束日期', en: 'from is after to' } }, { from, to })
  if (length > MAX_DAYS) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `时间范围不能超过 ${MAX_DAYS} 天`, en: `the period may not exceed ${MAX_DAYS} days` } }, { from, to })
  return { from, to }
}

/** The first day of every day, week (from Monday) or month of the period, as the SQL's date_trunc names them. */
export function bucketsOf(p: Period, interval: repo.Interval): string[] {
  const out: string[] = []
  if (interval === 'month') {
    for (let month = `${p.from.slice(0, 7)}-01`; month <= p.to; ) {
      out.push(month)
      const [y, m] = month.split('-').map(Number) as [number, number]
      month = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
    }
    return out
  }
  const step = interval === 'week' ? 7 : 1
  const first = interval === 'week' ? addDays(p.from, -((weekdayOf(p.from) + 6) % 7)) : p.from
  for (let day = first; day <= p.to; day = addDays(day, step)) out.push(day)
  return out
}

const bounds = (p: Period) => ({ from: startOf(p.from), to: startOf(addDays(p.to, 1)) })

export class AnalyticsService {
  private classNames: { at: number; names: Map<string, Names> } | undefined

  constructor(
    private readonly db: Db,
    private readonly org: OrgService,
    private readonly calendar: WorkingCalendar,
  ) {}

  /** The user's data scope; null when it covers the whole district (no filter at all: the fastest plans). */
  scopeOf(principal: Principal): repo.Scope {
    const district = this.org.district()
    const whole = district ? district.path.startsWith(principal.scopePath) : false
    return { path: whole ? null : principal.scopePath, offsetMinutes: OFFSET_MINUTES }
  }

  private unitName(id: string | null): Names | null {
    const unit = id ? this.org.unit(id) : undefined
    return unit ? { 'zh-CN': unit.name, en: unit.nameEn ?? unit.name } : null
  }

  private async classes(): Promise<Map<string, Names>> {
    if (this.classNames && Date.now() - this.classNames.at < 60_000) return this.classNames.names
    const names = new Map((await listClasses(this.db.kysely)).map((c) => [`${c.kind}:${c.smallCode}`, { 'zh-CN': c.smallName, en: c.smallNameEn ?? c.smallName }]))
    this.classNames = { at: Date.now(), names }
    return names
  }

  private async className(kind: string, code: string): Promise<Names> {
    return (await this.classes()).get(`${kind}:${code}`) ?? { 'zh-CN': code, en: code }
  }

  /** What the command screen shows: today's and this month's counts, the closure rate, open cases by light and street, the most overdue. */
  async summary(principal: Principal, overdueLimit = 20, now = new Date()) {
    const scope = this.scopeOf(principal)
    const today = localDate(now)
    const todayStart = startOf(today)
    const monthStart = startOf(`${today.slice(0, 7)}-01`)
    const [period, closedToday, streets, late, newest] = await Promise.all([
      repo.periodCounts(this.db.kysely, scope, todayStart, monthStart),
      repo.closedSince(this.db.kysely, scope, todayStart),
      repo.openByStreet(this.db.kysely, scope, now, OPEN_STATES),
      repo.overdue(this.db.kysely, scope, now, overdueLimit),
      repo.latest(this.db.kysely, scope, 10),
    ])
    const open = { total: 0, red: 0, yellow: 0, green: 0, none: 0 }
    for (const s of streets) {
      open.red += s.red
      open.yellow += s.yellow
      open.green += s.green
      open.none += s.none
    }
    open.total = open.red + open.yellow + open.green + open.none
    const overdue = await Promise.all(late.map(async (r) => ({
      id: r.id,
      ticket: r.ticket,
      state: r.state,
      className: await this.className(r.class_kind, r.class_code),
      streetName: this.unitName(r.street_id),
      unitName: this.unitName(r.assigned_unit_id),
      address: r.address,
      dueAt: r.due_at.toISOString(),
      overdueMinutes: Math.max(0, Math.floor((now.getTime() - r.due_at.getTime()) / 60_000)),
      urgeCount: r.urge_count,
    })))
    return {
      at: now.toISOString(),
      today: { date: today, reported: period.reportedToday, closed: closedToday },
      month: {
        from: `${today.slice(0, 7)}-01`,
        reported: period.reportedMonth,
        filed: period.filedMonth,
        closed: period.closedMonth,
        closureRate: period.filedMonth ? period.closedMonth / period.filedMonth : null,
      },
      open,
      streets: streets
        .map((s) => ({ id: s.streetId, name: this.unitName(s.streetId), open: s.red + s.yellow + s.green + s.none, overdue: s.red }))
        .sort((a, b) => b.open - a.open),
      overdue,
      latest: await Promise.all(newest.map(async (r) => ({
        id: r.id,
        ticket: r.ticket,
        source: r.source,
        sourceName: SOURCE_NAMES[r.source] ?? { 'zh-CN': r.source, en: r.source },
        state: r.state,
        className: await this.className(r.class_kind, r.class_code),
        streetName: this.unitName(r.street_id),
        createdAt: r.created_at.toISOString(),
      }))),
    }
  }

  /** Cases reported per interval and key (class, source, street, unit): the `limit` largest keys, the rest as one. */
  async trends(principal: Principal, q: { by: repo.TrendBy; interval: repo.Interval; period: Period; limit: number }) {
    const { from, to } = bounds(q.period)
    const rows = await repo.trend(this.db.kysely, this.scopeOf(principal), from, to, q.by, q.interval)
    const buckets = bucketsOf(q.period, q.interval)
    const totals = new Map<string | null, number>()
    for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.count)
    const ranked = [...totals].sort((a, b) => b[1] - a[1])
    const kept = new Set(ranked.slice(0, q.limit).map(([key]) => key))
    const index = new Map(buckets.map((b, i) => [b, i]))
    const series = new Map<string | null, number[]>()
    const other = new Array<number>(buckets.length).fill(0)
    for (const r of rows) {
      const counts = kept.has(r.key) ? series.get(r.key) ?? series.set(r.key, new Array<number>(buckets.length).fill(0)).get(r.key)! : other
      const at = index.get(r.bucket)
      if (at !== undefined) counts[at]! += r.count
    }
    const named = await Promise.all(ranked.filter(([key]) => kept.has(key)).map(async ([key, total]) => ({
      key, name: await this.keyName(q.by, key), total, counts: series.get(key)!,
    })))
    const otherTotal = other.reduce((a, b) => a + b, 0)
    return {
      by: q.by,
      interval: q.interval,
      period: q.period,
      buckets,
      total: rows.reduce((s, r) => s + r.count, 0),
      series: named,
      other: otherTotal ? { total: otherTotal, counts: other } : null,
    }
  }

  private async keyName(by: repo.TrendBy, key: string | null): Promise<Names> {
    if (key === null) return by === 'unit' ? { 'zh-CN': '未派遣', en: 'Not dispatched' } : { 'zh-CN': '区外/未定位', en: 'Outside the grid' }
    if (by === 'class') {
      const [kind, code] = key.split(':') as [string, string]
      return this.className(kind, code)
    }
    if (by === 'source') return SOURCE_NAMES[key] ?? { 'zh-CN': key, en: key }
    return this.unitName(key) ?? { 'zh-CN': key, en: key }
  }

  /** Grid cells and classes with recurring problems, with the reason in words; and the heat of every cell. */
  async hotspots(principal: Principal, q: { period: Period; withinDays: number; limit: number }) {
    const scope = this.scopeOf(principal)
    const { from, to } = bounds(q.period)
    // the cases changed since the job's last round count too
    await this.refreshHotspots()
    const { spots: rows, heat } = await repo.hotspots(this.db.kysely, scope, from, to, q.withinDays, q.limit, 5000)
    const cells = await this.cellsById(rows.map((r) => r.grid_cell_id))
    const items = await Promise.all(rows.map(async (r) => {
      const className = await this.className(r.class_kind, r.class_code)
      const time = timeOfDayPattern(r.hours)
      const weekday = weekdayPattern(r.weekdays)
      const cell = cells.get(r.grid_cell_id)
      return {
        cellId: r.grid_cell_id,
        cellCode: cell?.code ?? null,
        streetName: this.unitName(cell?.streetId ?? null),
        classKind: r.class_kind,
        classCode: r.class_code,
        className,
        count: r.n,
        recurrences: r.recurrences,
        position: [r.lng, r.lat] as [number, number],
        hours: r.hours,
        weekdays: r.weekdays,
        timeOfDay: time,
        weekday,
        reason: reasonOf({ className, count: r.n, recurrences: r.recurrences, withinDays: q.withinDays, time, weekday }),
      }
    }))
    return { period: q.period, withinDays: q.withinDays, items, heat }
  }

  /** Brings the hot spots' copy of the reports up to date (the hotspots.refresh job, and before every question). */
  refreshHotspots(): Promise<number> {
    return repo.refreshHotspots(this.db.kysely)
  }

  private async cellsById(ids: string[]): Promise<Map<string, { code: string; streetId: string | null }>> {
    if (!ids.length) return new Map()
    const rows = await this.db.kysely.selectFrom('grid_cells').select(['id', 'code', 'community_id']).where('id', 'in', ids).execute()
    return new Map(rows.map((r) => [r.id, { code: r.code, streetId: this.org.ancestorOfKind(r.community_id, ['street', 'zone'])?.id ?? null }]))
  }

  /** Each street's reports by source, largest first. */
  async streetSources(principal: Principal, q: { period: Period; top: number }) {
    const { from, to } = bounds(q.period)
    const rows = await repo.streetSources(this.db.kysely, this.scopeOf(principal), from, to)
    const streets = new Map<string | null, Array<{ source: string; count: number }>>()
    for (const r of rows) (streets.get(r.streetId) ?? streets.set(r.streetId, []).get(r.streetId)!).push({ source: r.source, count: r.count })
    const items = [...streets].map(([id, sources]) => {
      const total = sources.reduce((s, x) => s + x.count, 0)
      sources.sort((a, b) => b.count - a.count)
      return {
        streetId: id,
        streetName: id ? this.unitName(id) : { 'zh-CN': '区外/未定位', en: 'Outside the grid' },
        total,
        sources: sources.slice(0, q.top).map((s) => ({ ...s, name: SOURCE_NAMES[s.source] ?? { 'zh-CN': s.source, en: s.source }, share: s.count / total })),
      }
    })
    items.sort((a, b) => b.total - a.total)
    return { period: q.period, items }
  }

  /** How a local date behaves in the district's calendar (holiday rest day, make-up working day, ordinary day). */
  readonly dayOf: Calendar = (date) => this.dayKind(date)

  private dayKind(date: string): DayOf {
    const info = this.calendar.dayInfo(date)
    const weekday = weekdayOf(date)
    const weekend = weekday === 0 || weekday === 6
    let kind: DayKind = 'normal'
    if (!info.working && (info.reason === 'public-holiday' || info.reason === 'district-holiday')) kind = 'holiday'
    else if (info.working && weekend) kind = 'makeup'
    return { weekday, kind }
  }

  /**
   * The expected reports of the next `horizon` days (and weeks) for a class and/or street, from the history up to
   * yesterday; the backtest of the last `backtestWeeks` weeks; and the next 7 and 28 days of every street and of the
   * largest classes.
   */
  async forecast(principal: Principal, q: { classKind?: string | undefined; classCode?: string | undefined; streetId?: string | undefined; horizon: number; historyDays: number; backtestWeeks: number }, now = new Date()) {
    const scope = this.scopeOf(principal)
    const today = localDate(now)
    const first = addDays(today, -q.historyDays)
    const from = startOf(first)
    const to = startOf(today)
    const filter = { classKind: q.classKind, classCode: q.classCode, streetId: q.streetId }
    const breakdownDays = Math.min(q.historyDays, 84)
    const breakdownFirst = addDays(today, -breakdownDays)
    const { all: rows, streets: byStreet, classes: byClass } = await repo.daily(this.db.kysely, scope, from, to, filter, breakdownFirst)
    // one answer asks about the same days thousands of times: the calendar is read once per day here
    const known = new Map<string, DayOf>()
    const dayOf: Calendar = (date) => known.get(date) ?? known.set(date, this.dayOf(date)).get(date)!
    const history = fillDays(rows, first, q.historyDays)
    const days = forecast(history, dayOf, q.horizon)
    const test = backtest(history, dayOf, q.backtestWeeks)
    const ahead = async (groups: typeof byStreet, name: (key: string | null) => Promise<Names>, top: number) => {
      const keyed = new Map<string | null, Array<{ date: string; count: number }>>()
      for (const r of groups) (keyed.get(r.key) ?? keyed.set(r.key, []).get(r.key)!).push(r)
      const totals = [...keyed].map(([key, list]) => ({ key, list, total: list.reduce((s, r) => s + r.count, 0) })).sort((a, b) => b.total - a.total).slice(0, top)
      return Promise.all(totals.map(async ({ key, list, total }) => {
        const next = forecast(fillDays(list, breakdownFirst, breakdownDays), dayOf, 28)
        const sum = (n: number) => next.slice(0, n).reduce((s, d) => s + d.expected, 0)
        return { key, name: await name(key), history: total, next7: sum(7), next28: sum(28) }
      }))
    }
    return {
      filter: { classKind: q.classKind ?? null, classCode: q.classCode ?? null, streetId: q.streetId ?? null },
      history: history.slice(-56),
      forecast: days,
      weekly: weekly(days),
      backtest: test,
      breakdown: {
        days: breakdownDays,
        streets: await ahead(byStreet, (key) => this.keyName('street', key), 30),
        classes: await ahead(byClass, (key) => this.keyName('class', key), 10),
      },
    }
  }
}

/** The case sources' names (cases/workflow CASE_SOURCES). */
export const SOURCE_NAMES: Record<string, Names> = {
  supervisor: { 'zh-CN': '监督员上报', en: 'Field supervisors' },
  citizen: { 'zh-CN': '市民上报', en: 'Citizens' },
  hotline: { 'zh-CN': '热线', en: 'Hotline' },
  leader: { 'zh-CN': '领导交办', en: 'Leaders' },
  upper_platform: { 'zh-CN': '上级平台', en: 'City platform' },
  sensor: { 'zh-CN': '物联感知', en: 'Sensors' },
  video_ai: { 'zh-CN': '视频智能识别', en: 'Video AI' },
  media: { 'zh-CN': '媒体曝光', en: 'Media' },
}
