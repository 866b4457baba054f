// The closed loop through the API with real roles: report, file, dispatch, dispose, check, close; concurrency and refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { bearer, createTestApp, multipart, pointInCells, supervisorPoint, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { SYSTEM_ACTOR } from '../../platform/audit.js'
import { intakeBatching } from './repository.js'

let t: TestApp
const tokens: Record<string, string> = {}
let point: { lng: number; lat: number }
let zhuchengUnit: string
let yangluoPoint: { lng: number; lat: number }
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'dispatcher', 'supervisor', 'zhucheng', 'dept', 'leader', 'shiftleader']) tokens[user] = await t.login(user)
  point = await supervisorPoint(t.db)
  yangluoPoint = await pointInCells(t.db, '420117002')
  zhuchengUnit = await unitIdOf(t.db, '420117001')
})
afterAll(() => t?.close())

const report = (user: string, extra: Record<string, unknown> = {}) =>
  t.app.inject({
    method: 'POST', url: '/api/cases', headers: bearer(tokens[user]!),
    payload: { clientId: `test-${Date.now()}-${seq++}`, source: 'supervisor', classKind: 'component', classCode: '0103', description: '雨水井盖缺失', address: '邾城大道 1 号', ...point, ...extra },
  })

let shade = 0
/** Uploads a real photo as `user` (a step may only use its actor's own photos) and returns its id. */
async function photo(user: string): Promise<string> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40, g: 120, b: shade++ % 256 } } }).jpeg().toBuffer()
  const body = multipart([{ name: 'file', filename: 'photo.jpg', type: 'image/jpeg', data: jpeg }])
  const response = await t.app.inject({ method: 'POST', url: '/api/files', headers: { ...body.headers, ...bearer(tokens[user]!) }, payload: body.payload })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().id
}

async function act(user: string, id: string, action: Record<string, unknown>) {
  const current = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.admin!) })).json()
  return t.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: bearer(tokens[user]!), payload: { version: current.version, ...action } })
}

async function ok(user: string, id: string, action: Record<string, unknown>) {
  const response = await act(user, id, action)
  expect(response.statusCode, `${user} ${String(action.type)}: ${response.body}`).toBe(200)
  return response.json()
}

describe('intake', () => {
  it('places a supervisor report in its grid cell and street, and a retried upload never makes two cases', async () => {
    const clientId = `retry-${Date.now()}`
    const first = await report('supervisor', { clientId })
    expect(first.statusCode).toBe(200)
    const body = first.json()
    expect(body.created).toBe(true)
    expect(body.case).toMatchObject({ state: 'reported', streetName: '邾城街道', urgency: 'urgent', source: 'supervisor' })
    expect(body.case.ticket).toMatch(/^420117-\d{8}-\d{6}$/)
    expect(body.case.gridCellId).toBeTruthy()
    // the acceptance step runs against the filing limit (1 working hour) from the report on
    expect(new Date(body.case.deadline).getTime()).toBeGreaterThan(Date.now())
    expect(body.case.light).not.toBeNull()
    const again = (await report('supervisor', { clientId })).json()
    expect(again).toMatchObject({ created: false, case: { id: body.case.id, ticket: body.case.ticket } })
  })

  it('refuses a channel that is not the reporter’s, and an unknown class', async () => {
    expect((await report('supervisor', { source: 'hotline' })).statusCode).toBe(403)
    const unknown = await report('supervisor', { classCode: '9999' })
    expect(unknown.statusCode).toBe(400)
  })

  it('refuses text the database cannot hold (U+0000) with a 400 in both languages, and still stores the report sent with it', async () => {
    const clientId = `nul-${Date.now()}`
    const [bad, good] = await Promise.all([report('supervisor', { clientId, description: '井盖\u0000缺失' }), report('supervisor')])
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toMatchObject({ code: 'BAD_REQUEST', messages: { 'zh-CN': expect.stringContaining('U+0000'), en: expect.stringContaining('U+0000') } })
    expect(await t.db.kysely.selectFrom('cases').select('id').where('client_id', '=', clientId).executeTakeFirst()).toBeUndefined()
    expect(good.statusCode).toBe(200)
  })
})

describe('intake under load', () => {
  it('stores reports that arrive together in one statement, each its own case with its ticket, first entry and audit entry', async () => {
    const stamp = Date.now()
    const input = (i: number, clientId = `batch-${stamp}-${i}`) =>
      ({ clientId, source: 'sensor' as const, classKind: 'component' as const, classCode: '0103', description: `井盖倾斜 ${i}`, ...point })
    const before = { ...(intakeBatching(t.db.kysely) ?? { batches: 0, items: 0, failed: 0 }) }
    // 30 at once, and the same client id twice among them: the batcher sends what waits together
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => t.context.cases.intake(SYSTEM_ACTOR, null, input(i))),
      t.context.cases.intake(SYSTEM_ACTOR, null, input(30, `batch-${stamp}-7`)),
    ])
    const ids = answers.map((a) => a.case.id)
    expect(new Set(ids).size).toBe(30)
    // they went together, and no batch failed (a failed batch is run again report by report, which hides its fault)
    const after = intakeBatching(t.db.kysely)!
    expect(after.failed - before.failed).toBe(0)
    expect(after.batches - before.batches).toBeLessThan(after.items - before.items)
    expect(answers[30]!.case.id).toBe(answers[7]!.case.id)
    expect(answers.filter((a) => a.created)).toHaveLength(30)
    expect(new Set(answers.map((a) => a.case.ticket)).size).toBe(30)
    for (const a of answers) expect(a.case.timeline.map((e) => e.kind)).toEqual(['reported'])
    const stored = await t.db.kysely.selectFrom('cases').select(['id', 'description']).where('client_id', 'like', `batch-${stamp}-%`).execute()
    expect(stored).toHaveLength(30)
    // each case has its text (of whichever of the two with the same id was stored first), one timeline entry and one audit entry
    expect([answers[7]!.created, answers[30]!.created].sort()).toEqual([false, true])
    expect(stored.find((c) => c.id === answers[7]!.case.id)?.description).toBe(answers[7]!.created ? '井盖倾斜 7' : '井盖倾斜 30')
    const entries = await t.db.kysely.selectFrom('case_timeline').select((eb) => ['case_id', eb.fn.countAll<number>().as('n')]).where('case_id', 'in', [...new Set(ids)]).groupBy('case_id').execute()
    expect(entries.map((e) => Number(e.n))).toEqual(Array.from({ length: 30 }, () => 1))
    const audits = await t.db.kysely.selectFrom('audit_log').select('entity_id').where('action', '=', 'case.report').where('entity_id', 'in', [...new Set(ids)]).execute()
    expect(audits.map((a) => a.entity_id).sort()).toEqual([...new Set(ids)].sort())
  })
})

describe('intake from machines and the city platform', () => {
  it('takes sensor, video-AI and city-platform events through one service call, idempotent by their own ids', async () => {
    for (const source of ['sensor', 'video_ai', 'upper_platform'] as const) {
      const input = { clientId: `${source}-alarm-${Date.now()}`, source, classKind: 'component' as const, classCode: '0103', description: `${source} 报警：井盖倾斜`, ...point }
      const first = await t.context.cases.intake(SYSTEM_ACTOR, null, input)
      expect(first.created).toBe(true)
      expect(first.case).toMatchObject({ source, state: 'reported', streetName: '邾城街道' })
      expect(first.case.timeline[0]).toMatchObject({ kind: 'reported', role: source, actorId: null })
      const again = await t.context.cases.intake(SYSTEM_ACTOR, null, input)
      expect(again).toMatchObject({ created: false, case: { id: first.case.id } })
      // the acceptor sees it like any other report, and may file it
      const seen = await t.app.inject({ method: 'GET', url: `/api/cases/${first.case.id}`, headers: bearer(tokens.acceptor!) })
      expect(seen.json().actions).toContain('file')
    }
    // a person cannot claim to be a sensor through the API
    expect((await report('acceptor', { source: 'sensor' })).statusCode).toBe(403)
  })
})

describe('the closed loop', () => {
  it('runs a case from report to close through every role, with a complete timeline and deadlines', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    const dispatched = await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    expect(dispatched).toMatchObject({ state: 'dispatched', assignedUnitName: '邾城街道', light: 'green' })
    expect(new Date(dispatched.deadline).getTime()).toBeGreaterThan(Date.now())
    const zhuchengView = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.zhucheng!) })).json()
    expect(zhuchengView.actions).toEqual(expect.arrayContaining(['sign_for', 'return']))
    await ok('zhucheng', id, { type: 'sign_for' })
    await ok('zhucheng', id, { type: 'report_disposal', photoIds: [await photo('zhucheng')], comment: '已更换井盖' })
    await ok('supervisor', id, { type: 'check_pass', photoIds: [await photo('supervisor')] })
    const closed = await ok('acceptor', id, { type: 'close' })
    expect(closed.state).toBe('closed')
    expect(closed.timeline.map((e: { kind: string }) => e.kind)).toEqual(['reported', 'filed', 'dispatched', 'signed_for', 'disposal_reported', 'check_passed', 'closed'])
    const disposal = closed.timeline.find((e: { kind: string }) => e.kind === 'disposal_reported')
    expect(disposal).toMatchObject({ comment: '已更换井盖', role: 'disposal' })
    expect(disposal.photoIds).toHaveLength(1)
    const thumbnail = await t.app.inject({ method: 'GET', url: `/api/files/${disposal.photoIds[0]}/thumbnail`, headers: bearer(tokens.acceptor!) })
    expect(thumbnail.headers['content-type']).toBe('image/webp')
    const audit = (await t.app.inject({ method: 'GET', url: `/api/audit?entityId=${id}&pageSize=50`, headers: bearer(tokens.admin!) })).json().items
    expect(audit.map((e: { action: string }) => e.action).sort()).toEqual(['case.check_pass', 'case.close', 'case.dispatch', 'case.file', 'case.report', 'case.report_disposal', 'case.sign_for'].sort())
  })

  it('sends a case that fails the check back to the same unit as rework, counted', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    await ok('zhucheng', id, { type: 'sign_for' })
    await ok('zhucheng', id, { type: 'report_disposal', photoIds: [await photo('zhucheng')] })
    const reworked = await ok('supervisor', id, { type: 'check_fail', photoIds: [await photo('supervisor')], reason: '井盖仍未盖好' })
    expect(reworked).toMatchObject({ state: 'in_disposal', assignedUnitName: '邾城街道', counters: expect.objectContaining({ reworkCount: 1 }) })
  })

  it('lets a unit return a wrong dispatch to the dispatcher for re-dispatch', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    const returned = await ok('zhucheng', id, { type: 'return', reason: '不属于街道职责' })
    expect(returned).toMatchObject({ state: 'filed', counters: expect.objectContaining({ returnCount: 1 }) })
  })
})

describe('extension and suspension', () => {
  it('moves the disposal deadline on an approved extension, counted, and stops the clock while suspended', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    const signed = await ok('zhucheng', id, { type: 'sign_for' })
    const asked = new Date(new Date(signed.deadline).getTime() + 3 * 86_400_000).toISOString()
    const requested = await ok('zhucheng', id, { type: 'request_extension', newDeadline: asked, reason: '需要采购新井盖' })
    expect(requested.pendingExtension).toMatchObject({ reason: '需要采购新井盖' })
    const twice = await act('zhucheng', id, { type: 'request_extension', newDeadline: asked, reason: '再次申请' })
    expect(twice.statusCode).toBe(409)
    const approved = await ok('dispatcher', id, { type: 'approve_extension', newDeadline: asked })
    expect(approved).toMatchObject({ deadline: asked, pendingExtension: null, counters: expect.objectContaining({ extensionCount: 1 }) })

    await ok('zhucheng', id, { type: 'request_suspension', reason: '需列入年度预算' })
    const suspended = await ok('shiftleader', id, { type: 'approve_suspension' })
    expect(suspended).toMatchObject({ state: 'suspended', light: null, counters: expect.objectContaining({ suspensionCount: 1 }) })
    const resumed = await ok('zhucheng', id, { type: 'resume' })
    expect(resumed.state).toBe('in_disposal')
    // the clock stood still while suspended: the deadline is no earlier than the one granted
    expect(new Date(resumed.deadline).getTime()).toBeGreaterThanOrEqual(new Date(asked).getTime())
  })
})

describe('concurrency', () => {
  it('lets exactly one of two simultaneous dispatches succeed; the other gets a clear conflict', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    const { version } = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.admin!) })).json()
    const other = await t.secondProcess()
    const send = (app: typeof t.app) => app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: bearer(tokens.dispatcher!), payload: { version, type: 'dispatch', unitId: zhuchengUnit } })
    const results = await Promise.all([send(t.app), send(other.app)])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409])
    expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('CONFLICT')
    const timeline = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.admin!) })).json().timeline
    expect(timeline.filter((e: { kind: string }) => e.kind === 'dispatched')).toHaveLength(1)
  })
})

describe('refusals', () => {
  it('refuses a disposal unit acting on a case not dispatched to it', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    const response = await act('dept', id, { type: 'sign_for' })
    expect(response.statusCode).toBe(403)
  })

  it("refuses a street's staff reading another street's case, and lists only their own", async () => {
    const id = (await report('acceptor', { source: 'hotline', ...yangluoPoint })).json().case.id
    const response = await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.zhucheng!) })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('OUT_OF_SCOPE')
    const list = (await t.app.inject({ method: 'GET', url: '/api/cases?pageSize=200', headers: bearer(tokens.zhucheng!) })).json()
    expect(list.items.every((c: { streetName: string }) => c.streetName === '邾城街道')).toBe(true)
    expect(list.items.some((c: { id: string }) => c.id === id)).toBe(false)
  })

  it('refuses disposal photos that do not exist or were taken by someone else', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    await ok('zhucheng', id, { type: 'sign_for' })
    const unknown = await act('zhucheng', id, { type: 'report_disposal', photoIds: ['00000000-0000-4000-8000-000000000000'] })
    expect(unknown.statusCode).toBe(400)
    const someoneElses = await act('zhucheng', id, { type: 'report_disposal', photoIds: [await photo('supervisor')] })
    expect(someoneElses.statusCode).toBe(400)
    const state = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.admin!) })).json().state
    expect(state).toBe('in_disposal')
  })

  it('refuses a supervisor closing a case', async () => {
    const id = (await report('supervisor')).json().case.id
    await ok('acceptor', id, { type: 'file' })
    await ok('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    await ok('zhucheng', id, { type: 'sign_for' })
    await ok('zhucheng', id, { type: 'report_disposal', photoIds: [await photo('zhucheng')] })
    await ok('supervisor', id, { type: 'check_pass', photoIds: [await photo('supervisor')] })
    const response = await act('supervisor', id, { type: 'close' })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('FORBIDDEN')
  })

  it('refuses an illegal step with a conflict naming the state, and a stale version', async () => {
    const id = (await report('supervisor')).json().case.id
    const illegal = await act('acceptor', id, { type: 'close' })
    expect(illegal.statusCode).toBe(409)
    expect(illegal.json().error.messages['zh-CN']).toContain('待受理')
    const stale = await t.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: bearer(tokens.acceptor!), payload: { version: 99, type: 'file' } })
    expect(stale.statusCode).toBe(409)
  })
})

describe('responsibility matrix', () => {
  it('suggests the unit for a class and place, and dispatches by itself where the rule says auto', async () => {
    const area = await unitIdOf(t.db, '420117001')
    const refused = await t.app.inject({ method: 'POST', url: '/api/dispatch-rules', headers: bearer(tokens.dispatcher!), payload: { classKind: 'component', bigCode: '01', smallCode: '0103', areaUnitId: area, unitId: zhuchengUnit, auto: true } })
    expect(refused.statusCode).toBe(403)
    const manual = await t.app.inject({ method: 'POST', url: '/api/dispatch-rules', headers: bearer(tokens.admin!), payload: { classKind: 'component', bigCode: '01', smallCode: '0103', areaUnitId: area, unitId: zhuchengUnit, auto: false } })
    expect(manual.statusCode).toBe(200)
    const suggested = (await report('supervisor')).json().case
    expect(suggested).toMatchObject({ suggestedUnitId: zhuchengUnit, suggestedUnitName: '邾城街道' })

    const auto = await t.app.inject({ method: 'POST', url: '/api/dispatch-rules', headers: bearer(tokens.admin!), payload: { classKind: 'component', bigCode: '01', smallCode: '0103', areaUnitId: area, unitId: zhuchengUnit, auto: true } })
    expect(auto.json()).toMatchObject({ id: manual.json().id, auto: true }) // the same rule, replaced
    const id = (await report('supervisor')).json().case.id
    const filed = await ok('acceptor', id, { type: 'file' })
    expect(filed).toMatchObject({ state: 'dispatched', assignedUnitName: '邾城街道' })
    expect(filed.timeline.at(-1)).toMatchObject({ kind: 'dispatched', role: 'dispatcher', actorId: null })

    expect((await t.app.inject({ method: 'DELETE', url: `/api/dispatch-rules/${auto.json().id}`, headers: bearer(tokens.admin!) })).json()).toEqual({ ok: true })
    expect((await t.app.inject({ method: 'GET', url: '/api/dispatch-rules', headers: bearer(tokens.admin!) })).json().items).toEqual([])
  })
})

describe('duplicates', () => {
  it('flags a report of the same class near an open case, and merging it records both on the earlier case', async () => {
    const here = { lng: point.lng + 0.00001, lat: point.lat }
    const first = (await report('supervisor', { classKind: 'event', classCode: '0101', ...here })).json().case
    const second = (await report('supervisor', { classKind: 'event', classCode: '0101', ...here, lng: here.lng + 0.0002 })).json().case
    expect(second.possibleDuplicates).toContain(first.id)
    const farAway = (await report('supervisor', { classKind: 'event', classCode: '0101', ...here, lat: here.lat + 0.01 })).json().case
    expect(farAway.possibleDuplicates).not.toContain(first.id)
    const otherClass = (await report('supervisor', { classKind: 'event', classCode: '0102', ...here })).json().case
    expect(otherClass.possibleDuplicates).toEqual([])

    const merged = await ok('acceptor', second.id, { type: 'merge', into: first.id, comment: '同一处暴露垃圾' })
    expect(merged).toMatchObject({ state: 'merged', mergedInto: first.id })
    const earlier = (await t.app.inject({ method: 'GET', url: `/api/cases/${first.id}`, headers: bearer(tokens.acceptor!) })).json()
    expect(earlier.timeline.at(-1)).toMatchObject({ kind: 'merge_received', detail: { caseId: second.id, ticket: second.ticket } })
  })

  it('keeps both reporters informed: the later one hears of the merge, both hear when the case is closed', async () => {
    const here = { lng: point.lng + 0.00003, lat: point.lat + 0.00003 }
    const first = (await report('supervisor', { classKind: 'event', classCode: '0103', ...here })).json().case
    const call = (await report('acceptor', { source: 'hotline', classKind: 'event', classCode: '0103', ...here })).json().case
    expect(call.possibleDuplicates).toContain(first.id)
    const notes = async (user: string) => (await t.app.inject({ method: 'GET', url: '/api/notifications', headers: bearer(tokens[user]!) })).json().items as Array<{ kind: string; caseId: string; payload: Record<string, unknown> }>
    await ok('acceptor', call.id, { type: 'merge', into: first.id })
    expect(await notes('acceptor')).toContainEqual(expect.objectContaining({ kind: 'case.merged', caseId: call.id, payload: { ticket: call.ticket, into: first.ticket } }))

    await ok('acceptor', first.id, { type: 'file' })
    await ok('dispatcher', first.id, { type: 'dispatch', unitId: zhuchengUnit })
    await ok('zhucheng', first.id, { type: 'sign_for' })
    await ok('zhucheng', first.id, { type: 'report_disposal', photoIds: [await photo('zhucheng')] })
    await ok('supervisor', first.id, { type: 'check_pass', photoIds: [await photo('supervisor')] })
    await ok('acceptor', first.id, { type: 'close' })
    for (const user of ['supervisor', 'acceptor']) {
      expect(await notes(user), user).toContainEqual(expect.objectContaining({ kind: 'case.closed', caseId: first.id }))
    }
    expect((await notes('zhucheng')).some((n) => n.caseId === first.id)).toBe(false)
  })
})
