// Prints point → grid cell lookup figures: the in-memory index against its ceiling, and the PostGIS query it must match.
// Run: npx tsx bench/grid-lookup.ts   (set DATABASE_URL to add native PostgreSQL; nothing is left in it)
import { randomUUID } from 'node:crypto'
import Flatbush from 'flatbush'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { generateDemoGeometry } from '../src/server/modules/org/demo-geometry.js'
import type { DemoGeometry } from '../src/server/modules/org/demo-geometry.js'
import demo from '../src/server/modules/org/seed/xinzhou-demo.json' with { type: 'json' }
import { openDatabase } from '../src/server/platform/db/engine.js'
import { migrate } from '../src/server/platform/db/migrate.js'
import { GridIndex, lookupCellSql } from '../src/server/platform/geo/grid-index.js'
import type { GridCellInput } from '../src/server/platform/geo/grid-index.js'

const LOOKUPS = 1_000_000
const SQL_LOOKUPS = 2_000
const SQL_WARM_UP = 200

type Row = [string, ...string[]]
const rows: Row[] = []
const report = (...cells: Row) => rows.push(cells)
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en')}/s`

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function demoCells(geometry: DemoGeometry): GridCellInput[] {
  return geometry.streets.flatMap((s) =>
    s.communities.flatMap((c) => c.cells.map((cell) => ({ id: cell.code, code: cell.code, geometry: [cell.polygon] }))),
  )
}

/** 5,000 cells of 100 m in a 50 × 100 block east of Zhucheng, with exactly shared lattice coordinates. */
function syntheticCells(): GridCellInput[] {
  const dx = 0.00105
  const dy = 0.0009
  const xs = Array.from({ length: 51 }, (_, i) => Math.round((114.9 + i * dx) * 1e7) / 1e7)
  const ys = Array.from({ length: 101 }, (_, j) => Math.round((30.75 + j * dy) * 1e7) / 1e7)
  const cells: GridCellInput[] = []
  for (let j = 0; j < 100; j++) {
    for (let i = 0; i < 50; i++) {
      const code = `420117999${String(Math.floor((j * 50 + i) / 500) + 1).padStart(3, '0')}${String(((j * 50 + i) % 500) + 1).padStart(3, '0')}`
      const [x0, x1, y0, y1] = [xs[i]!, xs[i + 1]!, ys[j]!, ys[j + 1]!]
      cells.push({ id: code, code, geometry: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] })
    }
  }
  return cells
}

/** Random points over the cells' box grown by 5 % a side, so some fall outside every cell. */
function randomPoints(cells: GridCellInput[], count: number, seed: number): Float64Array {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const cell of cells) {
    for (const [x, y] of (cell.geometry as number[][][])[0]!) {
      minX = Math.min(minX, x!)
      minY = Math.min(minY, y!)
      maxX = Math.max(maxX, x!)
      maxY = Math.max(maxY, y!)
    }
  }
  const [w, h] = [maxX - minX, maxY - minY]
  const rnd = mulberry32(seed)
  const points = new Float64Array(count * 2)
  for (let k = 0; k < count; k++) {
    points[2 * k] = minX - 0.05 * w + 1.1 * w * rnd()
    points[2 * k + 1] = minY - 0.05 * h + 1.1 * h * rnd()
  }
  return points
}

function benchIndex(label: string, cells: GridCellInput[]) {
  const start = performance.now()
  const index = GridIndex.build(cells, 1)
  const buildMs = performance.now() - start
  const points = randomPoints(cells, LOOKUPS, 42)
  const n = points.length / 2

  // Ceiling: the same flatbush search with no point-in-polygon test; floor: just reading the points.
  const tree = new Flatbush(cells.length)
  for (const cell of cells) {
    const ring = (cell.geometry as number[][][])[0]!
    const xs = ring.map((p) => p[0]!)
    const ys = ring.map((p) => p[1]!)
    tree.add(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys))
  }
  tree.finish()

  const run = (fn: (x: number, y: number) => number) => {
    let sink = 0
    for (let k = 0; k < 50_000; k++) sink += fn(points[2 * k]!, points[2 * k + 1]!) // warm-up
    const t0 = performance.now()
    for (let k = 0; k < n; k++) sink += fn(points[2 * k]!, points[2 * k + 1]!)
    return { ms: performance.now() - t0, sink }
  }
  const found = run((x, y) => (index.lookup(x, y) === null ? 0 : 1))
  const ceiling = run((x, y) => tree.search(x, y, x, y).length)
  const loop = run((x, y) => (x > y ? 1 : 0))
  report(`index ${label}`, `${cells.length.toLocaleString('en')} cells`, `build ${buildMs.toFixed(0)} ms`, `hit ${((found.sink / (n + 50_000)) * 100).toFixed(0)} %`)
  report('  GridIndex.lookup', rate(n, found.ms), `${((found.ms / n) * 1e3).toFixed(2)} µs each`, '')
  report('  flatbush search only (ceiling)', rate(n, ceiling.ms), `lookup = ${((ceiling.ms / found.ms) * 100).toFixed(0)} % of ceiling`, '')
  report('  bare loop over the points', rate(n, loop.ms), '', '')
  return index
}

async function benchSql(label: string, databaseUrl: string | undefined, geometry: DemoGeometry, demoIndex: GridIndex) {
  let start = performance.now()
  const db = await openDatabase({ databaseUrl })
  await migrate(db)
  const openMs = performance.now() - start
  try {
    // One connection and one transaction, rolled back at the end: nothing is left in a real database.
    await db.kysely.connection().execute(async (conn) => {
      await sql`begin`.execute(conn)
      try {
        const existing = (await sql<{ n: number }>`select count(*)::int as n from grid_cells`.execute(conn)).rows[0]!.n
        start = performance.now()
        const inserted = await insertDemo(conn, geometry)
        const insertMs = performance.now() - start

        start = performance.now()
        const loaded = await sql<{ id: string; code: string; geojson: string }>`
          select id, code, ST_AsGeoJSON(geom, 15) as geojson from grid_cells`.execute(conn)
        const index = GridIndex.build(
          loaded.rows.map((r) => ({ id: r.id, code: r.code, geometry: JSON.parse(r.geojson) })),
          1,
        )
        const reloadMs = performance.now() - start

        const points = randomPoints(demoCells(geometry), SQL_WARM_UP + SQL_LOOKUPS, 7)
        for (let k = 0; k < SQL_WARM_UP; k++) await lookupCellSql(conn, points[2 * k]!, points[2 * k + 1]!)
        const latencies: number[] = []
        let agree = 0
        const t0 = performance.now()
        for (let k = SQL_WARM_UP; k < SQL_WARM_UP + SQL_LOOKUPS; k++) {
          const [x, y] = [points[2 * k]!, points[2 * k + 1]!]
          const t = performance.now()
          const cell = await lookupCellSql(conn, x, y)
          latencies.push(performance.now() - t)
          if (cell?.code === index.lookup(x, y)?.code && cell?.code === demoIndex.lookup(x, y)?.code) agree++
        }
        const totalMs = performance.now() - t0
        latencies.sort((a, b) => a - b)
        const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(3)
        report(`PostGIS ${label}`, `open+migrate ${openMs.toFixed(0)} ms`, `insert ${inserted} cells ${insertMs.toFixed(0)} ms`, existing ? `(${existing} rows already there)` : '')
        report('  lookupCellSql, one at a time', rate(SQL_LOOKUPS, totalMs), `p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms`, `agrees with index ${agree}/${SQL_LOOKUPS}`)
        report('  reload index from the table', `${reloadMs.toFixed(0)} ms`, `${index.size} cells`, '')
      } finally {
        await sql`rollback`.execute(conn)
      }
    })
  } finally {
    await db.close()
  }
}

/** Inserts the demo organisation and cells the way a seed would: district → streets → communities → cells. */
async function insertDemo<DB>(conn: Kysely<DB>, geometry: DemoGeometry): Promise<number> {
  const districtId = randomUUID()
  const units: Array<{ id: string; parent: string | null; kind: string; code: string; name: string; path: string }> = [
    { id: districtId, parent: null, kind: 'district', code: demo.district.code, name: demo.district.name, path: `/${districtId}/` },
  ]
  const cells: Array<[string, string, string, string]> = []
  for (const street of geometry.streets) {
    const streetId = randomUUID()
    const streetPath = `/${districtId}/${streetId}/`
    units.push({ id: streetId, parent: districtId, kind: street.kind, code: street.code, name: street.name, path: streetPath })
    for (const community of street.communities) {
      const id = randomUUID()
      const path = `${streetPath}${id}/`
      units.push({ id, parent: streetId, kind: 'community', code: community.code, name: community.name, path })
      for (const cell of community.cells) cells.push([cell.code, id, path, JSON.stringify({ type: 'Polygon', coordinates: [cell.polygon] })])
    }
  }
  await sql`
    insert into org_units (id, parent_id, kind, code, name, path, demo)
    select (u->>'id')::uuid, (u->>'parent')::uuid, u->>'kind', u->>'code', u->>'name', u->>'path', true
    from jsonb_array_elements(${JSON.stringify(units)}::jsonb) as u`.execute(conn)
  await sql`
    insert into grid_cells (code, community_id, org_path, geom, area_m2, demo)
    select c->>0, (c->>1)::uuid, c->>2, g, ST_Area(g::geography), true
    from jsonb_array_elements(${JSON.stringify(cells)}::jsonb) as c,
         lateral (select ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(c->>3), 4326)) as g) as s`.execute(conn)
  await sql`analyze grid_cells`.execute(conn)
  return cells.length
}

function printTable() {
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())
  rows.length = 0
}

const memory = (label: string) => {
  const m = process.memoryUsage()
  report(`memory ${label}`, `rss ${mb(m.rss)}`, `heapUsed ${mb(m.heapUsed)}`, '')
}

const benchStart = performance.now()
console.log(`Grid lookup bench — Node ${process.version}, ${LOOKUPS.toLocaleString('en')} random points per index\n`)
memory('at start')
const start = performance.now()
const geometry = generateDemoGeometry(demo)
report('demo geometry generated', `${(performance.now() - start).toFixed(0)} ms`, '', '')
const demoIndex = benchIndex('Xinzhou demo', demoCells(geometry))
benchIndex('synthetic 100 m', syntheticCells())
memory('with both indexes')
printTable()
console.log('')
await benchSql('PGlite in memory', undefined, geometry, demoIndex)
if (process.env.DATABASE_URL) await benchSql('native PostgreSQL', process.env.DATABASE_URL, geometry, demoIndex)
memory('at end')
printTable()
console.log(`\ntotal ${((performance.now() - benchStart) / 1000).toFixed(1)} s`)
