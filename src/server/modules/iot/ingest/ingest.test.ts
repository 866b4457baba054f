// Device messages over real MQTT (the embedded broker) and HTTP: stored, latest values kept, bad input refused and
// counted without stopping anything, tokens checked at CONNECT, one device unable to publish as another.
import mqtt, { type MqttClient } from 'mqtt'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.js'
import { DEVICE_CHANGED, newToken, tokenHash } from '../registry.js'
import { type BrokerThread, RESTART_FIRST_MS, startBrokerThread } from './broker-thread.js'

let t: TestApp
let broker: BrokerThread
const restarts: Array<{ error: Error; restarts: number; inMs: number }> = []
const clients: MqttClient[] = []

interface TestDevice {
  id: string
  token: string
}

async function addDevice(code: string, model = 'toilet_air'): Promise<TestDevice> {
  const street = await t.db.kysely.selectFrom('org_units').select(['id', 'path']).where('kind', '=', 'street').orderBy('code').executeTakeFirstOrThrow()
  const token = newToken()
  const row = await t.db.kysely.insertInto('devices').values({
    code, name: `测试设备 ${code}`, model_key: model, lng: 114.8, lat: 30.85, street_id: street.id, org_path: street.path,
    token_sha256: tokenHash(token), token_hint: token.slice(0, 4), token_issued_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow()
  return { id: row.id, token }
}

async function connect(token: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: token, reconnectPeriod: 0, connectTimeout: 5000, ...options })
  clients.push(client)
  return client
}

/** Connecting with this token is refused; answers the broker's reason. */
async function refusedConnect(token: string): Promise<string> {
  try {
    const client = await connect(token)
    await client.endAsync()
    return 'accepted'
  } catch (error) {
    return (error as Error).message
  }
}

async function rows(deviceId: string) {
  await t.context.telemetry.writer.flush()
  const { rows } = await sql<{ ts: Date; values: Record<string, unknown>; flags: Record<string, string[]> | null }>`
    SELECT ts, values, flags FROM telemetry WHERE device_id = ${deviceId} ORDER BY ts, values::text`.execute(t.db.kysely)
  return rows
}

async function counters(deviceId: string) {
  await t.context.telemetry.writer.flush()
  return t.db.kysely.selectFrom('devices').select(['rejected_count', 'flagged_count', 'last_reject', 'state', 'last_seen', 'attributes']).where('id', '=', deviceId).executeTakeFirstOrThrow()
}

async function latest(deviceId: string) {
  await t.context.telemetry.writer.flush()
  return (await t.db.kysely.selectFrom('device_latest').select('values').where('device_id', '=', deviceId).executeTakeFirst())?.values
}

/** Waits until the broker has handled everything a client sent (a QoS 1 round trip after it). */
async function settled(client: MqttClient) {
  await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ humidity: 50 }), { qos: 1 })
}

beforeAll(async () => {
  t = await createTestApp()
  broker = await startBrokerThread('any', '127.0.0.1', t.context.telemetry, t.context.devices, { onRestart: (event) => restarts.push(event) })
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
  await broker.close()
  await t.close()
})

describe('MQTT telemetry (embedded broker, token as user name)', () => {
  it('stores each payload form with its timestamp and keeps the latest value of every key', async () => {
    const device = await addDevice('MQ-001')
    const client = await connect(device.token)
    const ts = Date.now() - 60_000
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ nh3: 1.5, h2s: 0.2 }), { qos: 1 })
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { nh3: 0.9, temperature: 21 } }), { qos: 1 })
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts: ts - 1000, values: { nh3: 0.5 } }, { ts: ts + 1000, values: { humidity: 60 } }]), { qos: 1 })

    const stored = await rows(device.id)
    expect(stored).toHaveLength(4)
    expect(stored[0]).toMatchObject({ values: { nh3: 0.5 }, flags: null })
    expect(stored[0]!.ts.getTime()).toBe(ts - 1000)
    expect(stored[1]!.ts.getTime()).toBe(ts)
    expect(stored.map((r) => r.values)).toContainEqual({ nh3: 1.5, h2s: 0.2 })

    const newest = await latest(device.id)
    // the newest nh3 is the message without a timestamp (now), not the older timestamped ones
    expect(newest?.nh3).toMatchObject({ v: 1.5, q: 0 })
    expect(newest?.humidity).toMatchObject({ v: 60, ts: ts + 1000 })
    const seen = await counters(device.id)
    expect(seen.state).toBe('online')
    expect(seen.last_seen).not.toBeNull()
  })

  it('keeps the newest value of each key across writes: an older value sent later never replaces a newer one', async () => {
    const device = await addDevice('MQ-LATEST')
    const client = await connect(device.token)
    const ts = Date.now() - 60_000
    const send = (body: unknown) => client.publishAsync('v1/devices/me/telemetry', JSON.stringify(body), { qos: 1 })
    await send({ ts, values: { nh3: 1.1, h2s: 0.1 } })
    expect(await latest(device.id)).toMatchObject({ nh3: { v: 1.1, ts }, h2s: { v: 0.1, ts } })
    // older than what is stored: only the key new to the device is taken
    await send({ ts: ts - 5_000, values: { nh3: 9.9, temperature: 18 } })
    expect(await latest(device.id)).toMatchObject({ nh3: { v: 1.1, ts }, h2s: { v: 0.1, ts }, temperature: { v: 18, ts: ts - 5_000 } })
    // newer than everything stored: taken whole, the other keys kept
    await send({ ts: ts + 5_000, values: { nh3: 2.2 } })
    expect(await latest(device.id)).toMatchObject({ nh3: { v: 2.2, ts: ts + 5_000 }, h2s: { v: 0.1, ts }, temperature: { v: 18 } })
    // one write holding both an older and a newer value: each key on its own
    await send([{ ts: ts - 9_000, values: { h2s: 7.7 } }, { ts: ts + 9_000, values: { temperature: 25 } }])
    expect(await latest(device.id)).toMatchObject({ nh3: { v: 2.2 }, h2s: { v: 0.1, ts }, temperature: { v: 25, ts: ts + 9_000 } })
  })

  it('writes the latest values of more devices than one turn of the event loop puts into JSON (2,000), each its own', async () => {
    const { rows } = await sql<{ id: string }>`INSERT INTO devices (code, name, model_key, org_path)
      SELECT 'MANY-' || i, '批量 ' || i, 'toilet_air', '/' FROM generate_series(1, 2500) AS i RETURNING id`.execute(t.db.kysely)
    const ts = Date.now() - 30_000
    const writer = t.context.telemetry.writer
    rows.forEach(({ id }, i) => writer.push(id, [{ ts, values: { nh3: i } }]))
    await writer.flush()
    const { rows: stored } = await sql<{ device_id: string; nh3: number }>`SELECT device_id, (values->'nh3'->>'v')::int AS nh3 FROM device_latest
      WHERE device_id = ANY(${rows.map((r) => r.id)}::uuid[])`.execute(t.db.kysely)
    const byDevice = new Map(stored.map((r) => [r.device_id, r.nh3]))
    expect(byDevice.size).toBe(2500)
    expect(rows.every(({ id }, i) => byDevice.get(id) === i)).toBe(true)
  })

  it('stores a message as it was sent: white space and line breaks between its tokens, escapes and Chinese inside its strings', async () => {
    const device = await addDevice('MQ-TEXT')
    const client = await connect(device.token)
    // kept as sent (every value as it came) and written out anew (a numeric string the model turns into a number)
    const asSent = '{\n\t"nh3": 1.25,\r\n  "note": "线路\\\\二\\n第二行\\t\\"引号\\" \\u00e9",  "occupancy": 2 }'
    const converted = '{ "nh3":\t"3.5",\n "note": "反斜杠 \\\\ 结束\\\\" }'
    await client.publishAsync('v1/devices/me/telemetry', asSent, { qos: 1 })
    await client.publishAsync('v1/devices/me/telemetry', converted, { qos: 1 })
    const stored = (await rows(device.id)).map((r) => r.values)
    expect(stored).toHaveLength(2)
    expect(stored).toContainEqual(JSON.parse(asSent))
    expect(stored).toContainEqual({ nh3: 3.5, note: '反斜杠 \\ 结束\\' })
    expect(JSON.parse(asSent)).toMatchObject({ note: '线路\\二\n第二行\t"引号" é' })
  })

  it('acknowledges a QoS 1 message only once it is committed', async () => {
    const device = await addDevice('MQ-002')
    const client = await connect(device.token)
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ nh3: 2.5 }), { qos: 1 })
    // no flush: the PUBACK itself says the row is in the database
    const { rows: found } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM telemetry WHERE device_id = ${device.id}`.execute(t.db.kysely)
    expect(found[0]?.n).toBe(1)
  })

  it('keeps unknown keys flagged and marks values outside the model range', async () => {
    const device = await addDevice('MQ-003')
    const client = await connect(device.token)
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ nh3: 250, firmware_note: 'v2\\beta "rc"\t1', h2s: '0.4' }), { qos: 1 })
    const [row] = await rows(device.id)
    expect(row?.values).toEqual({ nh3: 250, firmware_note: 'v2\\beta "rc"\t1', h2s: 0.4 })
    expect(row?.flags).toEqual({ unknown: ['firmware_note'], outOfRange: ['nh3'] })
    const newest = await latest(device.id)
    expect(newest?.nh3?.q).toBe(1)
    expect(newest?.firmware_note?.q).toBe(2)
    expect(Number((await counters(device.id)).flagged_count)).toBe(1)
  })

  it('refuses malformed payloads, counts them against the device, and keeps running (fuzz)', async () => {
    const device = await addDevice('MQ-004')
    const client = await connect(device.token)
    const bad: Array<string | Buffer> = [
      'not json',
      Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad]),
      '[]',
      '{}',
      '42',
      'null',
      JSON.stringify({ nh3: { nested: true } }),
      JSON.stringify({ nh3: 'high' }),
      JSON.stringify({ nh3: [1, 2] }),
      JSON.stringify({ ts: 'yesterday', values: { nh3: 1 } }),
      JSON.stringify({ ts: Date.now() + 86_400_000, values: { nh3: 1 } }),
      JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))),
      JSON.stringify({ nh3: 1, pad: 'x'.repeat(1024 * 1024) }),
      // valid JSON that PostgreSQL's jsonb cannot hold: it would fail the batch of every device written with it
      '{"nh3": 1, "note": "a\\u0000b"}',
      '{"nh3": 1, "note": "\\ud800x"}',
    ]
    // random bytes too, seeded so a failure can be replayed
    let seed = 20261125
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    for (let i = 0; i < 50; i++) bad.push(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256))))
    for (const payload of bad) await client.publishAsync('v1/devices/me/telemetry', payload, { qos: 1 })
    await client.publishAsync('v1/devices/me/attributes', '{"firmware": "v1\\u0000"}', { qos: 1 })
    // the device is still connected and a good message still goes in
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ nh3: 3 }), { qos: 1 })
    expect(client.connected).toBe(true)

    const stored = await rows(device.id)
    expect(stored.map((r) => r.values)).toEqual([{ nh3: 3 }])
    const seen = await counters(device.id)
    // every random buffer is either not JSON or JSON of the wrong shape: all are refused
    expect(Number(seen.rejected_count)).toBe(bad.length + 1)
    expect(seen.attributes).not.toHaveProperty('firmware')
    expect(seen.last_reject).toMatch(/^[A-Z_]+: /)
  })

  it('merges client attributes into the device', async () => {
    const device = await addDevice('MQ-005')
    const client = await connect(device.token)
    await client.publishAsync('v1/devices/me/attributes', JSON.stringify({ firmware: '1.2.0', sim: '8986001' }), { qos: 1 })
    await client.publishAsync('v1/devices/me/attributes', JSON.stringify({ firmware: '1.2.1' }), { qos: 1 })
    expect((await counters(device.id)).attributes).toEqual({ firmware: '1.2.1', sim: '8986001' })
  })

  it('refuses a wrong token at CONNECT, and a revoked token at once, closing its open session', async () => {
    expect(await refusedConnect('no-such-token')).toMatch(/Not authorized/i)
    const device = await addDevice('MQ-006')
    const client = await connect(device.token)
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    await t.db.kysely.updateTable('devices').set({ token_sha256: null }).where('id', '=', device.id).execute()
    await t.context.events.publish({ type: DEVICE_CHANGED, deviceId: device.id })
    await closed
    expect(await refusedConnect(device.token)).toMatch(/Not authorized/i)
    expect(await rows(device.id)).toEqual([])
  })

  it('lets a device publish only as itself: other topics close the connection and store nothing', async () => {
    const victim = await addDevice('MQ-007')
    const attacker = await addDevice('MQ-008')
    for (const topic of [`v1/devices/${victim.token}/telemetry`, `devices/${victim.token}/v1/devices/me/telemetry`, 'v1/gateway/telemetry']) {
      const client = await connect(attacker.token, { clientId: `victim-${victim.id}`.slice(0, 60) })
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
      client.publish(topic, JSON.stringify({ nh3: 99 }), { qos: 1 })
      await closed
    }
    // a subscription outside the device's own topics is refused too
    const client = await connect(attacker.token)
    // (mqtt.js turns the refusal, SUBACK 0x80, into an error)
    await expect(client.subscribeAsync('v1/devices/#')).rejects.toThrow(/Subscribe error/)
    await settled(client)
    expect(await rows(victim.id)).toEqual([])
    expect((await rows(attacker.id)).map((r) => r.values)).toEqual([{ humidity: 50 }])
  })

  it('passes what a device publishes to no other device, even one subscribed to the same topic', async () => {
    const listener = await connect((await addDevice('MQ-009')).token)
    const heard: string[] = []
    listener.on('message', (topic) => heard.push(topic))
    await listener.subscribeAsync('v1/devices/me/attributes')
    const talker = await connect((await addDevice('MQ-010')).token)
    await talker.publishAsync('v1/devices/me/attributes', JSON.stringify({ firmware: '9.9' }), { qos: 1 })
    await settled(talker)
    await settled(listener)
    expect(heard).toEqual([])
  })
})

describe('the broker thread dying', () => {
  it('is started again on the same port: health says down, then up; the device reconnects by itself and is heard', async () => {
    const device = await addDevice('MQ-RESTART')
    const client = await connect(device.token, { reconnectPeriod: 100 })
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ nh3: 1 }), { qos: 1 })
    expect(broker.status()).toMatchObject({ up: true, clients: expect.any(Number) })
    const reconnected = new Promise<void>((resolve) => client.once('connect', () => resolve()))

    await broker.thread().terminate() // as if the broker had thrown
    await expect.poll(() => restarts.length).toBe(1)
    expect(broker.status().up).toBe(false)
    expect(restarts).toEqual([expect.objectContaining({ restarts: 1, inMs: RESTART_FIRST_MS })])
    expect(restarts[0]!.error.message).toContain('exit code')

    await reconnected
    expect(broker.status()).toMatchObject({ up: true, detail: `mqtt://127.0.0.1:${broker.port} (restarted 1×)` })
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ nh3: 2 }), { qos: 1 })
    expect((await rows(device.id)).map((r) => r.values)).toEqual([{ nh3: 1 }, { nh3: 2 }])
  })
})

describe('HTTP device API', () => {
  it('stores telemetry posted with the token in the path and answers once it is committed', async () => {
    const device = await addDevice('HT-001')
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/${device.token}/telemetry`, payload: [{ ts: Date.now() - 5000, values: { nh3: 1 } }, { nh3: 2 }] })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ points: 2 })
    const { rows: found } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM telemetry WHERE device_id = ${device.id}`.execute(t.db.kysely)
    expect(found[0]?.n).toBe(2)

    const attributes = await t.app.inject({ method: 'POST', url: `/api/v1/${device.token}/attributes`, payload: { firmware: '3.0' } })
    expect(attributes.statusCode).toBe(200)
    expect((await counters(device.id)).attributes).toEqual({ firmware: '3.0' })
  })

  it('refuses a bad token with 401 and a malformed message with 400, in both languages, and counts it', async () => {
    const device = await addDevice('HT-002')
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/nobody/telemetry', payload: { nh3: 1 } })
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().error.code).toBe('INVALID_DEVICE_TOKEN')

    const malformed = await t.app.inject({ method: 'POST', url: `/api/v1/${device.token}/telemetry`, payload: { nh3: 'lots' }, headers: { 'accept-language': 'zh-CN' } })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().error).toMatchObject({ code: 'TELEMETRY_REJECTED', details: { reason: 'BAD_VALUE' } })
    expect(malformed.json().error.messages['zh-CN']).toContain('已拒收')
    expect(malformed.json().error.messages.en).toContain('refused')

    const notJson = await t.app.inject({ method: 'POST', url: `/api/v1/${device.token}/telemetry`, payload: '{nh3', headers: { 'content-type': 'application/json' } })
    expect(notJson.statusCode).toBe(400)
    expect(Number((await counters(device.id)).rejected_count)).toBe(1)
    expect(await rows(device.id)).toEqual([])
  })
})
