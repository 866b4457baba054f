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
/** Reports that were no problem of their own (rejected, not confirmed, merged into another, cancelled). */
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

const KEY: Record<TrendBy, RawBuilder<string | null>> = {
  class: sql<string>`class_kind || ':' || class_code`,
  source: sql<string>`source`,
  street: sql<string | null>`street_id::text`,
  unit: sql<string | null>`assigned_unit_id::text`,
}

/** Cases reported per local day, week (from Monday) or month and key, in [from, to). */
export async function trend(db: Q, scope: Scope, from: Date, to: Date, by: TrendBy, interval: Interval) {
  const { rows } = await sql<{ bucket: string; key: string | null; n: string }>`
    select to_char(date_trunc(${interval}, ${localCreated(scope)}), 'YYYY-MM-DD') as bucket, ${KEY[by]} as key, count(*) as n
    from cases where created_at >= ${from} and created_at < ${to} ${inScope(scope)}
    group by 1, 2`.execute(db)
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
 * The (grid cell, class) pairs of [from, to) with the most recurrences — a report within `withinDays` of the one
 * before it in the same cell and class — and, for those, the local hours and weekdays (0 Sunday) of their reports.
 * Void reports (rejected, merged …) do not count.
 */
export async function hotspots(db: Q, scope: Scope, from: Date, to: Date, withinDays: number, limit: number): Promise<HotspotRow[]> {
  const { rows } = await sql<{ grid_cell_id: string; class_kind: string; class_code: string; n: string; recurrences: string; lng: number; lat: number; hours: number[]; weekdays: number[] }>`
    with reports as (
      select grid_cell_id, class_kind, class_code, created_at, position,
        created_at - lag(created_at) over (partition by grid_cell_id, class_kind, class_code order by created_at) as gap
      from cases
      where created_at >= ${from} and created_at < ${to} and grid_cell_id is not null and state not in (${list(VOID_STATES)}) ${inScope(scope)}
    ),
    pairs as (
      select grid_cell_id, class_kind, class_code, count(*) as n, count(*) filter (where gap <= make_interval(days => ${withinDays})) as recurrences
      from reports group by 1, 2, 3
    ),
    top as (
      select * from pairs where recurrences > 0 order by recurrences desc, n desc, grid_cell_id, class_code limit ${limit}
    )
    select top.grid_cell_id, top.class_kind, top.class_code, top.n, top.recurrences,
      avg(st_x(r.position)) as lng, avg(st_y(r.position)) as lat,
      array_agg(extract(hour from r.created_at at time zone 'UTC' + make_interval(mins => ${scope.offsetMinutes}))::int) as hours,
      array_agg(extract(dow from r.created_at at time zone 'UTC' + make_interval(mins => ${scope.offsetMinutes}))::int) as weekdays
    from top join reports r using (grid_cell_id, class_kind, class_code)
    group by 1, 2, 3, 4, 5
    order by top.recurrences desc, top.n desc, top.grid_cell_id, top.class_code`.execute(db)
  return rows.map((r) => {
    const hours = new Array<number>(24).fill(0)
    const weekdays = new Array<number>(7).fill(0)
    for (const h of r.hours) hours[h]! += 1
    for (const d of r.weekdays) weekdays[d]! += 1
    return { ...r, n: Number(r.n), recurrences: Number(r.recurrences), lng: Number(r.lng), lat: Number(r.lat), hours, weekdays }
  })
}

/** Every grid cell's reports and recurrences in [from, to) at the cell's mean report position: the heat map. */
export async function heat(db: Q, scope: Scope, from: Date, to: Date, withinDays: number, limit: number) {
  const { rows } = await sql<{ lng: number; lat: number; n: string; recurrences: string }>`
    with reports as (
      select grid_cell_id, position,
        created_at - lag(created_at) over (partition by grid_cell_id, class_kind, class_code order by created_at) as gap
      from cases
      where created_at >= ${from} and created_at < ${to} and grid_cell_id is not null and state not in (${list(VOID_STATES)}) ${inScope(scope)}
    )
    select avg(st_x(position)) as lng, avg(st_y(position)) as lat, count(*) as n, count(*) filter (where gap <= make_interval(days => ${withinDays})) as recurrences
    from reports group by grid_cell_id order by 4 desc, 3 desc limit ${limit}`.execute(db)
  return rows.map((r) => ({ lng: Number(r.lng), lat: Number(r.lat), count: Number(r.n), recurrences: Number(r.recurrences) }))
}

export interface DailyFilter {
  classKind?: string | undefined
  classCode?: string | undefined
  streetId?: string | undefined
}

/** Cases reported per local day in [from, to), grouped by `by` as well (or not). */
export async function daily(db: Q, scope: Scope, from: Date, to: Date, filter: DailyFilter, by: 'street' | 'class' | null) {
  const key = by === 'street' ? sql`street_id::text` : by === 'class' ? sql`class_kind || ':' || class_code` : sql`''`
  const { rows } = await sql<{ day: string; key: string | null; n: string }>`
    select to_char(${localCreated(scope)}, 'YYYY-MM-DD') as day, ${key} as key, count(*) as n
    from cases where created_at >= ${from} and created_at < ${to} ${inScope(scope)}
      ${filter.classCode ? sql`and class_code = ${filter.classCode}` : sql``}
      ${filter.classKind ? sql`and class_kind = ${filter.classKind}` : sql``}
      ${filter.streetId ? sql`and street_id = ${filter.streetId}` : sql``}
    group by 1, 2`.execute(db)
  return rows.map((r) => ({ date: r.day, key: r.key, count: Number(r.n) }))
}
