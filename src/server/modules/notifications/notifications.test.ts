// Overdue notifications reach the people who hold the step (and nobody else), who read them and mark them read;
// the district's working-day rules change at run time, are checked, audited, and move the deadlines set afterwards.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, pointInCells, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { markOverdue } from '../cases/overdue.js'

let t: TestApp
const tokens: Record<string, string> = {}
let point: { lng: number; lat: number }
let zhuchengUnit: string
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'dispatcher', 'supervisor', 'zhucheng', 'dept', 'shiftleader']) tokens[user] = await t.login(user)
  point = await pointInCells(t.db, '420117001')
  zhuchengUnit = await unitIdOf(t.db, '420117001')
})
afterAll(() => t?.close())

const call = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(tokens[user]!), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })

async function ok(user: string, id: string, action: Record<string, unknown>) {
  const current = (await call('admin', 'GET', `/api/cases/${id}`)).json()
  const response = await call(user, 'POST', `/api/cases/${id}/actions`, { version: current.version, ...action })
  expect(response.statusCode, response.body).toBe(200)
  return response.json()
}

async function reported(): Promise<{ id: string; ticket: string }> {
  const response = await call('acceptor', 'POST', '/api/cases', { clientId: `notify-${Date.now()}-${seq++}`, source: 'hotline', classKind: 'component', classCode: '0103', description: '提醒测试', ...point })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().case
}

const unreadFor = async (user: string) => (await call(user, 'GET', '/api/notifications?unread=true')).json() as { unread: number; items: Array<{ id: string; caseId: string; kind: string; payload: { ticket: string } }> }

describe('overdue notifications', () => {
  it('tell the unit disposing a case when its deadline passes, and nobody outside it', async () => {
    const c = await reported()
    await ok('acceptor', c.id, { type: 'file' })
    await ok('dispatcher', c.id, { type: 'dispatch', unitId: zhuchengUnit })
    await ok('zhucheng', c.id, { type: 'sign_for' })
    await sql`update cases set disposal_deadline = now() - interval '1 minute', due_at = now() - interval '1 minute' where id = ${c.id}`.execute(t.db.kysely)
    const deptBefore = (await unreadFor('dept')).unread
    await markOverdue(t.db, t.context.events)

    const mine = await unreadFor('zhucheng')
    const note = mine.items.find((n) => n.caseId === c.id)
    expect(note).toMatchObject({ kind: 'case.overdue', payload: { ticket: c.ticket } })
    expect((await unreadFor('dept')).unread).toBe(deptBefore)
    expect((await unreadFor('acceptor')).items.some((n) => n.caseId === c.id)).toBe(false)

    // a second round marks nothing new and notifies nobody again
    await markOverdue(t.db, t.context.events)
    expect((await unreadFor('zhucheng')).items.filter((n) => n.caseId === c.id)).toHaveLength(1)

    // another person cannot mark it read; its holder can
    expect((await call('dept', 'POST', '/api/notifications/read', { ids: [note!.id] })).json()).toEqual({ changed: 0 })
    expect((await call('zhucheng', 'POST', '/api/notifications/read', { ids: [note!.id] })).json()).toEqual({ changed: 1 })
    expect((await unreadFor('zhucheng')).items.some((n) => n.caseId === c.id)).toBe(false)
    const all = (await call('zhucheng', 'GET', '/api/notifications')).json()
    expect(all.items.find((n: { id: string }) => n.id === note!.id).readAt).not.toBeNull()
  })

  it('tell the acceptors and shift leaders when a report waits past its filing limit', async () => {
    const c = await reported()
    await sql`update cases set step_deadline = now() - interval '1 minute', due_at = now() - interval '1 minute' where id = ${c.id}`.execute(t.db.kysely)
    await markOverdue(t.db, t.context.events)
    expect((await unreadFor('acceptor')).items.some((n) => n.caseId === c.id)).toBe(true)
    expect((await unreadFor('shiftleader')).items.some((n) => n.caseId === c.id)).toBe(true)
    expect((await unreadFor('zhucheng')).items.some((n) => n.caseId === c.id)).toBe(false)
    // "mark all read" leaves nothing unread
    await call('acceptor', 'POST', '/api/notifications/read', {})
    expect((await unreadFor('acceptor')).unread).toBe(0)
  })

  it('refuses malformed ids', async () => {
    expect((await call('acceptor', 'POST', '/api/notifications/read', { ids: ['abc'] })).statusCode).toBe(400)
  })
})

describe('the district working calendar', () => {
  it('shows the national special days of a year and whether they are known', async () => {
    const year = (await call('dispatcher', 'GET', '/api/calendar?year=2025')).json()
    expect(year.hasOfficialData).toBe(true)
    expect(year.specialDays).toEqual(expect.arrayContaining([
      expect.objectContaining({ date: '2025-10-01', working: false, reason: 'public-holiday' }),
      expect.objectContaining({ date: '2025-09-28', working: true, reason: 'make-up-working-day' }),
    ]))
    expect(year.rules.officeHours).toEqual([{ from: '08:30', to: '12:00' }, { from: '14:00', to: '17:30' }])
  })

  it('lets an administrator change the rules (audited) and refuses the others and bad rules, keeping what was stored', async () => {
    const rules = { officeHours: [{ from: '09:00', to: '12:00' }, { from: '13:30', to: '17:30' }], extraHolidays: ['2026-12-30'], extraWorkingDays: ['2026-12-27'] }
    expect((await call('dispatcher', 'PUT', '/api/calendar', rules)).statusCode).toBe(403)
    const saved = await call('admin', 'PUT', '/api/calendar', rules)
    expect(saved.statusCode, saved.body).toBe(200)
    const year = (await call('dispatcher', 'GET', '/api/calendar?year=2026')).json()
    expect(year.minutesPerDay).toBe(420)
    expect(year.specialDays).toEqual(expect.arrayContaining([
      expect.objectContaining({ date: '2026-12-30', working: false, reason: 'district-holiday' }),
      expect.objectContaining({ date: '2026-12-27', working: true, reason: 'district-working-day' }),
    ]))
    expect(t.context.calendar.isWorkingDay('2026-12-27')).toBe(true)

    for (const bad of [
      { ...rules, officeHours: [{ from: '14:00', to: '12:00' }] },
      { ...rules, officeHours: [{ from: '08:00', to: '12:00' }, { from: '11:00', to: '17:00' }] },
      { ...rules, extraHolidays: ['2026-02-30'] },
      { ...rules, extraWorkingDays: ['2026-12-30'] },
    ]) {
      const refused = await call('admin', 'PUT', '/api/calendar', bad)
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400)
      expect(refused.json().error.messages['zh-CN']).toBeTruthy()
    }
    expect((await call('dispatcher', 'GET', '/api/calendar?year=2026')).json().rules).toEqual(rules)
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'settings.calendar.update').execute()
    expect(audit).toHaveLength(1)
  })

  it('applies the rules in another process too', async () => {
    const other = await t.secondProcess()
    expect(other.context.calendar.isWorkingDay('2026-12-20')).toBe(false) // a Sunday
    const rules = { officeHours: [{ from: '08:30', to: '12:00' }, { from: '14:00', to: '17:30' }], extraHolidays: [], extraWorkingDays: ['2026-12-20'] }
    expect((await call('admin', 'PUT', '/api/calendar', rules)).statusCode).toBe(200)
    await expect.poll(() => other.context.calendar.isWorkingDay('2026-12-20')).toBe(true)
    await other.close()
  })
})
