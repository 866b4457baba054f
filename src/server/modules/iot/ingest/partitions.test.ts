// The telemetry history's day partitions: made ahead and on demand (an old buffered point), dropped whole once older
// than the retention, with the rows of the days kept untouched.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.js'
import { newToken, tokenHash } from '../registry.js'
import { dayOf } from './partitions.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

const DAY = 86_400_000
const partitions = async () =>
  (await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'telemetry' ORDER BY 1`.execute(t.db.kysely)).rows.map((r) => r.name)
const nameOf = (ms: number) => `telemetry_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`

describe('telemetry partitions', () => {
  it('has today and the next days ready, and makes an old day when a buffered point needs it', async () => {
    const now = Date.now()
    expect(await partitions()).toEqual(expect.arrayContaining([nameOf(now), nameOf(now + DAY), nameOf(now + 2 * DAY)]))

    const token = newToken()
    await t.db.kysely.insertInto('devices').values({ code: 'PART-1', name: 'p', model_key: 'bin_fill', org_path: '/', token_sha256: tokenHash(token) }).execute()
    const old = now - 20 * DAY
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/${token}/telemetry`, payload: { ts: old, values: { fill: 40 } } })
    expect(response.statusCode).toBe(200)
    expect(await partitions()).toContain(nameOf(old))
  })

  it('drops the partitions older than the retention and keeps the rest with their rows', async () => {
    const now = Date.now()
    const writer = t.context.telemetry
    await writer.partitions.ensureDays([dayOf(now - 40 * DAY), dayOf(now - 31 * DAY), dayOf(now - 29 * DAY)])
    const device = await t.db.kysely.selectFrom('devices').select('id').where('code', '=', 'PART-1').executeTakeFirstOrThrow()
    await sql`INSERT INTO telemetry (device_id, ts, values) VALUES (${device.id}, ${new Date(now - 29 * DAY)}, '{"fill": 1}'), (${device.id}, ${new Date(now - 31 * DAY)}, '{"fill": 2}')`.execute(t.db.kysely)

    const dropped = await writer.partitions.dropOlderThan(30, now)
    expect(dropped).toEqual([nameOf(now - 40 * DAY), nameOf(now - 31 * DAY)])
    const left = await partitions()
    expect(left).not.toContain(nameOf(now - 31 * DAY))
    expect(left).toContain(nameOf(now - 29 * DAY))
    const { rows } = await sql<{ values: unknown }>`SELECT values FROM telemetry WHERE device_id = ${device.id} ORDER BY ts`.execute(t.db.kysely)
    expect(rows.map((r) => r.values)).toEqual([{ fill: 1 }, { fill: 40 }])
  })

  it('refuses a point older than the retention as a bad timestamp', async () => {
    const token = newToken()
    await t.db.kysely.insertInto('devices').values({ code: 'PART-2', name: 'p', model_key: 'bin_fill', org_path: '/', token_sha256: tokenHash(token) }).execute()
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/${token}/telemetry`, payload: { ts: Date.now() - 400 * DAY, values: { fill: 40 } } })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.details.reason).toBe('BAD_TS')
  })
})
