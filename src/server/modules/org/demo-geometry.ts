// SYNTHETIC demo geometry (演示数据) for the Xinzhou demo: territories, communities and grid cells made up from street centres, not survey data.
import pointInPolygon from 'point-in-polygon-hao'

/*
 * How it is made, so the result is plausible and exact rather than real:
 * - A lattice of ~100 m "units" covers the district's bounding box; every coordinate is computed once
 *   per lattice line (xs[i], ys[j]), so neighbouring cells share the very same doubles.
 * - Grid cells (网格) are lattice-aligned squares of 16, 4 or 1 units (~1.6 km, ~400 m, ~100 m): fine
 *   near the centres of the urban streets, middling around the other streets' centres, coarse in the
 *   countryside. A cell is split while any part of it is closer to a centre than its size allows.
 * - Each cell belongs to the street or zone whose centre is nearest (a lattice Voronoi partition).
 * - A street's cells are grouped into communities (社区) by a quadtree on the lattice, at most
 *   MAX_CELLS_PER_COMMUNITY cells and at most a quarter of the street's cells each, so every street
 *   gets at least 4 communities.
 * - Where a big cell meets smaller ones, the big cell's ring also gets their corner points, so shared
 *   edges are shared vertex for vertex (a clean coverage: ST_Union and map outlines come out exact).
 * - A seeded PRNG only varies each town's middle-cell radius a little; the same seed gives the same output.
 */

export interface DemoUnitInput {
  code: string
  name: string
  name_en: string
  centre: readonly number[]
  urban?: boolean
}

/** The parts of the demo JSON (seed/xinzhou-demo.json) that the geometry depends on. */
export interface DemoOrgInput {
  district: { code: string; bbox: readonly number[] }
  streets: readonly DemoUnitInput[]
  zones?: readonly DemoUnitInput[]
}

export type LngLat = [number, number]
/** A closed ring: the first position is repeated at the end. Exterior rings run counter-clockwise. */
export type Ring = LngLat[]
export type MultiPolygon = Ring[][]

export interface DemoCell {
  /** 15 digits: the community's 12-digit code and a 3-digit sequence. */
  code: string
  polygon: Ring
  /** Nominal side length: 100, 400 or 1600 m (cells on the district's edge may be a little off). */
  sizeM: number
}

export interface DemoCommunity {
  /** 12 digits: the street's 9-digit code and a 3-digit sequence. */
  code: string
  name: string
  nameEn: string
  /** The centre of one of its cells, so always inside the community. */
  centre: LngLat
  outline: MultiPolygon
  cells: DemoCell[]
}

export interface DemoStreet {
  code: string
  kind: 'street' | 'zone'
  name: string
  nameEn: string
  centre: LngLat
  territory: MultiPolygon
  communities: DemoCommunity[]
}

export interface DemoGeometry {
  /** Always true: nothing here is survey data. */
  demo: true
  seed: number
  streets: DemoStreet[]
}

const UNIT_M = 100
const SIZES = [16, 4, 1] as const
const URBAN_FINE_RADIUS_M = 1200
const URBAN_MID_RADIUS_M = 3000
const TOWN_MID_RADIUS_M = 1200
const MAX_CELLS_PER_COMMUNITY = 64
export const DEFAULT_DEMO_SEED = 420117

/** Metres per degree near 31° N, which is all a synthetic lattice needs. */
const M_PER_DEG_LAT = 110_574
const M_PER_DEG_LNG_EQUATOR = 111_320

interface Unit {
  input: DemoUnitInput
  kind: 'street' | 'zone'
  /** Centre in lattice units. */
  u: number
  v: number
  midRadiusM: number
  fineRadiusM: number
}

interface Cell {
  i: number
  j: number
  size: number
  unit: number
}

export function generateDemoGeometry(org: DemoOrgInput, options: { seed?: number } = {}): DemoGeometry {
  const seed = options.seed ?? DEFAULT_DEMO_SEED
  const rnd = mulberry32(seed)
  const [minLng, minLat, maxLng, maxLat] = bboxOf(org.district.bbox)
  const midLat = (minLat + maxLat) / 2
  const mPerDegLng = M_PER_DEG_LNG_EQUATOR * Math.cos((midLat * Math.PI) / 180)
  const block = SIZES[0]
  const nx = block * Math.max(1, Math.round(((maxLng - minLng) * mPerDegLng) / (UNIT_M * block)))
  const ny = block * Math.max(1, Math.round(((maxLat - minLat) * M_PER_DEG_LAT) / (UNIT_M * block)))
  const unitW = ((maxLng - minLng) * mPerDegLng) / nx
  const unitH = ((maxLat - minLat) * M_PER_DEG_LAT) / ny
  const xs = lattice(minLng, maxLng, nx)
  const ys = lattice(minLat, maxLat, ny)

  const units: Unit[] = [
    ...org.streets.map((input) => ({ input, kind: 'street' as const })),
    ...(org.zones ?? []).map((input) => ({ input, kind: 'zone' as const })),
  ].map(({ input, kind }) => {
    const [lng, lat] = positionOf(input.centre, input.code)
    const jitter = 0.85 + 0.3 * rnd()
    return {
      input,
      kind,
      u: ((lng - minLng) / (maxLng - minLng)) * nx,
      v: ((lat - minLat) / (maxLat - minLat)) * ny,
      midRadiusM: (input.urban ? URBAN_MID_RADIUS_M : TOWN_MID_RADIUS_M) * jitter,
      fineRadiusM: input.urban ? URBAN_FINE_RADIUS_M : 0,
    }
  })
  if (units.length === 0) throw new Error('demo geometry needs at least one street')

  /** Metres from a unit's centre to the nearest point of the square (i, j, size). */
  const distanceToSquare = (unit: Unit, i: number, j: number, size: number) => {
    const dx = Math.max(i - unit.u, 0, unit.u - (i + size)) * unitW
    const dy = Math.max(j - unit.v, 0, unit.v - (j + size)) * unitH
    return Math.hypot(dx, dy)
  }
  /** A coarse square splits within a middle radius of some centre, a middle one within a fine radius. */
  const wantsSplit = (i: number, j: number, size: number) =>
    units.some((unit) => distanceToSquare(unit, i, j, size) < (size > SIZES[1] ? unit.midRadiusM : unit.fineRadiusM))
  const nearestUnit = (u: number, v: number) => {
    let best = 0
    let bestD = Infinity
    units.forEach((unit, k) => {
      const d = Math.hypot((u - unit.u) * unitW, (v - unit.v) * unitH)
      if (d < bestD) {
        bestD = d
        best = k
      }
    })
    return best
  }

  // Cells, coarse to fine, and which cell covers each lattice unit.
  const cells: Cell[] = []
  const addCells = (i: number, j: number, size: number) => {
    if (size > SIZES[2] && wantsSplit(i, j, size)) {
      const child = size / 4
      for (let dj = 0; dj < 4; dj++) for (let di = 0; di < 4; di++) addCells(i + di * child, j + dj * child, child)
      return
    }
    cells.push({ i, j, size, unit: nearestUnit(i + size / 2, j + size / 2) })
  }
  for (let j = 0; j < ny; j += block) for (let i = 0; i < nx; i += block) addCells(i, j, block)
  const cellAt = new Int32Array(nx * ny)
  cells.forEach((cell, k) => {
    for (let j = cell.j; j < cell.j + cell.size; j++) cellAt.fill(k, j * nx + cell.i, j * nx + cell.i + cell.size)
  })

  const communityAt = new Int32Array(nx * ny)
  const streetAt = new Int32Array(nx * ny)
  const out: DemoStreet[] = []
  const communityOutlines: Array<{ community: DemoCommunity; key: number }> = []
  let communityKey = 0
  units.forEach((unit, unitIndex) => {
    const own = cells.filter((cell) => cell.unit === unitIndex)
    const cap = Math.min(MAX_CELLS_PER_COMMUNITY, Math.ceil(own.length / 4))
    const groups = mergeSmallGroups(groupByQuadtree(own, cap, Math.max(nx, ny)), cap, (cell) => neighbours(cell, cells, cellAt, nx, ny))
    const prefix = shortName(unit.input.name)
    const communities = groups.map((group, g): DemoCommunity => {
      const seq = String(g + 1).padStart(3, '0')
      const label = String(g + 1).padStart(2, '0')
      const code = `${unit.input.code}${seq}`
      // North to south, then west to east: how a map reader numbers them.
      group.sort((a, b) => 2 * b.j + b.size - (2 * a.j + a.size) || 2 * a.i + a.size - (2 * b.i + b.size))
      const community: DemoCommunity = {
        code,
        name: `${prefix}第${label}社区（演示）`,
        nameEn: `${unit.input.name_en} Community ${label} (demo)`,
        centre: centreOf(group, xs, ys),
        outline: [],
        cells: group.map((cell, c) => ({
          code: `${code}${String(c + 1).padStart(3, '0')}`,
          polygon: cellRing(cell, cellAt, nx, ny, xs, ys),
          sizeM: cell.size * UNIT_M,
        })),
      }
      for (const cell of group) {
        for (let j = cell.j; j < cell.j + cell.size; j++) {
          communityAt.fill(communityKey, j * nx + cell.i, j * nx + cell.i + cell.size)
          streetAt.fill(unitIndex, j * nx + cell.i, j * nx + cell.i + cell.size)
        }
      }
      communityOutlines.push({ community, key: communityKey++ })
      return community
    })
    const centre = positionOf(unit.input.centre, unit.input.code)
    out.push({
      code: unit.input.code,
      kind: unit.kind,
      name: unit.input.name,
      nameEn: unit.input.name_en,
      centre: [centre[0], centre[1]],
      territory: [],
      communities,
    })
  })

  const territories = traceOutlines(streetAt, nx, ny, units.length, xs, ys)
  out.forEach((street, k) => (street.territory = territories[k] ?? []))
  const outlines = traceOutlines(communityAt, nx, ny, communityKey, xs, ys)
  for (const { community, key } of communityOutlines) community.outline = outlines[key] ?? []
  return { demo: true, seed, streets: out }
}

function bboxOf(bbox: readonly number[]): [number, number, number, number] {
  const [a, b, c, d] = bbox
  if ([a, b, c, d].some((n) => typeof n !== 'number' || !Number.isFinite(n)) || !(a! < c! && b! < d!)) {
    throw new Error(`district bbox must be [minLng, minLat, maxLng, maxLat], got ${JSON.stringify(bbox)}`)
  }
  return [a!, b!, c!, d!]
}

function positionOf(centre: readonly number[], code: string): LngLat {
  const [lng, lat] = centre
  if (typeof lng !== 'number' || typeof lat !== 'number') throw new Error(`${code} has no [lng, lat] centre`)
  return [lng, lat]
}

/** Lattice line coordinates, rounded to 1e-7° (~1 cm) so they print short; the ends are the bbox exactly. */
function lattice(min: number, max: number, n: number): Float64Array {
  const out = new Float64Array(n + 1)
  for (let k = 0; k <= n; k++) out[k] = k === 0 ? min : k === n ? max : Math.round((min + ((max - min) * k) / n) * 1e7) / 1e7
  return out
}

/** 邾城街道 → 邾城街: the short form communities are named with; towns and zones keep their name. */
function shortName(name: string): string {
  return name.endsWith('街道') ? name.slice(0, -1) : name
}

/**
 * Splits a street's cells into groups of at most `cap` by quadrants of the lattice, north-west first.
 * A cell goes with the quadrant of its south-west corner, so every cell lands in exactly one group.
 */
function groupByQuadtree(cells: Cell[], cap: number, extent: number): Cell[][] {
  let size = 1
  while (size < extent) size *= 2
  const groups: Cell[][] = []
  const visit = (members: Cell[], i: number, j: number, s: number) => {
    if (members.length === 0) return
    if (members.length <= cap || s === 1) {
      groups.push(members)
      return
    }
    const h = s / 2
    for (const [qi, qj] of [
      [i, j + h],
      [i + h, j + h],
      [i, j],
      [i + h, j],
    ] as const) {
      visit(
        members.filter((c) => c.i >= qi && c.i < qi + h && c.j >= qj && c.j < qj + h),
        qi,
        qj,
        h,
      )
    }
  }
  visit(cells, 0, 0, size)
  return groups
}

/**
 * Folds each group smaller than a quarter of `cap` into the smallest group it shares an edge with,
 * while that stays within `cap`: the quadtree leaves slivers where a territory's edge cuts a quadrant.
 */
function mergeSmallGroups(groups: Cell[][], cap: number, neighboursOf: (cell: Cell) => Cell[]): Cell[][] {
  const groupOf = new Map<Cell, number>()
  groups.forEach((group, g) => group.forEach((cell) => groupOf.set(cell, g)))
  const alive = groups.map(() => true)
  const order = groups.map((_, g) => g).sort((a, b) => groups[a]!.length - groups[b]!.length || a - b)
  for (const g of order) {
    const group = groups[g]!
    if (!alive[g] || group.length >= cap / 4) continue
    let target = -1
    for (const cell of group) {
      for (const other of neighboursOf(cell)) {
        const h = groupOf.get(other)
        if (h === undefined || h === g || !alive[h] || groups[h]!.length + group.length > cap) continue
        if (target === -1 || groups[h]!.length < groups[target]!.length || (groups[h]!.length === groups[target]!.length && h < target)) target = h
      }
    }
    if (target === -1) continue
    for (const cell of group) {
      groups[target]!.push(cell)
      groupOf.set(cell, target)
    }
    alive[g] = false
  }
  return groups.filter((_, g) => alive[g])
}

/** The cells that share an edge with a cell. */
function neighbours(cell: Cell, cells: readonly Cell[], cellAt: Int32Array, nx: number, ny: number): Cell[] {
  const found = new Set<number>()
  const { i, j, size } = cell
  for (let k = 0; k < size; k++) {
    if (j > 0) found.add(cellAt[(j - 1) * nx + i + k]!)
    if (j + size < ny) found.add(cellAt[(j + size) * nx + i + k]!)
    if (i > 0) found.add(cellAt[(j + k) * nx + i - 1]!)
    if (i + size < nx) found.add(cellAt[(j + k) * nx + i + size]!)
  }
  return [...found].map((k) => cells[k]!)
}

/** The centre of the group's cell nearest the group's area-weighted mean. */
function centreOf(group: Cell[], xs: Float64Array, ys: Float64Array): LngLat {
  let area = 0
  let sx = 0
  let sy = 0
  for (const c of group) {
    const a = c.size * c.size
    area += a
    sx += a * (c.i + c.size / 2)
    sy += a * (c.j + c.size / 2)
  }
  const mx = sx / area
  const my = sy / area
  let best = group[0]!
  let bestD = Infinity
  for (const c of group) {
    const d = (c.i + c.size / 2 - mx) ** 2 + (c.j + c.size / 2 - my) ** 2
    if (d < bestD) {
      bestD = d
      best = c
    }
  }
  const round7 = (n: number) => Math.round(n * 1e7) / 1e7
  return [round7((xs[best.i]! + xs[best.i + best.size]!) / 2), round7((ys[best.j]! + ys[best.j + best.size]!) / 2)]
}

/** The cell's counter-clockwise ring, with a vertex wherever a smaller neighbour's corner meets its edge. */
function cellRing(cell: Cell, cellAt: Int32Array, nx: number, ny: number, xs: Float64Array, ys: Float64Array): Ring {
  const { i, j, size } = cell
  const i1 = i + size
  const j1 = j + size
  const at = (col: number, row: number) => cellAt[row * nx + col]!
  const ring: Ring = [[xs[i]!, ys[j]!]]
  for (let k = i + 1; k < i1; k++) if (j > 0 && at(k, j - 1) !== at(k - 1, j - 1)) ring.push([xs[k]!, ys[j]!])
  ring.push([xs[i1]!, ys[j]!])
  for (let k = j + 1; k < j1; k++) if (i1 < nx && at(i1, k) !== at(i1, k - 1)) ring.push([xs[i1]!, ys[k]!])
  ring.push([xs[i1]!, ys[j1]!])
  for (let k = i1 - 1; k > i; k--) if (j1 < ny && at(k, j1) !== at(k - 1, j1)) ring.push([xs[k]!, ys[j1]!])
  ring.push([xs[i]!, ys[j1]!])
  for (let k = j1 - 1; k > j; k--) if (i > 0 && at(i - 1, k) !== at(i - 1, k - 1)) ring.push([xs[i]!, ys[k]!])
  ring.push([xs[i]!, ys[j]!])
  return ring
}

/**
 * Outlines of the regions of a lattice labelling, as MultiPolygons (exterior counter-clockwise, holes
 * clockwise). Boundary edges are walked with the region on the left; where a walk passes a vertex twice
 * (regions or a hole touching at a corner) it is cut there into separate loops, so every ring is simple.
 * `keyAt[j * nx + i]` labels lattice unit (i, j) with 0 … keys - 1; xs and ys are the lattice lines.
 */
export function traceOutlines(keyAt: Int32Array, nx: number, ny: number, keys: number, xs: Float64Array, ys: Float64Array): MultiPolygon[] {
  const w = nx + 1
  const edges: Array<Map<number, number[]>> = Array.from({ length: keys }, () => new Map())
  const addEdge = (key: number, from: number, to: number) => {
    const map = edges[key]!
    const list = map.get(from)
    if (list) list.push(to)
    else map.set(from, [to])
  }
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = keyAt[j * nx + i]!
      if (j === 0 || keyAt[(j - 1) * nx + i] !== k) addEdge(k, j * w + i, j * w + i + 1)
      if (i === nx - 1 || keyAt[j * nx + i + 1] !== k) addEdge(k, j * w + i + 1, (j + 1) * w + i + 1)
      if (j === ny - 1 || keyAt[(j + 1) * nx + i] !== k) addEdge(k, (j + 1) * w + i + 1, (j + 1) * w + i)
      if (i === 0 || keyAt[j * nx + i - 1] !== k) addEdge(k, (j + 1) * w + i, j * w + i)
    }
  }
  const toPoint = (vertex: number): [number, number] => [vertex % w, Math.floor(vertex / w)]
  return edges.map((map) => {
    const rings: Array<Array<[number, number]>> = []
    for (const [start, list] of map) {
      while (list.length > 0) {
        // Walk one closed boundary, cutting off a loop each time a vertex comes round again.
        const stack: number[] = [start]
        const seen = new Map<number, number>([[start, 0]])
        let at = list.pop()!
        for (;;) {
          const again = seen.get(at)
          if (again !== undefined) {
            const loop = stack.splice(again + 1)
            loop.unshift(at)
            for (const vertex of loop.slice(1)) seen.delete(vertex)
            rings.push(dropCollinear(loop.map(toPoint)))
            if (at === start && stack.length === 1) break
          } else {
            seen.set(at, stack.length)
            stack.push(at)
          }
          at = map.get(at)!.pop()!
        }
      }
    }
    return assemble(rings).map((polygon) =>
      polygon.map((ring) => [...ring, ring[0]!].map(([i, j]): LngLat => [xs[i]!, ys[j]!])),
    )
  })
}

function dropCollinear(ring: Array<[number, number]>): Array<[number, number]> {
  const n = ring.length
  return ring.filter((p, k) => {
    const a = ring[(k + n - 1) % n]!
    const b = ring[(k + 1) % n]!
    return (p[0] - a[0]) * (b[1] - p[1]) - (p[1] - a[1]) * (b[0] - p[0]) !== 0
  })
}

function signedArea(ring: Array<[number, number]>): number {
  let sum = 0
  for (let k = 0; k < ring.length; k++) {
    const [x0, y0] = ring[k]!
    const [x1, y1] = ring[(k + 1) % ring.length]!
    sum += x0 * y1 - x1 * y0
  }
  return sum / 2
}

/** Puts each hole (clockwise ring) into the smallest exterior ring around it. */
function assemble(rings: Array<Array<[number, number]>>): Array<Array<Array<[number, number]>>> {
  const outers = rings.filter((r) => signedArea(r) > 0).map((r) => ({ ring: r, area: signedArea(r), holes: [] as Array<Array<[number, number]>> }))
  for (const hole of rings.filter((r) => signedArea(r) < 0)) {
    // The centre of the lattice unit left of the hole's first edge is in the region, so inside its exterior.
    const [a, b] = [hole[0]!, hole[1]!]
    const dx = Math.sign(b[0] - a[0])
    const dy = Math.sign(b[1] - a[1])
    const probe = [a[0] + (dx - dy) / 2, a[1] + (dy + dx) / 2]
    const around = outers
      .filter((o) => pointInPolygon(probe, [[...o.ring, o.ring[0]!]]) === true)
      .sort((p, q) => p.area - q.area)[0]
    around?.holes.push(hole)
  }
  return outers.map((o) => [o.ring, ...o.holes])
}

/** A small seeded PRNG (mulberry32): the same seed, the same demo. */
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
