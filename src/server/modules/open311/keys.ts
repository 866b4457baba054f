// Keys of Open311 clients (api_key): issued by administrators, shown once, kept only as a SHA-256, revocable, each
// with its own rate limit. The demo issues the well-known key of INTERFACES.md.
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { type Actor, audit, SYSTEM_ACTOR } from '../../platform/audit.js'
import type { Database } from '../../platform/db/database.js'
import type { Db } from '../../platform/db/engine.js'
import { AppError, notFound } from '../../platform/errors.js'

/** The key the demo issues (INTERFACES.md); only in demo mode. */
/** How long a key's check is kept in memory, and how many checks at most. */
const KEY_CACHE_MS = 10_000
const KEY_CACHE_SIZE = 10_000

export const DEMO_OPEN311_KEY = 'demo-open311-key'
const HINT_LENGTH = 6

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export interface KeyView {
  id: string
  name: string
  keyHint: string
  requestsPerMinute: number
  webhookUrl: string | null
  createdAt: string
  revokedAt: string | null
}

/** A client's key as checked on a request: who it is and how often it may create requests. */
export interface VerifiedKey {
  id: string
  name: string
  requestsPerMinute: number
}

type Row = { id: string; name: string; key_hint: string; requests_per_minute: number; webhook_url: string | null; created_at: Date; revoked_at: Date | null }

const view = (r: Row): KeyView => ({
  id: r.id, name: r.name, keyHint: r.key_hint, requestsPerMinute: r.requests_per_minute, webhookUrl: r.webhook_url,
  createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null,
})

const COLUMNS = ['id', 'name', 'key_hint', 'requests_per_minute', 'webhook_url', 'created_at', 'revoked_at'] as const

export class Open311Keys {
  constructor(private readonly db: Db) {}

  /** Issues a key. The key (and the webhook secret) are answered this once; only the key's hash is stored. */
  async create(actor: Actor, input: { name: string; requestsPerMinute?: number | undefined; webhookUrl?: string | undefined }): Promise<KeyView & { key: string; webhookSecret: string | null }> {
    const key = randomBytes(32).toString('base64url')
    const webhookUrl = input.webhookUrl?.trim() || null
    const webhookSecret = webhookUrl ? randomBytes(32).toString('base64url') : null
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('open311_keys').values({
        name: input.name.trim(), key_sha256: sha256(key), key_hint: key.slice(0, HINT_LENGTH), requests_per_minute: input.requestsPerMinute ?? 600,
        webhook_url: webhookUrl, webhook_secret: webhookSecret, created_by: actor.userId,
      }).returning(COLUMNS).executeTakeFirstOrThrow()
      await audit(trx, actor, { action: 'open311.key.create', entityType: 'open311_key', entityId: inserted.id, details: { name: inserted.name, keyHint: inserted.key_hint, requestsPerMinute: inserted.requests_per_minute, webhookUrl } })
      return inserted
    })
    return { ...view(row), key, webhookSecret }
  }

  /** Every key, newest first, without secrets. */
  async list(): Promise<KeyView[]> {
    const rows = await this.db.kysely.selectFrom('open311_keys').select(COLUMNS).orderBy('created_at', 'desc').orderBy('id').execute()
    return rows.map(view)
  }

  /** Revokes a key at once; the row stays for the record. Revoking a revoked key is refused (409). */
  async revoke(actor: Actor, id: string): Promise<KeyView> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('open311_keys').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst()
      if (!current) throw notFound('Open311 密钥', 'Open311 key')
      if (current.revoked_at) throw new AppError('CONFLICT', { reason: { 'zh-CN': '该密钥已吊销', en: 'the key is revoked already' } })
      const row = await trx.updateTable('open311_keys').set({ revoked_at: new Date(), revoked_by: actor.userId }).where('id', '=', id).returning(COLUMNS).executeTakeFirstOrThrow()
      for (const [hash, known] of this.known) if (known.key?.id === id) this.known.delete(hash)
      await audit(trx, actor, { action: 'open311.key.revoke', entityType: 'open311_key', entityId: id, details: { name: row.name, keyHint: row.key_hint } })
      return view(row)
    })
  }

  /**
   * The key of a request, or INVALID_API_KEY (403) when it is missing, unknown or revoked. Answers are kept for
   * KEY_CACHE_MS, so a key revoked in another process stops working within that time (in this process at once).
   */
  async verify(key: string | undefined): Promise<VerifiedKey> {
    const given = key?.trim()
    if (!given || given.length > 200) throw new AppError('INVALID_API_KEY', {}, { reason: given ? 'unknown' : 'missing' })
    const hash = sha256(given)
    let known = this.known.get(hash)
    if (!known || Date.now() - known.at > KEY_CACHE_MS) {
      const row = await this.db.kysely.selectFrom('open311_keys').select(['id', 'name', 'requests_per_minute', 'revoked_at']).where('key_sha256', '=', hash).executeTakeFirst()
      known = { at: Date.now(), key: row && !row.revoked_at ? { id: row.id, name: row.name, requestsPerMinute: row.requests_per_minute } : undefined, reason: row ? 'revoked' : 'unknown' }
      if (this.known.size >= KEY_CACHE_SIZE) this.known.clear()
      this.known.set(hash, known)
    }
    if (!known.key) throw new AppError('INVALID_API_KEY', {}, { reason: known.reason })
    return known.key
  }

  private readonly known = new Map<string, { at: number; key: VerifiedKey | undefined; reason: 'revoked' | 'unknown' }>()
}

/** Issues the demo key once (idempotent: seeding and every demo start may call it). */
export async function ensureDemoKey(db: Kysely<Database>): Promise<void> {
  const inserted = await db.insertInto('open311_keys')
    .values({ name: 'Demo 311 client (演示)', key_sha256: sha256(DEMO_OPEN311_KEY), key_hint: DEMO_OPEN311_KEY.slice(0, HINT_LENGTH), requests_per_minute: 6000 })
    .onConflict((oc) => oc.column('key_sha256').doNothing()).returning('id').executeTakeFirst()
  if (inserted) await audit(db, SYSTEM_ACTOR, { action: 'open311.key.create', entityType: 'open311_key', entityId: inserted.id, details: { name: 'demo', keyHint: DEMO_OPEN311_KEY.slice(0, HINT_LENGTH) } })
}

/** The decision of a rate limit: allowed, or refused until retryAfterSeconds have passed. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/** Counts a request of a key against its per-minute limit. Swappable (e.g. for a limiter shared between processes). */
export type PerKeyLimit = (keyId: string, perMinute: number) => RateDecision | Promise<RateDecision>

/**
 * The default per-key limit: a fixed one-minute window per key, counted in this process. Behind a load balancer with
 * n processes a key gets up to n × its limit; pass a shared limiter to the routes for an exact one.
 */
export function perKeyWindow(now: () => number = Date.now): PerKeyLimit {
  const windows = new Map<string, { start: number; count: number }>()
  return (keyId, perMinute) => {
    const at = now()
    const start = at - (at % 60_000)
    let window = windows.get(keyId)
    if (!window || window.start !== start) {
      if (windows.size > 10_000) for (const [id, w] of windows) if (w.start !== start) windows.delete(id)
      window = { start, count: 0 }
      windows.set(keyId, window)
    }
    if (window.count >= perMinute) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((start + 60_000 - at) / 1000)) }
    window.count++
    return { allowed: true }
  }
}
