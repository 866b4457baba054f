// The audit log (审计日志): every login and every change, with who, when, what and from where.
import { type Insertable, type Kysely, type RawBuilder, sql } from 'kysely'
import type { Database } from './db/database.js'
import { columns } from './db/precompiled.js'

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
 * Writes one entry; pass the transaction of the change so the entry and the change commit together. The entry is in
 * audit_log once the transaction commits, not yet sealed; sealAudit (the audit.seal job, about every second) then
 * seals it into the hash chain (0013_audit_sealed_in_batches.sql). No lock is taken here.
 */
export async function audit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  const row = auditRecord(actor, entry)
  await db.insertInto('audit_log').values({ ...row, details: JSON.stringify(row.details) }).execute()
}

/**
 * The entry of a change made by the same statement, as one of its CTEs: written once for each row of the CTE `after`
 * (so not at all when the change did nothing), committed with the change.
 */
export function auditAfter<T>(after: string, actor: Actor, entry: AuditEntry): RawBuilder<T> {
  return sql<T>`(insert into audit_log (entity_id, ${columns(AUDIT_COLUMNS)})
    select r.entity_id, ${columns(AUDIT_COLUMNS, 'r')}
    from ${sql.table(after)}, jsonb_populate_record(null::audit_log, ${JSON.stringify(auditRecord(actor, entry))}::jsonb) r)`
}

/**
 * The audit_log columns an `auditRecord` fills besides the entity id, for statements that write entries from JSON
 * (`jsonb_populate_record`) and set the entity id from the row they made.
 */
export const AUDIT_COLUMNS = ['actor_id', 'actor_name', 'action', 'entity_type', 'outcome', 'ip', 'user_agent', 'details'] as const

/** The audit_log row of an entry with its details as an object: for a statement that reads it from JSON (`jsonb_populate_record`). */
export function auditRecord(actor: Actor, entry: AuditEntry): Omit<Insertable<Database['audit_log']>, 'details'> & { details: Record<string, unknown> } {
  return {
    actor_id: actor.userId,
    actor_name: actor.username,
    action: entry.action,
    entity_type: entry.entityType ?? null,
    entity_id: entry.entityId ?? null,
    outcome: entry.outcome ?? 'ok',
    ip: actor.ip ?? null,
    user_agent: actor.userAgent?.slice(0, 300) ?? null,
    details: entry.details ?? {},
  }
}

/** The job that seals the audit log (any process may run it; sealers take turns on the chain's lock). */
export const AUDIT_SEAL_JOB = 'audit.seal'
export const AUDIT_SEAL_EVERY_MS = 1_000
/** Entries sealed per transaction: a backlog is sealed in several short transactions rather than one long one. */
const SEAL_BATCH = 5_000

/**
 * Seals the committed entries not yet in the hash chain, in id order, each after the last sealed one; returns how many.
 * An entry whose transaction commits after a later id was sealed simply takes a later place in the chain.
 */
export async function sealAudit(db: Kysely<Database>): Promise<number> {
  let total = 0
  for (;;) {
    const result = await sql<{ sealed: number }>`select audit_seal(${SEAL_BATCH}) as sealed`.execute(db)
    const sealed = Number(result.rows[0]?.sealed ?? 0)
    total += sealed
    if (sealed < SEAL_BATCH) return total
  }
}

export interface ChainCheck {
  ok: boolean
  /** The sealed entries checked. */
  checked: number
  /** The first entry, in chain order, whose hash does not follow from its content and its predecessor. */
  firstBrokenId: number | null
  /** Committed entries not yet sealed into the chain (0 right after the check's own sealing, unless more came in). */
  unsealed: number
}

/**
 * Seals what is pending, then recomputes the hash chain of the audit log in chain order (the same formula as
 * audit_entry_hash in 0013) and reports the first entry that was changed, inserted out of order or whose predecessor was
 * removed.
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<ChainCheck> {
  await sealAudit(db)
  const result = await sql<{ checked: number; first_broken: number | null; unsealed: number }>`
    with recomputed as (
      select id, chain_seq,
        hash = encode(sha256(convert_to(concat_ws('|', prev_hash, id::text, extract(epoch from at)::text,
          coalesce(actor_id::text, ''), coalesce(actor_name, ''), action, coalesce(entity_type, ''),
          coalesce(entity_id, ''), outcome, coalesce(ip, ''), details::text), 'UTF8')), 'hex') as content_ok,
        prev_hash = coalesce(lag(hash) over (order by chain_seq), repeat('0', 64)) as link_ok
      from audit_log where chain_seq is not null)
    select count(*)::int as checked,
      (array_agg(id order by chain_seq) filter (where not (content_ok and link_ok)))[1] as first_broken,
      (select count(*)::int from audit_log where chain_seq is null) as unsealed
    from recomputed`.execute(db)
  const row = result.rows[0] ?? { checked: 0, first_broken: null, unsealed: 0 }
  return {
    ok: row.first_broken === null,
    checked: Number(row.checked),
    firstBrokenId: row.first_broken === null ? null : Number(row.first_broken),
    unsealed: Number(row.unsealed),
  }
}
