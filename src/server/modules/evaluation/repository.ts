// The evaluation's SQL: the facts of a period counted from the case timeline (set-based, one query per family of
// subjects), the cases behind one figure, the subjects to rank, the district's settings and the published periods.
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import type { Family } from './indicators.js'

type Q = Kysely<Database>

export interface Window {
  from: Date
  to: Date
  /** Open steps are overdue when their deadline passed before both the period's end and now. */
  now: Date
  /** Region recurrence window in days. */
  recurrenceDays: number
}

/** States a problem never became (rejected, found invalid, joined to another case). */
const NOT_A_PROBLEM = sql`('rejected', 'invalid', 'merged')`

/**
 * One row per (unit, case, fact): the unit steps of the period. The unit is the one the case was dispatched to (for
 * dispatches) or the one holding it when the step was taken. A disposal step is late when taken after its deadline;
 * one that ran late and ended otherwise (returned, reassigned, suspended, cancelled) stays late; a case still in the
 * unit's hands whose deadline passed in the period is overdue now.
 */
function unitFacts(w: Window): RawBuilder<unknown> {
  return sql`
    with t as (
      select case_id, kind, at, due_at, holder_unit_id, from_state, detail from case_timeline
      where kind in ('dispatched', 'reassigned', 'returned', 'disposal_reported', 'reworked', 'extension_approved', 'suspended', 'urged', 'cancelled')
        and at >= ${w.from} and at < ${w.to}
    )
    select (detail->>'unitId')::uuid as unit_id, case_id, at, 'dispatched' as fact from t where kind in ('dispatched', 'reassigned')
    union all
    select holder_unit_id, case_id, at, case kind
        when 'disposal_reported' then case when at > due_at then 'disposed_late' else 'disposed_on_time' end
        when 'extension_approved' then 'extended' else kind end
      from t where holder_unit_id is not null and kind in ('returned', 'disposal_reported', 'reworked', 'extension_approved', 'suspended', 'urged')
    union all
    select holder_unit_id, case_id, at, 'ended_late' from t
      where holder_unit_id is not null and kind in ('returned', 'reassigned', 'suspended', 'cancelled') and from_state in ('dispatched', 'in_disposal') and at > due_at
    union all
    select assigned_unit_id, id, due_at, 'open_overdue' from cases
      where due_at >= ${w.from} and due_at < ${w.to < w.now ? w.to : w.now} and state in ('dispatched', 'in_disposal') and assigned_unit_id is not null`
}

/** The unit ranked for a fact: the top unit under the district ('/<district>/<unit>/…'). */
const topUnit = sql`nullif(split_part(u.path, '/', 3), '')::uuid`

/** Counts per top unit and fact. */
export async function unitCounts(db: Q, w: Window) {
  const { rows } = await roomy(db, (trx) => sql<{ subject_id: string; fact: string; n: string }>`
    select ${topUnit} as subject_id, f.fact, count(*) as n
    from (${unitFacts(w)}) f join org_units u on u.id = f.unit_id
    group by 1, 2`.execute(trx))
  return rows
}

/**
 * One row per (case, fact) for the regions, with the case's street, community and cell: reported (created) in the
 * period; filed; closed, late when any earlier step of the case ran past its deadline; recurrent when an earlier real
 * problem of the same class in the same cell was reported within the window. The cases reported in the period and the
 * window before it are read once; a filed or closed case among them finds its place there, any other (an old case
 * closed now) by its key.
 */
function regionFacts(w: Window): RawBuilder<unknown> {
  return sql`
    with recent as materialized (
      select id, created_at, street_id, community_id, grid_cell_id, class_kind, class_code, state from cases
      where created_at >= ${w.from}::timestamptz - make_interval(days => ${w.recurrenceDays}::int) and created_at < ${w.to}
    ),
    steps as (
      select case_id, at, 'filed' as fact from case_timeline where kind = 'filed' and at >= ${w.from} and at < ${w.to}
      union all
      select t.case_id, t.at, case when exists (
          select 1 from case_timeline l where l.case_id = t.case_id and l.at > l.due_at and l.id < t.id
        ) then 'closed_late' else 'closed_on_time' end
        from case_timeline t where t.kind = 'closed' and t.at >= ${w.from} and t.at < ${w.to}
    )
    select id as case_id, created_at as at, 'reported' as fact, street_id, community_id, grid_cell_id from recent where created_at >= ${w.from}
    union all
    select s.case_id, s.at, s.fact, coalesce(r.street_id, o.street_id), coalesce(r.community_id, o.community_id), coalesce(r.grid_cell_id, o.grid_cell_id)
    from steps s left join recent r on r.id = s.case_id
    left join lateral (select street_id, community_id, grid_cell_id from cases c where r.id is null and c.id = s.case_id offset 0) o on true
    union all
    select id, created_at, 'recurrent', street_id, community_id, grid_cell_id from (
      select id, created_at, street_id, community_id, grid_cell_id,
        lag(created_at) over (partition by grid_cell_id, class_kind, class_code order by created_at, id) as before
      from recent where grid_cell_id is not null and state not in ${NOT_A_PROBLEM}
    ) x where created_at >= ${w.from} and before >= created_at - make_interval(days => ${w.recurrenceDays}::int)`
}

export type RegionLevel = 'street' | 'community' | 'cell'
const REGION_COLUMN: Record<RegionLevel, RawBuilder<unknown>> = { street: sql`f.street_id`, community: sql`f.community_id`, cell: sql`f.grid_cell_id` }

/**
 * The evaluation's queries run with room: sorts and hashes of a month's facts fit in memory (the default 4 MB spills
 * them to disk), and no JIT — their cost estimates (a correlated probe per row, counted for far more rows than there
 * are) pass jit_above_cost, and compiling them took longer than running them: 1.1 s of the regions' 2.4 s at a million
 * cases on native PostgreSQL 15.
 */
function roomy<T>(db: Q, work: (trx: Q) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local work_mem = '64MB'`.execute(trx)
    await sql`set local jit = off`.execute(trx)
    return work(trx)
  })
}

/** Counts per region and fact for streets, communities and cells at once (grouping sets: one pass over the facts). */
export async function regionCounts(db: Q, w: Window) {
  const { rows } = await roomy(db, (trx) => sql<{ street_id: string | null; community_id: string | null; grid_cell_id: string | null; level: number; fact: string; n: string }>`
    select f.street_id, f.community_id, f.grid_cell_id, grouping(f.street_id, f.community_id, f.grid_cell_id) as level, f.fact, count(*) as n
    from (${regionFacts(w)}) f
    group by grouping sets ((f.street_id, f.fact), (f.community_id, f.fact), (f.grid_cell_id, f.fact))`.execute(trx))
  const out: Array<{ level: RegionLevel; subject_id: string; fact: string; n: string }> = []
  for (const r of rows) {
    // grouping() sets a bit for each column left out: 3 = street only, 5 = community only, 6 = cell only
    const level: RegionLevel = Number(r.level) === 3 ? 'street' : Number(r.level) === 5 ? 'community' : 'cell'
    const id = level === 'street' ? r.street_id : level === 'community' ? r.community_id : r.grid_cell_id
    if (id) out.push({ level, subject_id: id, fact: r.fact, n: r.n })
  }
  return out
}

/**
 * One row per (supervisor, case, fact): their reports of the period (valid, filed), the problems in their cells that
 * others reported first and that were filed (missed), their verifications and checks, on time or late.
 */
function supervisorFacts(w: Window): RawBuilder<unknown> {
  return sql`
    with own as (
      select c.id, c.reported_by, c.created_at, c.state from cases c
      where c.source = 'supervisor' and c.reported_by is not null and c.created_at >= ${w.from} and c.created_at < ${w.to}
    )
    select reported_by as user_id, id as case_id, created_at as at, 'reported' as fact from own
    union all
    select reported_by, id, created_at, 'valid' from own where state not in ${NOT_A_PROBLEM}
    union all
    select reported_by, id, created_at, 'filed' from own where exists (select 1 from case_timeline f where f.case_id = own.id and f.kind = 'filed')
    union all
    select p.user_id, c.id, c.created_at, 'missed' from cases c
      join grid_cell_people p on p.grid_cell_id = c.grid_cell_id and p.duty = 'supervisor'
      where c.created_at >= ${w.from} and c.created_at < ${w.to} and c.source <> 'supervisor'
        and exists (select 1 from case_timeline f where f.case_id = c.id and f.kind = 'filed')
    union all
    select actor_id, case_id, at, case
        when kind in ('verified', 'verification_denied') then case when at > due_at then 'verified_late' else 'verified_on_time' end
        else case when at > due_at then 'checked_late' else 'checked_on_time' end end
      from case_timeline
      where kind in ('verified', 'verification_denied', 'check_passed', 'reworked') and at >= ${w.from} and at < ${w.to} and actor_id is not null`
}

export async function supervisorCounts(db: Q, w: Window) {
  const { rows } = await roomy(db, (trx) => sql<{ subject_id: string; fact: string; n: string }>`
    select f.user_id as subject_id, f.fact, count(*) as n from (${supervisorFacts(w)}) f group by 1, 2`.execute(trx))
  return rows
}

/**
 * One row per (acceptor, case, fact), by who took the step: each filing of the period twice — accurate or wrong, on
 * time or late — and each rejection. A filing was wrong when the case was cancelled or merged into another after it
 * (both end a case for good, so they are read once from the period's start on). Steps without a person (none today)
 * count for no one.
 */
function acceptorFacts(w: Window): RawBuilder<unknown> {
  return sql`
    with f as (
      select id, case_id, kind, at, due_at, actor_id from case_timeline
      where kind in ('filed', 'rejected') and at >= ${w.from} and at < ${w.to} and actor_id is not null
    ),
    undone as materialized (
      select case_id, max(id) as id from case_timeline where kind in ('cancelled', 'merged') and at >= ${w.from} group by case_id
    )
    select f.actor_id as user_id, f.case_id, f.at, case when u.id > f.id then 'filed_wrong' else 'filed_accurate' end as fact
      from f left join undone u on u.case_id = f.case_id where f.kind = 'filed'
    union all
    select actor_id, case_id, at, case when at > due_at then 'filed_late' else 'filed_on_time' end from f where kind = 'filed'
    union all
    select actor_id, case_id, at, 'rejected' from f where kind = 'rejected'`
}

/**
 * One row per (dispatcher, case, fact), by who took the step: each dispatch and reassignment of the period, accurate
 * or returned — returned when the next hand-over of the case (dispatch, reassignment or return) was the unit's return —
 * and each dispatch on time or late (a reassignment runs to the former unit's disposal deadline, not a dispatch
 * deadline of its own). The next hand-over is looked up only for the few cases returned since the period began.
 * Automatic dispatches (the responsibility matrix) have no person and count for no one.
 */
function dispatcherFacts(w: Window): RawBuilder<unknown> {
  return sql`
    with d as (
      select id, case_id, kind, at, due_at, actor_id from case_timeline
      where kind in ('dispatched', 'reassigned') and at >= ${w.from} and at < ${w.to} and actor_id is not null
    ),
    returned as materialized (select distinct case_id from case_timeline where kind = 'returned' and at >= ${w.from})
    select d.actor_id as user_id, d.case_id, d.at, case
        when r.case_id is null then 'dispatch_accurate'
        when (
          select n.kind from case_timeline n where n.case_id = d.case_id and n.id > d.id and n.kind in ('dispatched', 'reassigned', 'returned') order by n.id limit 1
        ) = 'returned' then 'dispatch_returned'
        else 'dispatch_accurate' end as fact
      from d left join returned r on r.case_id = d.case_id
    union all
    select actor_id, case_id, at, case when at > due_at then 'dispatched_late' else 'dispatched_on_time' end from d where kind = 'dispatched'`
}

const PEOPLE_FACTS = { acceptor: acceptorFacts, dispatcher: dispatcherFacts }

/** Counts per acceptor or dispatcher and fact. */
export async function staffCounts(db: Q, family: 'acceptor' | 'dispatcher', w: Window) {
  const { rows } = await roomy(db, (trx) => sql<{ subject_id: string; fact: string; n: string }>`
    select f.user_id as subject_id, f.fact, count(*) as n from (${PEOPLE_FACTS[family](w)}) f group by 1, 2`.execute(trx))
  return rows
}

export interface DrillRow {
  case_id: string
  ticket: string
  fact: string
  at: Date
  state: string
  class_kind: string
  class_code: string
  address: string | null
}

/** The cases behind one figure: the facts of one subject, newest first, at most `limit`. */
export async function drill(db: Q, w: Window, family: Family, level: RegionLevel | null, subjectId: string, facts: readonly string[], limit: number) {
  const base = family === 'unit'
    ? sql`select f.case_id, f.fact, f.at from (${unitFacts(w)}) f join org_units u on u.id = f.unit_id where ${topUnit} = ${subjectId}`
    : family === 'region'
      ? sql`select f.case_id, f.fact, f.at from (${regionFacts(w)}) f where ${REGION_COLUMN[level ?? 'street']} = ${subjectId}`
      : sql`select f.case_id, f.fact, f.at from (${family === 'supervisor' ? supervisorFacts(w) : PEOPLE_FACTS[family](w)}) f where f.user_id = ${subjectId}`
  const { rows } = await roomy(db, (trx) => sql<DrillRow>`
    select d.case_id, c.ticket, d.fact, d.at, c.state, c.class_kind, c.class_code, c.address
    from (${base}) d join cases c on c.id = d.case_id
    where d.fact in (${sql.join([...facts])})
    order by d.at desc, c.ticket limit ${limit}`.execute(trx))
  return rows
}

// ---- subjects ------------------------------------------------------------------------------------------------

export interface SubjectRow {
  id: string
  name: string
  name_en: string | null
  /** The org path the subject's data lies under (a supervisor: their unit's). */
  path: string
  area_m2: number | null
  population: number | null
}

/** Departments, streets and the zone directly under the district: the disposal units ranked. */
export async function units(db: Q, districtId: string): Promise<SubjectRow[]> {
  return db.selectFrom('org_units').select(['id', 'name', 'name_en', 'path', sql<null>`null`.as('area_m2'), 'population'])
    .where('parent_id', '=', districtId).where('kind', 'in', ['department', 'street', 'zone']).where('active', '=', true).orderBy('sort').orderBy('code').execute()
}

/** Streets and the zone, or communities, with the area of their grid cells. */
export async function regions(db: Q, kinds: readonly string[]): Promise<SubjectRow[]> {
  const { rows } = await sql<SubjectRow>`
    with community as (select community_id as id, sum(area_m2) as area from grid_cells group by 1),
    street as (select cm.parent_id as id, sum(community.area) as area from community join org_units cm on cm.id = community.id group by 1)
    select u.id, u.name, u.name_en, u.path, u.population, coalesce(community.area, street.area) as area_m2
    from org_units u left join community on community.id = u.id left join street on street.id = u.id
    where u.kind in (${sql.join([...kinds])}) and u.active order by u.code`.execute(db)
  return rows.map((r) => ({ ...r, area_m2: r.area_m2 === null ? null : Number(r.area_m2) }))
}

export async function cells(db: Q): Promise<SubjectRow[]> {
  const rows = await db.selectFrom('grid_cells').select(['id', 'code', 'name', 'org_path', 'area_m2']).orderBy('code').execute()
  return rows.map((r) => ({ id: r.id, name: r.name ? `${r.name}（${r.code}）` : r.code, name_en: r.code, path: r.org_path, area_m2: r.area_m2, population: null }))
}

/** Users responsible for a cell as supervisor, or holding the supervisor role. */
export async function supervisors(db: Q): Promise<SubjectRow[]> {
  const { rows } = await sql<SubjectRow>`
    select u.id, u.display_name as name, null as name_en, o.path, null as area_m2, null as population
    from users u join org_units o on o.id = u.unit_id
    where u.status = 'active' and ('supervisor' = any(u.roles) or exists (select 1 from grid_cell_people p where p.user_id = u.id and p.duty = 'supervisor'))
    order by u.username`.execute(db)
  return rows
}

/**
 * Active users holding the role (acceptor or dispatcher), and whoever else took such steps in the period (a shift
 * leader or an administrator who filed or dispatched): `alsoIds`.
 */
export async function staff(db: Q, role: 'acceptor' | 'dispatcher', alsoIds: readonly string[]): Promise<SubjectRow[]> {
  const { rows } = await sql<SubjectRow>`
    select u.id, u.display_name as name, null as name_en, o.path, null as area_m2, null as population
    from users u join org_units o on o.id = u.unit_id
    where (u.status = 'active' and ${role} = any(u.roles))${alsoIds.length ? sql` or u.id in (${sql.join([...alsoIds])})` : sql``}
    order by u.username`.execute(db)
  return rows
}

// ---- settings and published periods ----------------------------------------------------------------------------

export async function settingsOf(db: Q, districtId: string) {
  return db.selectFrom('evaluation_settings').select(['settings', 'version', 'updated_at', 'updated_by']).where('district_id', '=', districtId).executeTakeFirst()
}

export async function saveSettings(db: Q, districtId: string, settings: unknown, userId: string) {
  await db.insertInto('evaluation_settings').values({ district_id: districtId, settings: JSON.stringify(settings), updated_by: userId, updated_at: new Date() })
    .onConflict((oc) => oc.column('district_id').doUpdateSet({ settings: JSON.stringify(settings), updated_by: userId, updated_at: new Date(), version: sql`evaluation_settings.version + 1` }))
    .execute()
}

export async function frozenPeriod(db: Q, districtId: string, period: string) {
  return db.selectFrom('evaluation_periods').selectAll().where('district_id', '=', districtId).where('period', '=', period).executeTakeFirst()
}

/** Stores a published period; false when it was published already (the first publication stands). No `frozen_by`: the system. */
export async function insertFrozen(db: Q, row: { district_id: string; period: string; period_from: Date; period_to: Date; settings: unknown; results: unknown; frozen_by: string | null }) {
  const saved = await db.insertInto('evaluation_periods')
    .values({ ...row, settings: JSON.stringify(row.settings), results: JSON.stringify(row.results) })
    .onConflict((oc) => oc.columns(['district_id', 'period']).doNothing())
    .returning('period').executeTakeFirst()
  return Boolean(saved)
}

export async function frozenList(db: Q, districtId: string) {
  return db.selectFrom('evaluation_periods').select(['period', 'period_from', 'period_to', 'frozen_at', 'frozen_by']).where('district_id', '=', districtId).orderBy('period_from', 'desc').execute()
}
