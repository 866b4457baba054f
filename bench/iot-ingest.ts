// Prints what device ingestion sustains, for the targets of the IoT issue: 10,000 device connections over MQTT to
// durable storage, in messages/s and values/s, with QoS 0 (target ≥ 30,000 messages/s of 5 values on native
// PostgreSQL) and QoS 1 (acknowledged after the commit); the server's memory with every device connected; and the two
// ceilings the figures are read against: the embedded broker passing messages from publishers to a subscriber with no
// storage, and PostgreSQL COPY of the same rows (psql) with no broker.
// Before the runs every device sends its first message, all at once (as after a restart of the server), and the time
// until they are stored is reported: what the server does once per device (its rules' state, its coming online) is
// then behind it, and the runs measure sustained ingest.
// The server runs as its own process (npm start's entry, src/server/main.ts) on a scratch database; the devices are
// raw MQTT 3.1.1 connections in a forked process, so neither shares the other's event loop.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/iot-ingest.ts
//      (without DATABASE_URL: embedded PGlite in a temporary directory)
// Knobs: BENCH_DEVICES (10000), BENCH_RATE (40000 messages/s offered with QoS 0), BENCH_SECONDS (10 per run),
//        BENCH_DISTRICT_RATE (10000: the devices once a second, for the rule latency at the district's own pace),
//        BENCH_QOS1_RATE (20000), BENCH_BROKER_RATES (30000,35000,…,80000: the bare broker's runs, until one falls behind),
//        BENCH_COPY_ROWS (1000000), BENCH_PARTS (qos0,district,qos1,broker,copy), BENCH_KEEP=1 (native: keep the scratch
//        database), BENCH_DUMP=<file> (appends each probe alarm: run, ms from the run's start to its message, its latency
//        in ms; tab-separated, to see when in a run the slow ones were).
import { fork, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { Cleanups, envInt, int, latencyFigures, mb, ms, printTable, scratchDatabase } from './lib.js'

const HOST = '127.0.0.1'
const FLAG = 'XIUHUA_BENCH_IOT_ROLE'
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TARGET = { qos0: 30_000, ruleP99: 200 }
const TOPIC = 'v1/devices/me/telemetry'

const devices = envInt('BENCH_DEVICES', 10_000)
const seconds = envInt('BENCH_SECONDS', 10)
const parts = new Set((process.env.BENCH_PARTS ?? 'qos0,district,qos1,broker,copy').split(','))
const tokenOf = (i: number) => `bench-${i}`
/** Gas detectors that cross their alarm line and back during the runs, for the rule latency. */
const PROBES = envInt('BENCH_PROBES', 50)

// ---------------------------------------------------------------------------------------------------------------
// MQTT 3.1.1 frames, encoded by hand: the devices are many and cheap, so no client library sits in the measurement

function remaining(length: number): number[] {
  const bytes: number[] = []
  do {
    let byte = length % 128
    length = Math.floor(length / 128)
    if (length > 0) byte |= 0x80
    bytes.push(byte)
  } while (length > 0)
  return bytes
}

const utf8 = (text: string) => {
  const bytes = Buffer.from(text)
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes])
}

function connectFrame(clientId: string, username: string | undefined): Buffer {
  const body = Buffer.concat([utf8('MQTT'), Buffer.from([4, username ? 0x82 : 0x02, 0, 120]), utf8(clientId), username ? utf8(username) : Buffer.alloc(0)])
  return Buffer.concat([Buffer.from([0x10, ...remaining(body.length)]), body])
}

function publishFrame(payload: Buffer, qos: 0 | 1, packetId = 0): Buffer {
  const topic = utf8(TOPIC)
  const id = qos ? Buffer.from([packetId >> 8, packetId & 0xff]) : Buffer.alloc(0)
  const length = topic.length + id.length + payload.length
  return Buffer.concat([Buffer.from([qos ? 0x32 : 0x30, ...remaining(length)]), topic, id, payload])
}

function subscribeFrame(topic: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, 1]), utf8(topic), Buffer.from([0])])
  return Buffer.concat([Buffer.from([0x82, ...remaining(body.length)]), body])
}

/** Five values, as a toilet air monitor sends them; a hundred variants used in turn. */
const PAYLOADS = Array.from({ length: 100 }, (_, i) => Buffer.from(JSON.stringify({
  nh3: +(0.5 + (i % 17) * 0.1).toFixed(2), h2s: +(0.05 + (i % 7) * 0.01).toFixed(3), temperature: 18 + (i % 12), humidity: 40 + (i % 40), occupancy: i % 6,
})))

// ---------------------------------------------------------------------------------------------------------------
// The devices (forked process): N connections, then runs at an offered rate with QoS 0 or QoS 1

interface DeviceRun {
  qos: 0 | 1
  rate: number
  ms: number
}
type ToDevices =
  | { kind: 'connect'; port: number; count: number; tokens: boolean }
  | { kind: 'probes'; port: number; count: number }
  | { kind: 'run'; run: DeviceRun }
  /** Every device's first message, all at once (as after a restart of the server): the runs then measure sustained ingest. */
  | { kind: 'first' }
  | { kind: 'close' }
type FromDevices =
  | { kind: 'connected'; ok: number; refused: number; ms: number }
  /** The last message of a run is written (before the wait for acknowledgements and alarms). */
  | { kind: 'sent'; sent: number }
  /** elapsedMs: the time spent sending; raises: how many probe messages went over their alarm line. */
  | { kind: 'ran'; sent: number; heldBack: number; acked: number; latencies: number[]; elapsedMs: number; raises: number }
  | { kind: 'probed'; ok: number }
  | { kind: 'firstSent'; sent: number }

async function devicesProcess() {
  /** The load devices: each socket with its QoS 1 messages awaiting PUBACK (packet id → sent at). */
  const conns: Array<{ socket: net.Socket; inflight: Map<number, number> }> = []
  let acked = 0
  let latencies: number[] = []
  const send = (message: FromDevices) => process.send?.(message)

  /** Connects a device; answers its connection once accepted. */
  function open(port: number, clientId: string, username: string | undefined): Promise<{ socket: net.Socket; inflight: Map<number, number> } | undefined> {
    const inflight = new Map<number, number>()
    return new Promise((resolve) => {
      const socket = net.connect({ host: HOST, port })
      socket.setNoDelay(true)
      let connected = false
      let buffer: Buffer = Buffer.alloc(0)
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk
        while (buffer.length >= 2) {
          const type = buffer[0]! >> 4
          const length = buffer[1]! // CONNACK and PUBACK are 2 bytes long
          if (buffer.length < 2 + length) break
          if (type === 2) {
            connected = buffer[3] === 0
            resolve(connected ? { socket, inflight } : undefined)
          } else if (type === 4) {
            const id = (buffer[2]! << 8) | buffer[3]!
            const sentAt = inflight.get(id)
            if (sentAt !== undefined) {
              inflight.delete(id)
              acked += 1
              latencies.push(performance.now() - sentAt)
            }
          }
          buffer = buffer.subarray(2 + length)
        }
      })
      socket.on('error', () => resolve(undefined))
      socket.on('close', () => {
        if (!connected) resolve(undefined)
      })
      socket.write(connectFrame(clientId, username))
    })
  }

  // the probes: gas detectors that cross their alarm line (lel > 10, no case) and back, every 800 ms, during a run
  const probes: net.Socket[] = []
  let probing: NodeJS.Timeout | undefined
  // each carries the time it is written (wall clock): the alarm it raises is raised at that time, so the bench reads
  // each alarm's latency from the alarm itself
  const lel = (value: number) => publishFrame(Buffer.from(JSON.stringify({ ts: Date.now(), values: { lel: value } })), 0)

  async function run({ qos, rate, ms: duration }: DeviceRun) {
    let phase = 0
    let raises = 0
    if (probes.length) {
      probing = setInterval(() => {
        phase += 1
        probes.forEach((socket, probe) => {
          // staggered, so the raises do not all land in one batch
          setTimeout(() => {
            if (phase % 4 === 1) {
              raises += 1
              socket.write(lel(12))
            } else if (phase % 4 === 3) socket.write(lel(0))
          }, (probe * 200) / probes.length)
        })
      }, 200)
    }
    acked = 0
    latencies = []
    let sent = 0
    let heldBack = 0
    let next = 0
    let packetId = 0
    const started = performance.now()
    const frames0 = PAYLOADS.map((p) => publishFrame(p, 0))
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - started
        if (elapsed >= duration) {
          clearInterval(tick)
          return resolve()
        }
        const due = Math.floor((rate * elapsed) / 1000) - sent - heldBack
        for (let n = 0; n < due; n++) {
          const i = next
          next = (next + 1) % conns.length
          const { socket, inflight } = conns[i]!
          // a device whose socket is backed up (the server is not reading) skips this message: counted, not queued
          if (socket.writableLength > 16 * 1024 || (qos === 1 && inflight.size >= 10)) {
            heldBack += 1
            continue
          }
          const payload = PAYLOADS[(sent + i) % PAYLOADS.length]!
          if (qos === 0) socket.write(frames0[(sent + i) % frames0.length]!)
          else {
            packetId = (packetId % 65535) + 1
            inflight.set(packetId, performance.now())
            socket.write(publishFrame(payload, 1, packetId))
          }
          sent += 1
        }
      }, 5)
    })
    if (probing) clearInterval(probing)
    const elapsedMs = performance.now() - started
    send({ kind: 'sent', sent })
    if (probes.length) {
      // every probe back under its line once the last staggered raise has gone, so the next run starts with no alarm open
      // (a probe left raised would make that run's first raise a repeat, heard of by no alarm.changed)
      await new Promise((r) => setTimeout(r, 250))
      for (const socket of probes) socket.write(lel(0))
    }
    // QoS 1: wait for the acknowledgements still due (up to 10 s)
    const waitUntil = performance.now() + 10_000
    while (qos === 1 && conns.some((c) => c.inflight.size) && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 20))
    // the alarms of the last raises come after the run's end
    await new Promise((r) => setTimeout(r, 1000))
    send({ kind: 'ran', sent, heldBack, acked, latencies: qos === 1 ? latencies : [], elapsedMs, raises })
  }

  process.on('message', (message: ToDevices) => {
    if (message.kind === 'connect') {
      void (async () => {
        const started = performance.now()
        let ok = 0
        let refused = 0
        // in waves, as a real fleet reconnects after an outage
        for (let from = 0; from < message.count; from += 500) {
          const wave = await Promise.all(Array.from({ length: Math.min(500, message.count - from) }, (_, k) => open(message.port, `bench-device-${from + k}`, message.tokens ? tokenOf(from + k) : undefined)))
          for (const conn of wave) {
            if (conn) conns.push(conn)
            if (conn) ok += 1
            else refused += 1
          }
        }
        send({ kind: 'connected', ok, refused, ms: performance.now() - started })
      })()
    } else if (message.kind === 'probes') {
      void (async () => {
        let ok = 0
        for (let i = 0; i < message.count; i++) {
          const conn = await open(message.port, `bench-probe-${i}`, `bench-probe-${i}`)
          if (conn) {
            probes.push(conn.socket)
            ok += 1
          }
        }
        send({ kind: 'probed', ok })
      })()
    } else if (message.kind === 'first') {
      conns.forEach(({ socket }, i) => socket.write(publishFrame(PAYLOADS[i % PAYLOADS.length]!, 0)))
      send({ kind: 'firstSent', sent: conns.length })
    } else if (message.kind === 'run') void run(message.run)
    else {
      for (const { socket } of conns) socket.destroy()
      for (const socket of probes) socket.destroy()
      process.exit(0)
    }
  })
}

// ---------------------------------------------------------------------------------------------------------------
// The orchestrator

/** The next message of this kind from the devices' process. */
function next<T extends FromDevices['kind']>(child: ChildProcess, kind: T): Promise<Extract<FromDevices, { kind: T }>> {
  return new Promise((resolve) => {
    const listener = (reply: FromDevices) => {
      if (reply.kind !== kind) return
      child.off('message', listener)
      resolve(reply as Extract<FromDevices, { kind: T }>)
    }
    child.on('message', listener)
  })
}

function ask<T extends FromDevices['kind']>(child: ChildProcess, message: ToDevices, answer: T): Promise<Extract<FromDevices, { kind: T }>> {
  const reply = next(child, answer)
  child.send(message)
  return reply
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Resident memory and CPU seconds of a process, from /proc. */
function usage(pid: number): { rss: number; cpu: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime, in clock ticks of 1/100 s
  const cpu = (Number(stat[11]) + Number(stat[12])) / 100
  return { rss, cpu }
}

async function startServer(env: Record<string, string>, cleanups: Cleanups): Promise<{ child: ChildProcess; mqttPort: number }> {
  const mqttPort = await freePort()
  // BENCH_SERVER_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops
  const profile = process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SERVER_PROFILE] : []
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT, env: { ...process.env, PORT: '0', MQTT_PORT: String(mqttPort), XIUHUA_DEMO: 'off', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
  })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const starting = (chunk: Buffer) => {
      out += chunk.toString()
      if (!out.includes('is running at')) return
      child.stdout!.off('data', starting)
      resolve()
    }
    child.stdout!.on('data', starting)
    child.once('exit', (code) => reject(new Error(`the server stopped (${code}): ${out}`)))
  })
  // then its warnings and errors (LOG_LEVEL=warn), so a run that went wrong on the server says so
  let rest = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.startsWith('{')) continue
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
        if ((entry.level ?? 0) >= 40) console.error(`server ${entry.level! >= 50 ? 'error' : 'warning'}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message})` : ''}`)
      } catch {
        // not a log entry
      }
    }
  })
  return { child, mqttPort }
}

async function main() {
  const cleanups = new Cleanups()
  const started = Date.now()
  try {
    const nativeUrl = process.env.DATABASE_URL
    const databaseUrl = nativeUrl ? await scratchDatabase(nativeUrl, cleanups, process.env.BENCH_KEEP === '1') : undefined
    const dataDir = databaseUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-iot-bench-'))
    if (dataDir) cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    console.log(`IoT ingestion bench — ${databaseUrl ? 'native PostgreSQL' : 'embedded PGlite'}, ${devices} devices, ${os.cpus().length} CPUs (server, database and devices share them)`)

    const rows: string[][] = [['run', 'offered/s', 'sent/s', 'stored msg/s', 'values/s', 'drain', 'ack p50', 'ack p99', 'server CPU', 'server RSS']]
    const notes: string[] = []

    if (parts.has('qos0') || parts.has('district') || parts.has('qos1')) {
      const { child: server, mqttPort } = await startServer(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir! }, cleanups)
      const db = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : undefined
      if (!db) throw new Error('the QoS runs read the stored rows over SQL: set DATABASE_URL (embedded PGlite has no second connection)')
      await db.connect()
      cleanups.push(() => db.end())
      const idle = usage(server.pid!)
      await db.query(`INSERT INTO devices (code, name, model_key, org_path, token_sha256, token_hint)
        SELECT 'BENCH-' || i, '压测设备 ' || i, 'toilet_air', '/', encode(sha256(convert_to('bench-' || i, 'UTF8')), 'hex'), 'benc'
        FROM generate_series(0, $1::int - 1) AS i`, [devices])
      await db.query(`INSERT INTO devices (code, name, model_key, org_path, token_sha256, token_hint)
        SELECT 'BENCH-PROBE-' || i, '压测探针 ' || i, 'gas_detector', '/', encode(sha256(convert_to('bench-probe-' || i, 'UTF8')), 'hex'), 'benc'
        FROM generate_series(0, $1::int - 1) AS i`, [PROBES])
      const probeIds = new Map((await db.query<{ id: string; code: string }>(`SELECT id, code FROM devices WHERE code LIKE 'BENCH-PROBE-%'`)).rows.map((r) => [r.id, Number(r.code.slice('BENCH-PROBE-'.length))]))
      // rule latency: from a probe's message over the line to the alarm.changed event every process hears (NOTIFY)
      /** When each probe alarm's alarm.changed (active) was heard (wall-clock ms), by alarm id. */
      const heard = new Map<string, number>()
      await db.query('LISTEN xiuhua_events')
      db.on('notification', (message) => {
        const event = JSON.parse(message.payload ?? '{}') as { type?: string; deviceId?: string; state?: string; alarmId?: string }
        if (event.type !== 'alarm.changed' || event.state !== 'active') return
        const probe = probeIds.get(event.deviceId ?? '')
        if (probe !== undefined && event.alarmId) heard.set(event.alarmId, Date.now())
      })
      const generator = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [FLAG]: 'devices' }, execArgv: ['--import', 'tsx'] })
      cleanups.push(async () => void generator.kill())
      const connected = await ask(generator, { kind: 'connect', port: mqttPort, count: devices, tokens: true }, 'connected')
      const probed = await ask(generator, { kind: 'probes', port: mqttPort, count: PROBES }, 'probed')
      const afterConnect = usage(server.pid!)
      // each device's first message, all at once: what the server does once per device (its rules, its state, its coming
      // online) is done before the runs, which measure sustained ingest; the time it took is reported on its own
      const countRows = () => db.query(`SELECT count(*) AS n FROM telemetry t JOIN devices d ON d.id = t.device_id WHERE d.model_key = 'toilet_air'`).then((r) => Number(r.rows[0].n))
      const firstStarted = Date.now()
      const first = await ask(generator, { kind: 'first' }, 'firstSent')
      let firstStored = 0
      while ((firstStored = await countRows()) < first.sent && Date.now() - firstStarted < 30_000) await new Promise((r) => setTimeout(r, 50))
      notes.push(`first messages: each device's first message, all ${int(first.sent)} at once (as after a restart), ${int(firstStored)} stored in ${((Date.now() - firstStarted) / 1000).toFixed(1)} s; the runs below start after them`)
      notes.push(`connections: ${int(connected.ok)} connected (${connected.refused} refused) in ${(connected.ms / 1000).toFixed(1)} s, and ${probed.ok} probes; server RSS ${mb(idle.rss)} before, ${mb(afterConnect.rss)} with every device connected`)

      const runs = ([
        ['qos0', 'QoS 0', 0, envInt('BENCH_RATE', 40_000)],
        // the district's own pace: each of its 10,000 devices once a second, a third of the stress rate above
        ['district', 'QoS 0, every device once a second', 0, envInt('BENCH_DISTRICT_RATE', devices)],
        ['qos1', 'QoS 1', 1, envInt('BENCH_QOS1_RATE', 20_000)],
      ] as const).filter(([part]) => parts.has(part))
      for (const [, label, qos, rate] of runs) {
        const before = await countRows()
        const cpuBefore = usage(server.pid!).cpu
        const t0 = Date.now()
        const sending = next(generator, 'sent')
        const running = ask(generator, { kind: 'run', run: { qos, rate, ms: seconds * 1000 } }, 'ran')
        const { sent } = await sending
        const sentAt = Date.now()
        const cpuRun = usage(server.pid!).cpu - cpuBefore
        const rssRun = usage(server.pid!).rss
        // then, from the last message written, wait until every accepted message is stored: the time that takes says
        // whether storage kept up (the devices meanwhile wait for acknowledgements and the probes' alarms)
        let stored = 0
        let doneAt = Date.now()
        // until every sent message is stored, or nothing more arrives for 2 s (QoS 0 may lose what a full server dropped)
        for (let last = -1; ; ) {
          // the rows counted were committed before the count began: that is when they are known to be stored
          const asked = Date.now()
          stored = (await countRows()) - before
          if (stored !== last) doneAt = asked
          if (stored >= sent || Date.now() - doneAt > 2000) break
          last = stored
          await new Promise((r) => setTimeout(r, 100))
        }
        const ran = await running
        // the slowest alarms may come after the devices' 1 s wait: a latency left out would make the p99 look better
        for (const until = Date.now() + 10_000; heard.size < ran.raises && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50))
        const drainMs = Math.max(0, doneAt - sentAt)
        const windowS = (doneAt - t0) / 1000
        const lat = latencyFigures(ran.latencies, ran.elapsedMs)
        // an alarm is raised at its message's time (the probe's clock, this machine's): heard minus raised is the whole way
        const alarms = (await db.query<{ id: string; raised_at: Date }>(`SELECT id, raised_at FROM alarms WHERE id = ANY($1::uuid[])`, [[...heard.keys()]])).rows
        const rule = latencyFigures(alarms.map((a) => heard.get(a.id)! - a.raised_at.getTime()), ran.elapsedMs)
        if (process.env.BENCH_DUMP) fs.appendFileSync(process.env.BENCH_DUMP, alarms.map((a) => `${label}\t${a.raised_at.getTime() - t0}\t${heard.get(a.id)! - a.raised_at.getTime()}\n`).join(''))
        heard.clear()
        if (rule.completed) notes.push(`rule latency during ${label} (${int(rate)}/s offered): ${rule.completed} alarms heard of for the probes' ${ran.raises} messages over the line, message → alarm.changed p50 ${ms(rule.p50)} ms, p99 ${ms(rule.p99)} ms (target p99 < ${TARGET.ruleP99} ms)`)
        rows.push([
          label, int(rate), int(ran.sent / (ran.elapsedMs / 1000)), int(stored / windowS), int((stored * 5) / windowS), `${(drainMs / 1000).toFixed(1)} s`,
          qos ? ms(lat.p50) : '—', qos ? ms(lat.p99) : '—', `${Math.round((cpuRun / (ran.elapsedMs / 1000)) * 100)} %`, mb(rssRun),
        ])
        notes.push(`${label}: ${int(ran.sent)} sent, ${int(ran.heldBack)} held back by the devices (socket backed up${qos ? ' or 10 unacknowledged' : ''}), ${int(stored)} stored${qos ? `, ${int(ran.acked)} acknowledged` : ''}; stored/s counts from the first message to the last row committed`)
      }
      generator.send({ kind: 'close' })
      server.kill('SIGTERM')
      await new Promise((r) => server.once('exit', r))
    }

    if (parts.has('broker')) rows.push(...(await brokerCeiling(cleanups, notes)))
    if (parts.has('copy') && databaseUrl) notes.push(await copyCeiling(databaseUrl))

    console.log()
    printTable(rows)
    console.log()
    for (const note of notes) console.log(`  ${note}`)
    console.log(`\n  target: QoS 0 ≥ ${int(TARGET.qos0)} messages/s of 5 values on native PostgreSQL. Took ${((Date.now() - started) / 1000).toFixed(0)} s.`)
  } finally {
    await cleanups.run()
  }
}

/**
 * The embedded broker alone (no hooks, no storage): the devices publish, one subscriber counts what arrives. Offered
 * more than it can pass on, the bare broker does not level off: its backlog grows and what it passes on falls to a few
 * thousand a second (seen here from 50,000/s offered). So it runs at rising rates, each on a broker of its own, and the
 * ceiling is the highest rate of which every message arrived within a second of the run's end.
 */
async function brokerCeiling(cleanups: Cleanups, notes: string[]): Promise<string[][]> {
  const rates = (process.env.BENCH_BROKER_RATES ?? '30000,35000,40000,45000,50000,60000,70000,80000').split(',').map(Number).filter((r) => r > 0)
  const runs: Array<{ rate: number; sent: number; got: number; deliveredPerS: number }> = []
  for (const rate of rates) {
    const run = await brokerRun(cleanups, rate)
    runs.push(run)
    if (run.got < run.sent) break // past the ceiling: higher rates only collapse further
  }
  const ceiling = runs.filter((r) => r.got >= r.sent).at(-1)
  const over = runs.find((r) => r.got < r.sent)
  notes.push(`broker alone, at rising rates until one fell behind: ${runs.map((r) => `${int(r.rate)}/s offered → ${int(r.got)} of ${int(r.sent)} delivered (${int(r.deliveredPerS)}/s)`).join('; ')}` +
    (ceiling ? `; ceiling ${int(ceiling.deliveredPerS)} messages/s${over ? ` (between ${int(ceiling.rate)} and ${int(over.rate)}/s offered)` : ' (no rate tried fell behind)'}` : '; every rate tried fell behind'))
  return runs.map((r) => ['broker only', int(r.rate), '', `${int(r.deliveredPerS)} delivered/s`, '', '', '', '', '', r.got >= r.sent ? 'all arrived' : `${int(r.sent - r.got)} not`])
}

/** One run of the bare broker at an offered rate: how many messages the subscriber got, at what rate (first to last). */
async function brokerRun(cleanups: Cleanups, rate: number): Promise<{ rate: number; sent: number; got: number; deliveredPerS: number }> {
  const broker = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [FLAG]: 'broker' }, execArgv: ['--import', 'tsx'] })
  cleanups.push(async () => void broker.kill())
  const port = await new Promise<number>((resolve) => broker.once('message', (m: { port: number }) => resolve(m.port)))
  let received = 0
  let firstAt = 0
  let lastAt = 0
  const subscriber = net.connect({ host: HOST, port })
  let pending: Buffer = Buffer.alloc(0)
  subscriber.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
    // count PUBLISH frames: walk the fixed headers
    let offset = 0
    for (;;) {
      if (pending.length - offset < 2) break
      let length = 0
      let multiplier = 1
      let i = offset + 1
      let byte: number
      do {
        if (i >= pending.length) return void (pending = pending.subarray(offset))
        byte = pending[i++]!
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
      } while (byte & 0x80)
      if (pending.length < i + length) break
      if (pending[offset]! >> 4 === 3) {
        received += 1
        lastAt = performance.now()
        firstAt ||= lastAt
      }
      offset = i + length
    }
    pending = pending.subarray(offset)
  })
  subscriber.write(connectFrame('bench-subscriber', undefined))
  subscriber.write(subscribeFrame('v1/#'))
  const generator = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [FLAG]: 'devices' }, execArgv: ['--import', 'tsx'] })
  cleanups.push(async () => void generator.kill())
  await ask(generator, { kind: 'connect', port, count: devices, tokens: false }, 'connected')
  // the run's own 1 s wait at its end is the second the messages get to arrive
  const ran = await ask(generator, { kind: 'run', run: { qos: 0, rate, ms: seconds * 1000 } }, 'ran')
  generator.kill()
  broker.kill()
  subscriber.destroy()
  return { rate, sent: ran.sent, got: received, deliveredPerS: received > 1 ? received / ((lastAt - firstAt) / 1000) : 0 }
}

/** PostgreSQL COPY of the same rows through psql into a table shaped like the telemetry history: the storage ceiling. */
async function copyCeiling(databaseUrl: string): Promise<string> {
  const count = envInt('BENCH_COPY_ROWS', 1_000_000)
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  await db.query('CREATE TABLE bench_copy (LIKE telemetry INCLUDING ALL)')
  const ids = (await db.query<{ id: string }>('SELECT id FROM devices LIMIT 10000')).rows.map((r) => r.id)
  if (ids.length === 0) ids.push('00000000-0000-0000-0000-000000000001')
  const base = Date.now()
  const lines: string[] = []
  for (let i = 0; i < count; i++) lines.push(`${ids[i % ids.length]}\t${new Date(base + i).toISOString()}\t${PAYLOADS[i % PAYLOADS.length]!.toString()}\t\\N\n`)
  const data = lines.join('')
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const psql = spawn('psql', [databaseUrl, '-q', '-c', 'COPY bench_copy (device_id, ts, values, flags) FROM STDIN'], { stdio: ['pipe', 'ignore', 'inherit'] })
    psql.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))))
    psql.stdin.end(data)
  })
  const elapsed = (performance.now() - started) / 1000
  await db.query('DROP TABLE bench_copy')
  await db.end()
  return `PostgreSQL COPY alone (psql, same rows, table with the history's index): ${int(count)} rows in ${elapsed.toFixed(2)} s = ${int(count / elapsed)} rows/s`
}

async function bareBroker() {
  const { startEmbeddedBroker } = await import('../src/server/platform/broker.js')
  const broker = await startEmbeddedBroker('any', HOST)
  process.send?.({ port: broker.port })
}

const role = process.env[FLAG]
if (role === 'devices') void devicesProcess()
else if (role === 'broker') void bareBroker()
else
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
