// The audit log on the real database: entries are in the log as their transaction commits (and vanish with one that rolls
// back), are sealed into the hash chain in batches, in the order they became visible, and once sealed cannot be changed
// or removed without the check of the chain noticing.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cloneDatabase } from '../../../test/helpers.js'
import { audit, sealAudit, verifyAuditChain } from './audit.js'
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
const seals = (entityId: string) => db.kysely.selectFrom('audit_log').select(['id', 'chain_seq', 'prev_hash', 'hash']).where('entity_id', '=', entityId).orderBy('id').execute()
const lastSealed = async () =>
  (await db.kysely.selectFrom('audit_log').select(['id', 'chain_seq']).where('chain_seq', 'is not', null).orderBy('chain_seq', 'desc').limit(1).executeTakeFirstOrThrow())

describe('audit', () => {
  it('writes the entries of a transaction to the log when it commits, in order; sealing chains them', async () => {
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
    expect(await verifyAuditChain(db.kysely)).toMatchObject({ ok: true, firstBrokenId: null, unsealed: 0 })
    const sealed = await seals('committed')
    expect(sealed.every((e) => e.chain_seq !== null && e.hash !== null)).toBe(true)
    expect(sealed[1]!.prev_hash).toBe(sealed[0]!.hash)
    expect(sealed[2]!.prev_hash).toBe(sealed[1]!.hash)
  })

  it('leaves no entry of a transaction that rolls back', async () => {
    const failed = db.kysely.transaction().execute(async (trx) => {
      await audit(trx, actor, { action: 'test.undone', entityType: 'test', entityId: 'rolled-back' })
      throw new Error('the change failed')
    })
    await expect(failed).rejects.toThrow('the change failed')
    expect(await entries('rolled-back')).toEqual([])
  })

  it('seals many audited transactions, run at once, into one chain that verifies', async () => {
    // on native PostgreSQL (DATABASE_URL) they really run at once on 10 connections; PGlite takes them in turn
    await Promise.all(Array.from({ length: 200 }, (_, i) => db.kysely.transaction().execute(async (trx) => {
      await audit(trx, actor, { action: 'test.concurrent', entityType: 'test', entityId: 'concurrent', details: { i } })
      await audit(trx, actor, { action: 'test.concurrent.second', entityType: 'test', entityId: 'concurrent', details: { i } })
    })))
    // sealers running at the same time take turns on the chain
    await Promise.all([sealAudit(db.kysely), sealAudit(db.kysely), sealAudit(db.kysely)])
    expect(await verifyAuditChain(db.kysely)).toMatchObject({ ok: true, firstBrokenId: null, unsealed: 0 })
    const sealed = await seals('concurrent')
    expect(sealed).toHaveLength(400)
    expect(new Set(sealed.map((e) => e.chain_seq)).size).toBe(400)
  })

  // two transactions open at once: native PostgreSQL only (PGlite has one connection)
  it.runIf(Boolean(process.env.DATABASE_URL))('seals an entry that commits after a later id at a later place in the chain', async () => {
    const inserted = gate()
    const { release, done } = gate()
    // the first transaction draws the lower id but commits last
    const slow = db.kysely.transaction().execute(async (trx) => {
      await audit(trx, actor, { action: 'test.slow', entityType: 'test', entityId: 'late-commit' })
      inserted.release()
      await done
    })
    await inserted.done
    await audit(db.kysely, actor, { action: 'test.quick', entityType: 'test', entityId: 'late-commit' })
    await sealAudit(db.kysely)
    release()
    await slow
    expect(await verifyAuditChain(db.kysely)).toMatchObject({ ok: true, unsealed: 0 })
    const [slowEntry, quickEntry] = await seals('late-commit')
    expect(slowEntry!.id).toBeLessThan(quickEntry!.id)
    expect(slowEntry!.chain_seq!).toBeGreaterThan(quickEntry!.chain_seq!)
  })

  it('refuses to update or delete a sealed entry', async () => {
    await audit(db.kysely, actor, { action: 'test.sealed', entityType: 'test', entityId: 'sealed' })
    await sealAudit(db.kysely)
    const [entry] = await seals('sealed')
    expect(entry!.hash).not.toBeNull()
    await expect(sql`update audit_log set action = 'x' where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    await expect(sql`update audit_log set hash = repeat('f', 64) where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    await expect(sql`update audit_log set chain_seq = null, prev_hash = null, hash = null where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    expect(await seals('sealed')).toEqual([entry])
  })

  it('refuses any change to an unsealed entry but its sealing, and that only as the chain requires', async () => {
    await sealAudit(db.kysely)
    await audit(db.kysely, actor, { action: 'test.unsealed', entityType: 'test', entityId: 'unsealed' })
    const [entry] = await seals('unsealed')
    expect(entry).toMatchObject({ chain_seq: null, prev_hash: null, hash: null })
    const last = await lastSealed()
    const tail = (await db.kysely.selectFrom('audit_log').select('hash').where('id', '=', last.id).executeTakeFirstOrThrow()).hash!
    const next = last.chain_seq! + 1
    await expect(sql`update audit_log set action = 'x' where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    // sealed together with a change of its content
    await expect(sql`update audit_log a set action = 'x', chain_seq = ${next}, prev_hash = ${tail}, hash = audit_entry_hash(${tail}, a) where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/append-only/)
    // a made-up hash, a wrong predecessor, a place away from the chain's end
    await expect(sql`update audit_log set chain_seq = ${next}, prev_hash = ${tail}, hash = repeat('f', 64) where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/not sealed as the chain requires/)
    await expect(sql`update audit_log a set chain_seq = ${next}, prev_hash = repeat('0', 64), hash = audit_entry_hash(repeat('0', 64), a) where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/not sealed as the chain requires/)
    await expect(sql`update audit_log a set chain_seq = ${next + 5}, prev_hash = ${tail}, hash = audit_entry_hash(${tail}, a) where id = ${entry!.id}`.execute(db.kysely)).rejects.toThrow(/not sealed as the chain requires/)
    expect(await seals('unsealed')).toEqual([entry])
    expect(await entries('unsealed')).toEqual([{ action: 'test.unsealed', actor_name: 'tester', details: {} }])
    expect(await sealAudit(db.kysely)).toBe(1)
    expect((await seals('unsealed'))[0]).toMatchObject({ chain_seq: next, prev_hash: tail })
  })

  it('detects a sealed entry edited behind the trigger’s back (e.g. by a database superuser)', async () => {
    await audit(db.kysely, actor, { action: 'test.victim', entityType: 'test', entityId: 'tampered', details: { amount: 1 } })
    await audit(db.kysely, actor, { action: 'test.after', entityType: 'test', entityId: 'tampered' })
    expect(await verifyAuditChain(db.kysely)).toMatchObject({ ok: true, firstBrokenId: null, unsealed: 0 })
    const [victim] = await seals('tampered')
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(db.kysely)
    await sql`update audit_log set details = '{"amount": 1000}' where id = ${victim!.id}`.execute(db.kysely)
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(db.kysely)
    // entries sealed after the edit do not hide it
    await audit(db.kysely, actor, { action: 'test.later', entityType: 'test', entityId: 'tampered' })
    expect(await verifyAuditChain(db.kysely)).toMatchObject({ ok: false, firstBrokenId: victim!.id, unsealed: 0 })
  })
})

function gate(): { release: () => void; done: Promise<void> } {
  let release!: () => void
  const done = new Promise<void>((resolve) => (release = resolve))
  return { release, done }
}
