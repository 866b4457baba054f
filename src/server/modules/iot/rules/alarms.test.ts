// Rules and alarms on a real database: readings raise one alarm per device and rule, repeats are counted, people
// acknowledge and clear in their scope, the value going back past the clear line clears it, an alarm files a case with
// the right class and place and notes it when it clears, a silent device goes offline with an alarm, and the rule
// routes check what they are given.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DomainEvent } from '../../../platform/events.js'
import { bearer, createTestApp, pointInCells, type Point, type TestApp } from '../../../../../test/helpers.js'
import type { DeviceRef } from '../registry.js'
import { markOffline } from './offline.js'

let t: TestApp
const tokens: Record<string, string> = {}
let zhucheng: Point
let yangluo: Point
let seq = 0
/** Message timestamps: a minute apart, from a fixed morning. */
let clock = Date.UTC(2026, 2, 2, 1, 0, 0)

beforeAll(async () => {
  t = await createTestApp()
  // a street's disposal staff watching the alarms of their street (a role an admin may give them)
  await sql`update roles set permissions = permissions || array['device:read', 'alarm:read', 'alarm:act'] where key = 'disposal'`.execute(t.db.kysely)
  await t.context.identity.loadRoles()
  for (const user of ['admin', 'leader', 'supervisor', 'zhucheng']) tokens[user] = await t.login(user)
  zhucheng = await pointInCells(t.db, '420117001')
  yangluo = await pointInCells(t.db, '420117002')
})
afterAll(() => t?.close())

/** A device row as the registry would keep it, placed in the grid cell at `place` (or unplaced, in the district). */
async function device(model: string, place: Point | null, lastSeen: Date | null = null): Promise<DeviceRef> {
  const code = `T-${model}-${++seq}`
  const cell = place ? t.context.grid.cellAt(place.lng, place.lat) : null
  const street = cell ? t.context.org.ancestorOfKind(cell.communityId, ['street', 'zone']) : undefined
  const orgPath = cell ? t.context.org.unit(cell.communityId)!.path : t.context.org.district()!.path
  const row = await t.db.kysely.insertInto('devices').values({
    code, name: `测试设备 ${seq}`, model_key: model, lng: place?.lng ?? null, lat: place?.lat ?? null, cell_id: cell?.id ?? null,
    street_id: street?.id ?? null, community_id: cell?.communityId ?? null, org_path: orgPath, state: lastSeen ? 'online' : 'never', last_seen: lastSeen,
  }).returning('id').executeTakeFirstOrThrow()
  return { id: row.id, code, name: `测试设备 ${seq}`, modelKey: model, lng: place?.lng ?? null, lat: place?.lat ?? null, orgPath, streetId: street?.id ?? null, enabled: true }
}

/** Readings of a device, a minute apart, handed over as ingestion does; resolves once the rules have run. */
async function feed(d: DeviceRef, ...readings: Array<Record<string, number | boolean | string>>) {
  for (const values of readings) t.context.alarms.handle({ device: d, ts: (clock += 60_000), values })
  await t.context.alarms.idle()
}

async function call(user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: bearer(tokens[user]!), ...(payload ? { payload } : {}) })
}

async function ok(user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  const response = await call(user, method, url, payload)
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(200)
  return response.json()
}

interface Alarm {
  id: string
  state: string
  severity: string
  repeats: number
  clearReason: string | null
  acknowledgedBy: string | null
  clearedBy: string | null
  caseId: string | null
  caseTicket: string | null
  detail: Record<string, unknown>
  rule: { name: string }
  device: { code: string; name: string; position: [number, number] | null }
}

const alarmsOf = async (d: DeviceRef, rule?: string): Promise<Alarm[]> =>
  ((await ok('admin', 'GET', `/api/iot/alarms?deviceId=${d.id}&pageSize=100`)).items as Alarm[]).filter((a) => !rule || a.rule.name === rule)

const auditOf = async (id: string) => ((await ok('admin', 'GET', `/api/audit?entityId=${id}&pageSize=50`)).items as Array<{ action: string; actorName: string | null }>).map((e) => `${e.action}:${e.actorName}`)

function listen(type: string) {
  const heard: DomainEvent[] = []
  const off = t.context.events.on(type, (e) => heard.push(e))
  return { heard, off }
}

describe('a threshold alarm', () => {
  it('is raised once, counts its repeats, is acknowledged, and clears once the value is back past the clear line', async () => {
    const d = await device('manhole_cover', zhucheng)
    const events = listen('alarm.changed')
    try {
      await feed(d, { battery: 50 }, { battery: 21 }, { battery: 19 })
      let [alarm, ...more] = await alarmsOf(d)
      expect(more).toEqual([])
      expect(alarm).toMatchObject({ state: 'active', severity: 'warning', repeats: 0, rule: { name: '电量低' }, device: { code: d.code, name: d.name, position: [d.lng, d.lat] }, caseId: null })
      expect(alarm!.detail).toMatchObject({ raised: { values: { battery: 19 } } })

      // below the line again: repeats of the one open alarm; inside the band (20–25): nothing
      await feed(d, { battery: 18 }, { tilt: 1 }, { battery: 17 }, { battery: 22 }, { battery: 24.9 }, { battery: 19 })
      ;[alarm, ...more] = await alarmsOf(d)
      expect(more).toEqual([])
      expect(alarm).toMatchObject({ state: 'active', repeats: 3 })

      alarm = await ok('leader', 'POST', `/api/iot/alarms/${alarm!.id}/acknowledge`)
      expect(alarm).toMatchObject({ state: 'acknowledged', acknowledgedBy: '王局长' })
      const again = await call('leader', 'POST', `/api/iot/alarms/${alarm!.id}/acknowledge`)
      expect(again.statusCode).toBe(409)

      await feed(d, { battery: 24 })
      expect((await alarmsOf(d))[0]!.state).toBe('acknowledged')
      await feed(d, { battery: 25 }, { battery: 24 }, { battery: 26 })
      const [cleared] = await alarmsOf(d)
      expect(cleared).toMatchObject({ id: alarm!.id, state: 'cleared', clearReason: 'auto', clearedBy: null, repeats: 3 })
      expect(await auditOf(alarm!.id)).toEqual(expect.arrayContaining(['alarm.raise:system', 'alarm.acknowledge:leader', 'alarm.clear:system']))
      await expect.poll(() => events.heard.filter((e) => e.alarmId === alarm!.id).map((e) => e.state)).toEqual(['active', 'acknowledged', 'cleared'])
      expect(events.heard.find((e) => e.alarmId === alarm!.id)).toMatchObject({ deviceId: d.id, severity: 'warning', orgPath: d.orgPath })

      // crossing again is a new alarm
      await feed(d, { battery: 10 })
      const all = await alarmsOf(d)
      expect(all.map((a) => a.state)).toEqual(['active', 'cleared'])
      const open = await ok('admin', 'GET', `/api/iot/alarms?deviceId=${d.id}&state=open`)
      expect(open).toMatchObject({ total: 1, counts: { warning: 1, critical: 0 } })
    } finally {
      events.off()
    }
  })
})

describe('an alarm that files a case', () => {
  it('files one with the rule\'s class at the device, linked both ways, and notes it when the alarm clears', async () => {
    const d = await device('manhole_cover', zhucheng)
    await feed(d, { tilt: 3 }, { tilt: 20, open: true })
    const [alarm] = await alarmsOf(d, '井盖倾斜')
    expect(alarm).toMatchObject({ state: 'active', severity: 'critical', caseId: expect.any(String), caseTicket: expect.any(String) })
    const c = await ok('admin', 'GET', `/api/cases/${alarm!.caseId}`)
    expect(c).toMatchObject({ ticket: alarm!.caseTicket, source: 'sensor', classKind: 'component', classCode: '0113', state: 'reported', position: [d.lng, d.lat], streetName: '邾城街道' })
    expect(c.description).toContain(d.code)
    expect(c.description).toContain('井盖倾斜')
    expect(c.description).toContain(alarm!.id)

    await feed(d, { tilt: 12 }, { tilt: 16 }, { tilt: 11 })
    expect((await alarmsOf(d, '井盖倾斜'))[0]!.state).toBe('active')
    await feed(d, { tilt: 9 })
    expect((await alarmsOf(d, '井盖倾斜'))[0]!.state).toBe('cleared')
    const after = await ok('admin', 'GET', `/api/cases/${alarm!.caseId}`)
    const notes = (after.timeline as Array<{ kind: string; comment: string; role: string; fromState: string; toState: string; detail: Record<string, unknown> }>).filter((e) => e.kind === 'note')
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ role: 'sensor', fromState: 'reported', toState: 'reported', detail: { alarmId: alarm!.id, alarmCleared: 'auto' } })
    expect(notes[0]!.comment).toContain('自动解除')
    expect(after.version).toBe(c.version) // a note is no step
    expect(await auditOf(alarm!.caseId!)).toEqual(expect.arrayContaining(['case.report:system', 'case.note:system']))
  })

  it('files none for a device without a position, and says why in the alarm', async () => {
    const d = await device('manhole_cover', null)
    await feed(d, { tilt: 30 })
    const [alarm] = await alarmsOf(d, '井盖倾斜')
    expect(alarm).toMatchObject({ state: 'active', caseId: null, detail: { case: { skipped: 'no_position' } } })
  })

  it('takes the model\'s class when the rule has none', async () => {
    const rule = await ok('admin', 'POST', '/api/iot/rules', {
      modelKey: 'streetlight', name: '功率异常高', nameEn: 'Power too high', severity: 'major', createCase: true, enabled: true,
      condition: { all: [{ type: 'threshold', key: 'power', op: 'above', value: 800, clear: 600 }] },
    })
    const d = await device('streetlight', zhucheng)
    await feed(d, { power: 900 })
    const [alarm] = await alarmsOf(d, rule.name)
    const c = await ok('admin', 'GET', `/api/cases/${alarm!.caseId}`)
    expect(c).toMatchObject({ classKind: 'component', classCode: '0118' })
  })
})

describe('a clear by hand', () => {
  it('clears with the reason and notes the case; while the value stays beyond the line no new alarm comes, until it went back and crossed again', async () => {
    const d = await device('manhole_cover', zhucheng)
    await feed(d, { tilt: 40 }, { tilt: 41 })
    const [alarm] = await alarmsOf(d, '井盖倾斜')
    expect(alarm!.repeats).toBe(1)
    expect((await call('leader', 'POST', `/api/iot/alarms/${alarm!.id}/clear`, {})).statusCode).toBe(400)
    expect((await call('leader', 'POST', `/api/iot/alarms/${alarm!.id}/clear`, { comment: '  ' })).statusCode).toBe(400)
    const cleared = await ok('leader', 'POST', `/api/iot/alarms/${alarm!.id}/clear`, { comment: '现场已处置，传感器待更换' })
    expect(cleared).toMatchObject({ state: 'cleared', clearReason: 'manual', clearedBy: '王局长', detail: { comment: '现场已处置，传感器待更换' } })
    expect((await call('leader', 'POST', `/api/iot/alarms/${alarm!.id}/clear`, { comment: '再次' })).statusCode).toBe(409)
    expect((await call('leader', 'POST', `/api/iot/alarms/${alarm!.id}/acknowledge`)).statusCode).toBe(409)
    const c = await ok('admin', 'GET', `/api/cases/${alarm!.caseId}`)
    const note = (c.timeline as Array<{ kind: string; comment: string; actorName: string | null }>).find((e) => e.kind === 'note')
    expect(note).toMatchObject({ actorName: '王局长' })
    expect(note!.comment).toContain('现场已处置，传感器待更换')
    expect(await auditOf(alarm!.id)).toEqual(expect.arrayContaining(['alarm.clear:leader']))

    await feed(d, { tilt: 45 }, { tilt: 12 }, { tilt: 20 })
    expect((await alarmsOf(d, '井盖倾斜')).map((a) => a.state)).toEqual(['cleared'])
    await feed(d, { tilt: 9 }, { tilt: 16 })
    expect((await alarmsOf(d, '井盖倾斜')).map((a) => a.state)).toEqual(['active', 'cleared'])
  })

  it('made in another process holds there too', async () => {
    const other = await t.secondProcess()
    const d = await device('gas_detector', zhucheng)
    await feed(d, { lel: 12 })
    const [alarm] = await alarmsOf(d, '燃气浓度上升')
    const { heard, off } = listen('alarm.changed')
    const response = await other.app.inject({ method: 'POST', url: `/api/iot/alarms/${alarm!.id}/clear`, headers: bearer(tokens.leader!), payload: { comment: '误报' } })
    expect(response.statusCode).toBe(200)
    // this process hears of it (NOTIFY) before its next readings of the device
    await expect.poll(() => heard.some((e) => e.alarmId === alarm!.id && e.state === 'cleared')).toBe(true)
    off()
    await feed(d, { lel: 14 })
    expect((await alarmsOf(d, '燃气浓度上升')).map((a) => a.state)).toEqual(['cleared'])
    await feed(d, { lel: 4 }, { lel: 11 })
    expect((await alarmsOf(d, '燃气浓度上升')).map((a) => a.state)).toEqual(['active', 'cleared'])
  })
})

describe('offline', () => {
  it('marks a silent device offline with an alarm after its offline rule\'s intervals, and clears it when data comes back', async () => {
    const silentSince = new Date(Date.UTC(2026, 2, 3, 8, 0, 0))
    const d = await device('manhole_cover', zhucheng, silentSince) // reports every 300 s; offline after 3 intervals
    const states = listen('device.state')
    try {
      expect(await markOffline(t.db, t.context.events, t.context.alarms, new Date(silentSince.getTime() + 14 * 60_000))).not.toContain(d.id)
      await t.context.alarms.idle()
      expect(await alarmsOf(d)).toEqual([])

      const now = new Date(silentSince.getTime() + 15 * 60_000)
      expect(await markOffline(t.db, t.context.events, t.context.alarms, now)).toContain(d.id)
      await t.context.alarms.idle()
      const row = await t.db.kysely.selectFrom('devices').select('state').where('id', '=', d.id).executeTakeFirstOrThrow()
      expect(row.state).toBe('offline')
      const [alarm, ...more] = await alarmsOf(d)
      expect(more).toEqual([])
      expect(alarm).toMatchObject({ state: 'active', severity: 'minor', rule: { name: '设备离线' }, detail: { raised: { lastSeen: silentSince.toISOString() } } })
      await expect.poll(() => states.heard.filter((e) => e.deviceId === d.id)).toEqual([{ type: 'device.state', deviceId: d.id, state: 'offline', orgPath: d.orgPath, deviceIds: [d.id] }])

      // the next round marks nothing and raises nothing new
      expect(await markOffline(t.db, t.context.events, t.context.alarms, new Date(now.getTime() + 30_000))).not.toContain(d.id)
      await t.context.alarms.idle()
      expect(await alarmsOf(d)).toHaveLength(1)

      t.context.alarms.handle({ device: d, ts: now.getTime() + 60_000, values: { battery: 80 } })
      await t.context.alarms.idle()
      expect((await alarmsOf(d)).map((a) => [a.state, a.clearReason])).toEqual([['cleared', 'auto']])
    } finally {
      states.off()
    }
  })
})

describe('rules', () => {
  const tiltRule = (value: number) => ({ all: [{ type: 'threshold', key: 'tilt', op: 'above', value, clear: value - 5 }] })

  it('lists a model\'s built-in rules, and for a device marks those its own rules replace', async () => {
    const { items } = await ok('leader', 'GET', '/api/iot/rules?model=manhole_cover')
    expect(items.map((r: { name: string }) => r.name).sort()).toEqual(['井盖倾斜', '井内水位过高', '电量低', '设备离线'].sort())
    expect(items.every((r: { builtin: boolean; deviceId: string | null }) => r.builtin && r.deviceId === null)).toBe(true)

    const d = await device('manhole_cover', zhucheng)
    await feed(d, { battery: 15 })
    expect((await alarmsOf(d, '电量低')).map((a) => a.state)).toEqual(['active'])
    const own = await ok('admin', 'POST', '/api/iot/rules', {
      modelKey: 'manhole_cover', deviceId: d.id, name: '电量低', nameEn: 'Battery low', severity: 'minor', createCase: false, enabled: true,
      condition: { all: [{ type: 'threshold', key: 'battery', op: 'below', value: 50, clear: 60 }] },
    })
    // the model's rule no longer applies to the device: its open alarm ends
    expect((await alarmsOf(d, '电量低')).map((a) => [a.state, a.clearReason])).toEqual([['cleared', 'rule_changed']])
    const listed = (await ok('admin', 'GET', `/api/iot/rules?deviceId=${d.id}`)).items as Array<{ id: string; name: string; deviceId: string | null; overridden: boolean }>
    expect(listed.filter((r) => r.name === '电量低').map((r) => [r.deviceId, r.overridden])).toEqual([[null, true], [d.id, false]])
    await feed(d, { battery: 45 })
    const alarms = await alarmsOf(d, '电量低')
    expect(alarms.map((a) => [a.state, a.severity])).toEqual([['active', 'minor'], ['cleared', 'warning']])
    expect(own.deviceId).toBe(d.id)
    // another device of the model keeps the model's rule
    const plain = await device('manhole_cover', zhucheng)
    await feed(plain, { battery: 45 })
    expect(await alarmsOf(plain)).toEqual([])
  })

  it('an edit takes effect at once, ends the open alarms of a changed condition, and refuses a stale version', async () => {
    const created = await ok('admin', 'POST', '/api/iot/rules', { modelKey: 'manhole_cover', name: '倾斜预警', nameEn: 'Tilt warning', severity: 'warning', createCase: false, enabled: true, condition: tiltRule(30) })
    expect(created).toMatchObject({ version: 1, builtin: false, deviceId: null })
    const d = await device('manhole_cover', zhucheng)
    await feed(d, { tilt: 31 })
    expect((await alarmsOf(d, '倾斜预警')).map((a) => a.state)).toEqual(['active'])

    const edited = await ok('admin', 'PUT', `/api/iot/rules/${created.id}`, { version: 1, name: '倾斜预警', nameEn: 'Tilt warning', severity: 'minor', createCase: false, enabled: true, condition: tiltRule(50) })
    expect(edited.version).toBe(2)
    expect((await alarmsOf(d, '倾斜预警')).map((a) => [a.state, a.clearReason])).toEqual([['cleared', 'rule_changed']])
    await feed(d, { tilt: 40 })
    expect(await alarmsOf(d, '倾斜预警')).toHaveLength(1)
    await feed(d, { tilt: 55 })
    expect((await alarmsOf(d, '倾斜预警')).map((a) => [a.state, a.severity])).toEqual([['active', 'minor'], ['cleared', 'warning']])

    const stale = await call('admin', 'PUT', `/api/iot/rules/${created.id}`, { version: 1, name: '倾斜预警', nameEn: 'Tilt warning', severity: 'major', createCase: false, enabled: false, condition: tiltRule(50) })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().error.code).toBe('CONFLICT')

    await ok('admin', 'PUT', `/api/iot/rules/${created.id}`, { version: 2, name: '倾斜预警', nameEn: 'Tilt warning', severity: 'minor', createCase: false, enabled: false, condition: tiltRule(50) })
    expect((await alarmsOf(d, '倾斜预警'))[0]).toMatchObject({ state: 'cleared', clearReason: 'rule_changed' })
    await feed(d, { tilt: 9 }, { tilt: 60 })
    expect(await alarmsOf(d, '倾斜预警')).toHaveLength(2)
    expect(await auditOf(created.id)).toEqual(expect.arrayContaining(['iot.rule.create:admin', 'iot.rule.update:admin']))
  })

  it('refuses a bad condition, an unknown model or class, a duplicate name and renaming a built-in rule', async () => {
    const body = (condition: unknown, extra: Record<string, unknown> = {}) => ({ modelKey: 'toilet_air', name: `规则 ${++seq}`, nameEn: 'Rule', severity: 'major', createCase: false, enabled: true, condition, ...extra })
    const refused = async (payload: object, status = 400) => {
      const response = await call('admin', 'POST', '/api/iot/rules', payload)
      expect(response.statusCode, response.body).toBe(status)
      return response.json().error.code as string
    }
    await refused(body({ all: [{ type: 'threshold', key: 'no_such_key', op: 'above', value: 1 }] }))
    await refused(body({ all: [{ type: 'sustained', key: 'nh3', op: 'above', value: 5, seconds: 0 }] }))
    await refused(body({ all: [{ type: 'sustained', key: 'nh3', op: 'above', value: 5 }] }))
    await refused(body({ all: [{ type: 'threshold', key: 'nh3', op: 'above', value: '5' }] }))
    await refused(body({ all: [{ type: 'threshold', key: 'nh3', op: 'over', value: 5 }] }))
    await refused(body({ all: [{ type: 'threshold', key: 'nh3', op: 'above', value: 5, clear: 6 }] }))
    await refused(body({ all: [{ type: 'threshold', key: 'nh3', op: 'below', value: 5, clear: 4 }] }))
    await refused(body({ all: [{ type: 'rate', key: 'nh3', change: -1, seconds: 60 }] }))
    await refused(body({ all: [{ type: 'offline', intervals: 0 }] }))
    await refused(body({ all: [{ type: 'threshold', key: 'nh3', op: 'above', value: 5, extra: 1 }] }))
    await refused(body({ all: [] }))
    await refused(body({ any: [] }))
    await refused(body({ all: [{ type: 'offline', intervals: 3 }] }, { modelKey: 'no_such_model' }))
    await refused(body({ all: [{ type: 'offline', intervals: 3 }] }, { createCase: true, classKind: 'event', classCode: '9999' }))
    expect(await refused({ ...body({ all: [{ type: 'offline', intervals: 3 }] }), name: '氨气超标' }, 409)).toBe('CONFLICT')

    const builtin = ((await ok('admin', 'GET', '/api/iot/rules?model=toilet_air')).items as Array<{ id: string; name: string; version: number }>)[0]!
    const renamed = await call('admin', 'PUT', `/api/iot/rules/${builtin.id}`, { version: builtin.version, name: '改名', nameEn: 'Renamed', severity: 'major', createCase: false, enabled: true, condition: { all: [{ type: 'offline', intervals: 3 }] } })
    expect(renamed.statusCode).toBe(400)
    const missing = await call('admin', 'PUT', '/api/iot/rules/00000000-0000-4000-8000-000000000000', { version: 1, name: 'x', nameEn: 'x', severity: 'major', createCase: false, enabled: true, condition: { all: [{ type: 'offline', intervals: 3 }] } })
    expect(missing.statusCode).toBe(404)
  })
})

describe('who may', () => {
  it('a field supervisor may neither see nor handle alarms, nor edit rules', async () => {
    const d = await device('gas_detector', zhucheng)
    await feed(d, { lel: 30 })
    const [alarm] = await alarmsOf(d, '燃气泄漏')
    for (const [method, url, payload] of [
      ['GET', '/api/iot/alarms'], ['POST', `/api/iot/alarms/${alarm!.id}/acknowledge`], ['POST', `/api/iot/alarms/${alarm!.id}/clear`, { comment: 'x' }],
      ['GET', '/api/iot/rules'], ['POST', '/api/iot/rules', { modelKey: 'gas_detector', name: 'x', nameEn: 'x', severity: 'major', createCase: false, enabled: true, condition: { all: [{ type: 'offline', intervals: 3 }] } }],
    ] as Array<['GET' | 'POST', string, object?]>) {
      const response = await call('supervisor', method, url, payload)
      expect(response.statusCode, `${method} ${url}`).toBe(403)
    }
    expect((await alarmsOf(d, '燃气泄漏'))[0]!.state).toBe('active')
    // the leader may watch but not edit rules
    expect((await call('leader', 'POST', '/api/iot/rules', { modelKey: 'gas_detector', name: 'x', nameEn: 'x', severity: 'major', createCase: false, enabled: true, condition: { all: [{ type: 'offline', intervals: 3 }] } })).statusCode).toBe(403)
  })

  it('a street\'s staff see and handle only the alarms of devices in their street', async () => {
    const mine = await device('bin_fill', zhucheng)
    const theirs = await device('bin_fill', yangluo)
    await feed(mine, { fill: 95 })
    await feed(theirs, { fill: 95 })
    const [other] = await alarmsOf(theirs, '垃圾满溢')
    const listed = (await ok('zhucheng', 'GET', '/api/iot/alarms?pageSize=500')).items as Alarm[]
    const codes = listed.map((a) => a.device.code)
    expect(codes).toContain(mine.code)
    expect(codes).not.toContain(theirs.code)
    const direct = await ok('zhucheng', 'GET', `/api/iot/alarms?deviceId=${theirs.id}`)
    expect(direct).toMatchObject({ total: 0, items: [] })
    const ack = await call('zhucheng', 'POST', `/api/iot/alarms/${other!.id}/acknowledge`)
    expect(ack.statusCode).toBe(403)
    expect(ack.json().error.code).toBe('OUT_OF_SCOPE')
    expect((await call('zhucheng', 'POST', `/api/iot/alarms/${other!.id}/clear`, { comment: 'x' })).statusCode).toBe(403)
    expect((await call('zhucheng', 'POST', '/api/iot/alarms/00000000-0000-4000-8000-000000000000/acknowledge')).statusCode).toBe(404)
    expect((await alarmsOf(theirs, '垃圾满溢'))[0]!.state).toBe('active')
    expect((await call('zhucheng', 'GET', `/api/iot/rules?deviceId=${theirs.id}`)).statusCode).toBe(403)

    const [own] = await alarmsOf(mine, '垃圾满溢')
    expect(await ok('zhucheng', 'POST', `/api/iot/alarms/${own!.id}/acknowledge`)).toMatchObject({ state: 'acknowledged' })
  })

  it('counts the open alarms of the scope by severity, whatever the list shows', async () => {
    const { counts, total } = await ok('zhucheng', 'GET', '/api/iot/alarms?state=cleared&severity=warning')
    const open = (await ok('zhucheng', 'GET', '/api/iot/alarms?state=open&pageSize=500')).items as Alarm[]
    expect(counts.critical + counts.major + counts.minor + counts.warning).toBe(open.length)
    expect(counts.major).toBe(open.filter((a) => a.severity === 'major').length)
    expect(total).toBeGreaterThanOrEqual(0)
  })
})
