// Prints what the city management brain's dashboard queries cost at district scale (issue 6, part B): the command
// screen's summary (today's counts, closure rate, open cases by light and street, the overdue list, the newest), the
// trends, hot spots, top sources per street and the forecast, over 1,000,000 stored cases, as the district's leader
// (no scope filter) and as a street's staff (zhucheng: their street's cases). Target: p99 < 200 ms on native PostgreSQL.
// The million cases are made as bench/cases.ts makes them (one INSERT … SELECT over generate_series, ~10 k open, two
// years); the hot spots' copy of the reports is built from them (hotspot_rebuild, 0017: the load runs without triggers),
// then VACUUM (ANALYZE). Each route is asked BENCH_REQUESTS times in turn through the app (fastify.inject: the
// route, its SQL and its serialisation, no network), after a warm-up; p50/p99/max are of those requests.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/brain.ts
//      (native: a scratch database xiuhua_bench_<random> is created from that URL and dropped at the end)
//      npx tsx bench/brain.ts   (embedded PGlite in memory; BENCH_CASES defaults to 100,000 there)
// Knobs: BENCH_CASES (1,000,000), BENCH_OPEN (10,000), BENCH_REQUESTS (60 per route and user), BENCH_EXPLAIN=1 (print
//        the plan of each analytics statement once), BENCH_TIME_LIMIT_S (1200), BENCH_KEEP=1, LOG_LEVEL (warn),
//        BENCH_DB=xiuhua_bench_… (native: measure a scratch database kept by an earlier BENCH_KEEP=1 run again, without
//        loading; it is migrated first, so a new migration is measured on the same cases).
import os from 'node:os'
import { sql } from 'kysely'
import pino from 'pino'
import { buildApp } from '../src/server/app.js'
import { loadConfig } from '../src/server/config.js'
import { closeContext, createContext } from '../src/server/context.js'
import { DEFAULT_DEMO_PASSWORD, ensureBuiltinRoles, isEmpty, seedDemo } from '../src/server/demo/seed.js'
import { openDatabase } from '../src/server/platform/db/engine.js'
import { migrate } from '../src/server/platform/db/migrate.js'
import { Cleanups, envInt, int, ms, percentile, printTable, scratchDatabase } from './lib.js'
import { loadCases } from './case-load.js'

const adminUrl = process.env.DATABASE_URL?.trim() || undefined
const native = Boolean(adminUrl)
const CASES = process.env.BENCH_CASES === '0' ? 0 : envInt('BENCH_CASES', native ? 1_000_000 : 100_000)
const OPEN = Math.min(CASES, envInt('BENCH_OPEN', 10_000))
const REQUESTS = envInt('BENCH_REQUESTS', 60)
const EXPLAIN = process.env.BENCH_EXPLAIN === '1'
const TARGET_P99 = 200
const KEPT = process.env.BENCH_DB?.trim() || undefined
const cleanups = new Cleanups()
cleanups.guard(envInt('BENCH_TIME_LIMIT_S', 1200) * 1000)

/** The URL of a kept scratch database (only those the bench made: never the database `url` names). */
function keptDatabase(url: string, name: string): string {
  if (!/^xiuhua_bench_[0-9a-f]+$/.test(name)) throw new Error(`BENCH_DB must name a kept scratch database (xiuhua_bench_…), not ${name}`)
  const kept = new URL(url)
  kept.pathname = `/${name}`
  return kept.toString()
}

// ---------------------------------------------------------------------------------------------------------------

console.log(`City management brain bench — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
console.log(`engine: ${native ? 'native PostgreSQL' : 'embedded PGlite in memory'}; ${int(CASES)} cases (${int(OPEN)} open); ${REQUESTS} requests per route and user\n`)

const log = pino({ level: process.env.LOG_LEVEL?.trim() || 'warn' }, pino.destination(2))
try {
  const databaseUrl = adminUrl ? (KEPT ? keptDatabase(adminUrl, KEPT) : await scratchDatabase(adminUrl, cleanups, process.env.BENCH_KEEP === '1')) : undefined
  const db = await openDatabase({ databaseUrl })
  cleanups.push(() => db.close())
  await migrate(db)
  await ensureBuiltinRoles(db)
  if (await isEmpty(db)) await seedDemo(db, DEFAULT_DEMO_PASSWORD)
  if (KEPT) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from cases`.execute(db.kysely)
    await sql`vacuum (analyze) hotspot_reports`.execute(db.kysely)
    console.log(`reusing ${KEPT}: ${int(Number(rows[0]!.n))} cases`)
  } else if (CASES > 0) {
    const loadStart = performance.now()
    await loadCases(db, CASES, OPEN)
    const loadMs = performance.now() - loadStart
    // the load inserts with triggers off: the hot spots' copy of the reports (0017) is built once from all of them
    const rebuildStart = performance.now()
    const { rows } = await sql<{ counted: number }>`select hotspot_rebuild() as counted`.execute(db.kysely)
    const rebuildMs = performance.now() - rebuildStart
    const vacuumStart = performance.now()
    await sql`vacuum (analyze) cases`.execute(db.kysely)
    await sql`vacuum (analyze) hotspot_reports`.execute(db.kysely)
    console.log(`loaded ${int(CASES)} cases in ${(loadMs / 1000).toFixed(1)} s, the hot spots' ${int(Number(rows[0]!.counted))} reports built in ${(rebuildMs / 1000).toFixed(1)} s, VACUUM (ANALYZE) in ${((performance.now() - vacuumStart) / 1000).toFixed(1)} s`)
  }
  const config = loadConfig({ XIUHUA_DEMO: 'on', PORT: '0', MQTT_PORT: '0', DATABASE_URL: databaseUrl ?? 'memory://' })
  const context = await createContext(config, db, log)
  cleanups.push(() => closeContext(context))
  const app = await buildApp(context, { logger: log })
  cleanups.push(() => app.close())
  await app.ready()

  const login = async (username: string) => {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEFAULT_DEMO_PASSWORD } })
    if (response.statusCode !== 200) throw new Error(`login ${username}: ${response.statusCode} ${response.body}`)
    return (response.json() as { token: string }).token
  }
  const users = { leader: await login('leader'), zhucheng: await login('zhucheng') }
  const routes: Array<[string, string]> = [
    ['summary (today, closure rate, lights, streets, overdue 20, newest 10)', '/api/analytics/summary'],
    ['trends: 30 days by class, daily', '/api/analytics/trends?by=class&interval=day'],
    ['trends: 30 days by street, daily', '/api/analytics/trends?by=street&interval=day'],
    ['trends: 13 weeks by source, weekly', '/api/analytics/trends?by=source&interval=week'],
    ['hot spots: 30 days (the command screen), top 8 + heat', `/api/analytics/hotspots?limit=8&from=${new Date(Date.now() + 8 * 3600_000 - 29 * 86_400_000).toISOString().slice(0, 10)}`],
    ['hot spots: 90 days (the analysis page), top 30 + heat', '/api/analytics/hotspots'],
    ['top sources per street: 30 days', '/api/analytics/street-sources'],
    ['forecast: 182 days history, 28 ahead, 4-week backtest', '/api/analytics/forecast'],
  ]
  const rows: string[][] = [['user', 'route', 'p50 ms', 'p99 ms', 'max ms', `p99 < ${TARGET_P99} ms`]]
  for (const [user, token] of Object.entries(users)) {
    for (const [name, url] of routes) {
      const ask = async () => {
        const started = performance.now()
        const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
        if (response.statusCode !== 200) throw new Error(`${url} as ${user}: ${response.statusCode} ${response.body.slice(0, 300)}`)
        return performance.now() - started
      }
      for (let i = 0; i < 3; i++) await ask()
      const times: number[] = []
      for (let i = 0; i < REQUESTS; i++) times.push(await ask())
      times.sort((a, b) => a - b)
      const p99 = percentile(times, 0.99)
      rows.push([user, name, ms(percentile(times, 0.5)), ms(p99), ms(times.at(-1)!), url.includes('forecast') ? '(not a target)' : p99 < TARGET_P99 ? 'yes' : 'NO'])
      console.log(`${user.padEnd(9)} ${name}: p50 ${ms(percentile(times, 0.5))} ms, p99 ${ms(p99)} ms`)
    }
  }
  console.log('')
  printTable(rows)
  if (EXPLAIN) {
    const summary = await app.inject({ method: 'GET', url: '/api/analytics/summary', headers: { authorization: `Bearer ${users.leader}` } })
    console.log(`\nsummary as the leader: ${summary.body.slice(0, 400)}…`)
    const { rows: plan } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) select count(*) from cases where closed_at >= now() - interval '1 day'`.execute(db.kysely)
    console.log(plan.map((r) => r['QUERY PLAN']).join('\n'))
  }
} finally {
  await cleanups.run()
}
