// The overdue job: a case past its deadline is marked once (timeline, audit, red light, events), by one of any
// number of processes, and again only when a new deadline passes.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DomainEvent } from '../../platform/events.js'
import { bearer, createTestApp, pointInCells, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { markOverdue, OVERDUE_JOB } from './overdue.js'

let t: TestApp
const tokens: Record<string, string> = {}
let point: { lng: number; lat: number }
let zhuchengUnit: string
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'dispatcher', 'zhucheng']) tokens[user] = await t.login(user)
  point = await pointInCells(t.db, '420117001')
  zhuchengUnit = await unitIdOf(t.db, '420117001')
})
afterAll(() => t?.close())

async function ok(user: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await t.app.inject({ method, url, headers: bearer(tokens[user]!), ...(payload ? { payload } : {}) })
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(200)
  return response.json()
}

const detail = (id: string) => ok('admin', 'GET', `/api/cases/${id}`)

async function act(user: string, id: string, action: Record<string, unknown>) {
  const { version } = await detail(id)
  return ok(user, 'POST', `/api/cases/${id}/actions`, { version, ...action })
}

/** A filed case, waiting for dispatch against its step deadline. */
async function filedCase(): Promise<string> {
  const body = { clientId: `overdue-${Date.now()}-${seq++}`, source: 'hotline', classKind: 'component', classCode: '0103', description: '井盖缺失', ...point }
  const id = (await ok('acceptor', 'POST', '/api/cases', body)).case.id as string
  await act('acceptor', id, { type: 'file' })
  return id
}

const pastDeadline = (id: string, column: 'step_deadline' | 'disposal_deadline' = 'step_deadline') =>
  // the running clock (due_at) is the same deadline, as the service sets them together
  sql`update cases set ${sql.ref(column)} = now() - interval '1 hour', due_at = now() - interval '1 hour' where id = ${id}`.execute(t.db.kysely)

const overdueEntries = async (id: string) => ((await detail(id)).timeline as Array<{ kind: string }>).filter((e) => e.kind === 'overdue')

describe('the overdue job', () => {
  it('marks a case past its deadline once: a system timeline entry, an audit entry, a red light and the events', async () => {
    const id = await filedCase()
    const before = await detail(id)
    expect(before.light).toBe('green')
    await pastDeadline(id)
    const heard: DomainEvent[] = []
    const stop = [t.context.events.on('case.overdue', (e) => heard.push(e)), t.context.events.on('case.changed', (e) => heard.push(e))]
    try {
      expect(await markOverdue(t.db, t.context.events)).toContain(id)
      const after = await detail(id)
      expect(after.light).toBe('red')
      const entries = await overdueEntries(id)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ kind: 'overdue', role: 'system', actorId: null, fromState: 'filed', toState: 'filed', detail: { deadline: after.deadline, deadlineKind: 'step' } })
      expect(after.version).toBe(before.version) // marking is no step: the page a user has open stays current for acting
      const audit = (await ok('admin', 'GET', `/api/audit?entityId=${id}&pageSize=50`)).items as Array<{ action: string; actorName: string | null }>
      expect(audit.filter((e) => e.action === 'case.overdue').map((e) => e.actorName)).toEqual(['system'])
      await expect.poll(() => heard.filter((e) => e.caseId === id).map((e) => e.type).sort()).toEqual(['case.changed', 'case.overdue'])
      expect(heard.find((e) => e.type === 'case.overdue')).toMatchObject({ caseId: id, ticket: after.ticket, orgPath: expect.any(String) })
    } finally {
      stop.forEach((off) => off())
    }

    expect(await markOverdue(t.db, t.context.events)).not.toContain(id)
    expect(await overdueEntries(id)).toHaveLength(1)
  })

  it('marks again when the next deadline passes: the disposal deadline after dispatch', async () => {
    const id = await filedCase()
    await pastDeadline(id)
    await markOverdue(t.db, t.context.events)
    await act('dispatcher', id, { type: 'dispatch', unitId: zhuchengUnit })
    expect(await markOverdue(t.db, t.context.events)).not.toContain(id) // the new deadline lies ahead
    await pastDeadline(id, 'disposal_deadline')
    expect(await markOverdue(t.db, t.context.events)).toContain(id)
    const entries = await overdueEntries(id)
    expect(entries.map((e) => (e as unknown as { detail: { deadlineKind: string } }).detail.deadlineKind)).toEqual(['step', 'disposal'])
    expect((await detail(id)).light).toBe('red')
  })

  it('leaves a case that no longer runs alone', async () => {
    const id = await filedCase()
    await act('admin', id, { type: 'cancel', reason: '重复登记' })
    await pastDeadline(id)
    expect(await markOverdue(t.db, t.context.events)).not.toContain(id)
  })

  it('marks a case once when several processes run the job at the same moment', async () => {
    const ids = [await filedCase(), await filedCase(), await filedCase(), await filedCase()]
    for (const id of ids) await pastDeadline(id)
    const other = await t.secondProcess()
    const rounds = await Promise.all([
      markOverdue(t.db, t.context.events), markOverdue(other.context.db, other.context.events),
      markOverdue(t.db, t.context.events), markOverdue(other.context.db, other.context.events),
    ])
    const marked = rounds.flat().filter((id) => ids.includes(id))
    expect(marked.sort()).toEqual([...ids].sort())
    for (const id of ids) expect(await overdueEntries(id)).toHaveLength(1)
  })

  it('runs as a registered background job', async () => {
    const id = await filedCase()
    await pastDeadline(id)
    await t.context.jobs.enqueue(OVERDUE_JOB)
    await t.context.jobs.tick()
    expect(t.context.jobs.status().lastError).toBeNull()
    expect(await overdueEntries(id)).toHaveLength(1)
  })
})
