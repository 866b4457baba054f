// Prints what authentication costs on a read route: an authenticated route doing one indexed query against a bare public
// route doing the same query, under 50 keep-alive connections, measured in the same run so the ratio holds on a noisy
// machine. Target: authenticated ≥ 65 % of the bare route's req/s, and its p99 < 20 ms.
// Run: npx tsx bench/auth-read.ts            (embedded PGlite in memory)
//      DATABASE_URL=postgres://postgres@127.0.0.1/postgres npx tsx bench/auth-read.ts
//      (native: a scratch database xiuhua_bench_<random> is created from that URL and dropped at the end)
// Each round gives bare and auth BENCH_SECONDS of load each, in 250 ms slices alternating bare, auth, auth, bare, … so both
// see the same background noise; the median round (by auth/bare ratio) is the result.
// Knobs: BENCH_SECONDS (8) per route per round, BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50),
//        BENCH_SLICE_MS (250), BENCH_CLIENT=raw|http (raw), BENCH_IN_PROCESS=1 (load loops on the server's event loop),
//        BENCH_AA=1 (A/A check: the auth slot loads the bare route too, to see the method's own noise), LOG_LEVEL (warn).
import os from 'node:os'
import type { KyselyPlugin } from 'kysely'
import pino from 'pino'
import { buildApp } from '../src/server/app.js'
import { loadConfig } from '../src/server/config.js'
import { closeContext, createContext, type Context } from '../src/server/context.js'
import { DEFAULT_DEMO_PASSWORD, ensureBuiltinRoles, isEmpty, seedDemo } from '../src/server/demo/seed.js'
import { openDatabase, type Db } from '../src/server/platform/db/engine.js'
import { migrate } from '../src/server/platform/db/migrate.js'
import type { App } from '../src/server/platform/http.js'
import { Cleanups, type ClientKind, envInt, int, LoadClient, type LoadResult, mb, median, ms, printTable, scratchDatabase } from './lib.js'

const HOST = '127.0.0.1'
const SECONDS = envInt('BENCH_SECONDS', 8)
const ROUNDS = envInt('BENCH_ROUNDS', 3)
const WARMUP_SECONDS = envInt('BENCH_WARMUP_SECONDS', 2)
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 50)
const SLICE_MS = envInt('BENCH_SLICE_MS', 250)
const CLIENT: ClientKind = process.env.BENCH_CLIENT === 'http' ? 'http' : 'raw'
const FORKED = process.env.BENCH_IN_PROCESS !== '1'
const AA = process.env.BENCH_AA === '1'
const TARGET_RATIO = 0.65
const TARGET_P99_MS = 20
const TIME_LIMIT_MS = 175_000

const benchStart = performance.now()
const adminUrl = process.env.DATABASE_URL?.trim() || undefined
const engineLabel = adminUrl ? 'native PostgreSQL' : 'embedded PGlite in memory'
const plannedS = WARMUP_SECONDS + SECONDS * (2 * ROUNDS + 2)
if (plannedS > 140) {
  console.error(`✖ planned load time ${plannedS} s would not fit the 3-minute bound; lower BENCH_SECONDS or BENCH_ROUNDS`)
  process.exit(1)
}

const cleanups = new Cleanups()
cleanups.guard(TIME_LIMIT_MS)

/** Counts the statements the app sends (a pass-through Kysely plugin), to show how many queries each request costs. */
function countQueries(db: Db): () => number {
  let queries = 0
  const counter: KyselyPlugin = {
    transformQuery: (args) => {
      queries++
      return args.node
    },
    transformResult: async (args) => args.result,
  }
  db.kysely = db.kysely.withPlugin(counter)
  return () => queries
}

/** The two bench-only routes: the same single indexed query, one public, one behind the global session check. */
function benchRoutes(app: App, context: Context) {
  const oneUnit = (id: string) => context.db.kysely.selectFrom('org_units').select(['id', 'code', 'name']).where('id', '=', id).executeTakeFirst()
  app.get<{ Params: { id: string } }>('/bench/bare/:id', { config: { public: true } }, async (request, reply) => (await oneUnit(request.params.id)) ?? reply.code(404).send())
  app.get<{ Params: { id: string } }>('/bench/auth/:id', async (request, reply) => (await oneUnit(request.params.id)) ?? reply.code(404).send())
}

const machineTimes = () =>
  os.cpus().reduce((t, { times: c }) => ({ busy: t.busy + c.user + c.nice + c.sys + c.irq, all: t.all + c.user + c.nice + c.sys + c.irq + c.idle }), { busy: 0, all: 0 })

/** What the server side saw during one key's phases: its own CPU, the machine's, and the statements sent. */
interface Tally {
  cpuMicros: number
  busy: number
  all: number
  queries: number
  /** Responses the server sent, including those drained after each slice's window. */
  answered: number
}

interface Round {
  route: string
  round: number
  result: LoadResult
  serverCpuUsPerReq: number
  machineBusy: number
  queriesPerReq: number
}

// ---------------------------------------------------------------------------------------------------------------

console.log(`Auth read bench — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
console.log(`engine: ${engineLabel}`)
console.log(
  `load:   ${CONNECTIONS} keep-alive connections, ${CLIENT === 'raw' ? 'minimal HTTP/1.1 client on net sockets' : 'node:http Agent({ keepAlive: true })'}, ` +
    `${FORKED ? 'in a forked client process (the server keeps its event loop to itself)' : 'in the server process (shares its event loop)'}`,
)
console.log(
  `plan:   warm-up ${WARMUP_SECONDS} s; ${ROUNDS} rounds of ${SECONDS} s bare + ${SECONDS} s auth in ${SLICE_MS} ms slices (bare, auth, auth, bare, …); ` +
    `then ${SECONDS} s each on two product routes${AA ? '\nA/A:    BENCH_AA=1, the auth slot loads the bare route too' : ''}\n`,
)

const log = pino({ level: process.env.LOG_LEVEL?.trim() || 'warn' }, pino.destination(2))
const startedAt = performance.now()
const databaseUrl = adminUrl ? await scratchDatabase(adminUrl, cleanups) : undefined
const db = await openDatabase({ databaseUrl })
cleanups.push(() => db.close())
await migrate(db)
await ensureBuiltinRoles(db)
if (await isEmpty(db)) await seedDemo(db, DEFAULT_DEMO_PASSWORD)
const config = loadConfig({ XIUHUA_DEMO: 'on', HOST, PORT: '0', MQTT_PORT: '0', DATABASE_URL: databaseUrl ?? 'memory://' })
const context = await createContext(config, db, log)
cleanups.push(() => closeContext(context))
const queryCount = countQueries(db)
const app = await buildApp(context, { logger: log })
cleanups.push(() => app.close())
benchRoutes(app, context)
await app.listen({ host: HOST, port: 0 })
const port = (app.server.address() as { port: number }).port
const base = `http://${HOST}:${port}`
console.log(`server on ${base}, ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (migrate, demo seed, services; broker and jobs not started)`)

try {
  // Sign in, pick ids, and check each route answers as expected before loading it.
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: DEFAULT_DEMO_PASSWORD }) })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  const { token } = (await login.json()) as { token: string }
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' } // sent on every route, bare included
  const ids = (await db.kysely.selectFrom('org_units').select('id').orderBy('code').limit(64).execute()).map((r) => r.id)
  const routes: Record<string, string[]> = {
    bare: ids.map((id) => `/bench/bare/${id}`),
    auth: ids.map((id) => (AA ? `/bench/bare/${id}` : `/bench/auth/${id}`)),
    'GET /api/org/units/:id': ids.map((id) => `/api/org/units/${id}`),
    'GET /api/grid/cells?pageSize=1': ['/api/grid/cells?pageSize=1'],
  }
  for (const [name, paths] of Object.entries(routes)) {
    const ok = await fetch(base + paths[0]!, { headers })
    if (ok.status !== 200) throw new Error(`${name}: ${ok.status} ${await ok.text()}`)
  }
  const anonymous = await Promise.all([fetch(`${base}/bench/bare/${ids[0]}`), fetch(`${base}/bench/auth/${ids[0]}`)])
  if (anonymous[0]!.status !== 200 || anonymous[1]!.status !== 401) throw new Error(`without a token bare must answer 200 and auth 401, got ${anonymous.map((r) => r.status).join(' and ')}`)
  console.log(`checked: ${ids.length} unit ids; every route 200 with the bearer token; without it bare 200, auth 401\n`)

  const client = await LoadClient.start({ host: HOST, port, headers, connections: CONNECTIONS, client: CLIENT }, FORKED)
  cleanups.push(() => client.close())

  const tallies = new Map<string, Tally>()
  const phase = async (key: string, route: string, durationMs: number) => {
    const cpu0 = process.cpuUsage()
    const machine0 = machineTimes()
    const queries0 = queryCount()
    const { answered } = await client.phase({ key, paths: routes[route]!, durationMs })
    const cpu = process.cpuUsage(cpu0)
    const machine1 = machineTimes()
    const tally = tallies.get(key) ?? { cpuMicros: 0, busy: 0, all: 0, queries: 0, answered: 0 }
    tallies.set(key, tally)
    tally.cpuMicros += cpu.user + cpu.system
    tally.busy += machine1.busy - machine0.busy
    tally.all += machine1.all - machine0.all
    tally.queries += queryCount() - queries0
    tally.answered += answered
  }
  const rounds: Round[] = []
  const finish = async (route: string, round: number): Promise<Round> => {
    const key = `${route}#${round}`
    const result = await client.collect(key)
    const tally = tallies.get(key)!
    const served = Math.max(1, tally.answered)
    const entry: Round = {
      route,
      round,
      result,
      serverCpuUsPerReq: tally.cpuMicros / served,
      machineBusy: tally.busy / Math.max(1, tally.all),
      queriesPerReq: tally.queries / served,
    }
    rounds.push(entry)
    const r = result
    console.log(
      `  ${route.padEnd(30)} ${int(r.rps).padStart(7)} req/s  p50 ${ms(r.p50).padStart(6)} ms  p99 ${ms(r.p99).padStart(7)} ms  errors ${r.errors}` +
        `  server CPU ${int(entry.serverCpuUsPerReq).padStart(5)} µs/req  machine busy ${Math.round(entry.machineBusy * 100)} %`,
    )
    return entry
  }

  await phase('warm-up', 'bare', (WARMUP_SECONDS * 1000) / 2)
  await phase('warm-up', 'auth', (WARMUP_SECONDS * 1000) / 2)
  const warm = await client.collect('warm-up')
  console.log(`warm-up: ${int(warm.completed)} requests, ${warm.errors} errors`)

  const slices = Math.max(1, Math.round((SECONDS * 1000) / SLICE_MS))
  const sliceMs = (SECONDS * 1000) / slices
  const pairRatios: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (let slice = 0; slice < slices; slice++) {
      const order = slice % 2 === 0 ? ['bare', 'auth'] : ['auth', 'bare']
      for (const route of order) await phase(`${route}#${round}`, route, sliceMs)
    }
    console.log(`round ${round}/${ROUNDS}`)
    const bare = await finish('bare', round)
    const auth = await finish('auth', round)
    pairRatios.push(auth.result.rps / bare.result.rps)
    console.log(`  auth / bare                    ${(pairRatios.at(-1)! * 100).toFixed(1).padStart(7)} %`)
  }
  console.log('product routes, for information')
  for (const route of ['GET /api/org/units/:id', 'GET /api/grid/cells?pageSize=1']) {
    await phase(`${route}#1`, route, SECONDS * 1000)
    await finish(route, 1)
  }
  const memory = process.memoryUsage()

  // The median round: the one whose auth/bare ratio is the median (ROUNDS odd; the lower middle otherwise).
  const order = pairRatios.map((ratio, i) => ({ ratio, round: i + 1 })).sort((a, b) => a.ratio - b.ratio)
  const { ratio, round: medianRound } = order[Math.floor((order.length - 1) / 2)]!
  const of = (route: string, round: number) => rounds.find((r) => r.route === route && r.round === round)!
  const bare = of('bare', medianRound)
  const auth = of('auth', medianRound)

  console.log(`\nresult: median round (${medianRound} of ${ROUNDS}) — ${engineLabel}, ${CONNECTIONS} connections, ${SECONDS} s per route per round`)
  const table = [['route', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'server CPU/req', 'queries/req', 'every round req/s']]
  for (const [route, round] of [['bare', medianRound], ['auth', medianRound], ['GET /api/org/units/:id', 1], ['GET /api/grid/cells?pageSize=1', 1]] as const) {
    const m = of(route, round)
    const all = rounds.filter((r) => r.route === route).map((r) => int(r.result.rps))
    table.push([AA && route === 'auth' ? 'auth (A/A: bare)' : route, int(m.result.rps), ms(m.result.p50), ms(m.result.p99), ms(m.result.max), String(m.result.errors), `${int(m.serverCpuUsPerReq)} µs`, m.queriesPerReq.toFixed(2), all.join(' / ')])
  }
  printTable(table)

  const ratioOk = ratio >= TARGET_RATIO
  const p99Ok = auth.result.p99 < TARGET_P99_MS
  const errorsOk = auth.result.errors === 0 && bare.result.errors === 0
  console.log('')
  printTable([
    ['auth / bare req/s', `${(ratio * 100).toFixed(1)} %`, `target ≥ ${TARGET_RATIO * 100} %`, ratioOk ? 'PASS' : 'FAIL', `rounds ${pairRatios.map((r) => `${(r * 100).toFixed(0)} %`).join(' / ')}; median of each route's req/s: ${((median(rounds.filter((r) => r.route === 'auth').map((r) => r.result.rps)) / median(rounds.filter((r) => r.route === 'bare').map((r) => r.result.rps))) * 100).toFixed(0)} %`],
    ['auth p99', `${ms(auth.result.p99)} ms`, `target < ${TARGET_P99_MS} ms`, p99Ok ? 'PASS' : 'FAIL', `bare p99 ${ms(bare.result.p99)} ms in the same round`],
    ['errors (non-200)', String(auth.result.errors + bare.result.errors), 'target 0', errorsOk ? 'PASS' : 'FAIL', ''],
    [
      'auth cost, server CPU',
      `${int(auth.serverCpuUsPerReq - bare.serverCpuUsPerReq)} µs/req`,
      `CPU-bound ratio ${((bare.serverCpuUsPerReq / auth.serverCpuUsPerReq) * 100).toFixed(0)} %`,
      '',
      FORKED ? 'what the ratio would be if the server process\'s own CPU were the only limit' : '(in-process load: CPU includes the load loops)',
    ],
    ['server memory at end', `rss ${mb(memory.rss)}`, `heapUsed ${mb(memory.heapUsed)}`, `heapTotal ${mb(memory.heapTotal)}`, ''],
  ])
  // Closed-loop load: mean latency = connections / throughput, whatever the route does.
  const floorMs = (CONNECTIONS / auth.result.rps) * 1000
  if (!p99Ok && floorMs > TARGET_P99_MS / 2) {
    console.log(`\nnote: ${CONNECTIONS} closed-loop connections at ${int(auth.result.rps)} req/s make the mean latency ${floorMs.toFixed(1)} ms by Little's law; ` + `p99 < ${TARGET_P99_MS} ms needs well over ${int((CONNECTIONS / TARGET_P99_MS) * 1000)} req/s from the engine.`)
  }
  console.log(`\noverall ${ratioOk && p99Ok && errorsOk ? 'PASS' : 'FAIL'} — load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, total ${((performance.now() - benchStart) / 1000).toFixed(1)} s`)
} finally {
  await cleanups.run()
}
