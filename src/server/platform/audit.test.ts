// The audit log on the real database: entries reach the hash-chained log as their transaction commits, in commit order,
// and vanish with a transaction that rolls back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cloneDatabase } from '../../../test/helpers.js'
import { audit, verifyAuditChain } from './audit.js'
import type { Db } from './db/engine.js'

let db: Db
let drop: () => Promise<void>
const actor = { userId: null, username: 'tester' }

beforeAll(async () => {
  ;({ db, drop } = await cloneDatabase())
})
afterAll(async () => {
  await db.close()
  await drop()
})

const entries = (entityId: string) => db.kysely.selectFrom('audit_log').select(['action', 'actor_name', 'details']).where('entity_id', '=', entityId).orderBy('id').execute()

describe('audit', () => {
  it('writes the entries of a transaction to the log when it commits, in order, and chained', async () => {
    await db.kysely.transaction().execute(async (trx) => {
      await audit(trx, actor, { action: 'test.first', entityType: 'test', entityId: 'committed', details: { n: 1 } })
      await audit(trx, actor, { action: 'test.second', entityType: 'test', entityId: 'committed', details: { n: 2 } })
    })
    await audit(db.kysely, actor, { action: 'test.alone', entityType: 'test', entityId: 'committed' })
    expect(await entries('committed')).toEqual([
      { action: 'test.first', actor_name: 'tester', details: { n: 1 } },
      { action: 'test.second', actor_name: 'tester', details: { n: 2 } },
      { action: 'test.alone', actor_name: 'tester', details: {} },
    ])
    expect(await verifyAuditChain(db.kysely)).toMatchObject({ ok: true, firstBrokenId: null })
    expect(await db.kysely.selectFrom('audit_pending').selectAll().execute()).toEqual([])
  })

  it('leaves no entry of a transaction that rolls back', async () => {
    const failed = db.kysely.transaction().execute(async (trx) => {
      await audit(trx, actor, { action: 'test.undone', entityType: 'test', entityId: 'rolled-back' })
      throw new Error('the change failed')
    })
    await expect(failed).rejects.toThrow('the change failed')
    expect(await entries('rolled-back')).toEqual([])
    expect(await db.kysely.selectFrom('audit_pending').selectAll().execute()).toEqual([])
  })
})
