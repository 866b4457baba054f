// The monthly publication: the previous month is published by itself from the district's day on (China time), once,
// by one of two processes on the same database, audited with the system as the actor; a month published by hand stays
// as it was; a district may switch it off; it runs as a registered background job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp } from '../../../../test/helpers.js'
import { periodOf, previousPeriod } from './period.js'
import { PUBLISH_JOB } from './publication.js'

let t: TestApp
let leader: string

beforeAll(async () => {
  t = await createTestApp()
  leader = await t.login('leader')
}, 120_000)
afterAll(() => t?.close())

/** An instant in China time: at('2025-04-01 00:05'). */
const at = (text: string) => new Date(`${text.replace(' ', 'T')}:00+08:00`)
const publishDue = (now: Date) => t.context.evaluation.publishDue(now)

const published = async (period: string) => t.db.kysely.selectFrom('evaluation_periods').select(['period', 'frozen_by', 'frozen_at']).where('period', '=', period).execute()
const freezeAudits = async (period: string) => t.db.kysely.selectFrom('audit_log').select(['actor_id', 'actor_name', 'details'])
  .where('action', '=', 'evaluation.freeze').where('entity_id', '=', period).execute()

async function setPublication(publication: { auto: boolean; day: number }) {
  const current = (await t.app.inject({ method: 'GET', url: '/api/evaluation/settings', headers: bearer(leader) })).json() as { settings: Record<string, unknown> }
  const saved = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: { ...current.settings, publication } })
  expect(saved.statusCode, saved.body).toBe(200)
}

describe('the monthly publication', () => {
  it('publishes the previous month once the 1st has begun in China (still the 31st in UTC), with the system as the publisher', async () => {
    expect(await publishDue(at('2025-04-01 00:05'))).toBe('2025-03')
    // every later round finds it published
    expect(await publishDue(at('2025-04-01 00:15'))).toBeNull()
    expect(await publishDue(at('2025-04-20 09:00'))).toBeNull()
    expect(await published('2025-03')).toEqual([expect.objectContaining({ period: '2025-03', frozen_by: null })])
    const audits = await freezeAudits('2025-03')
    expect(audits).toEqual([expect.objectContaining({ actor_id: null, actor_name: 'system' })])
    expect(audits[0]!.details).toMatchObject({ automatic: true })
    const ranking = (await t.app.inject({ method: 'GET', url: '/api/evaluation/rankings?subject=acceptors&period=2025-03', headers: bearer(leader) })).json() as { frozen: boolean }
    expect(ranking.frozen).toBe(true)
  })

  it('waits for the district\'s day of the month', async () => {
    await setPublication({ auto: true, day: 5 })
    expect(await publishDue(at('2025-05-04 23:59'))).toBeNull()
    expect(await published('2025-04')).toEqual([])
    expect(await publishDue(at('2025-05-05 00:00'))).toBe('2025-04')
  })

  it('leaves a month a leader published by hand as it was: one publication, one audit entry, the leader\'s', async () => {
    const byHand = await t.app.inject({ method: 'POST', url: '/api/evaluation/periods/2025-05/freeze', headers: bearer(leader) })
    expect(byHand.statusCode, byHand.body).toBe(200)
    const before = await published('2025-05')
    expect(await publishDue(at('2025-06-05 01:00'))).toBeNull()
    expect(await published('2025-05')).toEqual(before)
    expect((await freezeAudits('2025-05')).map((a) => a.actor_name)).toEqual(['leader'])
  })

  it('does nothing when the district switched it off', async () => {
    await setPublication({ auto: false, day: 5 })
    expect(await publishDue(at('2025-07-10 12:00'))).toBeNull()
    expect(await published('2025-06')).toEqual([])
    await setPublication({ auto: true, day: 1 })
  })

  it('two server processes on one database: one publishes, the other finds it done', async () => {
    const other = await t.secondProcess()
    const now = at('2025-08-01 00:01')
    const results = await Promise.all([publishDue(now), other.context.evaluation.publishDue(now), publishDue(now), other.context.evaluation.publishDue(now)])
    expect(results.filter((r) => r !== null)).toEqual(['2025-07'])
    expect(await published('2025-07')).toHaveLength(1)
    expect(await freezeAudits('2025-07')).toHaveLength(1)
  })

  it('runs as a registered background job: the month before this one is published', async () => {
    const expected = previousPeriod(periodOf({}, new Date())).key
    await t.context.jobs.enqueue(PUBLISH_JOB)
    await t.context.jobs.tick()
    expect(t.context.jobs.status().lastError).toBeNull()
    expect(await published(expected)).toEqual([expect.objectContaining({ frozen_by: null })])
    const periods = (await t.app.inject({ method: 'GET', url: '/api/evaluation/periods', headers: bearer(leader) })).json() as { items: Array<{ period: string }> }
    expect(periods.items.map((p) => p.period)).toEqual(expect.arrayContaining([expected, '2025-07', '2025-05', '2025-04', '2025-03']))
  })
})
