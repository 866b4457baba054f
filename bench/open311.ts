// Prints what Open311 GeoReport v2 costs, for the targets of the citizen-service issue: request creation as 311 clients
// send it (POST /open311/v2/requests.json, form-encoded, no photos; ≥ 500 requests/s, p99 < 50 ms on native
// PostgreSQL), closed loop (how fast can it go) and open loop at the target rate (latency counted from when each request
// was due); then the searches and lookups over the requests made (GET requests.json / .xml, by id, by status and code).
// The clients run in a forked process on keep-alive connections, so they do not share the server's event loop.
// Run: npx tsx bench/open311.ts                      (embedded PGlite in memory)
//      DATABASE_URL=postgres://postgres@127.0.0.1/postgres npx tsx bench/open311.ts
//      (native: a scratch database xiuhua_bench_<random> is created from that URL and dropped at the end)
// Knobs: BENCH_CONNECTIONS (20 clients in the closed loop), BENCH_OPEN_CONNECTIONS (64 at most in the open loop, so that
//        the clients never hold back a request that is due), BENCH_CREATE_SECONDS (5 per run), BENCH_RATE (500 requests/s offered in the
//        open loop), BENCH_SECONDS (3 per search route), BENCH_SEARCH_CONNECTIONS (4), BENCH_TIME_LIMIT_S (600), BENCH_KEEP=1 (native: keep
//        the scratch database), LOG_LEVEL.
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type KyselyPlugin, sql } from 'kysely'
import pino from 'pino'
import { buildApp } from '../src/server/app.js'
import { loadConfig } from '../src/server/config.js'
import { closeContext, createContext } from '../src/server/context.js'
import { DEFAULT_DEMO_PASSWORD, ensureBuiltinRoles, isEmpty, seedDemo } from '../src/server/demo/seed.js'
import { AUDIT_SEAL_EVERY_MS, SYSTEM_ACTOR } from '../src/server/platform/audit.js'
import { openDatabase, type Db } from '../src/server/platform/db/engine.js'
import { migrate } from '../src/server/platform/db/migrate.js'
import { Cleanups, envInt, int, latencyFigures, type LatencyFigures, LoadClient, mb, ms, printTable, scratchDatabase, watchStalls } from './lib.js'

const HOST = '127.0.0.1'
const FLAG = 'XIUHUA_BENCH_OPEN311_CLIENT'
const TARGET = { rate: 500, p99: 50 }

interface Setup {
  port: number
  connections: number
  /** Form bodies, used in turn (each a different place, service and text). */
  bodies: string[]
}
interface Run {
  /** undefined: closed loop; a number: requests per second offered. */
  rate: number | undefined
  /** Connections used (at most the setup's). */
  connections: number
  durationMs: number
}
interface RunResult extends LatencyFigures {
  errors: number
  firstError: string | undefined
  missed: number
  ids: string[]
}

// ---------------------------------------------------------------------------------------------------------------
// The client side (forked): closed or open loops of form-encoded POSTs over one keep-alive connection per client

function post(agent: http.Agent, port: number, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const request = http.request({
      host: HOST, port, path: '/open311/v2/requests.json', method: 'POST', agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (c: Buffer) => chunks.push(c))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', () => resolve({ status: 0, text: 'response error' }))
    })
    request.on('error', (error) => resolve({ status: 0, text: String(error) }))
    request.end(body)
  })
}

async function runClients(setup: Setup, run: Run): Promise<RunResult> {
  const agents = Array.from({ length: Math.min(run.connections, setup.connections) }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }))
  const latencies: number[] = []
  const ids: string[] = []
  let errors = 0
  let firstError: string | undefined
  let n = 0
  let slot = 0
  let started = 0
  const start = performance.now()
  const deadline = start + run.durationMs
  const interval = run.rate ? 1000 / run.rate : 0
  const one = async (agent: http.Agent, due: number) => {
    const began = performance.now()
    const answer = await post(agent, setup.port, setup.bodies[n++ % setup.bodies.length]!)
    const end = performance.now()
    if (answer.status !== 200) {
      errors++
      firstError ??= `${answer.status} ${answer.text.slice(0, 300)}`
      return
    }
    if (ids.length < 5000) ids.push((JSON.parse(answer.text) as Array<{ service_request_id: string }>)[0]!.service_request_id)
    if (end <= deadline) latencies.push(end - Math.min(began, due))
  }
  await Promise.all(agents.map(async (agent) => {
    while (performance.now() < deadline) {
      if (!run.rate) {
        await one(agent, Infinity)
        continue
      }
      const due = start + slot++ * interval
      if (due >= deadline) return
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      started++
      await one(agent, due)
    }
  }))
  agents.forEach((a) => a.destroy())
  const missed = run.rate ? Math.max(0, Math.ceil(run.durationMs / interval) - started) : 0
  return { ...latencyFigures(latencies, run.durationMs), errors, firstError, missed, ids }
}

if (process.env[FLAG] === '1' && process.send) {
  let setup: Setup | undefined
  process.on('message', (call: { id: number; setup?: Setup; run?: Run }) => {
    if (call.setup) {
      setup = call.setup
      process.send!({ id: call.id })
      return
    }
    runClients(setup!, call.run!).then((value) => process.send!({ id: call.id, value }), (error: unknown) => process.send!({ id: call.id, error: String(error) }))
  })
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: true })
}

class Clients {
  private next = 0
  private readonly waiting = new Map<number, (reply: { value?: RunResult; error?: string }) => void>()
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: { id: number; value?: RunResult; error?: string }) => {
      this.waiting.get(reply.id)?.(reply)
      this.waiting.delete(reply.id)
    })
  }

  static async start(setup: Setup): Promise<Clients> {
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [FLAG]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`client exited (${code})`)))
    })
    const clients = new Clients(child)
    await clients.call({ setup })
    return clients
  }

  private call(message: { setup?: Setup; run?: Run }): Promise<RunResult | undefined> {
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => (reply.error === undefined ? resolve(reply.value) : reject(new Error(reply.error))))
      this.child.send({ id, ...message })
    })
  }

  async run(run: Run): Promise<RunResult> {
    return (await this.call({ run }))!
  }

  async close() {
    if (this.child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.disconnect()
    await exited
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The server side

/** Counts the statements the app sends and the time each kind takes (pool wait included). */
function recordStatements(db: Db) {
  let count = 0
  const started = new Map<unknown, { sql: string; at: number }>()
  let spent = new Map<string, { count: number; ms: number }>()
  const base = db.kysely
  // a precompiled statement's raw node keeps its fragments from run to run: its text is compiled once, not each time
  const texts = new WeakMap<object, string>()
  const text = (args: Parameters<NonNullable<KyselyPlugin['transformQuery']>>[0]) => {
    const key = args.node.kind === 'RawNode' ? args.node.sqlFragments : undefined
    const known = key && texts.get(key)
    if (known) return known
    const compiled = base.getExecutor().compileQuery(args.node, args.queryId).sql.replace(/\s+/g, ' ').slice(0, 100)
    if (key) texts.set(key, compiled)
    return compiled
  }
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count++
      if (started.size > 10_000) started.clear()
      started.set(args.queryId, { sql: text(args), at: performance.now() })
      return args.node
    },
    transformResult: async (args) => {
      const s = started.get(args.queryId)
      started.delete(args.queryId)
      if (s) {
        const e = spent.get(s.sql) ?? { count: 0, ms: 0 }
        e.count++
        e.ms += performance.now() - s.at
        spent.set(s.sql, e)
      }
      return args.result
    },
  }
  db.kysely = db.kysely.withPlugin(plugin)
  return {
    count: () => count,
    statements: () => {
      const list = [...spent].map(([text, e]) => ({ text, ...e })).sort((a, b) => b.ms - a.ms)
      spent = new Map()
      return list
    },
  }
}

if (process.env[FLAG] !== '1') {
  const native = Boolean(process.env.DATABASE_URL?.trim())
  const CONNECTIONS = envInt('BENCH_CONNECTIONS', 20)
  // an open loop's requests arrive whatever the answers before: enough connections that the clients never hold one back
  const OPEN_CONNECTIONS = envInt('BENCH_OPEN_CONNECTIONS', 64)
  const CREATE_SECONDS = envInt('BENCH_CREATE_SECONDS', 5)
  const RATE = envInt('BENCH_RATE', TARGET.rate)
  const SECONDS = envInt('BENCH_SECONDS', 3)
  const SEARCH_CONNECTIONS = envInt('BENCH_SEARCH_CONNECTIONS', 4)
  const cleanups = new Cleanups()
  cleanups.guard(envInt('BENCH_TIME_LIMIT_S', 600) * 1000)
  const memory = () => {
    const m = process.memoryUsage()
    return `server rss ${mb(m.rss)}, heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}`
  }
  console.log(`Open311 bench — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log(`engine: ${native ? 'native PostgreSQL' : 'embedded PGlite in memory'}; ${CONNECTIONS} client connections in the closed loop, up to ${OPEN_CONNECTIONS} in the open loop, ${CREATE_SECONDS} s per creation run\n`)
  try {
    const log = pino({ level: process.env.LOG_LEVEL?.trim() || 'warn' }, pino.destination(2))
    const databaseUrl = native ? await scratchDatabase(process.env.DATABASE_URL!.trim(), cleanups, process.env.BENCH_KEEP === '1') : undefined
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-bench-'))
    cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }))
    const db = await openDatabase({ databaseUrl })
    cleanups.push(() => db.close())
    await migrate(db)
    await ensureBuiltinRoles(db)
    if (await isEmpty(db)) await seedDemo(db, DEFAULT_DEMO_PASSWORD)
    const config = loadConfig({ XIUHUA_DEMO: 'on', HOST, PORT: '0', MQTT_PORT: '0', DATABASE_URL: databaseUrl ?? 'memory://', DATA_DIR: dataDir })
    const context = await createContext(config, db, log)
    cleanups.push(() => closeContext(context))
    const recorder = recordStatements(db)
    const app = await buildApp(context, { logger: log })
    // the server's own time for each creation (from the request's arrival to its answer), beside what the clients see
    let inServerMs: number[] = []
    app.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST') inServerMs.push(reply.elapsedTime)
    })
    cleanups.push(() => app.close())
    await app.listen({ host: HOST, port: 0 })
    const port = (app.server.address() as { port: number }).port
    // the jobs run as in main.ts: the audit log is sealed about every second while the requests come in
    context.jobs.start(AUDIT_SEAL_EVERY_MS)

    // a client key allowed well above the offered rate (the demo key's limit is 6,000 a minute)
    const key = (await context.open311.keys.create(SYSTEM_ACTOR, { name: 'bench', requestsPerMinute: 100_000 })).key
    const points = await sql<{ lng: number; lat: number }>`
      select st_x(p) as lng, st_y(p) as lat from (select (st_dump(st_generatepoints(geom, 1, 7))).geom as p from grid_cells order by code) s`.execute(db.kysely)
    const services = (await context.citizen.catalogue()).map((t) => ({ code: t.serviceCode, attribute: t.attributes.find((a) => a.required) }))
    const bodies = points.rows.map((p, i) => {
      const s = services[i % services.length]!
      const fields: Array<[string, string]> = [
        ['api_key', key], ['service_code', s.code], ['lat', p.lat.toFixed(6)], ['long', p.lng.toFixed(6)],
        ['description', `路边问题，请处理（bench ${i}）`], ['email', `citizen${i}@example.cn`], ['device_id', `device-${i}`],
      ]
      if (s.attribute) fields.push([`attribute[${s.attribute.code}]`, s.attribute.values?.[0]?.key ?? '1'])
      return fields.map(([k, v]) => `${k.replace(/[^\w[\]]/g, encodeURIComponent)}=${encodeURIComponent(v)}`).join('&')
    })
    const clients = await Clients.start({ port, connections: Math.max(CONNECTIONS, OPEN_CONNECTIONS), bodies })
    cleanups.push(() => clients.close())
    console.log(`server on http://${HOST}:${port}; ${bodies.length} different request bodies over ${services.length} services; ${memory()}`)

    await clients.run({ rate: undefined, connections: CONNECTIONS, durationMs: 1000 }) // warm-up
    const summary = [['part', 'run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'not started', 'server CPU/req', 'queries/req', 'target', '']]
    const ids: string[] = []
    const profiles: string[] = []
    const stalls: string[] = []
    for (const [name, run] of [['create, closed loop', { rate: undefined, connections: CONNECTIONS, durationMs: CREATE_SECONDS * 1000 }], [`create, ${RATE}/s offered`, { rate: RATE, connections: OPEN_CONNECTIONS, durationMs: CREATE_SECONDS * 1000 }]] as Array<[string, Run]>) {
      const cpu0 = process.cpuUsage()
      const q0 = recorder.count()
      recorder.statements()
      // where a slow request's time may have gone: the server's event loop held up, its GC pauses, PostgreSQL's checkpoints
      const stalled = watchStalls()
      const checkpoints = async () => Number((await sql<{ n: number }>`select (checkpoints_timed + checkpoints_req)::int as n from pg_stat_bgwriter`.execute(db.kysely)).rows[0]!.n)
      const checkpoints0 = native ? await checkpoints() : 0
      inServerMs = []
      const r = await clients.run(run)
      const inServer = latencyFigures(inServerMs, 0)
      const watched = stalled.stop()
      const cpu = process.cpuUsage(cpu0)
      stalls.push(`  ${name}: in the server (arrival to answer) p50 ${ms(inServer.p50)} ms, p99 ${ms(inServer.p99)} ms, max ${ms(inServer.max)} ms; ${watched}${native ? `; PostgreSQL checkpoints ${(await checkpoints()) - checkpoints0}` : ''}`)
      const served = Math.max(1, r.completed)
      ids.push(...r.ids)
      const pass = r.errors === 0 && r.missed === 0 && r.rps >= TARGET.rate * 0.97 && r.p99 < TARGET.p99
      summary.push(['create', name, int(r.rps), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), String(r.errors), String(r.missed),
        `${int((cpu.user + cpu.system) / served)} µs`, ((recorder.count() - q0) / served).toFixed(1), `≥ ${TARGET.rate}/s, p99 < ${TARGET.p99} ms`, run.rate ? (pass ? 'PASS' : 'FAIL') : 'for information'])
      if (r.firstError) console.log(`  ${name}: first error ${r.firstError}`)
      profiles.push(`  ${name}: statement time per request (pool wait included), costliest first`)
      for (const st of recorder.statements().slice(0, 8)) profiles.push(`    ${(st.ms / served).toFixed(2).padStart(6)} ms  ×${(st.count / served).toFixed(2)}  ${st.text}`)
    }
    const total = Number((await sql<{ n: number }>`select count(*)::int as n from citizen_reports`.execute(db.kysely)).rows[0]!.n)
    console.log(`${int(total)} requests made; ${memory()}`)

    // searches and lookups over what was made
    const someIds = ids.filter((_, i) => i % 97 === 0).slice(0, 20)
    const routes: Array<[string, string[]]> = [
      ['GET requests.json (90 days, 1000 newest)', ['/open311/v2/requests.json']],
      ['GET requests.xml (90 days, 1000 newest)', ['/open311/v2/requests.xml']],
      ['GET requests.json?status=open&service_code', [`/open311/v2/requests.json?status=open&service_code=${services[0]!.code}`]],
      ['GET requests.json?service_request_id=20 ids', [`/open311/v2/requests.json?service_request_id=${someIds.join(',')}`]],
      ['GET requests/{id}.json', ids.slice(0, 200).map((id) => `/open311/v2/requests/${id}.json`)],
      ['GET services.json', ['/open311/v2/services.json']],
    ]
    const load = await LoadClient.start({ host: HOST, port, headers: { accept: '*/*' }, connections: SEARCH_CONNECTIONS, client: 'raw' }, true)
    cleanups.push(() => load.close())
    for (const [name, paths] of routes) {
      await load.phase({ key: 'warm', paths, durationMs: 300 })
      await load.collect('warm')
      const cpu0 = process.cpuUsage()
      const q0 = recorder.count()
      const { answered } = await load.phase({ key: name, paths, durationMs: SECONDS * 1000 })
      const cpu = process.cpuUsage(cpu0)
      const r = await load.collect(name)
      const served = Math.max(1, answered)
      summary.push(['search', `${name} (${SEARCH_CONNECTIONS} conn.)`, int(r.rps), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), String(r.errors), '',
        `${int((cpu.user + cpu.system) / served)} µs`, ((recorder.count() - q0) / served).toFixed(1), '', 'for information'])
    }
    console.log(`\nresult — ${native ? 'native PostgreSQL' : 'embedded PGlite in memory'}; ${memory()}`)
    printTable(summary, (line) => console.log(`  ${line}`))
    console.log('')
    for (const line of [...stalls, ...profiles]) console.log(line)
  } finally {
    await cleanups.run()
  }
}
