// Sessions: opaque random tokens (only their SHA-256 is stored), absolute and idle expiry, and a short in-process cache
// that every process drops on logout or on a change to the user, through the event bus.
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Db } from '../../platform/db/engine.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Permission } from '../../platform/auth/permissions.js'
import { AppError } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import type { OrgService } from '../org/service.js'
import * as repo from './repository.js'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

interface Cached {
  row: repo.SessionRow
  lastSeen: number
  persistedSeen: number
  cachedAt: number
}

const CACHE_MS = 30_000
const TOUCH_MS = 60_000

export interface SessionPolicy {
  ttlMinutes: number
  idleMinutes: number
}

export class Sessions {
  private readonly cache = new Map<string, Cached>()

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly org: OrgService,
    private readonly permissionsOf: (roles: string[]) => ReadonlySet<Permission>,
    private readonly policy: SessionPolicy,
  ) {
    events.on('auth.session.revoked', (event) => this.cache.delete(String(event.tokenHash)))
    events.on('auth.user.changed', (event) => this.dropUser(String(event.userId)))
    events.on('auth.roles.changed', () => this.cache.clear())
  }

  async create(userId: string, kind: 'cookie' | 'bearer', ip: string | null, userAgent: string | null): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(Date.now() + this.policy.ttlMinutes * 60_000)
    await repo.insertSession(this.db.kysely, { token_hash: hashToken(token), user_id: userId, kind, expires_at: expiresAt, ip, user_agent: userAgent?.slice(0, 300) ?? null })
    return { token, expiresAt }
  }

  /** The principal of a token, or UNAUTHENTICATED / SESSION_EXPIRED. */
  async authenticate(token: string, request: FastifyRequest): Promise<Principal> {
    const tokenHash = hashToken(token)
    const now = Date.now()
    let entry = this.cache.get(tokenHash)
    if (!entry || now - entry.cachedAt > CACHE_MS) {
      const row = await repo.findSession(this.db.kysely, tokenHash)
      if (!row) throw new AppError('UNAUTHENTICATED')
      const seen = row.last_seen_at.getTime()
      entry = { row, lastSeen: Math.max(seen, entry?.lastSeen ?? 0), persistedSeen: seen, cachedAt: now }
      this.cache.set(tokenHash, entry)
      if (this.cache.size > 50_000) this.cache.delete(this.cache.keys().next().value as string)
    }
    const { row } = entry
    if (row.revoked_at || row.status !== 'active') throw new AppError('UNAUTHENTICATED')
    if (row.expires_at.getTime() <= now || entry.lastSeen + this.policy.idleMinutes * 60_000 <= now) {
      this.cache.delete(tokenHash)
      throw new AppError('SESSION_EXPIRED')
    }
    entry.lastSeen = now
    if (now - entry.persistedSeen > TOUCH_MS) {
      entry.persistedSeen = now
      void repo.touchSession(this.db.kysely, tokenHash, new Date(now)).catch((error: unknown) => request.log.warn({ err: error }, 'could not record session activity'))
    }
    const unit = this.org.unit(row.unit_id)
    if (!unit) throw new AppError('UNAUTHENTICATED')
    return {
      userId: row.user_id,
      username: row.username,
      displayName: row.display_name,
      unitId: unit.id,
      unitName: unit.name,
      scopePath: unit.path,
      roles: row.roles,
      permissions: this.permissionsOf(row.roles),
      sessionKind: row.kind,
      mustChangePassword: row.must_change_password,
      tokenHash,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    }
  }

  async revoke(tokenHash: string): Promise<void> {
    await repo.revokeSession(this.db.kysely, tokenHash)
    this.cache.delete(tokenHash)
    await this.events.publish({ type: 'auth.session.revoked', tokenHash })
  }

  /** After a change to a user (roles, unit, status, password), every process re-reads their sessions. */
  async userChanged(userId: string, revokeAll: boolean): Promise<void> {
    if (revokeAll) await repo.revokeUserSessions(this.db.kysely, userId)
    this.dropUser(userId)
    await this.events.publish({ type: 'auth.user.changed', userId })
  }

  private dropUser(userId: string) {
    for (const [key, entry] of this.cache) if (entry.row.user_id === userId) this.cache.delete(key)
  }

  async purgeExpired(): Promise<number> {
    const result = await repo.deleteExpiredSessions(this.db.kysely, new Date(Date.now() - 24 * 3600_000))
    return Number(result[0]?.numDeletedRows ?? 0)
  }
}
