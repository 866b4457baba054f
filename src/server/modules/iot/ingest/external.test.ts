// Device messages through an external broker (MQTT_URL): a real Mosquitto (test/mosquitto.ts) with the ACL that docs/iot.md
// asks operators for, so the broker keeps each device to its own topic and the server reads the token from it.
import mqtt, { type MqttClient } from 'mqtt'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.js'
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../../../../../test/mosquitto.js'
import { type Broker, connectExternalBroker } from '../../../platform/broker.js'
import { newToken, tokenHash } from '../registry.js'
import { consumeExternal } from './mqtt.js'

let t: TestApp
let mosquitto: Mosquitto | undefined
let broker: Broker
const clients: MqttClient[] = []

async function addDevice(code: string): Promise<{ id: string; token: string }> {
  const token = newToken()
  const row = await t.db.kysely.insertInto('devices').values({
    code, name: code, model_key: 'gas_detector', org_path: '/', token_sha256: tokenHash(token), token_hint: token.slice(0, 4),
  }).returning('id').executeTakeFirstOrThrow()
  return { id: row.id, token }
}

async function device(token: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto!.port}`, { username: token, reconnectPeriod: 0 })
  clients.push(client)
  return client
}

async function stored(deviceId: string): Promise<unknown[]> {
  await t.context.telemetry.writer.flush()
  const { rows } = await sql<{ values: unknown }>`SELECT values FROM telemetry WHERE device_id = ${deviceId} ORDER BY ts`.execute(t.db.kysely)
  return rows.map((r) => r.values)
}

/** Waits until a message from this device has reached the database (the server's QoS 1 round trip is its own). */
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25))
}

describe.skipIf(!MOSQUITTO)('MQTT through an external broker (Mosquitto)', () => {
  beforeAll(async () => {
    t = await createTestApp()
    mosquitto = await startMosquitto()
    broker = await connectExternalBroker(mosquitto.serverUrl, (client) => consumeExternal(client, t.context.telemetry, t.context.devices))
    expect(broker.status()).toMatchObject({ up: true })
  })

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
    await broker?.close()
    await mosquitto?.stop()
    await t?.close()
  })

  it('stores what a device publishes under its token, in every payload form', async () => {
    const gas = await addDevice('EXT-001')
    const client = await device(gas.token)
    await client.publishAsync(`devices/${gas.token}/v1/devices/me/telemetry`, JSON.stringify({ lel: 3 }), { qos: 1 })
    await client.publishAsync(`devices/${gas.token}/v1/devices/me/telemetry`, JSON.stringify([{ ts: Date.now() - 1000, values: { lel: 4 } }]), { qos: 1 })
    await until(async () => (await stored(gas.id)).length === 2)
    expect(await stored(gas.id)).toEqual([{ lel: 4 }, { lel: 3 }])
  })

  it('keeps a device to its own topic (the broker) and refuses unknown or revoked tokens (the server)', async () => {
    const victim = await addDevice('EXT-002')
    const attacker = await addDevice('EXT-003')
    const revoked = await addDevice('EXT-004')
    await t.db.kysely.updateTable('devices').set({ token_sha256: null }).where('id', '=', revoked.id).execute()

    const client = await device(attacker.token)
    await client.publishAsync(`devices/${victim.token}/v1/devices/me/telemetry`, JSON.stringify({ lel: 99 }), { qos: 1 })
    const ghost = await device(revoked.token)
    await ghost.publishAsync(`devices/${revoked.token}/v1/devices/me/telemetry`, JSON.stringify({ lel: 98 }), { qos: 1 })
    const stranger = await device('no-such-token')
    await stranger.publishAsync('devices/no-such-token/v1/devices/me/telemetry', JSON.stringify({ lel: 97 }), { qos: 1 })
    // then a message that does go through, from the attacker's own topic: everything before it has been handled
    await client.publishAsync(`devices/${attacker.token}/v1/devices/me/telemetry`, JSON.stringify({ lel: 1 }), { qos: 1 })
    await until(async () => (await stored(attacker.id)).length === 1)

    expect(await stored(attacker.id)).toEqual([{ lel: 1 }])
    expect(await stored(victim.id)).toEqual([])
    expect(await stored(revoked.id)).toEqual([])
  })

  it('counts a malformed message against its device and goes on', async () => {
    const gas = await addDevice('EXT-005')
    const client = await device(gas.token)
    await client.publishAsync(`devices/${gas.token}/v1/devices/me/telemetry`, 'not json', { qos: 1 })
    await client.publishAsync(`devices/${gas.token}/v1/devices/me/telemetry`, JSON.stringify({ lel: 2 }), { qos: 1 })
    await until(async () => (await stored(gas.id)).length === 1)
    expect(await stored(gas.id)).toEqual([{ lel: 2 }])
    await t.context.telemetry.writer.flush()
    const row = await t.db.kysely.selectFrom('devices').select(['rejected_count']).where('id', '=', gas.id).executeTakeFirstOrThrow()
    expect(Number(row.rejected_count)).toBe(1)
  })
})
