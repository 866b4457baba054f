// The audit log (审计日志): every login and every change, with who, when, what and from where.
import type { Kysely } from 'kysely'
import type { Database } from './db/database.js'

export interface Actor {
  userId: string | null
  username: string | null
  ip?: string | null
  userAgent?: string | null
}

export interface AuditEntry {
  action: string
  entityType?: string
  entityId?: string
  outcome?: 'ok' | 'refused' | 'failed'
  details?: Record<string, unknown>
}

export const SYSTEM_ACTOR: Actor = { userId: null, username: 'system' }

/** Writes one entry; pass the transaction of the change so the entry and the change commit together. */
export async function audit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: actor.userId,
      actor_name: actor.username,
      action: entry.action,
      entity_type: entry.entityType ?? null,
      entity_id: entry.entityId ?? null,
      outcome: entry.outcome ?? 'ok',
      ip: actor.ip ?? null,
      user_agent: actor.userAgent?.slice(0, 300) ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute()
}
