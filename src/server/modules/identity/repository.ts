// The identity module's SQL: users, roles and sessions.
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'

export type Q = Kysely<Database>

const userColumns = [
  'id', 'username', 'display_name', 'phone', 'unit_id', 'roles', 'status', 'password_hash', 'must_change_password',
  'failed_attempts', 'locked_until', 'last_login_at', 'demo', 'version', 'created_at', 'updated_at',
] as const

export function findUserByUsername(db: Q, username: string) {
  return db.selectFrom('users').select(userColumns).where(sql<string>`lower(username)`, '=', username.toLowerCase()).executeTakeFirst()
}

export function findUserById(db: Q, id: string) {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst()
}

export function findUsersByIds(db: Q, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([])
  return db.selectFrom('users').select(['id', 'display_name', 'phone']).where('id', 'in', ids).execute()
}

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>

export interface UserFilter {
  q?: string | undefined
  unitIds?: string[] | undefined
  role?: string | undefined
}

function filtered(db: Q, filter: UserFilter) {
  let query = db.selectFrom('users')
  if (filter.unitIds) query = query.where('unit_id', 'in', filter.unitIds.length ? filter.unitIds : ['00000000-0000-0000-0000-000000000000'])
  if (filter.role) query = query.where(sql<boolean>`${filter.role} = any(roles)`)
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`
    query = query.where((eb) => eb.or([eb('username', 'ilike', like), eb('display_name', 'ilike', like), eb('phone', 'like', like)]))
  }
  return query
}

export async function listUsers(db: Q, filter: UserFilter, page: number, pageSize: number) {
  const [items, count] = await Promise.all([
    filtered(db, filter).select(userColumns).orderBy('username').limit(pageSize).offset((page - 1) * pageSize).execute(),
    filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.n) }
}

export function insertUser(db: Q, values: { username: string; display_name: string; phone: string | null; unit_id: string; roles: string[]; password_hash: string; must_change_password?: boolean; demo?: boolean }) {
  return db.insertInto('users').values(values).returning(userColumns).executeTakeFirstOrThrow()
}

/** Optimistic concurrency: updates only the version the caller saw; undefined when it was stale. */
export function updateUser(db: Q, id: string, version: number, values: Partial<{ display_name: string; phone: string | null; unit_id: string; roles: string[]; status: 'active' | 'disabled' }>) {
  return db
    .updateTable('users')
    .set({ ...values, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returning(userColumns)
    .executeTakeFirst()
}

export function setPassword(db: Q, id: string, passwordHash: string, mustChange: boolean) {
  return db
    .updateTable('users')
    .set({ password_hash: passwordHash, must_change_password: mustChange, password_changed_at: sql`now()`, failed_attempts: 0, locked_until: null, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returning(userColumns)
    .executeTakeFirst()
}

export function recordFailedLogin(db: Q, id: string, threshold: number, lockMinutes: number) {
  return db
    .updateTable('users')
    .set({
      failed_attempts: sql`case when failed_attempts + 1 >= ${threshold} then 0 else failed_attempts + 1 end`,
      locked_until: sql`case when failed_attempts + 1 >= ${threshold} then now() + make_interval(mins => ${lockMinutes}) else locked_until end`,
    })
    .where('id', '=', id)
    .returning(['failed_attempts', 'locked_until'])
    .executeTakeFirstOrThrow()
}

export function recordLogin(db: Q, id: string) {
  return db.updateTable('users').set({ failed_attempts: 0, locked_until: null, last_login_at: sql`now()` }).where('id', '=', id).execute()
}

export function unlockUser(db: Q, id: string) {
  return db
    .updateTable('users')
    .set({ failed_attempts: 0, locked_until: null, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returning(userColumns)
    .executeTakeFirst()
}

// roles

export function listRoles(db: Q) {
  return db.selectFrom('roles').selectAll().orderBy('builtin', 'desc').orderBy('key').execute()
}

export function upsertBuiltinRole(db: Q, role: { key: string; name: string; name_en: string; permissions: string[] }) {
  return db
    .insertInto('roles')
    .values({ ...role, builtin: true })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
}

export function updateRole(db: Q, key: string, version: number, values: { name: string; name_en: string; permissions: string[] }) {
  return db
    .updateTable('roles')
    .set({ ...values, version: sql`version + 1`, updated_at: sql`now()` })
    .where('key', '=', key)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst()
}

export function findRole(db: Q, key: string) {
  return db.selectFrom('roles').selectAll().where('key', '=', key).executeTakeFirst()
}

// sessions

export function insertSession(db: Q, values: { token_hash: string; user_id: string; kind: 'cookie' | 'bearer'; expires_at: Date; ip: string | null; user_agent: string | null }) {
  return db.insertInto('sessions').values(values).execute()
}

/** The session and its user in one indexed query: the hot path of every authenticated request. */
export function findSession(db: Q, tokenHash: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.token_hash', 's.kind', 's.expires_at', 's.last_seen_at', 's.revoked_at',
      'u.id as user_id', 'u.username', 'u.display_name', 'u.unit_id', 'u.roles', 'u.status', 'u.must_change_password',
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export type SessionRow = NonNullable<Awaited<ReturnType<typeof findSession>>>

export function touchSession(db: Q, tokenHash: string, at: Date) {
  return db.updateTable('sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute()
}

export function revokeSession(db: Q, tokenHash: string) {
  return db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute()
}

export function revokeUserSessions(db: Q, userId: string) {
  return db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute()
}

export function deleteExpiredSessions(db: Q, before: Date) {
  return db.deleteFrom('sessions').where('expires_at', '<', before).execute()
}
