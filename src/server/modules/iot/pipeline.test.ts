// The whole IoT pipeline as staff see it, over each carrier a device may use — the embedded MQTT broker, an external
// Mosquitto (MQTT_URL; where one is installed) and the HTTP device API: a device registered through the staff API sends
// timestamped readings; they are stored with the latest values beside them, and each kind of built-in rule (threshold
// with hysteresis, sustained, rate of change, offline) raises its alarm once and clears it once around its line, with
// the repeats of a value hovering there counted rather than flapping; an alarm that files a case does so with the rule's
// class at the device, and the case is noted when the alarm clears. Readings carry their own `ts`, so no test waits for
// a rule's time; the tests wait for the pipeline's own flush and idle promises.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, pointInCells, type Point, type TestApp } from '../../../../test/helpers.js'
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../../../../test/mosquitto.js'
import { type Broker, connectExternalBroker } from '../../platform/broker.js'
import { startBrokerThread } from './ingest/broker-thread.js'
import { consumeExternal } from './ingest/mqtt.js'
import { markOffline } from './rules/offline.js'

type Values = Record<string, number | boolean>

/** How readings reach the server. */
interface Carrier {
  name: string
  /** In the codes of its devices. */
  code: string
  /** Connects a device by its token; answers its sender of messages (in order), settling once the carrier acknowledged them. */
  open(token: string): Promise<(messages: Array<{ ts: number; values: Values }>) => Promise<void>>
}

let t: TestApp
let admin: string
let zhucheng: Point
let embedded: Broker & { port: number }
let mosquitto: Mosquitto | undefined
let external: Broker | undefined
const clients: MqttClient[] = []

/** Readings the pipeline handed to the rules, per device, and who waits for how many. */
const arrived = new Map<string, number>()
const waiting: Array<{ deviceId: string; count: number; resolve: () => void }> = []

beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
  zhucheng = await pointInCells(t.db, '420117001')
  t.context.telemetry.onReading((reading) => {
    const count = (arrived.get(reading.device.id) ?? 0) + 1
    arrived.set(reading.device.id, count)
    for (const waiter of waiting.filter((w) => w.deviceId === reading.device.id && w.count <= count)) {
      waiting.splice(waiting.indexOf(waiter), 1)
      waiter.resolve()
    }
  })
  embedded = await startBrokerThread('any', '127.0.0.1', t.context.telemetry, t.context.devices)
  if (MOSQUITTO) {
    mosquitto = await startMosquitto()
    external = await connectExternalBroker(mosquitto.serverUrl, (client) => consumeExternal(client, t.context.telemetry, t.context.devices))
    expect(external.status()).toMatchObject({ up: true })
  }
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
  await external?.close()
  await mosquitto?.stop()
  await embedded?.close()
  await t?.close()
})

/** A device client of an MQTT broker, publishing a burst of QoS 1 messages (in order, acknowledged each). */
async function mqttSender(port: number, token: string, topic: string) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: token, reconnectPeriod: 0, connectTimeout: 5000 })
  clients.push(client)
  return async (messages: Array<{ ts: number; values: Values }>) => {
    await Promise.all(messages.map((message) => client.publishAsync(topic, JSON.stringify(message), { qos: 1 })))
  }
}

const CARRIERS: Carrier[] = [
  { name: 'the embedded MQTT broker', code: 'EMB', open: (token) => mqttSender(embedded.port, token, 'v1/devices/me/telemetry') },
  ...(MOSQUITTO ? [{ name: 'an external Mosquitto (MQTT_URL)', code: 'EXT', open: (token: string) => mqttSender(mosquitto!.port, token, `devices/${token}/v1/devices/me/telemetry`) }] : []),
  {
    name: 'the HTTP device API',
    code: 'HTTP',
    open: async (token) => async (messages) => {
      for (const message of messages) {
        const response = await t.app.inject({ method: 'POST', url: `/api/v1/${token}/telemetry`, payload: message })
        expect(response.statusCode, response.body).toBe(200)
      }
    },
  },
]

async function ok(method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await t.app.inject({ method, url, headers: bearer(admin), ...(payload ? { payload } : {}) })
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(200)
  return response.json()
}

interface Alarm {
  id: string
  state: string
  severity: string
  raisedAt: string
  clearedAt: string | null
  clearReason: string | null
  repeats: number
  caseId: string | null
  caseTicket: string | null
  rule: { name: string }
}

describe.each(CARRIERS)('through $name', (carrier) => {
  let seq = 0
  /** Message timestamps: a minute apart, from three hours ago (well inside the retention, never in the future). */
  let clock = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000

  interface Device {
    id: string
    code: string
    lng: number
    lat: number
    /** Sends readings a minute apart; resolves once the server has stored them and run them through the rules. */
    send(...readings: Values[]): Promise<number[]>
    /** Sends messages with the timestamps given (a device's buffered readings), as `send` does. */
    sendAt(...messages: Array<{ ts: number; values: Values }>): Promise<void>
  }

  /** A device registered by the admin through the staff API, talking over this carrier with the token answered. */
  async function device(modelKey: string): Promise<Device> {
    const code = `PL-${carrier.code}-${++seq}`
    const { device, token } = await ok('POST', '/api/iot/devices', { code, name: `流水线测试 ${code}`, modelKey, lng: zhucheng.lng, lat: zhucheng.lat })
    const send = await carrier.open(token)
    let sent = 0
    const sendAt = async (...messages: Array<{ ts: number; values: Values }>) => {
      sent += messages.length
      const all = new Promise<void>((resolve) => ((arrived.get(device.id) ?? 0) >= sent ? resolve() : waiting.push({ deviceId: device.id, count: sent, resolve })))
      await send(messages)
      await all
      await t.context.telemetry.writer.flush()
      await t.context.alarms.idle()
    }
    return {
      id: device.id, code, lng: device.lng, lat: device.lat, sendAt,
      async send(...readings) {
        const messages = readings.map((values) => ({ ts: (clock += 60_000), values }))
        await sendAt(...messages)
        return messages.map((m) => m.ts)
      },
    }
  }

  const alarmsOf = async (d: Device, rule: string): Promise<Alarm[]> =>
    ((await ok('GET', `/api/iot/alarms?deviceId=${d.id}&pageSize=100`)).items as Alarm[]).filter((a) => a.rule.name === rule)
  const iso = (ms: number) => new Date(ms).toISOString()

  it('stores the readings with their timestamps and keeps the latest value of every key, whatever order they come in', async () => {
    const bin = await device('bin_fill')
    const [first, second] = await bin.send({ fill: 40, temperature: 21 }, { fill: 45 })
    const latest = { fill: { v: 45, ts: second, q: 0 }, temperature: { v: 21, ts: first, q: 0 } }
    const detail = await ok('GET', `/api/iot/devices/${bin.id}`)
    expect(detail).toMatchObject({ state: 'online', latest, latestAt: iso(second!) })
    expect(detail.lastSeen).toEqual(expect.any(String))

    // a reading the device held back and sends late (after the latest values were written) is stored but is no latest
    const late = first! - 30_000
    await bin.sendAt({ ts: late, values: { fill: 50, temperature: 25 } })
    expect(await ok('GET', `/api/iot/devices/${bin.id}`)).toMatchObject({ latest, latestAt: iso(second!) })
    const series = await ok('GET', `/api/iot/devices/${bin.id}/telemetry?key=fill&from=${iso(late - 60_000)}&to=${iso(second! + 60_000)}`)
    expect(series).toMatchObject({ key: 'fill', unit: '%', bucketSeconds: 0, points: [[late, 50, 50, 50], [first, 40, 40, 40], [second, 45, 45, 45]] })
  })

  it('a threshold with hysteresis: raised once, repeats counted while the value hovers at the line, cleared once past the clear line; its case is filed and noted', async () => {
    const bin = await device('bin_fill') // 垃圾满溢: fill above 90, clears at 70 or below; files an event case 0108
    const [, raisedTs] = await bin.send({ fill: 85 }, { fill: 91 }, { fill: 89.9 }, { fill: 90.5 }, { fill: 75 }, { fill: 95 }, { fill: 71 })
    let [alarm, ...more] = await alarmsOf(bin, '垃圾满溢')
    expect(more).toEqual([])
    expect(alarm).toMatchObject({ state: 'active', severity: 'major', raisedAt: iso(raisedTs!), repeats: 2, clearedAt: null, caseId: expect.any(String), caseTicket: expect.any(String) })
    expect(await alarmsOf(bin, '桶内高温')).toEqual([])

    const filed = await ok('GET', `/api/cases/${alarm!.caseId}`)
    expect(filed).toMatchObject({ ticket: alarm!.caseTicket, source: 'sensor', classKind: 'event', classCode: '0108', state: 'reported', position: [bin.lng, bin.lat], streetName: '邾城街道' })
    expect(filed.description).toContain(alarm!.id)
    expect(filed.description).toContain(bin.code)
    expect(filed.timeline.filter((e: { kind: string }) => e.kind === 'note')).toEqual([])

    const [clearedTs] = await bin.send({ fill: 70 }, { fill: 85 }, { fill: 89 }, { fill: 90 })
    ;[alarm, ...more] = await alarmsOf(bin, '垃圾满溢')
    expect(more).toEqual([])
    expect(alarm).toMatchObject({ state: 'cleared', clearReason: 'auto', clearedAt: iso(clearedTs!), repeats: 2 })
    const noted = await ok('GET', `/api/cases/${alarm!.caseId}`)
    const notes = noted.timeline.filter((e: { kind: string }) => e.kind === 'note')
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ role: 'sensor', detail: { alarmId: alarm!.id, alarmCleared: 'auto' } })
    expect(notes[0].comment).toContain('自动解除')
  })

  it('a sustained value: raised once it held for the rule\'s time by the readings\' clocks, a break starting the wait anew; cleared once', async () => {
    const toilet = await device('toilet_air') // 氨气超标: nh3 above 5 for 300 s, clears at 3 or below
    await toilet.send({ nh3: 6 }, { nh3: 6 }, { nh3: 6 }, { nh3: 4.5 }, { nh3: 6 }, { nh3: 6 }, { nh3: 6 }, { nh3: 6 }, { nh3: 6 })
    expect(await alarmsOf(toilet, '氨气超标')).toEqual([])
    const [raisedTs] = await toilet.send({ nh3: 6 }, { nh3: 5.5 }, { nh3: 4 }, { nh3: 3.5 })
    expect(await alarmsOf(toilet, '氨气超标')).toMatchObject([{ state: 'active', raisedAt: iso(raisedTs!), repeats: 1, caseId: expect.any(String) }])
    const [clearedTs] = await toilet.send({ nh3: 3 }, { nh3: 6 }, { nh3: 6 })
    expect(await alarmsOf(toilet, '氨气超标')).toMatchObject([{ state: 'cleared', clearReason: 'auto', clearedAt: iso(clearedTs!), repeats: 1 }])
  })

  it('a rate of change: raised once the value moved by the rule\'s change within its window, cleared once it stayed level for a whole window', async () => {
    const underpass = await device('underpass_water') // 积水快速上涨: water_level changed by 10 within 600 s
    const [, , raisedTs] = await underpass.send({ water_level: 0 }, { water_level: 2 }, { water_level: 11 })
    expect(await alarmsOf(underpass, '积水快速上涨')).toMatchObject([{ state: 'active', severity: 'major', raisedAt: iso(raisedTs!), repeats: 0 }])
    // level at 11: the first reading (0) stays in the window for eight more readings, each a repeat; the window is level
    // (within half the change) at the tenth
    const level = await underpass.send(...Array.from({ length: 10 }, () => ({ water_level: 11 })))
    expect(await alarmsOf(underpass, '积水快速上涨')).toMatchObject([{ state: 'cleared', clearReason: 'auto', clearedAt: iso(level[9]!), repeats: 8 }])
    await underpass.send({ water_level: 14 }, { water_level: 10 }, { water_level: 13 })
    expect(await alarmsOf(underpass, '积水快速上涨')).toHaveLength(1)
    // never above 15: the flooding rule of the same key stays quiet
    expect(await alarmsOf(underpass, '通道积水')).toEqual([])
  })

  it('offline: a silent device is marked offline with one alarm by the offline job, and the alarm clears when it speaks again', async () => {
    const toilet = await device('toilet_air') // reports every 60 s; offline after 5 intervals
    await toilet.send({ nh3: 1 })
    const { lastSeen } = await ok('GET', `/api/iot/devices/${toilet.id}`)
    const silentSince = new Date(lastSeen as string).getTime()

    expect(await markOffline(t.db, t.context.events, t.context.alarms, new Date(silentSince + 300_000 - 1000))).not.toContain(toilet.id)
    await t.context.alarms.idle()
    expect(await alarmsOf(toilet, '设备离线')).toEqual([])

    const now = silentSince + 300_000
    expect(await markOffline(t.db, t.context.events, t.context.alarms, new Date(now))).toContain(toilet.id)
    await t.context.alarms.idle()
    expect(await ok('GET', `/api/iot/devices/${toilet.id}`)).toMatchObject({ state: 'offline', alarms: { open: 1, worst: 'minor' } })
    expect(await alarmsOf(toilet, '设备离线')).toMatchObject([{ state: 'active', severity: 'minor', raisedAt: iso(now), caseId: null }])

    // the next rounds raise nothing new
    await markOffline(t.db, t.context.events, t.context.alarms, new Date(now + 30_000))
    await t.context.alarms.idle()
    expect(await alarmsOf(toilet, '设备离线')).toHaveLength(1)

    await toilet.send({ nh3: 1.2 })
    expect(await alarmsOf(toilet, '设备离线')).toMatchObject([{ state: 'cleared', clearReason: 'auto' }])
  })
})

describe('a burst through the embedded broker', () => {
  it('takes 1,500 messages sent at once whole and in order: stored every one, and the rules saw them in the order sent', async () => {
    const code = 'PL-BURST-1'
    const { device, token } = await ok('POST', '/api/iot/devices', { code, name: `流水线测试 ${code}`, modelKey: 'bin_fill', lng: zhucheng.lng, lat: zhucheng.lat })
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${embedded.port}`, { username: token, reconnectPeriod: 0, connectTimeout: 5000 })
    clients.push(client)
    // 垃圾满溢 (fill above 90, clears at 70 or below): over the line at message 700, back under at 1,200; taken out of
    // order, the alarm would be raised or cleared at another message, or left open
    const start = Math.floor((Date.now() - 2 * 3600_000) / 1000) * 1000
    const fill = (i: number) => (i === 700 ? 95 : i > 700 && i < 1200 ? 80 : i === 1200 ? 60 : 50)
    const arrivedBefore = arrived.get(device.id) ?? 0
    const all = new Promise<void>((resolve) => waiting.push({ deviceId: device.id, count: arrivedBefore + 1500, resolve }))
    for (let i = 0; i < 1500; i++) client.publish('v1/devices/me/telemetry', JSON.stringify({ ts: start + i * 1000, values: { fill: fill(i) } }), { qos: 0 })
    await all
    await t.context.telemetry.writer.flush()
    await t.context.alarms.idle()

    const stored = await t.db.kysely.selectFrom('telemetry').select((eb) => eb.fn.countAll<string>().as('n')).where('device_id', '=', device.id).executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(1500)
    const alarms = ((await ok('GET', `/api/iot/alarms?deviceId=${device.id}&pageSize=100`)).items as Alarm[]).filter((a) => a.rule.name === '垃圾满溢')
    expect(alarms).toMatchObject([{ state: 'cleared', clearReason: 'auto', raisedAt: new Date(start + 700_000).toISOString(), clearedAt: new Date(start + 1_200_000).toISOString() }])
  })
})
