// The planner is told that pages are read from memory, and no statement is compiled (JIT), on every connection of
// either engine; an operator's options in DATABASE_URL replace that.
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, PLANNER_SETTINGS, type Db } from './engine.js'

const opened: Db[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()))
})

async function open(databaseUrl: string | undefined) {
  const db = await openDatabase({ databaseUrl, poolSize: 4 })
  opened.push(db)
  return db
}

/** The settings as four statements at once see them (on native, four connections of the pool). */
async function settingsSeen(db: Db) {
  return Promise.all(Array.from({ length: 4 }, () =>
    sql<{ seq: string; random: string; jit: string }>`select current_setting('seq_page_cost') as seq, current_setting('random_page_cost') as random, current_setting('jit') as jit, pg_sleep(0.05)`
      .execute(db.kysely).then((r) => r.rows[0]!)))
}

describe('planner settings', () => {
  it('prices a page read as a read from memory and compiles no statement, on every connection', async () => {
    expect(PLANNER_SETTINGS).toEqual({ seq_page_cost: '0.1', random_page_cost: '0.1', jit: 'off' })
    const db = await open(process.env.DATABASE_URL)
    for (const seen of await settingsSeen(db)) expect(seen).toMatchObject({ seq: '0.1', random: '0.1', jit: 'off' })
  })

  it.skipIf(!process.env.DATABASE_URL)('lets options in DATABASE_URL replace them', async () => {
    const url = new URL(process.env.DATABASE_URL!)
    url.searchParams.set('options', '-c random_page_cost=1.1')
    const db = await open(url.toString())
    for (const seen of await settingsSeen(db)) expect(seen).toMatchObject({ seq: '1', random: '1.1' })
  })
})
