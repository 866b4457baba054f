// Notifications (提醒): who must hear of a step that ran out of time, stored per person and pushed to their open pages.
// The people are those who hold the step: the unit's staff while a unit disposes, the cell's supervisors while the
// case waits for a verification or a check, the command centre (acceptors, dispatchers, shift leaders) otherwise.
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import type { Db } from '../../platform/db/engine.js'
import type { EventBus } from '../../platform/events.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { audit } from '../../platform/audit.js'

type Q = Kysely<Database>

/** The centre's roles that hold a case in each state before and after the unit's part. */
const CENTRE_ROLES: Record<string, string[]> = {
  reported: ['acceptor', 'shift_leader'],
  verified: ['acceptor', 'shift_leader'],
  checked: ['acceptor', 'shift_leader'],
  filed: ['dispatcher', 'shift_leader'],
}
const FIELD_STATES = ['verifying', 'disposed']
const UNIT_STATES = ['dispatched', 'in_disposal']

export interface OverdueCase {
  id: string
  ticket: string
  state: string
  grid_cell_id: string | null
  assigned_unit_path: string | null
  due: Date
}

/** The active people who hold a case's current step. */
export async function holdersOf(db: Q, c: Pick<OverdueCase, 'state' | 'grid_cell_id' | 'assigned_unit_path'>): Promise<string[]> {
  if (UNIT_STATES.includes(c.state) && c.assigned_unit_path) {
    const rows = await db.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.unit_id').select('users.id')
      .where('users.status', '=', 'active').where('org_units.path', 'like', `${c.assigned_unit_path}%`).execute()
    return rows.map((r) => r.id)
  }
  if (FIELD_STATES.includes(c.state) && c.grid_cell_id) {
    const rows = await db.selectFrom('grid_cell_people').innerJoin('users', 'users.id', 'grid_cell_people.user_id').select('users.id')
      .where('grid_cell_people.grid_cell_id', '=', c.grid_cell_id).where('grid_cell_people.duty', '=', 'supervisor').where('users.status', '=', 'active').execute()
    return rows.map((r) => r.id)
  }
  const roles = CENTRE_ROLES[c.state] ?? ['shift_leader']
  const rows = await db.selectFrom('users').select('id').where('status', '=', 'active').where(sql<boolean>`roles && ${sql.val(roles)}::text[]`).execute()
  return rows.map((r) => r.id)
}

/** Stores one 'case.overdue' notification for each holder of the case's step (inside the caller's transaction). */
export async function notifyOverdue(trx: Q, c: OverdueCase): Promise<string[]> {
  const users = [...new Set(await holdersOf(trx, c))]
  if (!users.length) return []
  const payload = JSON.stringify({ ticket: c.ticket, state: c.state, deadline: c.due.toISOString() })
  await trx.insertInto('notifications').values(users.map((user_id) => ({ user_id, kind: 'case.overdue', case_id: c.id, payload }))).execute()
  return users
}

/**
 * Tells the people who reported a case, and those whose reports were merged into it, how it went: 'case.merged' when
 * a report joins an earlier case, 'case.closed' when the case is closed. Answers the users told.
 */
export async function notifyReporters(trx: Q, caseId: string, kind: 'case.merged' | 'case.closed', payload: Record<string, unknown>): Promise<string[]> {
  const rows = await trx.selectFrom('cases').select('reported_by')
    .where((eb) => eb.or([eb('id', '=', caseId), eb('merged_into', '=', caseId)]))
    .where('reported_by', 'is not', null).execute()
  const users = [...new Set(rows.map((r) => r.reported_by!))]
  if (!users.length) return []
  await trx.insertInto('notifications').values(users.map((user_id) => ({ user_id, kind, case_id: caseId, payload: JSON.stringify(payload) }))).execute()
  return users
}

/**
 * A citizen is unsatisfied with a closing: the acceptors and shift leaders whose scope holds the case are told
 * ('case.review'), and the case waits in their inbox.
 */
export async function notifyReviewers(trx: Q, caseId: string, orgPath: string, payload: Record<string, unknown>): Promise<string[]> {
  const rows = await trx.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.unit_id').select('users.id')
    .where('users.status', '=', 'active').where(sql<boolean>`users.roles && ${sql.val(['acceptor', 'shift_leader'])}::text[]`)
    .where(sql<boolean>`${orgPath} like org_units.path || '%'`).execute()
  const users = rows.map((r) => r.id)
  if (!users.length) return []
  await trx.insertInto('notifications').values(users.map((user_id) => ({ user_id, kind: 'case.review', case_id: caseId, payload: JSON.stringify(payload) }))).execute()
  return users
}

/** Tells each person's open pages (in every process) that something new waits in their notifications. */
export async function pushNotifications(events: EventBus, userIds: readonly string[]): Promise<void> {
  for (const userId of new Set(userIds)) await events.publish({ type: 'notification', userId })
}

export class NotificationService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
  ) {}

  async list(principal: Principal, options: { unread?: boolean | undefined; limit: number }) {
    let query = this.db.kysely.selectFrom('notifications').select(['id', 'kind', 'case_id', 'payload', 'created_at', 'read_at']).where('user_id', '=', principal.userId)
    if (options.unread) query = query.where('read_at', 'is', null)
    const [rows, unread] = await Promise.all([
      query.orderBy('id', 'desc').limit(options.limit).execute(),
      this.db.kysely.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', principal.userId).where('read_at', 'is', null).executeTakeFirstOrThrow(),
    ])
    return {
      unread: Number(unread.n),
      items: rows.map((r) => ({ id: String(r.id), kind: r.kind, caseId: r.case_id, payload: r.payload, createdAt: r.created_at.toISOString(), readAt: r.read_at?.toISOString() ?? null })),
    }
  }

  /** Marks the principal's notifications read: the given ones, or all. Only their own; answers how many changed. */
  async markRead(principal: Principal, ids: readonly string[] | undefined): Promise<number> {
    if (ids?.length === 0) return 0
    const changed = await this.db.kysely.transaction().execute(async (trx) => {
      let query = trx.updateTable('notifications').set({ read_at: new Date() }).where('user_id', '=', principal.userId).where('read_at', 'is', null)
      if (ids) query = query.where('id', 'in', [...ids])
      const marked = await query.returning('id').execute()
      if (marked.length) await audit(trx, actorOf(principal), { action: 'notification.read', entityType: 'notification', entityId: principal.userId, details: { ids: marked.map((r) => String(r.id)) } })
      return marked.length
    })
    if (changed) await pushNotifications(this.events, [principal.userId])
    return changed
  }
}
