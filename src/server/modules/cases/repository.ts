// The cases module's SQL: cases and their timeline.
import { randomUUID } from 'node:crypto'
import { type Insertable, type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import { AUDIT_COLUMNS, type auditRecord } from '../../platform/audit.js'
import { batchedByHandle } from '../../platform/db/batcher.js'
import { columns, precompiled } from '../../platform/db/precompiled.js'
import { NEW_FILE_COLUMNS } from '../files/repository.js'

type Q = Kysely<Database>

export const caseColumns = [
  'id', 'ticket', 'source', 'client_id', 'reported_by', 'class_kind', 'class_code', 'urgency', 'description', 'address',
  'grid_cell_id', 'community_id', 'street_id', 'org_path', 'state', 'step_started_at', 'step_deadline', 'assigned_unit_id',
  'assigned_unit_path', 'disposal_deadline', 'pending_extension', 'pending_suspension', 'pending_review', 'reject_reason', 'merged_into',
  'counters', 'version', 'created_at', 'updated_at', 'closed_at', 'possible_duplicates', 'due_at', 'yellow_at',
  'public_description', 'public_reply',
] as const

const withPosition = [sql<number>`ST_X(position)`.as('lng'), sql<number>`ST_Y(position)`.as('lat')] as const

export function findCase(db: Q, id: string) {
  return db.selectFrom('cases').select([...caseColumns, ...withPosition]).where('id', '=', id).executeTakeFirst()
}

export type CaseRow = NonNullable<Awaited<ReturnType<typeof findCase>>>

export function findByClientId(db: Q, source: string, clientId: string) {
  return db.selectFrom('cases').select([...caseColumns, ...withPosition]).where('source', '=', source).where('client_id', '=', clientId).executeTakeFirst()
}

/** A new case's ticket prefix: <district>-<local day>-; the ticket is the prefix and a number of at least six digits, drawn as the case is inserted. */
export const ticketPrefix = (districtCode: string, day: string) => `${districtCode}-${day}-`

/** A new case as the table takes it, with its position as longitude/latitude and its counters as an object. */
export type NewCase = Omit<Insertable<Database['cases']>, 'position' | 'counters' | 'ticket'> & {
  ticketPrefix: string
  lng: number
  lat: number
  counters: Record<string, number>
}

/** What a new case is stored with: its first timeline entry, the photos sent with it, its audit entry (case ids filled in). */
export interface IntakeRows {
  entry: Omit<NewTimelineEntry, 'case_id'>
  photos: ReadonlyArray<Omit<Insertable<Database['files']>, 'case_id'>>
  /** Photos the reporter uploaded before (no repeats), linked to the case; if one is not theirs and free, nothing is stored. */
  cited?: readonly string[] | undefined
  /** As `auditRecord` makes it. */
  audit: Omit<ReturnType<typeof auditRecord>, 'entity_id'>
  /** What a channel keeps beside the case (the citizen's contact), written in the same statement. */
  beside?: Beside | undefined
}

/** Rows of other tables that belong to a new case and are written with it, by table (their case_id is filled in). */
export interface Beside {
  citizen_reports?: Omit<Insertable<Database['citizen_reports']>, 'case_id' | 'attributes' | 'created_at'> & { attributes: Record<string, unknown> }
}

/** The columns of a new case that intake sets from its values (besides ticket, position and counters). */
const INTAKE_COLUMNS = [
  'source', 'client_id', 'reported_by', 'class_kind', 'class_code', 'urgency', 'description', 'address', 'grid_cell_id',
  'community_id', 'street_id', 'org_path', 'state', 'step_started_at', 'step_deadline', 'due_at', 'yellow_at', 'possible_duplicates',
] as const satisfies ReadonlyArray<keyof NewCase>

/** The citizen_reports columns intake writes (those the row leaves out are null). */
const CITIZEN_REPORT_COLUMNS = [
  'channel', 'service_code', 'token', 'phone', 'phone_sha256', 'first_name', 'last_name', 'email', 'device_id', 'account_id',
  'api_key_id', 'attributes', 'media_url', 'ip', 'suspect', 'notified_stage',
] as const satisfies ReadonlyArray<keyof NonNullable<Beside['citizen_reports']>>

/** One report of a batch as the statement takes it (JSON): the case with its id, and the rows that go with it. */
interface IntakeItem {
  case: Record<string, unknown> & { id: string }
  ticketPrefix: string
  entry: Omit<NewTimelineEntry, 'case_id'>
  photos: IntakeRows['photos']
  cited: readonly string[]
  audit: IntakeRows['audit']
  citizenReport: Beside['citizen_reports'] | null
}

const TIMELINE_COLUMNS = ['kind', 'action', 'at', 'actor_id', 'role', 'unit_id', 'from_state', 'to_state', 'comment', 'reason', 'photo_ids', 'detail', 'due_at', 'holder_unit_id'] as const

/**
 * New cases, each with its first timeline entry, its photos, its audit entry and the rows beside it, in one statement:
 * atomic on its own, so a report needs no transaction around it. The reports ride as one JSON array, each row typed by
 * its table (`jsonb_populate_record`); a report's rows are written only when its case was (not when its client id
 * existed, nor when an earlier report of the same batch had it). The photos a report cites (uploaded before by its
 * reporter) are linked to its case; one that is not theirs, or was taken by another case meanwhile, undoes the whole
 * statement (`xiuhua_refuse`, 0020), so one picture is never the evidence of two cases. Batches in which no report
 * cites a photo (a report with its photos in one request, a citizen's, a sensor's) run the statement without that part.
 */
const intakeSql = (items: unknown, cited: boolean) => sql<CaseRow>`
  with i as (
    -- a number for each report (in the select list: a function in FROM that names no column of the row is run once)
    select x.item, x.n, nextval('case_ticket_seq') as seq
    from jsonb_array_elements(${items}::jsonb) with ordinality as x(item, n)),
  c as (
    insert into cases (id, ticket, position, counters, ${columns(INTAKE_COLUMNS)})
    select r.id, (i.item->>'ticketPrefix') || lpad(i.seq::text, greatest(6, length(i.seq::text)), '0'), r.position, r.counters, ${columns(INTAKE_COLUMNS, 'r')}
    from i cross join lateral jsonb_populate_record(null::cases, i.item->'case') r
    order by i.n
    on conflict (source, client_id) do nothing
    returning ${columns(caseColumns)}, position),
  made as (select c.id, i.item from c join i on (i.item->'case'->>'id')::uuid = c.id),
  t as (insert into case_timeline (case_id, ${columns(TIMELINE_COLUMNS)})
    select made.id, ${columns(TIMELINE_COLUMNS, 'r')} from made cross join lateral jsonb_populate_record(null::case_timeline, made.item->'entry') r),
  f as (insert into files (case_id, ${columns(NEW_FILE_COLUMNS)})
    select made.id, ${columns(NEW_FILE_COLUMNS, 'r')} from made cross join lateral jsonb_populate_recordset(null::files, made.item->'photos') r),
  a as (insert into audit_log (entity_id, ${columns(AUDIT_COLUMNS)})
    select made.id::text, ${columns(AUDIT_COLUMNS, 'r')} from made cross join lateral jsonb_populate_record(null::audit_log, made.item->'audit') r),
  b as (insert into citizen_reports (case_id, ${columns(CITIZEN_REPORT_COLUMNS)})
    select made.id, ${columns(CITIZEN_REPORT_COLUMNS, 'r')}
    from made cross join lateral jsonb_populate_record(null::citizen_reports, made.item->'citizenReport') r
    where jsonb_typeof(made.item->'citizenReport') = 'object')${cited ? sql`,
  cited as (select made.id as case_id, p.id::uuid as file_id, (made.item->'case'->>'reported_by')::uuid as reporter
    from made cross join lateral jsonb_array_elements_text(made.item->'cited') p(id)),
  linked as (update files set case_id = cited.case_id from cited
    where files.id = cited.file_id and files.uploaded_by = cited.reporter and files.kind = 'photo' and files.case_id is null
    returning files.id)` : sql``}
  select ${columns(caseColumns)}, ST_X(position) as lng, ST_Y(position) as lat from c
  ${cited ? sql`where case when (select count(*) from linked) = (select count(*) from cited) then true
    else xiuhua_refuse('PHOTOS_TAKEN', (select string_agg(file_id::text, ', ') from cited where file_id not in (select id from linked))) end` : sql``}`

const intakeStatement = precompiled((_db: Q, v: { items: string }) => intakeSql(v.items, false))
const intakeCitingStatement = precompiled((_db: Q, v: { items: string }) => intakeSql(v.items, true))

async function runIntake(db: Q, items: readonly IntakeItem[]): Promise<Array<CaseRow | undefined>> {
  const statement = items.some((item) => item.cited.length) ? intakeCitingStatement : intakeStatement
  const rows = await statement(db, { items: JSON.stringify(items) })
  const byId = new Map(rows.map((row) => [row.id, row]))
  return items.map((item) => byId.get(item.case.id))
}

const intakeBatches = batchedByHandle(runIntake)

/** How intake's batches went on this handle (tests: reports sent together are stored together, no batch failing). */
export const intakeBatching = (db: Q) => intakeBatches.stats(db)

/**
 * The new case with its first timeline entry, its photos, its audit entry and the rows beside it (undefined when the
 * client id existed). Outside a transaction, reports that arrive together are stored by one statement (`Batcher`).
 */
export async function insertIntake(db: Q, c: NewCase, rows: IntakeRows): Promise<CaseRow | undefined> {
  const { counters, ticketPrefix, lng, lat, ...own } = c
  return intakeBatches.submit(db, {
    case: { ...own, id: randomUUID(), counters, position: `SRID=4326;POINT(${lng} ${lat})` },
    ticketPrefix,
    entry: rows.entry,
    photos: rows.photos,
    cited: rows.cited ?? [],
    audit: rows.audit,
    citizenReport: rows.beside?.citizen_reports ?? null,
  })
}

export interface CaseChange {
  state: string
  step_started_at: Date
  step_deadline: Date | null
  assigned_unit_id: string | null
  assigned_unit_path: string | null
  disposal_deadline: Date | null
  pending_extension: string | null
  pending_suspension: string | null
  pending_review: string | null
  reject_reason: string | null
  merged_into: string | null
  counters: string
  closed_at: Date | null
  due_at: Date | null
  yellow_at: Date | null
}

/** Optimistic concurrency: writes only over the version the caller read; undefined when someone was first. */
export function updateCase(db: Q, id: string, version: number, change: CaseChange) {
  return db
    .updateTable('cases')
    .set({ ...change, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returning(['id', 'version'])
    .executeTakeFirst()
}

export type NewTimelineEntry = Omit<Database['case_timeline'], 'id' | 'detail' | 'at' | 'due_at' | 'holder_unit_id'> & {
  at: Date
  detail: Record<string, unknown>
  /** What the evaluation measures the step against (0015): the deadline it ran to and the unit that held the case. */
  due_at?: Date | null
  holder_unit_id?: string | null
}

export function insertTimeline(db: Q, entry: NewTimelineEntry) {
  return db.insertInto('case_timeline').values({ ...entry, detail: JSON.stringify(entry.detail) }).execute()
}

export function timeline(db: Q, caseId: string) {
  return db.selectFrom('case_timeline').selectAll().where('case_id', '=', caseId).orderBy('id').execute()
}

export type TimelineRow = Awaited<ReturnType<typeof timeline>>[number]

export type LightFilter = 'green' | 'yellow' | 'red'
export type CaseSort = 'created' | 'deadline' | 'light'

export interface CaseFilter {
  /** Cases placed in this org path or assigned to a unit under it. */
  scopePath: string
  states?: readonly string[] | undefined
  classCode?: string | undefined
  streetId?: string | undefined
  assignedUnitId?: string | undefined
  source?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  overdue?: boolean | undefined
  /** Only cases dispatched to a unit under this path (the user's own unit and those under it). */
  minePath?: string | undefined
  pending?: 'extension' | 'suspension' | 'review' | undefined
  /** Only cases in the grid cells this user is the responsible supervisor of. */
  cellsOfUser?: string | undefined
  lights?: readonly LightFilter[] | undefined
  /** [minLng, minLat, maxLng, maxLat] in WGS-84. */
  bbox?: readonly [number, number, number, number] | undefined
}

/** 0 red, 1 yellow, 2 green, 3 no running clock: the order of "most pressing first". */
const lightRank = (now: Date) =>
  sql<number>`CASE WHEN due_at IS NULL THEN 3 WHEN due_at < ${now} THEN 0 WHEN yellow_at <= ${now} THEN 1 ELSE 2 END`

function filtered(db: Q, f: CaseFilter, now: Date) {
  let query = db.selectFrom('cases').where((eb) => eb.or([eb('org_path', 'like', `${f.scopePath}%`), eb('assigned_unit_path', 'like', `${f.scopePath}%`)]))
  if (f.states?.length) query = query.where('state', 'in', [...f.states])
  if (f.classCode) query = query.where('class_code', '=', f.classCode)
  if (f.streetId) query = query.where('street_id', '=', f.streetId)
  if (f.assignedUnitId) query = query.where('assigned_unit_id', '=', f.assignedUnitId)
  if (f.source) query = query.where('source', '=', f.source)
  if (f.from) query = query.where('created_at', '>=', f.from)
  if (f.to) query = query.where('created_at', '<', f.to)
  if (f.overdue) query = query.where('due_at', '<', now)
  if (f.minePath) query = query.where('assigned_unit_path', 'like', `${f.minePath}%`)
  if (f.cellsOfUser) {
    const userId = f.cellsOfUser
    query = query.where('grid_cell_id', 'in', (eb) => eb.selectFrom('grid_cell_people').select('grid_cell_id').where('user_id', '=', userId).where('duty', '=', 'supervisor'))
  }
  if (f.pending === 'extension') query = query.where('pending_extension', 'is not', null)
  if (f.pending === 'suspension') query = query.where('pending_suspension', 'is not', null)
  if (f.pending === 'review') query = query.where('pending_review', 'is not', null)
  if (f.lights?.length) {
    const lights = f.lights
    query = query.where((eb) => eb.or(lights.map((l) => {
      if (l === 'red') return eb('due_at', '<', now)
      const running = eb('due_at', '>=', now)
      return l === 'yellow'
        ? eb.and([running, eb('yellow_at', '<=', now)])
        : eb.and([running, eb.or([eb('yellow_at', 'is', null), eb('yellow_at', '>', now)])])
    })))
  }
  if (f.bbox) {
    const [minLng, minLat, maxLng, maxLat] = f.bbox
    query = query.where(sql<boolean>`position && ST_MakeEnvelope(${minLng}, ${minLat}, ${maxLng}, ${maxLat}, 4326)`)
  }
  return query
}

/**
 * Lists count at most this many matching cases; beyond it the total is reported as capped ("2,000+"). Counting a
 * million rows costs ~250 ms on every page, to 10,000 ~20–100 ms (bench/cases.ts); to 2,000 a few ms. Filters narrow the list.
 */
export const COUNT_CAP = 2_000

export async function boundedCount(db: Q, f: CaseFilter, now: Date, cap = COUNT_CAP): Promise<{ total: number; capped: boolean }> {
  const matching = filtered(db, f, now).select(sql<number>`1`.as('one')).limit(cap + 1)
  const row = await db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const n = Number(row.n)
  return { total: Math.min(n, cap), capped: n > cap }
}

/** The exact number of matching cases (for the export's limit; slow on very large scopes). */
export async function exactCount(db: Q, f: CaseFilter, now: Date): Promise<number> {
  return Number((await filtered(db, f, now).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
}

/**
 * One page sorted most pressing first: the running cases (red, yellow, green, nearest deadline first) come from the
 * due_at index; only a page that runs past them reads the finished cases, newest first. One query over every case
 * in scope sorted by light took 300–600 ms on a million cases.
 */
async function lightPage(db: Q, f: CaseFilter, now: Date, offset: number, limit: number) {
  const running = await filtered(db, f, now).select([...caseColumns, ...withPosition]).where('due_at', 'is not', null)
    .orderBy(lightRank(now)).orderBy('due_at').orderBy('created_at', 'desc').limit(limit).offset(offset).execute()
  if (running.length === limit) return running
  const runningTotal = running.length > 0
    ? offset + running.length
    : Number((await filtered(db, f, now).where('due_at', 'is not', null).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const finished = await filtered(db, f, now).select([...caseColumns, ...withPosition]).where('due_at', 'is', null)
    .orderBy('created_at', 'desc').limit(limit - running.length).offset(Math.max(0, offset - runningTotal)).execute()
  return [...running, ...finished]
}

export async function listCases(db: Q, f: CaseFilter, now: Date, page: number, pageSize: number, sort: CaseSort = 'created') {
  const offset = (page - 1) * pageSize
  const select = () => filtered(db, f, now).select([...caseColumns, ...withPosition])
  const rows = sort === 'light'
    ? lightPage(db, f, now, offset, pageSize)
    : sort === 'deadline'
      ? select().orderBy('due_at', (ob) => ob.asc().nullsLast()).orderBy('created_at', 'desc').limit(pageSize).offset(offset).execute()
      : select().orderBy('created_at', 'desc').limit(pageSize).offset(offset).execute()
  const [items, count] = await Promise.all([rows, boundedCount(db, f, now)])
  return { items, total: count.total, totalCapped: count.capped }
}

/**
 * The open cases for the command map, most pressing first, as the JSON array of the map's markers (`MapCase`: id,
 * position and light; a marker's popup reads the case itself) written by the database. 10,000 markers with every
 * field of the popup were 3 MB of JSON and cost PostgreSQL ~100 ms to write (json_build_object per marker); these
 * are ~1.1 MB, written by concatenating text (ids, numbers and words that need no escaping) in ~45 ms, and reach the
 * page sooner for it (bench/cases.ts). `total` counts up to ten times `limit`.
 */
export async function mapCases(db: Q, f: CaseFilter, now: Date, limit: number): Promise<{ items: string; shown: number; total: number }> {
  const rank = lightRank(now)
  const markers = filtered(db, f, now)
    .select([
      'id', rank.as('light_rank'),
      sql<number>`row_number() OVER (ORDER BY ${rank}, due_at)`.as('place'),
      ...withPosition,
    ])
    .orderBy(rank).orderBy('due_at')
    .limit(limit + 1) // one more than shown tells whether there are more, without counting every time
  const { rows } = await sql<{ items: string; found: number }>`
    SELECT '[' || coalesce(string_agg('{"id":"' || m.id || '","position":[' || m.lng || ',' || m.lat || '],"light":'
        || CASE m.light_rank WHEN 0 THEN '"red"' WHEN 1 THEN '"yellow"' WHEN 2 THEN '"green"' ELSE 'null' END || '}',
      ',' ORDER BY m.place) FILTER (WHERE m.place <= ${limit}), '') || ']' AS items,
      count(*)::int AS found
    FROM (${markers}) m`.execute(db)
  const { items, found } = rows[0]!
  if (found <= limit) return { items, shown: found, total: found }
  return { items, shown: limit, total: (await boundedCount(db, f, now, limit * 10)).total }
}

/** Every case the filter matches, in pages of `batch` by (created_at, id) so a large export never holds all rows. */
export async function* allCases(db: Q, f: CaseFilter, now: Date, batch = 1000) {
  let after: { created_at: Date; id: string } | undefined
  for (;;) {
    let query = filtered(db, f, now).select([...caseColumns, ...withPosition])
    if (after) {
      const { created_at, id } = after
      query = query.where((eb) => eb.or([eb('created_at', '<', created_at), eb.and([eb('created_at', '=', created_at), eb('id', '<', id)])]))
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(batch).execute()
    yield* rows
    if (rows.length < batch) return
    const last = rows[rows.length - 1]!
    after = { created_at: last.created_at, id: last.id }
  }
}

/** Open cases of the same class within `metres` of a point, reported in the last `hours`: possible duplicates. */
export interface Nearby { classKind: string; classCode: string; lng: number; lat: number; metres: number; hours: number; openStates: readonly string[] }

/**
 * What intake looks at before it stores a report, in one round trip: whether the client id made a case already, and
 * the open cases of the class within `metres` reported in the last `hours` (at most 10, oldest first: possible
 * duplicates). `source`/`clientId` null: a fresh id, nothing to look for; `near` null: duplicates are not looked for.
 */
export async function lookBeforeIntake(db: Q, source: string, clientId: string | null, near: Nearby | null) {
  const look: Look = {
    source,
    client_id: clientId,
    near: near !== null,
    class_kind: near?.classKind ?? '',
    class_code: near?.classCode ?? '',
    open_states: [...(near?.openStates ?? [])],
    hours: near?.hours ?? 0,
    lng: near?.lng ?? 0,
    lat: near?.lat ?? 0,
    // the box (degrees, a little larger than the distance) lets the position index find the candidates first
    box: near ? (near.metres / (111_320 * Math.max(0.1, Math.cos((near.lat * Math.PI) / 180)))) * 1.1 : 0,
    metres: near?.metres ?? 0,
  }
  const rows = await lookBatches.submit(db, look)
  const existed = rows[0]?.same === true
  return { existed, nearby: rows.filter((r) => !r.same).slice(0, 10).map((r) => ({ id: r.id, ticket: r.ticket })) }
}

/** One look of a batch as the statement takes it (JSON). */
interface Look {
  source: string
  /** null: a fresh id (the first arm is null, so never true) */
  client_id: string | null
  /** false: duplicates are not looked for (the second arm is false) */
  near: boolean
  class_kind: string
  class_code: string
  open_states: string[]
  hours: number
  lng: number
  lat: number
  box: number
  metres: number
}

interface LookRow { n: number; id: string; ticket: string; same: boolean | null }

/**
 * Each look's cases (at most 11: the one with its client id first, then the nearby ones, oldest first), in one statement.
 * Rows come in only by the client id's index and the position index (a few cases near the point); class, state and
 * report time are checked on those rows. The subquery's OFFSET 0 keeps those checks out of the way in: given them, the
 * planner joined another index in (a BitmapAnd with cases_class_created or cases_state) or used it alone, reading every
 * case of the class or every open case. On a table that grew faster than its statistics (37,000 reports in a minute,
 * bench/open311.ts) that was 1,300–34,000 rows a look, and at 500 reports/s the looks fell behind for good.
 */
const lookStatement = precompiled((_db: Q, v: { looks: string }) => sql<LookRow>`
  select q.n, m.id, m.ticket, m.same
  from jsonb_to_recordset(${v.looks}::jsonb) as q(n int, source text, client_id text, near boolean, class_kind text, class_code text,
    open_states text[], hours float8, lng float8, lat float8, box float8, metres float8)
  cross join lateral (
    select c.id, c.ticket, c.same, c.created_at
    from (
      select cases.id, cases.ticket, cases.created_at, cases.class_kind, cases.class_code, cases.state, cases.position,
        (cases.source = q.source and cases.client_id = q.client_id) as same
      from cases
      where (cases.source = q.source and cases.client_id = q.client_id)
        or (q.near and cases.position && ST_Expand(ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326), q.box))
      offset 0) c
    where c.same or (q.near and c.class_kind = q.class_kind and c.class_code = q.class_code and c.state = any(q.open_states)
      and c.created_at > now() - make_interval(hours => q.hours::int)
      and ST_DWithin(c.position::geography, ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326)::geography, q.metres))
    order by c.same desc nulls last, c.created_at
    limit 11) m
  order by q.n, m.same desc nulls last, m.created_at`)

async function runLooks(db: Q, looks: readonly Look[]): Promise<LookRow[][]> {
  const rows = await lookStatement(db, { looks: JSON.stringify(looks.map((look, n) => ({ ...look, n }))) })
  const answers = looks.map((): LookRow[] => [])
  for (const row of rows) answers[row.n]!.push(row)
  return answers
}

const lookBatches = batchedByHandle(runLooks)

/** Which cases a public reader asks for (citizen pages, public map, Open311 search). */
export interface PublicFilter {
  ids?: readonly string[] | undefined
  tickets?: readonly string[] | undefined
  classes?: ReadonlyArray<{ kind: string; code: string }> | undefined
  from?: Date | undefined
  to?: Date | undefined
  states?: readonly string[] | undefined
  bbox?: [number, number, number, number] | undefined
  limit: number
}

/** Cases with what the public may see of them (the caller leaves out what is not published), newest first. */
export function publicCases(db: Q, f: PublicFilter) {
  let query = db.selectFrom('cases')
    .innerJoin('case_classes', (join) => join.onRef('case_classes.kind', '=', 'cases.class_kind').onRef('case_classes.small_code', '=', 'cases.class_code'))
    .leftJoin('cases as joined', 'joined.id', 'cases.merged_into')
    .leftJoin('org_units as unit', 'unit.id', 'cases.assigned_unit_id')
    .select([
      'cases.id', 'cases.ticket', 'cases.source', 'cases.class_kind', 'cases.class_code', 'cases.state', 'cases.address', 'cases.description',
      'cases.public_description', 'cases.public_reply', 'cases.created_at', 'cases.updated_at', 'cases.closed_at', 'cases.disposal_deadline',
      'case_classes.small_name as class_name', 'case_classes.small_name_en as class_name_en', 'joined.state as joined_state', 'unit.name as unit_name',
      sql<number>`ST_X(cases.position)`.as('lng'), sql<number>`ST_Y(cases.position)`.as('lat'),
    ])
  if (f.ids) query = query.where('cases.id', 'in', f.ids.length ? [...f.ids] : ['00000000-0000-0000-0000-000000000000'])
  if (f.tickets) query = query.where('cases.ticket', 'in', f.tickets.length ? [...f.tickets] : [''])
  if (f.classes?.length) {
    const classes = f.classes
    query = query.where((eb) => eb.or(classes.map((c) => eb.and([eb('cases.class_kind', '=', c.kind), eb('cases.class_code', '=', c.code)]))))
  }
  if (f.from) query = query.where('cases.created_at', '>=', f.from)
  if (f.to) query = query.where('cases.created_at', '<', f.to)
  if (f.states) query = query.where('cases.state', 'in', f.states.length ? [...f.states] : [''])
  if (f.bbox) {
    const [w, s, e, n] = f.bbox
    query = query.where(sql<boolean>`cases.position && ST_MakeEnvelope(${w}, ${s}, ${e}, ${n}, 4326)`)
  }
  return query.orderBy('cases.created_at', 'desc').orderBy('cases.id').limit(f.limit).execute()
}

export type PublicCaseRow = Awaited<ReturnType<typeof publicCases>>[number]
