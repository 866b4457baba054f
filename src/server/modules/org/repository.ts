// The org module's SQL: units (四级网络 and departments), grid cells and the people responsible for them.
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'

type Q = Kysely<Database>

export const unitColumns = ['id', 'parent_id', 'kind', 'code', 'name', 'name_en', 'path', 'sort', 'active', 'demo', 'version'] as const

export function allUnits(db: Q) {
  return db.selectFrom('org_units').select(unitColumns).orderBy('path').execute()
}

export type UnitRow = Awaited<ReturnType<typeof allUnits>>[number]

export function insertUnit(db: Q, values: { id: string; parent_id: string | null; kind: UnitRow['kind']; code: string; name: string; name_en: string | null; path: string; sort: number; demo?: boolean; centre?: [number, number] | undefined; population?: number | null }) {
  const { centre, ...rest } = values
  return db
    .insertInto('org_units')
    .values({ ...rest, ...(centre ? { centre: sql<string>`ST_SetSRID(ST_MakePoint(${centre[0]}, ${centre[1]}), 4326)` } : {}) })
    .returning(unitColumns)
    .executeTakeFirstOrThrow()
}

export function updateUnit(db: Q, id: string, version: number, values: Partial<{ name: string; name_en: string | null; sort: number; active: boolean }>) {
  return db
    .updateTable('org_units')
    .set({ ...values, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returning(unitColumns)
    .executeTakeFirst()
}

export function unitByCode(db: Q, code: string) {
  return db.selectFrom('org_units').select(unitColumns).where('code', '=', code).executeTakeFirst()
}

// grid cells

export interface CellFilter {
  q?: string | undefined
  orgPathPrefix?: string | undefined
}

function cellsFiltered(db: Q, filter: CellFilter) {
  let query = db.selectFrom('grid_cells')
  if (filter.orgPathPrefix) query = query.where('org_path', 'like', `${filter.orgPathPrefix}%`)
  if (filter.q) query = query.where((eb) => eb.or([eb('code', 'like', `${filter.q}%`), eb('name', 'ilike', `%${filter.q}%`)]))
  return query
}

const cellColumns = ['id', 'code', 'name', 'community_id', 'org_path', 'area_m2', 'demo', 'version'] as const

export async function listCells(db: Q, filter: CellFilter, page: number, pageSize: number) {
  const [items, count] = await Promise.all([
    cellsFiltered(db, filter).select(cellColumns).orderBy('code').limit(pageSize).offset((page - 1) * pageSize).execute(),
    cellsFiltered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.n) }
}

export type CellRow = Awaited<ReturnType<typeof listCells>>['items'][number]

/** Cells with their geometry as GeoJSON text, for the map (inside a bbox) and for export. */
export function cellsWithGeometry(db: Q, options: { bbox?: [number, number, number, number] | undefined; orgPathPrefix?: string | undefined; limit?: number | undefined }) {
  let query = db
    .selectFrom('grid_cells')
    .select([...cellColumns, sql<string>`ST_AsGeoJSON(geom, 7)`.as('geojson')])
  if (options.bbox) {
    const [minLng, minLat, maxLng, maxLat] = options.bbox
    query = query.where(sql<boolean>`geom && ST_MakeEnvelope(${minLng}, ${minLat}, ${maxLng}, ${maxLat}, 4326)`)
  }
  if (options.orgPathPrefix) query = query.where('org_path', 'like', `${options.orgPathPrefix}%`)
  query = query.orderBy('code')
  if (options.limit) query = query.limit(options.limit)
  return query.execute()
}

/** Every cell's outline for the in-memory index. */
export function allCellsForIndex(db: Q) {
  return db.selectFrom('grid_cells').select(['id', 'code', 'name', 'community_id', 'org_path', sql<string>`ST_AsGeoJSON(geom, 15)`.as('geojson')]).execute()
}

export function cellById(db: Q, id: string) {
  return db.selectFrom('grid_cells').select(cellColumns).where('id', '=', id).executeTakeFirst()
}

/**
 * Inserts or replaces a cell by code. The geometry arrives as GeoJSON text; PostGIS checks it (ST_IsValid in the table).
 * Returns whether the cell was created.
 */
export async function upsertCell(db: Q, cell: { code: string; name: string | null; community_id: string; org_path: string; geojson: string; demo?: boolean }) {
  const geom = sql<string>`ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${cell.geojson}), 4326))`
  const row = await db
    .insertInto('grid_cells')
    .values({
      code: cell.code,
      name: cell.name,
      community_id: cell.community_id,
      org_path: cell.org_path,
      geom,
      area_m2: sql<number>`ST_Area(${geom}::geography)`,
      demo: cell.demo ?? false,
    })
    .onConflict((oc) =>
      oc.column('code').doUpdateSet({
        name: cell.name,
        community_id: cell.community_id,
        org_path: cell.org_path,
        geom: sql<string>`excluded.geom`,
        area_m2: sql`excluded.area_m2`,
        version: sql`grid_cells.version + 1`,
        updated_at: sql`now()`,
      }),
    )
    .returning(['id', sql<boolean>`xmax = 0`.as('created')])
    .executeTakeFirstOrThrow()
  return row
}

/** Checks a GeoJSON geometry in PostGIS itself: the database is the judge of validity. */
export async function geometryProblem(db: Q, geojson: string): Promise<string | null> {
  try {
    const row = await sql<{ valid: boolean; reason: string; type: string }>`
      select ST_IsValid(g) as valid, ST_IsValidReason(g) as reason, GeometryType(g) as type
      from (select ST_GeomFromGeoJSON(${geojson}) as g) t`.execute(db)
    const r = row.rows[0]
    if (!r) return 'no geometry'
    if (r.type !== 'POLYGON' && r.type !== 'MULTIPOLYGON') return `expected Polygon or MultiPolygon, got ${r.type}`
    return r.valid ? null : r.reason
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] ?? 'unreadable geometry' : 'unreadable geometry'
  }
}

export function bumpGridRevision(db: Q) {
  return db.updateTable('grid_revision').set({ revision: sql`revision + 1` }).returning('revision').executeTakeFirstOrThrow()
}

export async function gridRevision(db: Q): Promise<number> {
  const row = await db.selectFrom('grid_revision').select('revision').executeTakeFirstOrThrow()
  return Number(row.revision)
}

export function cellPeople(db: Q, cellIds: string[]) {
  if (cellIds.length === 0) return Promise.resolve([])
  return db.selectFrom('grid_cell_people').select(['grid_cell_id', 'user_id', 'duty']).where('grid_cell_id', 'in', cellIds).orderBy('duty').execute()
}

export function assignCellPerson(db: Q, gridCellId: string, userId: string, duty: 'supervisor' | 'grid_worker' | 'responsible') {
  return db.insertInto('grid_cell_people').values({ grid_cell_id: gridCellId, user_id: userId, duty }).onConflict((oc) => oc.doNothing()).execute()
}

export function countCells(db: Q) {
  return db.selectFrom('grid_cells').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
}

/** Replaces the people responsible for a cell. */
export async function replaceCellPeople(db: Q, gridCellId: string, people: Array<{ userId: string; duty: 'supervisor' | 'grid_worker' | 'responsible' }>) {
  await db.deleteFrom('grid_cell_people').where('grid_cell_id', '=', gridCellId).execute()
  if (people.length) await db.insertInto('grid_cell_people').values(people.map((p) => ({ grid_cell_id: gridCellId, user_id: p.userId, duty: p.duty }))).onConflict((oc) => oc.doNothing()).execute()
}

/** [minLng, minLat, maxLng, maxLat] of the cells under a path, or null when there are none. */
export async function cellsExtent(db: Q, orgPathPrefix: string): Promise<[number, number, number, number] | null> {
  const row = await db
    .selectFrom('grid_cells')
    .select([sql<number | null>`ST_XMin(ST_Extent(geom))`.as('minx'), sql<number | null>`ST_YMin(ST_Extent(geom))`.as('miny'), sql<number | null>`ST_XMax(ST_Extent(geom))`.as('maxx'), sql<number | null>`ST_YMax(ST_Extent(geom))`.as('maxy')])
    .where('org_path', 'like', `${orgPathPrefix}%`)
    .executeTakeFirst()
  if (!row || row.minx === null || row.miny === null || row.maxx === null || row.maxy === null) return null
  return [row.minx, row.miny, row.maxx, row.maxy]
}
