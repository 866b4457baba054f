// Precompiled statements on the real database: built once, each run binds its own values in the right places.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cloneDatabase } from '../../../../test/helpers.js'
import type { Database } from './database.js'
import type { Db } from './engine.js'
import { precompiled } from './precompiled.js'
import type { Kysely } from 'kysely'

let db: Db
let drop: () => Promise<void>

beforeAll(async () => {
  ;({ db, drop } = await cloneDatabase())
  await sql`create table precompiled_probe (id serial primary key, name text not null, tags text[] not null, at timestamptz not null, detail jsonb not null)`.execute(db.kysely)
})
afterAll(async () => {
  await db.close()
  await drop()
})

interface Probe { name: string; tags: string[]; at: Date; detail: string; floor: number }

describe('precompiled statements', () => {
  it('builds once and binds each run’s values, a value used twice and the constants of the build included', async () => {
    let builds = 0
    const insert = precompiled((q: Kysely<Database>, v: Probe) => {
      builds++
      return q.with('i', () => sql`(insert into precompiled_probe (name, tags, at, detail) values (${v.name}, ${v.tags}, ${v.at}, ${v.detail}::jsonb) returning *)`)
        .selectFrom(sql<{ id: number; name: string; tags: string[]; at: Date; detail: Record<string, unknown> }>`i`.as('i'))
        .select(['i.id', 'i.name', 'i.tags', 'i.at', 'i.detail', sql<string>`${v.name} || ${'/'} || ${v.name}`.as('twice')])
        .where(sql<boolean>`i.id > ${v.floor}`)
    })
    const first = await insert(db.kysely, { name: '井盖', tags: ['a', 'b'], at: new Date('2026-12-01T00:00:00Z'), detail: '{"n":1}', floor: 0 })
    const second = await insert(db.kysely, { name: 'manhole', tags: [], at: new Date('2026-12-02T08:00:00Z'), detail: '{"n":2}', floor: 0 })
    expect(builds).toBe(1)
    expect(first).toEqual([{ id: 1, name: '井盖', tags: ['a', 'b'], at: new Date('2026-12-01T00:00:00Z'), detail: { n: 1 }, twice: '井盖/井盖' }])
    expect(second).toEqual([{ id: 2, name: 'manhole', tags: [], at: new Date('2026-12-02T08:00:00Z'), detail: { n: 2 }, twice: 'manhole/manhole' }])
    // a value that filters: the third row is inserted but not answered
    expect(await insert(db.kysely, { name: 'x', tags: [], at: new Date(), detail: '{}', floor: 5 })).toEqual([])
    const stored = await db.kysely.selectFrom(sql<{ name: string }>`precompiled_probe`.as('p')).select('p.name').orderBy('p.name').execute()
    expect(stored.map((r) => r.name)).toEqual(['manhole', 'x', '井盖'])
  })

  it('refuses a build that uses a placeholder as anything but a whole value (it is not the value)', async () => {
    const broken = precompiled((q: Kysely<Database>, v: { name: string }) => q.selectNoFrom(sql<string>`${`${v.name}!`}`.as('n')))
    await expect(broken(db.kysely, { name: 'a' })).rejects.toThrow(/name read but not bound/)
  })
})
