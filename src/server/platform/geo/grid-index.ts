// In-memory point → grid cell lookup (网格定位) that gives the same answer as the PostGIS query, its source of truth.
import Flatbush from 'flatbush'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import pointInPolygon from 'point-in-polygon-hao'
import { AppError } from '../errors.js'

/*
 * THE LOOKUP RULE — the in-memory index and `lookupCellSql` must always agree on it:
 *
 *   A point belongs to the cell with the lowest `code` among every cell it touches, where "touches"
 *   is PostGIS ST_Intersects: the closed polygon, boundary included, holes excluded (a hole's edge is
 *   boundary, so it touches). No cell touched → null.
 *
 * So a point strictly inside one cell gets that cell; a point on an edge shared by two cells, or on a
 * vertex shared by four, gets the lowest code among them; a point in a hole gets whatever fills the
 * hole, or null. Overlapping cells (bad data the schema does not forbid) resolve the same way.
 * "Lowest" is plain character order; codes are 15 ASCII digits, on which every collation agrees.
 *
 * Floating point: both sides test the same doubles, and both are exact on axis-aligned edges and on
 * edges whose coordinates are short binary fractions. On a general slanted edge a point within about
 * 1e-15 degrees (a nanometre) of the line may be classed differently; no real position is that exact.
 * Geometry read back from PostGIS must keep every digit: use ST_AsGeoJSON(geom, 15), not the default 9.
 */

type Position = readonly number[]
/** GeoJSON Polygon coordinates: the exterior ring, then holes; each ring closed. */
export type PolygonCoordinates = ReadonlyArray<ReadonlyArray<Position>>
export type MultiPolygonCoordinates = ReadonlyArray<PolygonCoordinates>

export type CellGeometry =
  | PolygonCoordinates
  | MultiPolygonCoordinates
  | { type: 'Polygon'; coordinates: PolygonCoordinates }
  | { type: 'MultiPolygon'; coordinates: MultiPolygonCoordinates }

export interface GridCellInput {
  id: string
  code: string
  geometry: CellGeometry
}

export interface GridCellRef {
  readonly id: string
  readonly code: string
}

/** One polygon of a cell with its bounding box, so a MultiPolygon's far parts are skipped cheaply. */
interface Part {
  minX: number
  minY: number
  maxX: number
  maxY: number
  rings: number[][][]
}

export class GridIndex {
  private constructor(
    /** Cells in ascending code order: a smaller index is a lower code. */
    private readonly refs: readonly GridCellRef[],
    private readonly parts: ReadonlyArray<readonly Part[]>,
    private readonly tree: Flatbush | null,
    /** grid_revision.revision this index was built from; a process reloads when the table's moves on. */
    readonly revision: number,
  ) {}

  static build(cells: readonly GridCellInput[], revision: number): GridIndex {
    const sorted = [...cells].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.code === sorted[i - 1]!.code) invalid(`duplicate cell code ${sorted[i]!.code}`)
    }
    const refs = sorted.map((cell): GridCellRef => Object.freeze({ id: cell.id, code: cell.code }))
    const parts = sorted.map((cell) => toParts(cell))
    if (sorted.length === 0) return new GridIndex(refs, parts, null, revision)
    const tree = new Flatbush(sorted.length)
    for (const cellParts of parts) {
      let minX = Infinity
      let minY = Infinity
      let maxX = -Infinity
      let maxY = -Infinity
      for (const part of cellParts) {
        minX = Math.min(minX, part.minX)
        minY = Math.min(minY, part.minY)
        maxX = Math.max(maxX, part.maxX)
        maxY = Math.max(maxY, part.maxY)
      }
      tree.add(minX, minY, maxX, maxY)
    }
    tree.finish()
    return new GridIndex(refs, parts, tree, revision)
  }

  get size(): number {
    return this.refs.length
  }

  /** The cell a WGS84 position belongs to, by the lookup rule above; null outside every cell. */
  lookup(lng: number, lat: number): GridCellRef | null {
    if (this.tree === null || !Number.isFinite(lng) || !Number.isFinite(lat)) return null
    const candidates = this.tree.search(lng, lat, lng, lat)
    const point = [lng, lat]
    let best = -1
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k]!
      // Candidates come in tree order; a cell can only win if its code is lower than the best so far.
      if (best !== -1 && i > best) continue
      if (touches(this.parts[i]!, point)) best = i
    }
    return best === -1 ? null : this.refs[best]!
  }

  /** Every cell the position touches, lowest code first (the first is what `lookup` returns). */
  touching(lng: number, lat: number): GridCellRef[] {
    if (this.tree === null || !Number.isFinite(lng) || !Number.isFinite(lat)) return []
    const point = [lng, lat]
    return this.tree
      .search(lng, lat, lng, lat)
      .filter((i) => touches(this.parts[i]!, point))
      .sort((a, b) => a - b)
      .map((i) => this.refs[i]!)
  }
}

function touches(parts: readonly Part[], point: number[]): boolean {
  const x = point[0]!
  const y = point[1]!
  for (const part of parts) {
    if (x < part.minX || x > part.maxX || y < part.minY || y > part.maxY) continue
    // point-in-polygon-hao: true inside, 0 on any ring (a hole's edge too), false outside or in a hole.
    if (pointInPolygon(point, part.rings) !== false) return true
  }
  return false
}

function toParts(cell: GridCellInput): Part[] {
  const polygons = polygonsOf(cell.geometry, cell.code)
  if (polygons.length === 0) invalid(`cell ${cell.code} has no polygon`)
  return polygons.map((polygon) => {
    if (polygon.length === 0) invalid(`cell ${cell.code} has a polygon without rings`)
    const rings = polygon.map((ring) => closedRing(ring, cell.code))
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    // Holes lie inside the exterior ring, so its box is the part's box.
    for (const [x, y] of rings[0]! as Array<[number, number]>) {
      if (x < minX) minX = x
      if (y < minY) minY = y
      if (x > maxX) maxX = x
      if (y > maxY) maxY = y
    }
    return { minX, minY, maxX, maxY, rings }
  })
}

function polygonsOf(geometry: CellGeometry, code: string): MultiPolygonCoordinates {
  if (!Array.isArray(geometry)) {
    const typed = geometry as Exclude<CellGeometry, readonly unknown[]>
    if (typed.type === 'Polygon') return [typed.coordinates]
    if (typed.type === 'MultiPolygon') return typed.coordinates
    invalid(`cell ${code} is a ${String((typed as { type?: unknown }).type)}, not a Polygon or MultiPolygon`)
  }
  // Bare coordinates: a Polygon nests positions three deep, a MultiPolygon four.
  const first = (geometry as readonly unknown[])[0]
  const isPolygon = Array.isArray(first) && Array.isArray(first[0]) && typeof first[0][0] === 'number'
  return isPolygon ? [geometry as PolygonCoordinates] : (geometry as MultiPolygonCoordinates)
}

function closedRing(ring: ReadonlyArray<Position>, code: string): number[][] {
  const out: number[][] = []
  for (const position of ring) {
    const x = position[0]
    const y = position[1]
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      invalid(`cell ${code} has a position that is not two finite numbers`)
    }
    out.push([x, y])
  }
  const first = out[0]
  const last = out.at(-1)
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0]!, first[1]!])
  if (out.length < 4) invalid(`cell ${code} has a ring of fewer than 3 distinct positions`)
  return out
}

function invalid(reason: string): never {
  throw new AppError('INVALID_GEOMETRY', { reason })
}

/**
 * The source of truth for the lookup rule, on the grid_cells table (GiST index on geom): the same
 * answer GridIndex.lookup gives on the same cells.
 */
export async function lookupCellSql<DB>(db: Kysely<DB>, lng: number, lat: number): Promise<GridCellRef | null> {
  const result = await sql<GridCellRef>`
    select id, code from grid_cells
    where ST_Intersects(geom, ST_SetSRID(ST_MakePoint(${lng}::double precision, ${lat}::double precision), 4326))
    order by code
    limit 1`.execute(db)
  return result.rows[0] ?? null
}
