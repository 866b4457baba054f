// The device registry as staff and devices see it: the demo's devices, models, registering, placing and editing devices,
// tokens (issue, rotate, revoke: the lookups of every process follow), optimistic versions, data scope and refusals.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, pointInCells, type Point, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { BUILTIN_MODELS } from './models.js'
import { demoDeviceToken } from './seed.js'

let t: TestApp
const tokens: Record<string, string> = {}
let zhucheng: Point
let yangluo: Point
let zhuchengId: string
let yangluoId: string

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(user: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const response = await t.app.inject({ method, url, headers: bearer(tokens[user]!), ...(payload === undefined ? {} : { payload: payload as Json }) })
  return { status: response.statusCode, body: response.json() as Json }
}

async function ok(user: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<Json> {
  const { status, body } = await call(user, method, url, payload)
  expect(status, JSON.stringify(body)).toBe(200)
  return body
}

async function refused(user: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, status: number, code: string, payload?: unknown) {
  const answer = await call(user, method, url, payload)
  expect(answer.status, JSON.stringify(answer.body)).toBe(status)
  expect(answer.body.error.code).toBe(code)
  return answer.body.error as Json
}

let serial = 0
const code = (prefix = 'T') => `${prefix}-${process.pid}-${++serial}`

async function auditOf(action: string, entityId: string) {
  return t.db.kysely.selectFrom('audit_log').select(['action', 'actor_name', 'details']).where('action', '=', action).where('entity_id', '=', entityId).execute()
}

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'leader', 'supervisor', 'officer']) tokens[user] = await t.login(user)
  zhucheng = await pointInCells(t.db, '420117001')
  yangluo = await pointInCells(t.db, '420117002')
  zhuchengId = await unitIdOf(t.db, '420117001')
  yangluoId = await unitIdOf(t.db, '420117002')
})
afterAll(() => t?.close())

describe('the demo devices', () => {
  it('are about 60 devices of all 7 models, each placed in a cell of a demo street and driven by its demo token', async () => {
    const { items, total } = await ok('admin', 'GET', '/api/iot/devices?pageSize=500')
    expect(total).toBe(60)
    expect(new Set(items.map((d: Json) => d.modelKey))).toEqual(new Set(BUILTIN_MODELS.map((m) => m.key)))
    expect(items.filter((d: Json) => d.modelKey === 'toilet_air')).toHaveLength(8)
    for (const device of items) {
      expect(device.streetId, device.code).toEqual(expect.any(String))
      expect(device.lng).toEqual(expect.any(Number))
    }
    // every model has a device in 邾城街道, the demo's centre
    expect(new Set(items.filter((d: Json) => d.streetId === zhuchengId).map((d: Json) => d.modelKey)).size).toBe(7)
    const first = items[0]
    const ref = await t.context.devices.byToken(demoDeviceToken(first.code))
    expect(ref).toMatchObject({ id: first.id, code: first.code, modelKey: first.modelKey, streetId: first.streetId, enabled: true })
    const detail = await ok('admin', 'GET', `/api/iot/devices/${first.id}`)
    expect(detail.token.hint).toBe('demo')
    expect(detail.cellId).toEqual(expect.any(String))
  })
})

describe('models', () => {
  it('lists the built-in models with their keys, units, ranges and interval', async () => {
    const { items } = await ok('acceptor', 'GET', '/api/iot/models')
    expect(items.map((m: Json) => m.key).sort()).toEqual(BUILTIN_MODELS.map((m) => m.key).sort())
    const manhole = items.find((m: Json) => m.key === 'manhole_cover')
    expect(manhole).toMatchObject({ name: '智能井盖', intervalSeconds: 300, classKind: 'component', classCode: '0113', builtin: true })
    expect(manhole.telemetry.find((k: Json) => k.key === 'tilt')).toMatchObject({ unit: '°', type: 'number', min: 0, max: 90 })
  })

  it('lets an admin edit ranges, interval and default class (audited); refuses bad edits and other users', async () => {
    const edited = await ok('admin', 'PUT', '/api/iot/models/gas_detector', { ranges: [{ key: 'lel', max: 120 }], intervalSeconds: 120, classKind: 'event', classCode: '0505' })
    expect(edited).toMatchObject({ intervalSeconds: 120, classKind: 'event', classCode: '0505' })
    expect(edited.telemetry[0]).toMatchObject({ key: 'lel', min: 0, max: 120 })
    const removed = await ok('admin', 'PUT', '/api/iot/models/gas_detector', { ranges: [{ key: 'lel', min: null }] })
    expect(removed.telemetry[0].min).toBeUndefined()
    expect(removed.intervalSeconds).toBe(120)
    const entries = await auditOf('device.model.update', 'gas_detector')
    expect(entries).toHaveLength(2)
    expect(entries[0]!.actor_name).toBe('admin')

    await refused('admin', 'PUT', '/api/iot/models/gas_detector', 400, 'TELEMETRY_KEY_UNKNOWN', { ranges: [{ key: 'nope', max: 1 }] })
    await refused('admin', 'PUT', '/api/iot/models/smoke_detector', 400, 'TELEMETRY_KEY_UNKNOWN', { ranges: [{ key: 'smoke', max: 1 }] })
    await refused('admin', 'PUT', '/api/iot/models/gas_detector', 400, 'BAD_REQUEST', { ranges: [{ key: 'lel', min: 50, max: 10 }] })
    await refused('admin', 'PUT', '/api/iot/models/gas_detector', 400, 'BAD_REQUEST', { classKind: 'event', classCode: '999999' })
    await refused('admin', 'PUT', '/api/iot/models/gas_detector', 400, 'BAD_REQUEST', { classKind: 'event' })
    await refused('admin', 'PUT', '/api/iot/models/no_such', 404, 'NOT_FOUND', { intervalSeconds: 60 })
    await refused('admin', 'PUT', '/api/iot/models/gas_detector', 400, 'VALIDATION_FAILED', { intervalSeconds: 0 })
    await refused('acceptor', 'PUT', '/api/iot/models/gas_detector', 403, 'FORBIDDEN', { intervalSeconds: 60 })
    await refused('supervisor', 'GET', '/api/iot/models', 403, 'FORBIDDEN')
  })
})

describe('registering devices', () => {
  it('places a device in its cell, community and street and shows its token once (only its SHA-256 is kept)', async () => {
    const c = code('JG')
    const { device, token } = await ok('admin', 'POST', '/api/iot/devices', { code: c, name: '邾城大道井盖', modelKey: 'manhole_cover', lng: zhucheng.lng, lat: zhucheng.lat, address: '邾城大道 1 号', facilityKind: '部件', installedOn: '2026-03-01' })
    expect(device).toMatchObject({ code: c, modelKey: 'manhole_cover', modelName: '智能井盖', streetId: zhuchengId, streetName: '邾城街道', state: 'never', enabled: true, version: 1, installedOn: '2026-03-01', address: '邾城大道 1 号', alarms: { open: 0, worst: null }, latest: {} })
    expect(device.cellId).toEqual(expect.any(String))
    expect(device.communityName).toEqual(expect.any(String))
    expect(device.token.hint).toBe(token.slice(0, 4))
    expect(device.model.key).toBe('manhole_cover')
    expect(device.counters).toEqual({ rejected: 0, flagged: 0, lastReject: null })
    const stored = await t.db.kysely.selectFrom('devices').select(['token_sha256', 'token_hint']).where('id', '=', device.id).executeTakeFirstOrThrow()
    expect(stored.token_sha256).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(stored)).not.toContain(token)
    expect(await t.context.devices.byToken(token)).toMatchObject({ id: device.id, code: c, streetId: zhuchengId, orgPath: device.orgPath })
    const [entry] = await auditOf('device.create', device.id)
    expect(entry).toMatchObject({ actor_name: 'admin' })
    expect(JSON.stringify(entry!.details)).not.toContain(token)
  })

  it('takes GCJ-02 positions, and a device without a position belongs to the district', async () => {
    const unplaced = (await ok('admin', 'POST', '/api/iot/devices', { code: code(), name: '库存烟感', modelKey: 'smoke_detector' })).device
    const district = await t.db.kysely.selectFrom('org_units').select('path').where('kind', '=', 'district').executeTakeFirstOrThrow()
    expect(unplaced).toMatchObject({ lng: null, lat: null, streetId: null, cellId: null, orgPath: district.path })
    const gcj = (await ok('admin', 'POST', '/api/iot/devices', { code: code(), name: 'GCJ', modelKey: 'smoke_detector', lng: zhucheng.lng + 0.0055, lat: zhucheng.lat - 0.0025, crs: 'gcj02' })).device
    expect(Math.abs(gcj.lng - zhucheng.lng)).toBeLessThan(0.001)
  })

  it('refuses unknown models, taken codes, positions outside the district, half positions, unknown owners, bad dates', async () => {
    const base = { name: '测试', modelKey: 'bin_fill', lng: zhucheng.lng, lat: zhucheng.lat }
    await refused('admin', 'POST', '/api/iot/devices', 400, 'DEVICE_MODEL_UNKNOWN', { ...base, code: code(), modelKey: 'teapot' })
    const error = await refused('admin', 'POST', '/api/iot/devices', 409, 'DEVICE_CODE_TAKEN', { ...base, code: 'XZ-JG-001' })
    expect(error.messages['zh-CN']).toContain('XZ-JG-001')
    await refused('admin', 'POST', '/api/iot/devices', 400, 'DEVICE_OUTSIDE_DISTRICT', { ...base, code: code(), lng: 116.4, lat: 39.9 })
    await refused('admin', 'POST', '/api/iot/devices', 400, 'DEVICE_POSITION_INCOMPLETE', { ...base, code: code(), lat: undefined })
    await refused('admin', 'POST', '/api/iot/devices', 400, 'DEVICE_OWNER_UNKNOWN', { ...base, code: code(), ownerUnitId: '00000000-0000-4000-8000-000000000000' })
    await refused('admin', 'POST', '/api/iot/devices', 400, 'DEVICE_FIELD_INVALID', { ...base, code: code(), installedOn: '2026-02-30' })
    await refused('admin', 'POST', '/api/iot/devices', 400, 'DEVICE_FIELD_REQUIRED', { ...base, code: '   ' })
    await refused('admin', 'POST', '/api/iot/devices', 400, 'VALIDATION_FAILED', { ...base, code: code(), extra: 1 })
    expect(await t.db.kysely.selectFrom('devices').select('id').where('name', '=', '测试').execute()).toEqual([])
  })

  it('refuses users without device:write (403) and without a session (401)', async () => {
    await refused('acceptor', 'POST', '/api/iot/devices', 403, 'FORBIDDEN', { code: code(), name: 'x', modelKey: 'bin_fill' })
    await refused('leader', 'POST', '/api/iot/devices', 403, 'FORBIDDEN', { code: code(), name: 'x', modelKey: 'bin_fill' })
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/iot/devices' })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('editing devices', () => {
  it('edits with the version seen, moves the device to its new street, and answers 409 to a stale version', async () => {
    const { device, token } = await ok('admin', 'POST', '/api/iot/devices', { code: code(), name: '路灯', modelKey: 'streetlight', lng: zhucheng.lng, lat: zhucheng.lat })
    // the lookup caches the device; the edit drops it
    expect((await t.context.devices.byToken(token))?.streetId).toBe(zhuchengId)
    const moved = await ok('admin', 'PATCH', `/api/iot/devices/${device.id}`, { version: 1, name: '阳逻路灯', lng: yangluo.lng, lat: yangluo.lat })
    expect(moved).toMatchObject({ name: '阳逻路灯', streetId: yangluoId, version: 2 })
    expect(await t.context.devices.byToken(token)).toMatchObject({ name: '阳逻路灯', streetId: yangluoId })
    expect((await t.context.devices.byId(device.id))?.streetId).toBe(yangluoId)

    const stale = await refused('admin', 'PATCH', `/api/iot/devices/${device.id}`, 409, 'CONFLICT', { version: 1, name: '旧版本' })
    expect(stale.messages.en).toContain('reload')
    expect((await ok('admin', 'GET', `/api/iot/devices/${device.id}`)).name).toBe('阳逻路灯')

    const unplaced = await ok('admin', 'PATCH', `/api/iot/devices/${device.id}`, { version: 2, lng: null, lat: null, installedOn: '2025-12-31' })
    expect(unplaced).toMatchObject({ lng: null, streetId: null, installedOn: '2025-12-31', version: 3 })
    const [entry] = await auditOf('device.update', device.id)
    expect(entry!.details).toMatchObject({ changes: { name: '阳逻路灯', street_id: yangluoId }, before: { name: '路灯', street_id: zhuchengId } })

    await refused('admin', 'PATCH', `/api/iot/devices/${device.id}`, 409, 'DEVICE_CODE_TAKEN', { version: 3, code: 'XZ-JG-001' })
    await refused('admin', 'PATCH', `/api/iot/devices/${device.id}`, 400, 'DEVICE_OUTSIDE_DISTRICT', { version: 3, lng: 0, lat: 0 })
    await refused('admin', 'PATCH', '/api/iot/devices/00000000-0000-4000-8000-000000000000', 404, 'NOT_FOUND', { version: 1, name: 'x' })
    await refused('admin', 'PATCH', `/api/iot/devices/${device.id}`, 400, 'VALIDATION_FAILED', { name: 'no version' })
    await refused('acceptor', 'PATCH', `/api/iot/devices/${device.id}`, 403, 'FORBIDDEN', { version: 3, name: 'x' })
  })

  it('a disabled device is refused by its token until enabled again', async () => {
    const { device, token } = await ok('admin', 'POST', '/api/iot/devices', { code: code(), name: '停用', modelKey: 'gas_detector' })
    expect(await t.context.devices.byToken(token)).toBeDefined()
    await ok('admin', 'PATCH', `/api/iot/devices/${device.id}`, { version: 1, enabled: false })
    expect(await t.context.devices.byToken(token)).toBeUndefined()
    expect((await t.context.devices.byId(device.id))?.enabled).toBe(false)
    await ok('admin', 'PATCH', `/api/iot/devices/${device.id}`, { version: 2, enabled: true })
    expect(await t.context.devices.byToken(token)).toBeDefined()
  })
})

describe('tokens', () => {
  it('rotating refuses the old token at once; revoking refuses every token until a new one is issued', async () => {
    const { device, token: first } = await ok('admin', 'POST', '/api/iot/devices', { code: code(), name: '井盖', modelKey: 'manhole_cover', lng: zhucheng.lng, lat: zhucheng.lat })
    expect(await t.context.devices.byToken(first)).toBeDefined()
    const { token: second } = await ok('admin', 'POST', `/api/iot/devices/${device.id}/token`)
    expect(second).not.toBe(first)
    expect(await t.context.devices.byToken(first)).toBeUndefined()
    expect((await t.context.devices.byToken(second))?.id).toBe(device.id)
    expect((await ok('admin', 'GET', `/api/iot/devices/${device.id}`)).token.hint).toBe(second.slice(0, 4))

    await ok('admin', 'DELETE', `/api/iot/devices/${device.id}/token`)
    expect(await t.context.devices.byToken(second)).toBeUndefined()
    const revoked = await ok('admin', 'GET', `/api/iot/devices/${device.id}`)
    expect(revoked.token).toBeNull()
    expect((await t.db.kysely.selectFrom('devices').select('token_sha256').where('id', '=', device.id).executeTakeFirstOrThrow()).token_sha256).toBeNull()
    // revoking again changes nothing
    await ok('admin', 'DELETE', `/api/iot/devices/${device.id}/token`)

    const { token: third } = await ok('admin', 'POST', `/api/iot/devices/${device.id}/token`)
    expect((await t.context.devices.byToken(third))?.id).toBe(device.id)
    const actions = (await t.db.kysely.selectFrom('audit_log').select('action').where('entity_id', '=', device.id).orderBy('id').execute()).map((r) => r.action)
    expect(actions).toEqual(['device.create', 'device.token.rotate', 'device.token.revoke', 'device.token.issue'])

    await refused('acceptor', 'POST', `/api/iot/devices/${device.id}/token`, 403, 'FORBIDDEN')
    await refused('acceptor', 'DELETE', `/api/iot/devices/${device.id}/token`, 403, 'FORBIDDEN')
  })

  it("another process's lookups follow a rotation and a revocation", async () => {
    const other = await t.secondProcess()
    const { device, token } = await ok('admin', 'POST', '/api/iot/devices', { code: code(), name: '烟感', modelKey: 'smoke_detector' })
    expect((await other.context.devices.byToken(token))?.id).toBe(device.id)
    const { token: next } = await ok('admin', 'POST', `/api/iot/devices/${device.id}/token`)
    await expect.poll(() => other.context.devices.byToken(token)).toBeUndefined()
    expect((await other.context.devices.byToken(next))?.id).toBe(device.id)
    const dropped: string[] = []
    other.context.devices.onChange((id) => dropped.push(id))
    await ok('admin', 'DELETE', `/api/iot/devices/${device.id}/token`)
    await expect.poll(() => dropped).toContain(device.id)
    expect(await other.context.devices.byToken(next)).toBeUndefined()
  })
})

describe('lists, badges, map and detail', () => {
  it('filters by text, model, state, street and open alarms, and pages', async () => {
    const bins = await ok('admin', 'GET', '/api/iot/devices?model=bin_fill&pageSize=100')
    expect(bins.total).toBe(12)
    expect(bins.items.every((d: Json) => d.modelKey === 'bin_fill')).toBe(true)
    const page2 = await ok('admin', 'GET', '/api/iot/devices?model=bin_fill&pageSize=5&page=2')
    expect(page2.items.map((d: Json) => d.code)).toEqual(bins.items.slice(5, 10).map((d: Json) => d.code))
    const byText = await ok('admin', 'GET', `/api/iot/devices?q=${encodeURIComponent('XZ-GC-00')}`)
    expect(byText.total).toBe(8)
    const inYangluo = await ok('admin', 'GET', `/api/iot/devices?streetId=${yangluoId}&pageSize=500`)
    expect(inYangluo.total).toBeGreaterThan(0)
    expect(inYangluo.items.every((d: Json) => d.streetId === yangluoId)).toBe(true)
    expect((await ok('admin', 'GET', '/api/iot/devices?state=online')).total).toBe(0)
    await refused('admin', 'GET', '/api/iot/devices?state=broken', 400, 'VALIDATION_FAILED')
    await refused('admin', 'GET', '/api/iot/devices?alarm=maybe', 400, 'VALIDATION_FAILED')
  })

  it('shows open alarms as a badge (worst severity; cleared ones do not count), on the list and the map', async () => {
    const { items } = await ok('admin', 'GET', '/api/iot/devices?q=XZ-JG-002')
    const device = items[0]
    const rules = await t.db.kysely.selectFrom('iot_rules').select(['id', 'severity']).where('model_key', '=', 'manhole_cover').where('device_id', 'is', null).execute()
    const bySeverity = (s: string) => rules.find((r) => r.severity === s)!.id
    const now = new Date()
    const alarm = (rule: string, severity: 'critical' | 'warning' | 'major', state: 'active' | 'cleared') => ({ device_id: device.id, rule_id: rule, severity, state, raised_at: now, last_at: now })
    await t.db.kysely.insertInto('alarms').values([alarm(bySeverity('warning'), 'warning', 'active'), alarm(bySeverity('critical'), 'critical', 'cleared')]).execute()
    const warned = await ok('admin', 'GET', '/api/iot/devices?alarm=open&pageSize=500')
    expect(warned.items.map((d: Json) => d.code)).toEqual(['XZ-JG-002'])
    expect(warned.items[0].alarms).toEqual({ open: 1, worst: 'warning' })
    await t.db.kysely.insertInto('alarms').values(alarm(bySeverity('major'), 'major', 'active')).execute()
    expect((await ok('admin', 'GET', '/api/iot/devices?q=XZ-JG-002')).items[0].alarms).toEqual({ open: 2, worst: 'major' })
    expect((await ok('admin', 'GET', '/api/iot/devices?alarm=major')).total).toBe(1)
    expect((await ok('admin', 'GET', '/api/iot/devices?alarm=critical')).total).toBe(0)
    const none = await ok('admin', 'GET', '/api/iot/devices?alarm=none&pageSize=500')
    expect(none.items.some((d: Json) => d.code === 'XZ-JG-002')).toBe(false)

    const map = await ok('admin', 'GET', '/api/iot/devices/map')
    expect(map.type).toBe('FeatureCollection')
    const feature = map.features.find((f: Json) => f.properties.code === 'XZ-JG-002')
    expect(feature).toMatchObject({ type: 'Feature', geometry: { type: 'Point', coordinates: [device.lng, device.lat] }, properties: { state: 'never', worstAlarm: 'major', alarms: 2 } })
    expect(map.features.every((f: Json) => f.geometry.coordinates.every(Number.isFinite))).toBe(true)
    const quiet = map.features.find((f: Json) => f.properties.code === 'XZ-JG-003')
    expect(quiet.properties).toMatchObject({ worstAlarm: null, alarms: 0 })
    expect((await ok('admin', 'GET', '/api/iot/devices/map?model=toilet_air')).features).toHaveLength(8)
  })

  it('shows the latest values, client attributes and counters in the detail, and the latest values in the list', async () => {
    const { items } = await ok('admin', 'GET', '/api/iot/devices?q=XZ-GC-001')
    const id = items[0].id
    const ts = Date.UTC(2026, 0, 5, 8, 0, 0)
    await t.db.kysely.insertInto('device_latest').values({ device_id: id, ts: new Date(ts), values: JSON.stringify({ nh3: { v: 2.5, ts, q: 0 }, h2s: { v: 99, ts, q: 1 } }) }).execute()
    await t.db.kysely.updateTable('devices').set({ attributes: JSON.stringify({ firmware: '1.2.3' }), rejected_count: 3, flagged_count: 1, last_reject: 'not JSON', state: 'online', last_seen: new Date(ts) }).where('id', '=', id).execute()
    const detail = await ok('acceptor', 'GET', `/api/iot/devices/${id}`)
    expect(detail).toMatchObject({ state: 'online', lastSeen: new Date(ts).toISOString(), latestAt: new Date(ts).toISOString(), attributes: { firmware: '1.2.3' }, counters: { rejected: 3, flagged: 1, lastReject: 'not JSON' }, facilityKind: '公厕' })
    expect(detail.latest).toEqual({ nh3: { v: 2.5, ts, q: 0 }, h2s: { v: 99, ts, q: 1 } })
    expect(detail.ownerUnitName).toBe('环卫作业中心')
    expect((await ok('acceptor', 'GET', '/api/iot/devices?q=XZ-GC-001')).items[0].latest.nh3.v).toBe(2.5)
    expect((await ok('acceptor', 'GET', '/api/iot/devices?state=online')).total).toBe(1)
    await refused('acceptor', 'GET', '/api/iot/devices/not-a-uuid', 400, 'VALIDATION_FAILED')
    await refused('acceptor', 'GET', '/api/iot/devices/00000000-0000-4000-8000-000000000000', 404, 'NOT_FOUND')
  })
})

describe('data scope', () => {
  beforeAll(async () => {
    // the street's and departments' staff watch devices once an admin gives their role device:read and device:write
    const { items } = await ok('admin', 'GET', '/api/roles')
    const disposal = items.find((r: Json) => r.key === 'disposal')
    await ok('admin', 'PUT', '/api/roles/disposal', { version: disposal.version, name: disposal.name, nameEn: disposal.nameEn, permissions: [...disposal.permissions, 'device:read', 'device:write'] })
    tokens.zhucheng = await t.login('zhucheng')
    tokens.dept = await t.login('dept')
  })

  it('a street user sees only the devices placed in 邾城街道, on the list, the map and one by one', async () => {
    const zhuchengPath = (await t.db.kysely.selectFrom('org_units').select('path').where('id', '=', zhuchengId).executeTakeFirstOrThrow()).path
    const expected = await t.db.kysely.selectFrom('devices').select('code').where('org_path', 'like', `${zhuchengPath}%`).orderBy('code').execute()
    const { items, total } = await ok('zhucheng', 'GET', '/api/iot/devices?pageSize=500')
    expect(total).toBe(expected.length)
    expect(items.map((d: Json) => d.code)).toEqual(expected.map((d) => d.code))
    expect(items.every((d: Json) => d.streetId === zhuchengId)).toBe(true)
    const map = await ok('zhucheng', 'GET', '/api/iot/devices/map')
    expect(map.features).toHaveLength(expected.length)

    const elsewhere = (await ok('admin', 'GET', `/api/iot/devices?streetId=${yangluoId}`)).items[0]
    await refused('zhucheng', 'GET', `/api/iot/devices/${elsewhere.id}`, 403, 'OUT_OF_SCOPE')
    await refused('zhucheng', 'PATCH', `/api/iot/devices/${elsewhere.id}`, 403, 'OUT_OF_SCOPE', { version: elsewhere.version, name: 'x' })
    await refused('zhucheng', 'POST', `/api/iot/devices/${elsewhere.id}/token`, 403, 'OUT_OF_SCOPE')
    await refused('zhucheng', 'GET', `/api/iot/devices/${elsewhere.id}/telemetry?key=fill`, 403, 'OUT_OF_SCOPE')
    // they place devices in their street only
    await refused('zhucheng', 'POST', '/api/iot/devices', 403, 'OUT_OF_SCOPE', { code: code(), name: '越界', modelKey: 'bin_fill', lng: yangluo.lng, lat: yangluo.lat })
    await refused('zhucheng', 'POST', '/api/iot/devices', 403, 'OUT_OF_SCOPE', { code: code(), name: '未定位', modelKey: 'bin_fill' })
    const own = await ok('zhucheng', 'POST', '/api/iot/devices', { code: code(), name: '街道自建', modelKey: 'bin_fill', lng: zhucheng.lng, lat: zhucheng.lat })
    expect(own.device.streetId).toBe(zhuchengId)
  })

  it("a department sees the devices it owns wherever they stand", async () => {
    const water = await unitIdOf(t.db, (await t.db.kysely.selectFrom('org_units').select('code').where('name_en', '=', 'Water and Lakes Bureau').executeTakeFirstOrThrow()).code)
    const owned = await t.db.kysely.selectFrom('devices').select('code').where('owner_unit_id', '=', water).orderBy('code').execute()
    const { items } = await ok('dept', 'GET', '/api/iot/devices?pageSize=500')
    expect(owned.length).toBe(18)
    expect(items.map((d: Json) => d.code)).toEqual(owned.map((d) => d.code))
    expect(new Set(items.map((d: Json) => d.streetId)).size).toBeGreaterThan(1)
  })

  it('field supervisors and officers have no device:read: 403 everywhere', async () => {
    const id = (await ok('admin', 'GET', '/api/iot/devices')).items[0].id
    for (const user of ['supervisor', 'officer']) {
      await refused(user, 'GET', '/api/iot/devices', 403, 'FORBIDDEN')
      await refused(user, 'GET', '/api/iot/devices/map', 403, 'FORBIDDEN')
      await refused(user, 'GET', `/api/iot/devices/${id}`, 403, 'FORBIDDEN')
      await refused(user, 'GET', `/api/iot/devices/${id}/telemetry?key=tilt`, 403, 'FORBIDDEN')
      await refused(user, 'GET', '/api/iot/models', 403, 'FORBIDDEN')
    }
  })
})

describe('the database', () => {
  it('keeps no plain token of any device', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from devices where token_sha256 is not null and token_sha256 !~ '^[0-9a-f]{64}$'`.execute(t.db.kysely)
    expect(rows[0]!.n).toBe(0)
  })
})
