// The live hub without a server: who hears which event, heartbeats, the end of a stream's life, and a stop.
import type { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import type { Permission } from '../../platform/auth/permissions.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { DomainEvent, EventBus } from '../../platform/events.js'
import { LiveHub, type LiveOptions } from './hub.js'

/** The part of the event bus the hub uses, fed by the test. */
function fakeBus() {
  const handlers = new Set<(event: DomainEvent) => void>()
  const bus = { on: (_type: string, handler: (event: DomainEvent) => void) => (handlers.add(handler), () => handlers.delete(handler)) }
  return { bus: bus as unknown as EventBus, emit: (event: DomainEvent) => handlers.forEach((h) => h(event)), listeners: () => handlers.size }
}

const STREET = '/d/street-a/'
const user = (userId: string, scopePath: string, permissions: Permission[] = ['case:read']): Principal => ({
  userId, username: userId, displayName: userId, unitId: 'u', unitName: 'u', scopePath, roles: [], permissions: new Set(permissions),
  sessionKind: 'bearer', mustChangePassword: false, tokenHash: `hash-${userId}`, ip: null, userAgent: null,
})

/** Everything written to a stream so far. */
function collect(out: PassThrough) {
  let text = ''
  out.setEncoding('utf8')
  out.on('data', (chunk: string) => (text += chunk))
  return () => text
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10))

let hub: LiveHub | undefined
const makeHub = (options: LiveOptions = {}) => {
  const bus = fakeBus()
  hub = new LiveHub(bus.bus, options)
  return { hub, ...bus }
}
afterEach(() => hub?.close())

describe('the live hub', () => {
  it('sends the retry hint first, then only the events of cases in the user’s scope, with the case id alone', async () => {
    const { hub, emit } = makeHub({ retryMs: 3000 })
    const inStreet = collect(hub.open(user('a', STREET)))
    const elsewhere = collect(hub.open(user('b', '/d/street-b/')))
    const noPermission = collect(hub.open(user('c', STREET, [])))
    emit({ type: 'case.changed', caseId: 'c1', orgPath: `${STREET}community/` })
    emit({ type: 'case.changed', caseId: 'c2', orgPath: '/d/street-b/x/', assignedUnitPath: `${STREET}` })
    emit({ type: 'grid.changed', revision: 3 })
    await settle()
    expect(inStreet()).toBe('retry: 3000\n: connected\n\nevent: case.changed\ndata: {"caseId":"c1"}\n\nevent: case.changed\ndata: {"caseId":"c2"}\n\n')
    expect(elsewhere()).toBe('retry: 3000\n: connected\n\nevent: case.changed\ndata: {"caseId":"c2"}\n\n')
    expect(noPermission()).toBe('retry: 3000\n: connected\n\n')
  })

  it('forwards alarm changes to alarm readers and device states to device readers, in their scope, with the ids alone', async () => {
    const { hub, emit } = makeHub({ retryMs: 3000 })
    const watcher = collect(hub.open(user('a', STREET, ['alarm:read', 'device:read'])))
    const elsewhere = collect(hub.open(user('b', '/d/street-b/', ['alarm:read', 'device:read'])))
    const casesOnly = collect(hub.open(user('c', STREET)))
    emit({ type: 'alarm.changed', alarmId: 'a1', deviceId: 'd1', ruleId: 'r1', severity: 'critical', state: 'active', orgPath: `${STREET}community/`, origin: 'x' })
    emit({ type: 'device.state', deviceId: 'd1', state: 'offline', orgPath: `${STREET}community/` })
    await settle()
    const start = 'retry: 3000\n: connected\n\n'
    expect(watcher()).toBe(`${start}event: alarm.changed\ndata: {"alarmId":"a1","deviceId":"d1","severity":"critical","state":"active"}\n\nevent: device.state\ndata: {"deviceId":"d1","state":"offline"}\n\n`)
    expect(elsewhere()).toBe(start)
    expect(casesOnly()).toBe(start)
  })

  it('keeps a quiet stream alive with comment lines, and ends it after its lifetime so the browser signs in again', async () => {
    const { hub } = makeHub({ heartbeatMs: 20, maxLifetimeMs: 200 })
    const out = hub.open(user('a', STREET))
    const text = collect(out)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(text()).toContain(': ping\n\n')
    await new Promise((resolve) => out.once('close', resolve))
    expect(hub.size).toBe(0)
  })

  it('refuses more streams than the cap per user, and frees a place when one closes', async () => {
    const { hub } = makeHub({ maxPerUser: 2 })
    const first = hub.open(user('a', STREET))
    hub.open(user('a', STREET))
    expect(() => hub.open(user('a', STREET))).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }))
    expect(() => hub.open(user('b', STREET))).not.toThrow()
    first.destroy()
    await settle()
    expect(() => hub.open(user('a', STREET))).not.toThrow()
  })

  it('ends the streams of a signed-out session or a changed user', async () => {
    const { hub, emit } = makeHub()
    const a = hub.open(user('a', STREET))
    const b = hub.open(user('b', STREET))
    collect(a)
    collect(b)
    emit({ type: 'auth.session.revoked', tokenHash: 'hash-a' })
    await settle()
    expect(a.writableEnded).toBe(true)
    expect(b.writableEnded).toBe(false)
    emit({ type: 'auth.user.changed', userId: 'b' })
    expect(b.writableEnded).toBe(true)
  })

  it('on stop, ends every stream, stops listening and refuses new streams', () => {
    const { hub, listeners } = makeHub()
    const out = hub.open(user('a', STREET))
    hub.close()
    expect(out.writableEnded).toBe(true)
    expect(listeners()).toBe(0)
    expect(() => hub.open(user('a', STREET))).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }))
  })
})
