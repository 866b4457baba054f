// Reading the audit log, newest first, with filters.
import type { Kysely } from 'kysely'
import type { Database } from '../../platform/db/database.js'

export interface AuditFilter {
  action?: string | undefined
  actorId?: string | undefined
  entityType?: string | undefined
  entityId?: string | undefined
  from?: string | undefined
  to?: string | undefined
  page: number
  pageSize: number
}

export async function listAudit(db: Kysely<Database>, filter: AuditFilter) {
  let query = db.selectFrom('audit_log')
  if (filter.action) query = query.where('action', 'like', `${filter.action}%`)
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId)
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType)
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId)
  if (filter.from) query = query.where('at', '>=', new Date(filter.from))
  if (filter.to) query = query.where('at', '<', new Date(filter.to))
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      outcome: r.outcome,
      ip: r.ip,
      details: r.details,
    })),
  }
}
