// The cases module's SQL: cases and their timeline.
import { type Insertable, type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import { precompiled } from '../../platform/db/precompiled.js'

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

/** The next ticket, <prefix><number of at least six digits> (prefix: <district>-<day>-), drawn as the case is inserted. */
export function nextTicket(prefix: string) {
  return sql<string>`(select ${prefix} || lpad(n::text, greatest(6, length(n::text)), '0') from nextval('case_ticket_seq') as n)`
}

/** A new case's ticket prefix: <district>-<local day>-. */
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
  audit: Omit<Insertable<Database['audit_log']>, 'entity_id'>
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

type IntakeValues = Pick<NewCase, (typeof INTAKE_COLUMNS)[number] | 'ticketPrefix' | 'lng' | 'lat'> & {
  counters: string
  /** JSON: the timeline entry, the photos (an array), the audit entry without its details, the rows beside (or null). */
  entry: string
  photos: string
  audit: string
  auditDetails: string
  citizenReport: string | null
}

/** The citizen_reports columns intake writes (those the row leaves out are null). */
const CITIZEN_REPORT_COLUMNS = [
  'channel', 'service_code', 'token', 'phone', 'phone_sha256', 'first_name', 'last_name', 'email', 'device_id', 'account_id',
  'api_key_id', 'attributes', 'media_url', 'ip', 'suspect', 'notified_stage',
] as const satisfies ReadonlyArray<keyof NonNullable<Beside['citizen_reports']>>

const intakeStatement = precompiled((db: Q, v: IntakeValues) => {
  const own = Object.fromEntries(INTAKE_COLUMNS.map((k) => [k, v[k]])) as Pick<NewCase, (typeof INTAKE_COLUMNS)[number]>
  const citizen = sql.join(CITIZEN_REPORT_COLUMNS.map((k) => sql.ref(k)))
  return db
    .with('c', (q) => q.insertInto('cases')
      .values({ ...own, ticket: nextTicket(v.ticketPrefix), position: sql<string>`ST_SetSRID(ST_MakePoint(${v.lng}, ${v.lat}), 4326)`, counters: v.counters })
      .onConflict((oc) => oc.columns(['source', 'client_id']).doNothing())
      .returning([...caseColumns, 'position']))
    .with('t', () => sql`(insert into case_timeline (case_id, kind, action, at, actor_id, role, unit_id, from_state, to_state, comment, reason, photo_ids, detail, due_at, holder_unit_id)
      select c.id, r.kind, r.action, r.at, r.actor_id, r.role, r.unit_id, r.from_state, r.to_state, r.comment, r.reason, r.photo_ids, r.detail, r.due_at, r.holder_unit_id
      from c, jsonb_populate_record(null::case_timeline, ${v.entry}::jsonb) r)`)
    .with('f', () => sql`(insert into files (id, kind, content_type, size_bytes, sha256, storage_key, width, height, thumbnail_key, uploaded_by, case_id)
      select r.id, r.kind, r.content_type, r.size_bytes, r.sha256, r.storage_key, r.width, r.height, r.thumbnail_key, r.uploaded_by, c.id
      from c, jsonb_populate_recordset(null::files, ${v.photos}::jsonb) r)`)
    .with('a', () => sql`(insert into audit_log (actor_id, actor_name, action, entity_type, entity_id, outcome, ip, user_agent, details)
      select r.actor_id, r.actor_name, r.action, r.entity_type, c.id::text, coalesce(r.outcome, 'ok'), r.ip, r.user_agent, ${v.auditDetails}::jsonb
      from c, jsonb_populate_record(null::audit_log, ${v.audit}::jsonb) r)`)
    .with('b', () => sql`(insert into citizen_reports (case_id, ${citizen})
      select c.id, ${sql.join(CITIZEN_REPORT_COLUMNS.map((k) => sql.ref(`r.${k}`)))}
      from c, jsonb_populate_record(null::citizen_reports, ${v.citizenReport}::jsonb) r where ${v.citizenReport}::jsonb is not null)`)
    .selectFrom('c')
    .select([...caseColumns, sql<number>`ST_X(position)`.as('lng'), sql<number>`ST_Y(position)`.as('lat')])
})

/**
 * The new case with its first timeline entry, its photos, its audit entry and the rows beside it in one statement:
 * atomic on its own, so a report needs no transaction around it (one round trip instead of six). The rows ride as JSON
 * typed by their tables (`jsonb_populate_record`); each is written only when the case was (none when the client id
 * existed: undefined).
 */
export async function insertIntake(db: Q, c: NewCase, rows: IntakeRows): Promise<CaseRow | undefined> {
  const { counters, ...rest } = c
  const { details, ...audit } = rows.audit
  const [row] = await intakeStatement(db, {
    ...rest,
    counters: JSON.stringify(counters),
    entry: JSON.stringify(rows.entry),
    photos: JSON.stringify(rows.photos),
    audit: JSON.stringify(audit),
    auditDetails: details ?? '{}',
    citizenReport: rows.beside?.citizen_reports ? JSON.stringify(rows.beside.citizen_reports) : null,
  })
  return row
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
 * Open cases for the map: the few columns a marker needs, with the light worked out in SQL (0 red, 1 yellow,
 * 2 green, 3 none) and times as text, so 10,000 rows cost little to read; most pressing first, at most `limit`.
 */
export async function mapCases(db: Q, f: CaseFilter, now: Date, limit: number) {
  const rows = await filtered(db, f, now)
    .select([
      'id', 'ticket', 'class_kind', 'class_code', 'urgency', 'state', 'street_id',
      lightRank(now).as('light_rank'),
      sql<string | null>`to_char(CASE WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline ELSE step_deadline END AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('deadline'),
      ...withPosition,
    ])
    .orderBy(lightRank(now)).orderBy('due_at')
    .limit(limit + 1) // one more than shown tells whether there are more, without counting every time
    .execute()
  if (rows.length <= limit) return { rows, total: rows.length }
  rows.pop()
  return { rows, total: (await boundedCount(db, f, now, limit * 10)).total }
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
  const rows = await lookStatement(db, {
    source,
    clientId,
    near: near !== null,
    classKind: near?.classKind ?? '',
    classCode: near?.classCode ?? '',
    openStates: [...(near?.openStates ?? [])],
    hours: near?.hours ?? 0,
    lng: near?.lng ?? 0,
    lat: near?.lat ?? 0,
    // the box (degrees, a little larger than the distance) lets the position index find the candidates first
    boxDegrees: near ? (near.metres / (111_320 * Math.max(0.1, Math.cos((near.lat * Math.PI) / 180)))) * 1.1 : 0,
    metres: near?.metres ?? 0,
  })
  const existed = rows[0]?.same === true
  return { existed, nearby: rows.filter((r) => !r.same).slice(0, 10).map((r) => ({ id: r.id, ticket: r.ticket })) }
}

interface LookValues {
  source: string
  /** null: a fresh id (the first arm is null, so never true) */
  clientId: string | null
  /** false: duplicates are not looked for (the second arm is false) */
  near: boolean
  classKind: string
  classCode: string
  openStates: string[]
  hours: number
  lng: number
  lat: number
  boxDegrees: number
  metres: number
}

// The database plans each run with its values (an unnamed statement), so an arm that is null or false drops out of the plan.
const lookStatement = precompiled((db: Q, v: LookValues) => {
  const same = sql<boolean | null>`(source = ${v.source} and client_id = ${v.clientId})`
  const point = sql`ST_SetSRID(ST_MakePoint(${v.lng}, ${v.lat}), 4326)`
  return db
    .selectFrom('cases')
    .select(['id', 'ticket', same.as('same')])
    .where((eb) => eb.or([
      eb.and([eb('source', '=', v.source), eb('client_id', '=', v.clientId)]),
      eb.and([
        sql<boolean>`${v.near}::boolean`,
        eb('class_kind', '=', v.classKind),
        eb('class_code', '=', v.classCode),
        sql<boolean>`state = any(${v.openStates}::text[])`,
        eb('created_at', '>', sql<Date>`now() - make_interval(hours => ${v.hours})`),
        sql<boolean>`position && ST_Expand(${point}, ${v.boxDegrees})`,
        sql<boolean>`ST_DWithin(position::geography, ${point}::geography, ${v.metres})`,
      ]),
    ]))
    .orderBy(sql`${same} desc nulls last`)
    .orderBy('created_at')
    .limit(11)
})

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
