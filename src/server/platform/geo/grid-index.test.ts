// Specifies the point → grid cell rule on hand-made cells, and that the index and PostGIS agree on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { openDatabase } from '../db/engine.js'
import type { Db } from '../db/engine.js'
import { migrate } from '../db/migrate.js'
import { AppError } from '../errors.js'
import { GridIndex, lookupCellSql } from './grid-index.js'
import type { GridCellInput, MultiPolygonCoordinates, PolygonCoordinates } from './grid-index.js'

/*
 * The test grid lives on a lattice of short binary fractions (a unit is 1/256 degree), so positions on
 * edges and vertices are exact doubles and both sides test exactly the same point. It sits in the
 * Southern Ocean, at an offset drawn per run, so that on a shared native database it cannot meet real
 * cells or a parallel run's.
 */
const UNIT = 1 / 256
const runKey = 10_000 + Math.floor(Math.random() * 89_999)
const X0 = 100.5 + (runKey % 60)
const Y0 = -60.5 + (Math.floor(runKey / 60) % 10)
const DISTRICT = `9${String(runKey).padStart(5, '0')}`
const COMMUNITY = `${DISTRICT}001001`

const x = (u: number) => X0 + u * UNIT
const y = (v: number) => Y0 + v * UNIT
const code = (seq: number) => `${COMMUNITY}${String(seq).padStart(3, '0')}`
const rect = (u0: number, v0: number, u1: number, v1: number) => [
  [x(u0), y(v0)],
  [x(u1), y(v0)],
  [x(u1), y(v1)],
  [x(u0), y(v1)],
  [x(u0), y(v0)],
]
/** A hole runs clockwise, the exterior counter-clockwise (RFC 7946). */
const hole = (u0: number, v0: number, u1: number, v1: number) => rect(u0, v0, u1, v1).reverse()

// A 4 × 4 block of unit squares whose codes are deliberately not in reading order.
const SEQ = [
  [7, 3, 12, 1],
  [14, 9, 5, 16],
  [2, 11, 8, 13],
  [10, 4, 15, 6],
] // SEQ[row][column]
const seqAt = (col: number, row: number) => SEQ[row]![col]!

function testCells(): GridCellInput[] {
  const cells: GridCellInput[] = []
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 4; col++) {
      const seq = seqAt(col, row)
      let polygon: PolygonCoordinates = [rect(col, row, col + 1, row + 1)]
      // Square (1,1) has a hole filled by an island cell (seq 20); square (2,2) an empty hole.
      if (col === 1 && row === 1) polygon = [rect(1, 1, 2, 2), hole(1.25, 1.25, 1.75, 1.75)]
      if (col === 2 && row === 2) polygon = [rect(2, 2, 3, 3), hole(2.25, 2.25, 2.5, 2.5)]
      cells.push({ id: `cell-${seq}`, code: code(seq), geometry: { type: 'Polygon', coordinates: polygon } })
    }
  }
  cells.push({ id: 'island', code: code(20), geometry: [rect(1.25, 1.25, 1.75, 1.75)] })
  // One cell in two parts with a gap between them.
  const multi: MultiPolygonCoordinates = [[rect(5, 0, 6, 1)], [rect(5, 2, 6, 3)]]
  cells.push({ id: 'multi', code: code(30), geometry: { type: 'MultiPolygon', coordinates: multi } })
  // Two triangles sharing the slanted diagonal of the square [6,7] × [0,1].
  cells.push({ id: 'lower-triangle', code: code(41), geometry: [[[x(6), y(0)], [x(7), y(0)], [x(7), y(1)], [x(6), y(0)]]] })
  cells.push({ id: 'upper-triangle', code: code(40), geometry: [[[x(6), y(0)], [x(7), y(1)], [x(6), y(1)], [x(6), y(0)]]] })
  // Bad data the schema allows: a cell overlapping square (3,3) and sticking out of the block.
  cells.push({ id: 'overlap', code: code(50), geometry: [rect(3.5, 3.5, 4.5, 4.5)] })
  return cells
}

describe('GridIndex.lookup', () => {
  const index = GridIndex.build(testCells(), 7)

  it('knows its size and the revision it was built from', () => {
    expect(index.size).toBe(21)
    expect(index.revision).toBe(7)
  })

  it('finds the cell a point is strictly inside', () => {
    expect(index.lookup(x(0.5), y(0.5))?.code).toBe(code(seqAt(0, 0)))
    expect(index.lookup(x(3.2), y(1.9))).toEqual({ id: `cell-${seqAt(3, 1)}`, code: code(seqAt(3, 1)) })
  })

  it('returns null outside every cell', () => {
    expect(index.lookup(x(-0.5), y(0.5))).toBeNull()
    expect(index.lookup(x(4.7), y(2.5))).toBeNull()
    expect(index.lookup(0, 0)).toBeNull()
  })

  it('gives a point on an edge shared by two cells to the lower code', () => {
    // Squares (0,0) = seq 7 and (1,0) = seq 3 share the edge u = 1.
    expect(index.touching(x(1), y(0.5)).map((c) => c.code)).toEqual([code(3), code(7)])
    expect(index.lookup(x(1), y(0.5))?.code).toBe(code(3))
    // Squares (2,0) = seq 12 and (2,1) = seq 5 share the edge v = 1.
    expect(index.lookup(x(2.75), y(1))?.code).toBe(code(5))
  })

  it('gives a vertex shared by four cells to the lowest of the four codes', () => {
    // (3,1) touches squares (2,0)=12, (3,0)=1, (2,1)=5, (3,1)=16.
    expect(index.touching(x(3), y(1))).toHaveLength(4)
    expect(index.lookup(x(3), y(1))?.code).toBe(code(1))
    // (1,3) touches (0,2)=2, (1,2)=11, (0,3)=10, (1,3)=4.
    expect(index.lookup(x(1), y(3))?.code).toBe(code(2))
  })

  it('counts the outer corner and outer edge of the block as touching', () => {
    expect(index.lookup(x(0), y(0))?.code).toBe(code(7))
    expect(index.lookup(x(4), y(2.5))?.code).toBe(code(13))
  })

  it('does not put a point in a hole in the holed cell', () => {
    // The empty hole of square (2,2).
    expect(index.lookup(x(2.4), y(2.3))).toBeNull()
    // The filled hole of square (1,1) belongs to the island.
    expect(index.lookup(x(1.5), y(1.5))?.code).toBe(code(20))
  })

  it('counts a hole edge as touching the holed cell', () => {
    expect(index.lookup(x(2.25), y(2.4))?.code).toBe(code(8))
    // On the island's edge both touch: square (1,1) = seq 9 beats the island, seq 20.
    expect(index.touching(x(1.25), y(1.5)).map((c) => c.code)).toEqual([code(9), code(20)])
    expect(index.lookup(x(1.25), y(1.5))?.code).toBe(code(9))
  })

  it('finds both parts of a MultiPolygon cell and nothing in the gap between them', () => {
    expect(index.lookup(x(5.5), y(0.5))?.id).toBe('multi')
    expect(index.lookup(x(5.5), y(2.5))?.id).toBe('multi')
    expect(index.lookup(x(5.5), y(1.5))).toBeNull()
  })

  it('splits a slanted shared edge by the same rule', () => {
    expect(index.lookup(x(6.75), y(0.25))?.id).toBe('lower-triangle')
    expect(index.lookup(x(6.25), y(0.75))?.id).toBe('upper-triangle')
    expect(index.lookup(x(6.5), y(0.5))?.id).toBe('upper-triangle') // on the diagonal: 40 < 41
  })

  it('resolves overlapping cells by the lowest code too', () => {
    expect(index.lookup(x(3.75), y(3.75))?.code).toBe(code(6))
    expect(index.lookup(x(4.25), y(4.25))?.code).toBe(code(50))
  })

  it('returns null for positions that are not numbers', () => {
    expect(index.lookup(Number.NaN, y(0.5))).toBeNull()
    expect(index.lookup(x(0.5), Number.POSITIVE_INFINITY)).toBeNull()
  })
})

describe('GridIndex.build', () => {
  it('makes an empty index that finds nothing', () => {
    const index = GridIndex.build([], 0)
    expect(index.size).toBe(0)
    expect(index.lookup(114.8, 30.84)).toBeNull()
    expect(index.touching(114.8, 30.84)).toEqual([])
  })

  it('closes an open ring', () => {
    const open = rect(0, 0, 1, 1).slice(0, 4)
    const index = GridIndex.build([{ id: 'a', code: code(1), geometry: [open] }], 1)
    expect(index.lookup(x(0), y(0.5))?.id).toBe('a')
  })

  it('refuses duplicate codes and degenerate rings', () => {
    const cell = { id: 'a', code: code(1), geometry: [rect(0, 0, 1, 1)] }
    expect(() => GridIndex.build([cell, { ...cell, id: 'b' }], 1)).toThrow(AppError)
    const line = [[[x(0), y(0)], [x(1), y(1)], [x(0), y(0)]]]
    expect(() => GridIndex.build([{ id: 'c', code: code(2), geometry: line }], 1)).toThrow(/fewer than 3/)
  })
})

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** 2,000 points in lattice units: anywhere, on lattice lines, on vertices, on the diagonal, a hair off a line. */
function probePoints(seed: number): Array<[number, number]> {
  const rnd = random(seed)
  const any = () => -0.5 + rnd() * 8
  const quarter = (max: number) => Math.floor(rnd() * (max * 4 + 1)) / 4
  const points: Array<[number, number]> = []
  for (let i = 0; i < 700; i++) points.push([any(), any() * 0.6])
  for (let i = 0; i < 300; i++) points.push([quarter(7), any() * 0.6])
  for (let i = 0; i < 300; i++) points.push([any(), quarter(4.5)])
  for (let i = 0; i < 300; i++) points.push([quarter(7), quarter(4.5)])
  for (let i = 0; i < 200; i++) {
    const t = Math.floor(rnd() * 1025) / 1024
    points.push([6 + t, t])
  }
  for (let i = 0; i < 200; i++) points.push([quarter(7) + (rnd() < 0.5 ? -1e-9 : 1e-9), any() * 0.6])
  return points
}

describe('GridIndex agrees with the PostGIS query', () => {
  let db: Db
  let districtId = ''
  let communityId = ''

  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: process.env.DATABASE_URL })
    await migrate(db)
    const k = db.kysely
    const district = await sql<{ id: string }>`
      insert into org_units (kind, parent_id, code, name, path)
      values ('district', null, ${DISTRICT}, '测试区', ${`/grid-index-test-${runKey}/`}) returning id`.execute(k)
    districtId = district.rows[0]!.id
    const community = await sql<{ id: string }>`
      insert into org_units (kind, parent_id, code, name, path)
      values ('community', ${districtId}, ${COMMUNITY}, '测试社区', ${`/grid-index-test-${runKey}/c/`}) returning id`.execute(k)
    communityId = community.rows[0]!.id
    for (const cell of testCells()) {
      const geometry = JSON.stringify(Array.isArray(cell.geometry) ? { type: 'Polygon', coordinates: cell.geometry } : cell.geometry)
      await sql`
        insert into grid_cells (code, community_id, org_path, geom, area_m2)
        select ${cell.code}, ${communityId}, ${`/grid-index-test-${runKey}/c/`}, g, ST_Area(g::geography)
        from (select ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${geometry}), 4326)) as g) as s`.execute(k)
    }
  }, 60_000)

  afterAll(async () => {
    if (!db) return
    if (communityId) await sql`delete from grid_cells where community_id = ${communityId}`.execute(db.kysely)
    if (districtId) await sql`delete from org_units where id in (${communityId}, ${districtId})`.execute(db.kysely)
    await db.close()
  })

  it('answers every probe point the same, edges and vertices included', async () => {
    // Built from the database's own copy of the geometry, the way a server process loads it.
    const rows = await sql<{ id: string; code: string; geojson: string }>`
      select id, code, ST_AsGeoJSON(geom, 15) as geojson from grid_cells where community_id = ${communityId}`.execute(db.kysely)
    const index = GridIndex.build(
      rows.rows.map((row) => ({ id: row.id, code: row.code, geometry: JSON.parse(row.geojson) })),
      1,
    )
    expect(index.size).toBe(21)

    const mismatches: string[] = []
    let found = 0
    for (const [u, v] of probePoints(runKey)) {
      const lng = x(u)
      const lat = y(v)
      const fromIndex = index.lookup(lng, lat)
      const fromDb = await lookupCellSql(db.kysely, lng, lat)
      if (fromDb) found++
      if (fromIndex?.id !== fromDb?.id) mismatches.push(`(${u}, ${v}): index ${fromIndex?.code} vs PostGIS ${fromDb?.code}`)
    }
    expect(mismatches).toEqual([])
    expect(found).toBeGreaterThan(1000)
  }, 60_000)
})
