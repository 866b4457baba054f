// The cases module's SQL: cases and their timeline.
import { type Insertable, type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'

type Q = Kysely<Database>

export const caseColumns = [
  'id', 'ticket', 'source', 'client_id', 'reported_by', 'class_kind', 'class_code', 'urgency', 'description', 'address',
  'grid_cell_id', 'community_id', 'street_id', 'org_path', 'state', 'step_started_at', 'step_deadline', 'assigned_unit_id',
  'assigned_unit_path', 'disposal_deadline', 'pending_extension', 'pending_suspension', 'reject_reason', 'merged_into',
  'counters', 'version', 'created_at', 'updated_at', 'closed_at', 'possible_duplicates',
] as const

const withPosition = [sql<number>`ST_X(position)`.as('lng'), sql<number>`ST_Y(position)`.as('lat')] as const

export function findCase(db: Q, id: string) {
  return db.selectFrom('cases').select([...caseColumns, ...withPosition]).where('id', '=', id).executeTakeFirst()
}

export type CaseRow = NonNullable<Awaited<ReturnType<typeof findCase>>>

export function findByClientId(db: Q, source: string, clientId: string) {
  return db.selectFrom('cases').select([...caseColumns, ...withPosition]).where('source', '=', source).where('client_id', '=', clientId).executeTakeFirst()
}

export async function nextTicket(db: Q, districtCode: string, day: string): Promise<string> {
  const row = await sql<{ n: number }>`select nextval('case_ticket_seq')::int as n`.execute(db)
  return `${districtCode}-${day}-${String(row.rows[0]!.n).padStart(6, '0')}`
}

/** A new case as the table takes it, with its position as longitude/latitude and its counters as an object. */
export type NewCase = Omit<Insertable<Database['cases']>, 'position' | 'counters'> & {
  lng: number
  lat: number
  counters: Record<string, number>
}

/** Inserts unless the (source, client id) pair exists; returns undefined when it did. */
export function insertCase(db: Q, c: NewCase) {
  const { lng, lat, counters, ...rest } = c
  return db
    .insertInto('cases')
    .values({ ...rest, position: sql<string>`ST_SetSRID(ST_MakePoint(${lng}, ${lat}), 4326)`, counters: JSON.stringify(counters) })
    .onConflict((oc) => oc.columns(['source', 'client_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
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
  reject_reason: string | null
  merged_into: string | null
  counters: string
  closed_at: Date | null
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

export function insertTimeline(db: Q, entry: Omit<Database['case_timeline'], 'id' | 'detail' | 'at'> & { at: Date; detail: Record<string, unknown> }) {
  return db.insertInto('case_timeline').values({ ...entry, detail: JSON.stringify(entry.detail) }).execute()
}

export function timeline(db: Q, caseId: string) {
  return db.selectFrom('case_timeline').selectAll().where('case_id', '=', caseId).orderBy('id').execute()
}

export interface CaseFilter {
  /** Cases placed in this org path or assigned to a unit under it. */
  scopePath: string
  states?: string[] | undefined
  classCode?: string | undefined
  streetId?: string | undefined
  assignedUnitId?: string | undefined
  source?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  overdue?: boolean | undefined
}

function filtered(db: Q, f: CaseFilter, now: Date) {
  let query = db.selectFrom('cases').where((eb) => eb.or([eb('org_path', 'like', `${f.scopePath}%`), eb('assigned_unit_path', 'like', `${f.scopePath}%`)]))
  if (f.states?.length) query = query.where('state', 'in', f.states)
  if (f.classCode) query = query.where('class_code', '=', f.classCode)
  if (f.streetId) query = query.where('street_id', '=', f.streetId)
  if (f.assignedUnitId) query = query.where('assigned_unit_id', '=', f.assignedUnitId)
  if (f.source) query = query.where('source', '=', f.source)
  if (f.from) query = query.where('created_at', '>=', f.from)
  if (f.to) query = query.where('created_at', '<', f.to)
  if (f.overdue) query = query.where((eb) => eb.or([eb('step_deadline', '<', now), eb.and([eb('state', 'in', ['dispatched', 'in_disposal']), eb('disposal_deadline', '<', now)])]))
  return query
}

export async function listCases(db: Q, f: CaseFilter, now: Date, page: number, pageSize: number) {
  const [items, count] = await Promise.all([
    filtered(db, f, now).select([...caseColumns, ...withPosition]).orderBy('created_at', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    filtered(db, f, now).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.n) }
}

/** Open cases of the same class within `metres` of a point, reported in the last `hours`: possible duplicates. */
export function nearbyOpenCases(db: Q, c: { classKind: string; classCode: string; lng: number; lat: number; metres: number; hours: number; openStates: readonly string[] }) {
  return db
    .selectFrom('cases')
    .select(['id', 'ticket'])
    .where('class_kind', '=', c.classKind)
    .where('class_code', '=', c.classCode)
    .where('state', 'in', [...c.openStates])
    .where('created_at', '>', sql<Date>`now() - make_interval(hours => ${c.hours})`)
    .where(sql<boolean>`ST_DWithin(position::geography, ST_SetSRID(ST_MakePoint(${c.lng}, ${c.lat}), 4326)::geography, ${c.metres})`)
    .orderBy('created_at')
    .limit(10)
    .execute()
}
