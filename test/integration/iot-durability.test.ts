// No loss under load (issue 5): the real server (`node --import tsx src/server/main.ts`, embedded broker, demo devices)
// takes QoS 1 telemetry from 20 devices at once; in the middle of the run it crashes (SIGKILL) and is started again on
// the same database while the devices reconnect and go on, then it is stopped (SIGTERM) in the middle of the load.
// Every message the server acknowledged (PUBACK) must then be in the telemetry table; duplicates are allowed (QoS 1 is
// at least once). Runs on the test template's demo database: PGlite on disk in a fresh DATA_DIR, or with DATABASE_URL a
// scratch native database.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import mqtt, { type MqttClient } from 'mqtt'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openDatabase } from '../../src/server/platform/db/engine.js'
import { demoDeviceToken } from '../../src/server/modules/iot/seed.js'
import { freePort } from '../mosquitto.js'

/** The demo devices that report: 14 manhole covers and 6 bins (modules/iot/seed.ts). */
const DEVICES = [
  ...Array.from({ length: 14 }, (_, i) => ({ code: `XZ-JG-${String(i + 1).padStart(3, '0')}`, values: { tilt: 2, battery: 90 } })),
  ...Array.from({ length: 6 }, (_, i) => ({ code: `XZ-LJ-${String(i + 1).padStart(3, '0')}`, values: { fill: 30 } })),
]
/** Messages each device has in flight at once. */
const WINDOW = 4
/** Acknowledged messages each part of the run waits for before the server is stopped. */
const PER_PART = 500

let dataDir: string
let databaseUrl: string | undefined
let dropDatabase: (() => Promise<void>) | undefined
let mqttPort: number
const servers = new Set<ChildProcess>()
const clients: MqttClient[] = []

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-durability-'))
  mqttPort = await freePort()
  const template = inject('templateDatabase')
  if (process.env.DATABASE_URL && template) {
    // named as the test clones are (xiuhua_t_<pid>_…), so a run that dies leaves nothing a later run keeps
    const name = `xiuhua_t_${process.pid}_durability_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    await admin.query(`create database ${name} template ${template}`)
    const url = new URL(process.env.DATABASE_URL)
    url.pathname = `/${name}`
    databaseUrl = url.toString()
    dropDatabase = async () => {
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  } else {
    // the seeded template written to disk where the server will find it (DATA_DIR/pgdata)
    const db = await openDatabase({ dataDir, loadDataDir: new Blob([await fs.readFile(inject('templateDump'))]) })
    await db.close()
  }
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
  for (const server of servers) server.kill('SIGKILL')
  await dropDatabase?.()
  await fs.rm(dataDir, { recursive: true, force: true })
})

interface Server {
  child: ChildProcess
  /** Settles with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  output: () => string
}

/** Starts the server on the test's database and MQTT port; resolves once it prints its banner. */
async function startServer(): Promise<Server> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', MQTT_PORT: String(mqttPort), XIUHUA_DEMO: 'on', LOG_LEVEL: 'warn', NODE_ENV: 'development',
  }
  delete env.MQTT_URL
  delete env.DATABASE_URL
  if (databaseUrl) env.DATABASE_URL = databaseUrl
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  servers.add(child)
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    servers.delete(child)
    resolve(code)
  }))
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (output.includes(`mqtt://127.0.0.1:${mqttPort}`)) resolve()
    })
    void exited.then(() => reject(new Error(`the server exited before it was up:\n${output}`)))
  })
  return { child, exited, output: () => output }
}

/** The load: every device publishes numbered QoS 1 messages, WINDOW at a time, until told to stop. */
class Load {
  private next = 0
  private running = true
  readonly sent = new Set<number>()
  readonly acked = new Set<number>()
  private readonly waiters: Array<{ count: number; resolve: () => void }> = []
  private readonly workers: Array<Promise<void>> = []

  async connect(): Promise<void> {
    for (const device of DEVICES) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        username: demoDeviceToken(device.code), clientId: `durability-${device.code}`, reconnectPeriod: 200, connectTimeout: 5000,
      })
      client.on('error', () => {}) // refused reconnects while the server is down
      clients.push(client)
      for (let i = 0; i < WINDOW; i++) this.workers.push(this.work(client, device.values))
    }
  }

  private async work(client: MqttClient, values: Record<string, number>): Promise<void> {
    while (this.running) {
      const seq = ++this.next
      this.sent.add(seq)
      try {
        // while the server is down the client holds the message and sends it again once reconnected
        await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ...values, seq }), { qos: 1 })
        this.acked.add(seq)
        for (const waiter of this.waiters.filter((w) => this.acked.size >= w.count)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }

  /** Resolves once `more` messages beyond those acknowledged so far are acknowledged. */
  more(more: number): Promise<void> {
    const count = this.acked.size + more
    return new Promise((resolve) => this.waiters.push({ count, resolve }))
  }

  /** No new messages; the devices hang up (what they still hold is never acknowledged). */
  async halt(): Promise<void> {
    this.running = false
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
  }
}

describe('QoS 1 telemetry across a crash and a stop of the server', { timeout: 120_000 }, () => {
  it('keeps every acknowledged message', async () => {
    let server = await startServer()
    const load = new Load()
    await load.connect()

    // a crash in the middle of the run: messages are in flight, batches uncommitted
    await load.more(PER_PART)
    server.child.kill('SIGKILL')
    expect(await server.exited).toBeNull()

    // started again on the same database: the devices reconnect and go on; then a graceful stop in the middle of the load
    server = await startServer()
    await load.more(PER_PART)
    server.child.kill('SIGTERM')
    expect(await server.exited, server.output()).toBe(0)
    await load.halt()

    const db = await openDatabase(databaseUrl ? { databaseUrl, poolSize: 1 } : { dataDir })
    try {
      const { rows } = await sql<{ seq: number }>`select (values->>'seq')::int as seq from telemetry where values ? 'seq'`.execute(db.kysely)
      const stored = new Set(rows.map((r) => r.seq))
      const lost = [...load.acked].filter((seq) => !stored.has(seq))
      expect(lost, `acknowledged but not stored (of ${load.acked.size})`).toEqual([])
      // nothing stored that was never sent
      expect([...stored].filter((seq) => !load.sent.has(seq))).toEqual([])
    } finally {
      await db.close()
    }
  })
})
