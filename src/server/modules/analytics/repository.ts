// The analytics module's SQL: set-based aggregates over the cases table (read only; the cases module owns it). Days and
// hours are local (the district's UTC offset), worked out from the stored instants in SQL.
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'

type Q = Kysely<Database>

/** Whose cases: those placed under `path` or dispatched to a unit under it; null = the whole district. */
export interface Scope {
  path: string | null
  /** Minutes east of UTC of the district's local time (480 for China). */
  offsetMinutes: number
}

const inScope = (scope: Scope, table = 'cases'): RawBuilder<unknown> =>
  scope.path
    ? sql`and (${sql.ref(`${table}.org_path`)} like ${`${scope.path}%`} or ${sql.ref(`${table}.assigned_unit_path`)} like ${`${scope.path}%`})`
    : sql``

/** The local wall-clock time of created_at (a timestamp without zone). */
const localCreated = (scope: Scope) => sql`(created_at at time zone 'UTC' + make_interval(mins => ${scope.offsetMinutes}))`

/** States that reached filing (立案): the base of the closure rate. */
export const FILED_STATES = ['filed', 'dispatched', 'in_disposal', 'suspended', 'disposed', 'checked', 'closed'] as const
/**
 * Reports that were no problem of their own (rejected, not confirmed, merged into another, cancelled): hot spots do not
 * count them. The triggers and functions of 0017_hotspot_reports.sql name the same states.
 */
export const VOID_STATES = ['rejected', 'invalid', 'merged', 'cancelled'] as const

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`))

export async function periodCounts(db: Q, scope: Scope, today: Date, monthStart: Date) {
  const since = monthStart < today ? monthStart : today
  const { rows } = await sql<{ reported_today: string; reported_month: string; filed_month: string; closed_month: string }>`
    select count(*) filter (where created_at >= ${today}) as reported_today,
      count(*) filter (where created_at >= ${monthStart}) as reported_month,
      count(*) filter (where created_at >= ${monthStart} and state in (${list(FILED_STATES)})) as filed_month,
      count(*) filter (where created_at >= ${monthStart} and state = 'closed') as closed_month
    from cases where created_at >= ${since} ${inScope(scope)}`.execute(db)
  const r = rows[0]!
  return { reportedToday: Number(r.reported_today), reportedMonth: Number(r.reported_month), filedMonth: Number(r.filed_month), closedMonth: Number(r.closed_month) }
}

export async function closedSince(db: Q, scope: Scope, since: Date): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from cases where closed_at >= ${since} ${inScope(scope)}`.execute(db)
  return Number(rows[0]!.n)
}

/** Open cases by light (red overdue, yellow about to be, green, none: no running clock) and by street. */
export async function openByStreet(db: Q, scope: Scope, now: Date, openStates: readonly string[]) {
  const { rows } = await sql<{ street_id: string | null; red: string; yellow: string; green: string; none: string }>`
    select street_id,
      count(*) filter (where due_at < ${now}) as red,
      count(*) filter (where due_at >= ${now} and yellow_at <= ${now}) as yellow,
      count(*) filter (where due_at >= ${now} and (yellow_at is null or yellow_at > ${now})) as green,
      count(*) filter (where due_at is null) as none
    from cases where state in (${list(openStates)}) ${inScope(scope)}
    group by street_id`.execute(db)
  return rows.map((r) => ({ streetId: r.street_id, red: Number(r.red), yellow: Number(r.yellow), green: Number(r.green), none: Number(r.none) }))
}

/** The most overdue running cases first. */
export async function overdue(db: Q, scope: Scope, now: Date, limit: number) {
  const { rows } = await sql<{ id: string; ticket: string; class_kind: string; class_code: string; state: string; street_id: string | null; assigned_unit_id: string | null; address: string | null; due_at: Date; urge_count: number }>`
    select id, ticket, class_kind, class_code, state, street_id, assigned_unit_id, address, due_at, coalesce((counters->>'urgeCount')::int, 0) as urge_count
    from cases where due_at < ${now} ${inScope(scope)}
    order by due_at limit ${limit}`.execute(db)
  return rows
}

/** The newest reports. */
export async function latest(db: Q, scope: Scope, limit: number) {
  const { rows } = await sql<{ id: string; ticket: string; source: string; class_kind: string; class_code: string; state: string; street_id: string | null; created_at: Date }>`
    select id, ticket, source, class_kind, class_code, state, street_id, created_at
    from cases where true ${inScope(scope)}
    order by created_at desc limit ${limit}`.execute(db)
  return rows
}

export type TrendBy = 'class' | 'source' | 'street' | 'unit'
export type Interval = 'day' | 'week' | 'month'

/** The columns a trend groups by, and its key made of them once grouped (a text per group, not per row). */
const KEY: Record<TrendBy, { group: RawBuilder<unknown>; key: RawBuilder<string | null> }> = {
  class: { group: sql`class_kind, class_code`, key: sql`class_kind || ':' || class_code` },
  source: { group: sql`source`, key: sql`source` },
  street: { group: sql`street_id`, key: sql`street_id::text` },
  unit: { group: sql`assigned_unit_id`, key: sql`assigned_unit_id::text` },
}

/** Cases reported per local day, week (from Monday) or month and key, in [from, to). */
export async function trend(db: Q, scope: Scope, from: Date, to: Date, by: TrendBy, interval: Interval) {
  const { rows } = await sql<{ bucket: string; key: string | null; n: string }>`
    select to_char(bucket, 'YYYY-MM-DD') as bucket, ${KEY[by].key} as key, n from (
      select date_trunc(${interval}, ${localCreated(scope)}) as bucket, ${KEY[by].group}, count(*) as n
      from cases where created_at >= ${from} and created_at < ${to} ${inScope(scope)}
      group by 1, ${KEY[by].group}
    ) g`.execute(db)
  return rows.map((r) => ({ bucket: r.bucket, key: r.key, count: Number(r.n) }))
}

/** Reports per street and source in [from, to). */
export async function streetSources(db: Q, scope: Scope, from: Date, to: Date) {
  const { rows } = await sql<{ street_id: string | null; source: string; n: string }>`
    select street_id, source, count(*) as n from cases where created_at >= ${from} and created_at < ${to} ${inScope(scope)}
    group by 1, 2`.execute(db)
  return rows.map((r) => ({ streetId: r.street_id, source: r.source, count: Number(r.n) }))
}

export interface HotspotRow {
  grid_cell_id: string
  class_kind: string
  class_code: string
  n: number
  recurrences: number
  lng: number
  lat: number
  hours: number[]
  weekdays: number[]
}

/**
 * Reports that follow the one before them in their cell and class within this many days (the longest `withinDays`)
 * are indexed apart (hotspot_reports_close, 0017: 30 % of the bench's reports); the district's recurrences are counted
 * from there.
 */
const CLOSE_DAYS = 90

/** Sorting a quarter's reports of a scope by place, class and time may need more than PostgreSQL's default 4 MB. */
const SORT_MEMORY = '64MB'

/**
 * Brings the hot spots' copy of the counted reports (hotspot_reports, 0017) up to date with the cases changed since
 * the last refresh; returns how many changed cases it took. The hotspots.refresh job runs it every 10 s, and a
 * hot-spot question runs it first, so the answer counts every case committed before it.
 */
export async function refreshHotspots(db: Q): Promise<number> {
  const { rows } = await sql<{ taken: number }>`select hotspot_refresh() as taken`.execute(db)
  return Number(rows[0]!.taken)
}

/** The reports of the scope: those whose org path or dispatched unit's path lies under the user's unit. */
const inScopePaths = (scope: Scope) =>
  scope.path
    ? sql`and path_id in (select id from hotspot_paths where org_path like ${`${scope.path}%`} or unit_path like ${`${scope.path}%`})`
    : sql``

/**
 * The (grid cell, class) pairs of [from, to) with the most recurrences — a report within `withinDays` of the one
 * before it in the same cell and class — with the local hours and weekdays (0 Sunday) of their reports; and every
 * cell's reports and recurrences (the heat map, at most `heatLimit` cells). Places are the centres of the cells' boxes.
 * Read from hotspot_reports (counted reports only: placed in a cell, not void), refreshed by the caller.
 *
 * The whole district needs no sorting: each report carries the time of the one before it in its cell and class, so a
 * report of the period recurs when that time is in the period too and at most `withinDays` earlier (the first report
 * of a pair in the period has its predecessor before `from`). A scope sees only some reports of a pair, whose
 * predecessor may lie outside it: there the scope's reports are put in order and compared (a window, as the definition
 * reads), which a scope's share of the reports keeps small.
 */
export async function hotspots(db: Q, scope: Scope, from: Date, to: Date, withinDays: number, limit: number, heatLimit: number) {
  const period = sql`reported_at >= ${from} and reported_at < ${to}`
  const span: Span = {
    period, from, to, within: sql`make_interval(days => ${withinDays})`,
    close: withinDays <= CLOSE_DAYS ? sql`and reported_at - previous_at <= ${sql.raw(`interval '${CLOSE_DAYS} days'`)}` : sql``,
  }
  const { rows } = await db.transaction().execute(async (trx) => {
    await sql`select set_config('work_mem', ${SORT_MEMORY}, true)`.execute(trx)
    return sql<{ spot: boolean; grid_cell_id: string; class_kind: string | null; class_code: string | null; n: string; recurrences: string; lng: number; lat: number }>`
      with ${scope.path ? scopePairs(span, scope) : districtPairs(span, limit)}
      -- the centre of the cell's box: cheap for thousands of cells (a point on the surface costs ~50 µs each)
      select p.*, (st_xmin(c.geom) + st_xmax(c.geom)) / 2 as lng, (st_ymin(c.geom) + st_ymax(c.geom)) / 2 as lat
      from (
        (select true as spot, grid_cell_id, class_kind, class_code, n, recurrences from spots
          order by recurrences desc, n desc, grid_cell_id, class_code limit ${limit})
        union all
        (select false, grid_cell_id, null, null, n, recurrences from cells order by 6 desc, 5 desc limit ${heatLimit})
      ) p join grid_cells c on c.id = p.grid_cell_id`.execute(trx)
  })
  const top = rows.filter((r) => r.spot)
  const times = top.length
    ? (await sql<{ grid_cell_id: string; class_kind: string; class_code: string; hour: number; dow: number }>`
        select grid_cell_id, class_kind, class_code,
          extract(hour from reported_at at time zone 'UTC' + make_interval(mins => ${scope.offsetMinutes}))::int as hour,
          extract(dow from reported_at at time zone 'UTC' + make_interval(mins => ${scope.offsetMinutes}))::int as dow
        from hotspot_reports where ${period} ${inScopePaths(scope)}
          and (grid_cell_id, class_kind, class_code) in (${sql.join(top.map((r) => sql`(${r.grid_cell_id}::uuid, ${r.class_kind}, ${r.class_code})`))})`.execute(db)).rows
    : []
  const spots: HotspotRow[] = top.map((r) => {
    const hours = new Array<number>(24).fill(0)
    const weekdays = new Array<number>(7).fill(0)
    for (const t of times) {
      if (t.grid_cell_id !== r.grid_cell_id || t.class_kind !== r.class_kind || t.class_code !== r.class_code) continue
      hours[t.hour]! += 1
      weekdays[t.dow]! += 1
    }
    return { grid_cell_id: r.grid_cell_id, class_kind: r.class_kind!, class_code: r.class_code!, n: Number(r.n), recurrences: Number(r.recurrences), lng: Number(r.lng), lat: Number(r.lat), hours, weekdays }
  })
  spots.sort((a, b) => b.recurrences - a.recurrences || b.n - a.n || a.grid_cell_id.localeCompare(b.grid_cell_id) || a.class_code.localeCompare(b.class_code))
  const heat = rows.filter((r) => !r.spot).map((r) => ({ lng: Number(r.lng), lat: Number(r.lat), count: Number(r.n), recurrences: Number(r.recurrences) }))
  heat.sort((a, b) => b.recurrences - a.recurrences || b.count - a.count)
  return { spots, heat }
}

interface Span {
  /** The period's reports (`reported_at` in [from, to)). */
  period: RawBuilder<unknown>
  from: Date
  to: Date
  /** How close a report must follow the one before it to recur. */
  within: RawBuilder<unknown>
  /** `reported_at - previous_at <= 90 days`, which lets hotspot_reports_close serve (nothing when `within` is longer). */
  close: RawBuilder<unknown>
}

/**
 * `spots` (the pairs that recur, with their reports) and `cells` (every cell's reports and recurrences) of the whole
 * district, without sorting, each from an index alone: recurrences per pair from the reports that can recur
 * (hotspot_reports_close), reports per cell from the period's, and the reports of only those pairs that can make the
 * list — as many recurrences as the `limit`-th pair or more (a few dozen pairs, ordered among themselves by reports).
 */
function districtPairs(w: Span, limit: number) {
  return sql`
    recurring as materialized (
      select grid_cell_id, class_kind, class_code, count(*) as recurrences from hotspot_reports
      where ${w.period} ${w.close} and previous_at >= ${w.from} and reported_at - previous_at <= ${w.within}
      group by 1, 2, 3
    ),
    cut as (select recurrences from recurring order by recurrences desc offset ${limit - 1} limit 1),
    spots as (
      select r.*, (select count(*) from hotspot_reports h
          where (h.grid_cell_id, h.class_kind, h.class_code) = (r.grid_cell_id, r.class_kind, r.class_code) and h.reported_at >= ${w.from} and h.reported_at < ${w.to}) as n
      from recurring r where r.recurrences >= coalesce((select recurrences from cut), 1)
    ),
    cells as (
      select c.grid_cell_id, c.n, coalesce(r.recurrences, 0) as recurrences
      from (select grid_cell_id, count(*) as n from hotspot_reports where ${w.period} group by 1) c
      left join (select grid_cell_id, sum(recurrences)::bigint as recurrences from recurring group by 1) r using (grid_cell_id)
    )`
}

/** `spots` and `cells` of a scope: its reports of the period in order per cell and class, each against the one before. */
function scopePairs(w: Span, scope: Scope) {
  return sql`
    pairs as materialized (
      select grid_cell_id, class_kind, class_code, count(*) as n, count(*) filter (where again) as recurrences
      from (
        select grid_cell_id, class_kind, class_code,
          -- the byte order of the class sorts alike and costs less than the database's collation
          reported_at - lag(reported_at) over (partition by grid_cell_id, class_kind collate "C", class_code collate "C" order by reported_at) <= ${w.within} as again
        from hotspot_reports where ${w.period} ${inScopePaths(scope)}
      ) r
      group by 1, 2, 3
    ),
    spots as (select * from pairs where recurrences > 0),
    cells as (select grid_cell_id, sum(n)::bigint as n, sum(recurrences)::bigint as recurrences from pairs group by 1)`
}

export interface DailyFilter {
  classKind?: string | undefined
  classCode?: string | undefined
  streetId?: string | undefined
}

/**
 * Cases reported per local day in [from, to) in one pass: in all, and per street and per class from the local date
 * `breakdownFrom` on.
 */
export async function daily(db: Q, scope: Scope, from: Date, to: Date, filter: DailyFilter, breakdownFrom: string) {
  const { rows } = await sql<{ day: string; street: string | null; class: string | null; by_street: boolean; by_class: boolean; n: string }>`
    select to_char(d, 'YYYY-MM-DD') as day, street_id::text as street, class_kind || ':' || class_code as class,
      grouping(street_id) = 0 as by_street, grouping(class_kind, class_code) = 0 as by_class, count(*) as n
    from (
      select date_trunc('day', ${localCreated(scope)}) as d, street_id, class_kind, class_code
      from cases where created_at >= ${from} and created_at < ${to} ${inScope(scope)}
        ${filter.classCode ? sql`and class_code = ${filter.classCode}` : sql``}
        ${filter.classKind ? sql`and class_kind = ${filter.classKind}` : sql``}
        ${filter.streetId ? sql`and street_id = ${filter.streetId}` : sql``}
    ) c
    group by grouping sets ((d), (d, street_id), (d, class_kind, class_code))
    having d >= ${breakdownFrom}::timestamp or (grouping(street_id) = 1 and grouping(class_kind, class_code) = 3)`.execute(db)
  const all: Array<{ date: string; count: number }> = []
  const streets: Array<{ date: string; key: string | null; count: number }> = []
  const classes: Array<{ date: string; key: string | null; count: number }> = []
  for (const r of rows) {
    if (r.by_street) streets.push({ date: r.day, key: r.street, count: Number(r.n) })
    else if (r.by_class) classes.push({ date: r.day, key: r.class, count: Number(r.n) })
    else all.push({ date: r.day, count: Number(r.n) })
  }
  return { all, streets, classes }
}
