// Prints what the evaluation (综合考核) costs at district scale: computing one month's indicators for every disposal
// unit, street, community, grid cell, field supervisor, acceptor and dispatcher over 1,000,000 stored cases and their
// timeline (target < 2 s on native PostgreSQL), per family of subjects and in all, and the rankings route (a month and
// the one before). The cases and ~6 timeline steps each are made by INSERT … SELECT over generate_series (two years,
// spread over the demo's cells, classes and units; filed by the two acceptors and dispatched by the dispatcher, some
// of both late; some late, reworked, returned, extended, urged, cancelled after filing; ~10 k still open), then
// VACUUM (ANALYZE).
// Run: npx tsx bench/evaluation.ts                   (embedded PGlite in memory; BENCH_CASES defaults to 100,000 there)
//      DATABASE_URL=postgres://postgres@127.0.0.1/postgres npx tsx bench/evaluation.ts
//      (native: a scratch database xiuhua_bench_<random> is created from that URL and dropped at the end)
// Knobs: BENCH_CASES (1,000,000), BENCH_RUNS (5), BENCH_TIME_LIMIT_S (1800), BENCH_KEEP=1 (native: keep the database),
//        BENCH_REUSE_URL=postgres://…/xiuhua_bench_… (measure again on a kept database, without loading).
import os from 'node:os'
import { sql } from 'kysely'
import pino from 'pino'
import { loadConfig } from '../src/server/config.js'
import { closeContext, createContext } from '../src/server/context.js'
import { DEFAULT_DEMO_PASSWORD, ensureBuiltinRoles, isEmpty, seedDemo } from '../src/server/demo/seed.js'
import { DEFAULT_SETTINGS } from '../src/server/modules/evaluation/indicators.js'
import { monthPeriod } from '../src/server/modules/evaluation/period.js'
import * as repo from '../src/server/modules/evaluation/repository.js'
import { openDatabase, type Db } from '../src/server/platform/db/engine.js'
import { migrate } from '../src/server/platform/db/migrate.js'
import type { Principal } from '../src/server/platform/auth/principal.js'
import { Cleanups, envInt, int, median, ms, printTable, scratchDatabase } from './lib.js'

const adminUrl = process.env.DATABASE_URL?.trim() || undefined
const native = Boolean(adminUrl || process.env.BENCH_REUSE_URL?.trim())
const CASES = envInt('BENCH_CASES', native ? 1_000_000 : 100_000)
const RUNS = envInt('BENCH_RUNS', 5)
const TARGET_MS = 2000
const cleanups = new Cleanups()
cleanups.guard(envInt('BENCH_TIME_LIMIT_S', 1800) * 1000)
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`

/** The cases: closed ones over the last two years, the newest `open` still in a unit's hands. */
async function loadCases(db: Db, total: number, open: number) {
  const supervisor = await db.kysely.selectFrom('users').select('id').where('username', '=', 'supervisor').executeTakeFirstOrThrow()
  const staff = Object.fromEntries((await db.kysely.selectFrom('users').select(['id', 'username']).where('username', 'in', ['acceptor', 'shiftleader', 'dispatcher']).execute()).map((u) => [u.username, u.id]))
  await db.kysely.transaction().execute(async (trx) => {
    await sql`select setseed(0.2026)`.execute(trx)
    await sql`set local session_replication_role = replica`.execute(trx).catch(() => undefined)
    await sql`
      insert into cases (ticket, source, client_id, reported_by, class_kind, class_code, urgency, description, position, grid_cell_id, community_id,
        street_id, org_path, state, step_started_at, assigned_unit_id, assigned_unit_path, counters, created_at, due_at, disposal_deadline)
      with cells as (
        select (row_number() over (order by c.code))::int - 1 as i, c.id, c.community_id, c.org_path, cm.parent_id as street_id,
          ST_PointOnSurface(c.geom) as p from grid_cells c join org_units cm on cm.id = c.community_id
      ),
      classes as (select (row_number() over (order by kind, small_code))::int - 1 as i, kind, small_code from case_classes where active),
      units as (select (row_number() over (order by code))::int - 1 as i, id, path from org_units where kind in ('department', 'sub_unit', 'street', 'zone')),
      draws as (
        select g, g > ${total - open} as open, random() as r_cell, random() as r_class, random() as r_unit, random() as r_age, random() as r_source
        from generate_series(1, ${total}) g
      ),
      placed as (
        select d.*, c.id as cell_id, c.community_id, c.street_id, c.org_path, c.p, k.kind, k.small_code, u.id as unit_id, u.path as unit_path,
          case when d.open then now() - d.r_age * interval '10 days' else now() - interval '10 days' - d.r_age * interval '720 days' end as created_at
        from draws d
        join cells c on c.i = floor(d.r_cell * (select count(*) from cells))::int
        join classes k on k.i = floor(d.r_class * d.r_class * (select count(*) from classes))::int
        join units u on u.i = floor(d.r_unit * (select count(*) from units))::int
      )
      select 'BENCH-EVAL-' || g, case when r_source < 0.5 then 'supervisor' else 'hotline' end, 'bench-eval-' || g,
        case when r_source < 0.5 then ${supervisor.id}::uuid end, kind, small_code, 'normal', 'bench', p, cell_id, community_id, street_id, org_path,
        case when open then 'in_disposal' else 'closed' end, created_at, unit_id, unit_path, '{}'::jsonb, created_at,
        case when open then created_at + interval '74 hours' end, created_at + interval '74 hours'
      from placed order by created_at`.execute(trx)
    // ~6 steps a case: reported, filed, dispatched, (urged, extension, rework, return), disposal reported, checked, closed;
    // 1 % are cancelled after filing instead (wrongly filed); 5 % of filings and 8 % of dispatches run past their deadline
    await sql`
      insert into case_timeline (case_id, kind, action, at, actor_id, role, unit_id, from_state, to_state, photo_ids, detail, due_at, holder_unit_id)
      select c.id, s.kind, s.kind, s.at, s.actor, 'bench', null, s.from_state, 'bench', '{}', s.detail, s.due, s.holder
      from cases c
      -- per case (the reference to c makes the draws run for each row, not once)
      cross join lateral (select random() as r1, random() as r2, random() as r3 where c.id is not null) r
      cross join lateral (select r.r3 >= 0.09 and r.r3 < 0.10 and c.state = 'closed' as cancelled) x
      cross join lateral (values
        ('reported', c.created_at, null::uuid, 'reported', '{}'::jsonb, null::timestamptz, null::uuid, true),
        ('filed', c.created_at + interval '1 hour', case when r.r2 < 0.7 then ${staff.acceptor!}::uuid else ${staff.shiftleader!}::uuid end, 'reported', '{}',
          c.created_at + case when r.r1 < 0.05 then interval '50 minutes' else interval '2 hours' end, null, true),
        ('dispatched', c.created_at + interval '2 hours', ${staff.dispatcher!}::uuid, 'filed', jsonb_build_object('unitId', c.assigned_unit_id),
          c.created_at + case when r.r2 > 0.92 then interval '90 minutes' else interval '3 hours' end, null, not x.cancelled),
        ('cancelled', c.created_at + interval '3 hours', null, 'filed', '{}', null, null, x.cancelled),
        ('urged', c.created_at + interval '20 hours', null, 'in_disposal', '{}', null, c.assigned_unit_id, r.r3 < 0.03),
        ('extension_approved', c.created_at + interval '30 hours', null, 'in_disposal', '{}', c.created_at + interval '74 hours', c.assigned_unit_id, r.r3 >= 0.03 and r.r3 < 0.06),
        ('returned', c.created_at + interval '40 hours', null, 'in_disposal', '{}', c.created_at + interval '74 hours', c.assigned_unit_id, r.r3 >= 0.06 and r.r3 < 0.09),
        ('disposal_reported', c.created_at + interval '2 hours' + r.r1 * interval '90 hours', null, 'in_disposal', '{}', c.created_at + interval '74 hours', c.assigned_unit_id, c.state = 'closed' and not x.cancelled),
        ('reworked', c.created_at + interval '4 hours' + r.r1 * interval '90 hours', ${supervisor.id}::uuid, 'disposed', '{}', c.created_at + interval '5 hours' + r.r1 * interval '90 hours', c.assigned_unit_id, c.state = 'closed' and not x.cancelled and r.r2 < 0.05),
        ('check_passed', c.created_at + interval '6 hours' + r.r1 * interval '90 hours', ${supervisor.id}::uuid, 'disposed', '{}', c.created_at + interval '7 hours' + r.r1 * interval '90 hours' - r.r2 * interval '2 hours', c.assigned_unit_id, c.state = 'closed' and not x.cancelled),
        ('closed', c.created_at + interval '8 hours' + r.r1 * interval '90 hours', null, 'checked', '{}', null, c.assigned_unit_id, c.state = 'closed' and not x.cancelled)
      ) s(kind, at, actor, from_state, detail, due, holder, keep)
      where s.keep
      order by s.at`.execute(trx)
  })
}

console.log(`Evaluation bench — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
console.log(`engine: ${native ? 'native PostgreSQL' : 'embedded PGlite in memory'}; ${int(CASES)} cases; ${RUNS} runs each\n`)
const log = pino({ level: 'warn' }, pino.destination(2))
const reuse = process.env.BENCH_REUSE_URL?.trim() || undefined
const databaseUrl = reuse ?? (adminUrl ? await scratchDatabase(adminUrl, cleanups, process.env.BENCH_KEEP === '1') : undefined)
const db = await openDatabase({ databaseUrl })
cleanups.push(() => db.close())
if (!reuse) {
  await migrate(db)
  await ensureBuiltinRoles(db)
  if (await isEmpty(db)) await seedDemo(db, DEFAULT_DEMO_PASSWORD)
  const started = performance.now()
  await loadCases(db, CASES, Math.min(10_000, Math.floor(CASES / 100)))
  const loaded = seconds(started)
  const vacuum = performance.now()
  await sql`vacuum (analyze)`.execute(db.kysely)
  console.log(`loaded in ${loaded}, VACUUM (ANALYZE) in ${seconds(vacuum)}`)
}
const counts = await sql<{ cases: string; steps: string }>`select (select count(*) from cases) as cases, (select count(*) from case_timeline) as steps`.execute(db.kysely)
console.log(`${int(Number(counts.rows[0]!.cases))} cases and ${int(Number(counts.rows[0]!.steps))} timeline steps`)

const config = loadConfig({ XIUHUA_DEMO: 'on', MQTT_PORT: '0', DATABASE_URL: databaseUrl ?? 'memory://' })
const context = await createContext(config, db, log)
cleanups.push(() => closeContext(context))
const evaluation = context.evaluation

// the last full month (UTC+8) before the open cases: every step of it stored
const day = new Date(Date.now() + 8 * 3600_000 - 40 * 86400_000)
const period = monthPeriod(day.getUTCFullYear(), day.getUTCMonth() + 1)
const window: repo.Window = { from: period.from, to: period.to, now: new Date(), recurrenceDays: 30 }
const leader = await db.kysely.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.unit_id').select(['users.id', 'org_units.path', 'org_units.id as unit_id']).where('username', '=', 'leader').executeTakeFirstOrThrow()
const principal = { userId: leader.id, username: 'leader', displayName: 'leader', unitId: leader.unit_id, unitName: '', scopePath: leader.path, roles: ['leader'], permissions: new Set(), sessionKind: 'bearer', mustChangePassword: false, tokenHash: '', ip: null, userAgent: null } as unknown as Principal

async function time(label: string, work: () => Promise<unknown>): Promise<string[]> {
  await work() // warm: plans and caches
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    await work()
    times.push(performance.now() - t0)
  }
  return [label, ms(median(times)), ms(Math.max(...times))]
}

const all = await evaluation.computeAll(period, DEFAULT_SETTINGS)
const facts = (await repo.unitCounts(db.kysely, window)).reduce((s, r) => s + Number(r.n), 0)
const people = (rows: typeof all.acceptors) => rows.map((r) => `${r.name} ${r.indicators.filed ?? r.indicators.dispatched} (${r.composite})`).join(', ')
console.log(`month ${period.key}: ${all.units.length} units, ${all.streets.length} streets, ${all.communities.length} communities, ${all.cells.length} cells, ${all.supervisors.length} supervisors; ${int(facts)} unit facts`)
console.log(`acceptors: ${people(all.acceptors)}; dispatchers: ${people(all.dispatchers)}\n`)
const ALL = 'ALL subjects of the month (computeAll: the freeze)'
const rows = [
  ['what', 'median ms', 'max ms'],
  await time('units (one aggregate query)', () => repo.unitCounts(db.kysely, window)),
  await time('regions: streets, communities, cells (one query, grouping sets)', () => repo.regionCounts(db.kysely, window)),
  await time('supervisors (one aggregate query)', () => repo.supervisorCounts(db.kysely, window)),
  await time('acceptors (one aggregate query)', () => repo.staffCounts(db.kysely, 'acceptor', window)),
  await time('dispatchers (one aggregate query)', () => repo.staffCounts(db.kysely, 'dispatcher', window)),
  await time(ALL, () => evaluation.computeAll(period, DEFAULT_SETTINGS)),
  await time('GET rankings, units (the month and the one before)', () => evaluation.rankings(principal, 'units', period)),
  await time('GET rankings, cells (the month and the one before)', () => evaluation.rankings(principal, 'cells', period)),
]
printTable(rows)
const total = Number(rows.find((r) => r[0] === ALL)![1])
console.log(`\nall subjects of a month: ${ms(total)} ms (target < ${TARGET_MS} ms) ${total < TARGET_MS ? '✓' : '✗'}`)
await cleanups.run()
process.exit(0)
