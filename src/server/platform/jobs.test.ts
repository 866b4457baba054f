// Background jobs on the real database: each job runs once across processes, failures retry with backoff, recurring jobs recur.
import pino from 'pino'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cloneDatabase } from '../../../test/helpers.js'
import type { Db } from './db/engine.js'
import { Jobs } from './jobs.js'

let db: Db
let drop: () => Promise<void>
const log = pino({ level: 'silent' })

beforeAll(async () => {
  ;({ db, drop } = await cloneDatabase())
})
afterAll(async () => {
  await db.close()
  await drop()
})

describe('jobs', () => {
  it('runs each due job exactly once even with two workers polling at the same time', async () => {
    const seen: number[] = []
    const workers = [new Jobs(db, log), new Jobs(db, log)]
    for (const jobs of workers) jobs.register('count', async (payload) => void seen.push(Number(payload.n)))
    for (let n = 0; n < 30; n++) await workers[0]!.enqueue('count', { n })
    for (let round = 0; round < 3; round++) await Promise.all(workers.map((jobs) => jobs.tick()))
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i))
  })

  it('retries a failing job later with its error recorded, and does not run it before then', async () => {
    let calls = 0
    const jobs = new Jobs(db, log)
    jobs.register('flaky', async () => {
      calls++
      if (calls === 1) throw new Error('gateway down')
    })
    await jobs.enqueue('flaky', {})
    await jobs.tick()
    const failed = await db.kysely.selectFrom('jobs').selectAll().where('kind', '=', 'flaky').executeTakeFirstOrThrow()
    expect(failed).toMatchObject({ attempts: 1, last_error: 'gateway down', done_at: null })
    expect(failed.run_at.getTime()).toBeGreaterThan(Date.now())
    await jobs.tick()
    expect(calls).toBe(1)
    await sql`update jobs set run_at = now() where kind = 'flaky'`.execute(db.kysely)
    await jobs.tick()
    expect(calls).toBe(2)
    expect(jobs.status()).toMatchObject({ handled: 1, failed: 1 })
  })

  it('keeps one pending row for a recurring job however many processes schedule it', async () => {
    const workers = [new Jobs(db, log), new Jobs(db, log)]
    for (const jobs of workers) jobs.register('sweep', async () => {}, 60_000)
    await Promise.all(workers.map((jobs) => jobs.tick()))
    await Promise.all(workers.map((jobs) => jobs.tick()))
    const pending = await db.kysely.selectFrom('jobs').select('id').where('kind', '=', 'sweep').where('done_at', 'is', null).execute()
    expect(pending).toHaveLength(1)
  })

  it('purges jobs finished more than a week ago, and keeps unfinished and recent ones', async () => {
    const jobs = new Jobs(db, log)
    jobs.register('done-long-ago', async () => {})
    await jobs.enqueue('done-long-ago', { n: 1 })
    await jobs.enqueue('done-long-ago', { n: 2 })
    await jobs.tick()
    await sql`update jobs set done_at = now() - interval '8 days' where kind = 'done-long-ago' and payload->>'n' = '1'`.execute(db.kysely)
    await jobs.enqueue('never-run', {}, new Date(Date.now() + 3600_000))
    expect(await jobs.purgeDone(7)).toBe(1)
    const left = await db.kysely.selectFrom('jobs').select(['kind', 'payload']).where('kind', 'in', ['done-long-ago', 'never-run']).execute()
    expect(left.map((j) => `${j.kind}:${(j.payload as { n?: number }).n ?? ''}`).sort()).toEqual(['done-long-ago:2', 'never-run:'])
  })
})
