// Live updates to browsers: the domain events of every process (LISTEN/NOTIFY), filtered by each user's data scope
// and written to their server-sent event streams.
import { PassThrough } from 'node:stream'
import { AppError } from '../../platform/errors.js'
import type { DomainEvent, EventBus } from '../../platform/events.js'
import type { Permission } from '../../platform/auth/permissions.js'
import { can, type Principal } from '../../platform/auth/principal.js'

export interface LiveOptions {
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatMs?: number
  /** Streams one user may hold open at once (tabs, devices); more are refused. */
  maxPerUser?: number
  /** The reconnection delay the browser is told (`retry:`). */
  retryMs?: number
  /**
   * A stream ends after this long and the browser reconnects, signing in afresh: a changed unit or role applies
   * and an idle session expires. Longer than the default idle timeout, so an open page alone keeps no session alive.
   */
  maxLifetimeMs?: number
  /** A client that stops reading is dropped once this much is waiting for it. */
  maxBufferedBytes?: number
}

/** What a browser may learn of a domain event, and who may: its type, the permission, the fields it carries. */
interface Forward {
  permission: Permission
  data: (event: DomainEvent) => Record<string, unknown>
}

const FORWARDED: Record<string, Forward> = {
  'case.changed': { permission: 'case:read', data: (e) => ({ caseId: e.caseId }) },
  'case.overdue': { permission: 'case:read', data: (e) => ({ caseId: e.caseId, ticket: e.ticket }) },
  'alarm.changed': { permission: 'alarm:read', data: (e) => ({ alarmId: e.alarmId, deviceId: e.deviceId, severity: e.severity, state: e.state }) },
  'device.state': { permission: 'device:read', data: (e) => ({ deviceId: e.deviceId, deviceIds: e.deviceIds, state: e.state }) },
}

/** Fields of a case event naming where it lies: the place, the unit holding it, the unit that held it before. */
const SCOPE_FIELDS = ['orgPath', 'assignedUnitPath', 'formerUnitPath'] as const

/** A user sees an event of a record placed in their scope or held by their unit (or one under it), as in the lists. */
export function visibleTo(principal: Principal, event: DomainEvent): boolean {
  return SCOPE_FIELDS.some((field) => {
    const path = event[field]
    return typeof path === 'string' && path.startsWith(principal.scopePath)
  })
}

interface Stream {
  principal: Principal
  out: PassThrough
  endsAt: number
}

export class LiveHub {
  private readonly streams = new Set<Stream>()
  private readonly perUser = new Map<string, number>()
  private readonly options: Required<LiveOptions>
  private readonly timer: NodeJS.Timeout
  private readonly unsubscribe: () => void
  private closed = false

  constructor(events: EventBus, options: LiveOptions = {}) {
    this.options = { heartbeatMs: 25_000, maxPerUser: 10, retryMs: 5_000, maxLifetimeMs: 3600_000, maxBufferedBytes: 1 << 20, ...options }
    this.unsubscribe = events.on('*', (event) => this.deliver(event))
    this.timer = setInterval(() => this.heartbeat(), this.options.heartbeatMs)
    this.timer.unref()
  }

  /** Opens a stream for a signed-in user; RATE_LIMITED beyond the per-user cap. */
  open(principal: Principal): PassThrough {
    if (this.closed) throw new AppError('UNAVAILABLE', { reason: { 'zh-CN': '服务正在停止', en: 'the server is stopping' } })
    const held = this.perUser.get(principal.userId) ?? 0
    if (held >= this.options.maxPerUser) throw new AppError('RATE_LIMITED', {}, { maxStreams: this.options.maxPerUser })
    const out = new PassThrough()
    // spread reconnections out, so a restart of many pages does not come back at once
    const stream: Stream = { principal, out, endsAt: Date.now() + this.options.maxLifetimeMs * (0.9 + Math.random() * 0.1) }
    this.streams.add(stream)
    this.perUser.set(principal.userId, held + 1)
    out.once('close', () => this.forget(stream))
    out.write(`retry: ${this.options.retryMs}\n: connected\n\n`)
    return out
  }

  /** Streams open in this process. */
  get size(): number {
    return this.streams.size
  }

  /** Ends every stream (the browsers reconnect to another process) and stops listening; for a graceful stop. */
  close(): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    this.unsubscribe()
    for (const stream of this.streams) stream.out.end()
  }

  private deliver(event: DomainEvent): void {
    const forward = FORWARDED[event.type]
    if (forward) {
      const chunk = `event: ${event.type}\ndata: ${JSON.stringify(forward.data(event))}\n\n`
      for (const stream of this.streams) {
        if (can(stream.principal, forward.permission) && visibleTo(stream.principal, event)) this.write(stream, chunk)
      }
      return
    }
    // a notification goes to its recipient's own streams only
    if (event.type === 'notification') {
      const chunk = `event: notification\ndata: {}\n\n`
      for (const stream of this.streams) if (stream.principal.userId === event.userId) this.write(stream, chunk)
      return
    }
    // a signed-out session, a changed user or changed roles: those streams end and reconnect (or are refused)
    switch (event.type) {
      case 'auth.session.revoked':
        this.endWhere((p) => p.tokenHash === event.tokenHash)
        break
      case 'auth.user.changed':
        this.endWhere((p) => p.userId === event.userId)
        break
      case 'auth.roles.changed':
        this.endWhere(() => true)
        break
    }
  }

  private heartbeat(): void {
    const now = Date.now()
    for (const stream of this.streams) {
      if (now >= stream.endsAt) stream.out.end()
      else this.write(stream, ': ping\n\n')
    }
  }

  private write(stream: Stream, chunk: string): void {
    const { out } = stream
    if (out.writableEnded || out.destroyed) return
    if (out.writableLength > this.options.maxBufferedBytes) {
      out.destroy()
      return
    }
    out.write(chunk)
  }

  private endWhere(match: (principal: Principal) => boolean): void {
    for (const stream of this.streams) if (match(stream.principal)) stream.out.end()
  }

  private forget(stream: Stream): void {
    if (!this.streams.delete(stream)) return
    const held = (this.perUser.get(stream.principal.userId) ?? 1) - 1
    if (held > 0) this.perUser.set(stream.principal.userId, held)
    else this.perUser.delete(stream.principal.userId)
  }
}
