// The audit log (审计日志): every login and every change, with who, when, what and from where.
import { type Kysely, sql } from 'kysely'
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

/**
 * Writes one entry; pass the transaction of the change so the entry and the change commit together. The entry reaches
 * audit_log, chained, as the transaction commits (0011_audit_at_commit.sql): read it back after the commit.
 */
export async function audit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_pending')
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

export interface ChainCheck {
  ok: boolean
  checked: number
  /** The first entry whose hash does not follow from its content and its predecessor. */
  firstBrokenId: number | null
}

/**
 * Recomputes the hash chain of the audit log (the same formula as the audit_log_chain trigger) and reports the first
 * entry that was changed, inserted out of order or whose predecessor was removed.
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<ChainCheck> {
  const result = await sql<{ checked: number; first_broken: number | null }>`
    with recomputed as (
      select id,
        hash = encode(sha256(convert_to(concat_ws('|', prev_hash, id::text, extract(epoch from at)::text,
          coalesce(actor_id::text, ''), coalesce(actor_name, ''), action, coalesce(entity_type, ''),
          coalesce(entity_id, ''), outcome, coalesce(ip, ''), details::text), 'UTF8')), 'hex') as content_ok,
        prev_hash = coalesce(lag(hash) over (order by id), repeat('0', 64)) as link_ok
      from audit_log)
    select count(*)::int as checked, min(id) filter (where not (content_ok and link_ok)) as first_broken from recomputed`.execute(db)
  const row = result.rows[0] ?? { checked: 0, first_broken: null }
  return { ok: row.first_broken === null, checked: Number(row.checked), firstBrokenId: row.first_broken === null ? null : Number(row.first_broken) }
}
