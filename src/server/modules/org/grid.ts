// Grid cells (万米单元网格): point → cell lookup from an in-memory index kept coherent with PostGIS, scoped lists, import/export.
import type { Db } from '../../platform/db/engine.js'
import { audit } from '../../platform/audit.js'
import { actorOf, inScope, type Principal, requirePermission } from '../../platform/auth/principal.js'
import { AppError, notFound } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { type Crs, toWgs84 } from '../../platform/geo/coords.js'
import { GridIndex } from '../../platform/geo/grid-index.js'
import * as repo from './repository.js'
import type { OrgService, Unit } from './service.js'

interface CellMeta {
  id: string
  code: string
  name: string | null
  communityId: string
  orgPath: string
}

export interface CellPerson {
  userId: string
  duty: 'supervisor' | 'grid_worker' | 'responsible'
}

type UnitBrief = Pick<Unit, 'id' | 'code' | 'name'> | null

export interface Lookup {
  point: [number, number]
  cell: { id: string; code: string; name: string | null } | null
  community: UnitBrief
  street: UnitBrief
  district: UnitBrief
  people: CellPerson[]
}

export interface ImportResult {
  created: number
  updated: number
  errors: Array<{ index: number; code?: string; message: string; messages?: { 'zh-CN': string; en: string } }>
}

const brief = (unit: Unit | undefined): UnitBrief => (unit ? { id: unit.id, code: unit.code, name: unit.name } : null)

export class GridService {
  private index = GridIndex.build([], -1)
  private meta = new Map<string, CellMeta>()
  private loading: Promise<void> | undefined
  private bounds: [number, number, number, number] | undefined

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly org: OrgService,
  ) {
    // a failed reload is retried by the periodic revision check (grid.revision-check job)
    events.on('grid.changed', (event) => void this.catchUp(Number(event.revision)).catch(() => undefined))
  }

  get revision(): number {
    return this.index.revision
  }

  /** [minLng, minLat, maxLng, maxLat] of every cell, or undefined while there are none. */
  extent(): [number, number, number, number] | undefined {
    return this.bounds
  }

  get size(): number {
    return this.index.size
  }

  /** (Re)builds the index from the database; concurrent callers share one load. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        // one snapshot, so the revision names exactly the cells read
        const { revision, rows } = await this.db.kysely.transaction().setIsolationLevel('repeatable read').execute(async (trx) => ({
          revision: await repo.gridRevision(trx),
          rows: await repo.allCellsForIndex(trx),
        }))
        this.index = GridIndex.build(rows.map((row) => ({ id: row.id, code: row.code, geometry: JSON.parse(row.geojson) })), revision)
        this.bounds = extentOf(rows.map((row) => row.geojson))
        this.meta = new Map(rows.map((row) => [row.id, { id: row.id, code: row.code, name: row.name, communityId: row.community_id, orgPath: row.org_path }]))
      } finally {
        this.loading = undefined
      }
    })()
    return this.loading
  }

  /** Reloads until the index has reached a revision another process announced (a load already under way may predate it). */
  private async catchUp(revision: number): Promise<void> {
    for (let attempt = 0; attempt < 3 && this.index.revision < revision; attempt++) await this.load()
  }

  /** Reloads when another process changed the grid and its notification was missed. */
  async checkRevision(): Promise<void> {
    if ((await repo.gridRevision(this.db.kysely)) !== this.index.revision) await this.load()
  }

  /** The cell at a WGS84 point, from memory. A point on a shared border belongs to the cell with the lowest code. */
  cellAt(lng: number, lat: number): CellMeta | null {
    const hit = this.index.lookup(lng, lat)
    return hit ? (this.meta.get(hit.id) ?? null) : null
  }

  /** Which cell, which community and street, who is responsible. People are shown only inside the caller's scope. */
  async lookup(principal: Principal, lng: number, lat: number, crs: Crs): Promise<Lookup> {
    const point = toWgs84(lng, lat, crs)
    const cell = this.cellAt(point[0], point[1])
    if (!cell) return { point, cell: null, community: null, street: null, district: null, people: [] }
    const people = inScope(principal, cell.orgPath) ? await this.people([cell.id]) : new Map()
    return {
      point,
      cell: { id: cell.id, code: cell.code, name: cell.name },
      community: brief(this.org.unit(cell.communityId)),
      street: brief(this.org.ancestorOfKind(cell.communityId, ['street', 'zone'])),
      district: brief(this.org.ancestorOfKind(cell.communityId, ['district'])),
      people: people.get(cell.id) ?? [],
    }
  }

  private async people(cellIds: string[]): Promise<Map<string, CellPerson[]>> {
    const rows = await repo.cellPeople(this.db.kysely, cellIds)
    const byCell = new Map<string, CellPerson[]>()
    for (const row of rows) {
      const list = byCell.get(row.grid_cell_id) ?? []
      list.push({ userId: row.user_id, duty: row.duty })
      byCell.set(row.grid_cell_id, list)
    }
    return byCell
  }

  /** The field supervisors responsible for a cell (they verify and check its cases). */
  async supervisorsOf(cellId: string): Promise<string[]> {
    const people = await this.people([cellId])
    return (people.get(cellId) ?? []).filter((p) => p.duty === 'supervisor').map((p) => p.userId)
  }

  /** Scope of a list: the caller's scope narrowed to a street or community they asked for. */
  private scopePath(principal: Principal, unitId: string | undefined): string {
    if (!unitId) return principal.scopePath
    const unit = this.org.unit(unitId)
    if (!unit) throw notFound('单位', 'unit')
    if (!inScope(principal, unit.path)) throw new AppError('OUT_OF_SCOPE')
    return unit.path
  }

  async list(principal: Principal, filter: { q?: string | undefined; streetId?: string | undefined; communityId?: string | undefined }, page: number, pageSize: number) {
    const orgPathPrefix = this.scopePath(principal, filter.communityId ?? filter.streetId)
    const { items, total } = await repo.listCells(this.db.kysely, { q: filter.q, orgPathPrefix }, page, pageSize)
    return { total, items: await this.present(items) }
  }

  private async present(items: repo.CellRow[]) {
    const people = await this.people(items.map((row) => row.id))
    return items.map((row) => {
        const community = this.org.unit(row.community_id)
        const street = this.org.ancestorOfKind(row.community_id, ['street', 'zone'])
        return {
          id: row.id,
          code: row.code,
          name: row.name,
          communityId: row.community_id,
          communityName: community?.name ?? '',
          streetId: street?.id ?? '',
          streetName: street?.name ?? '',
          areaM2: Math.round(row.area_m2),
          people: people.get(row.id) ?? [],
          demo: row.demo,
          version: row.version,
        }
      })
  }

  /** Sets who is responsible for a cell (callers check that the people exist and are in scope). */
  async setPeople(principal: Principal, cellId: string, people: CellPerson[]): Promise<void> {
    requirePermission(principal, 'grid:write')
    const cell = this.meta.get(cellId) ?? (await repo.cellById(this.db.kysely, cellId).then((row) => row && { id: row.id, orgPath: row.org_path }))
    if (!cell) throw notFound('网格', 'grid cell')
    if (!inScope(principal, cell.orgPath)) throw new AppError('OUT_OF_SCOPE')
    await this.db.kysely.transaction().execute(async (trx) => {
      const before = await repo.cellPeople(trx, [cellId])
      await repo.replaceCellPeople(trx, cellId, people)
      await audit(trx, actorOf(principal), { action: 'grid.cell.people', entityType: 'grid_cell', entityId: cellId, details: { before: before.map((p) => ({ userId: p.user_id, duty: p.duty })), after: people } })
    })
  }

  /** The extent of the cells the caller may see: where their map opens. */
  scopeExtent(principal: Principal): Promise<[number, number, number, number] | null> {
    return repo.cellsExtent(this.db.kysely, principal.scopePath)
  }

  /** One cell as listed, in scope. */
  async get(principal: Principal, cellId: string) {
    const row = await repo.cellById(this.db.kysely, cellId)
    if (!row) throw notFound('网格', 'grid cell')
    if (!inScope(principal, row.org_path)) throw new AppError('OUT_OF_SCOPE')
    return (await this.present([row]))[0]!
  }

  /** A GeoJSON FeatureCollection of the cells in a bbox (map) or under a unit (export). */
  async featureCollection(principal: Principal, options: { bbox?: [number, number, number, number] | undefined; unitId?: string | undefined; limit?: number | undefined }) {
    const rows = await repo.cellsWithGeometry(this.db.kysely, { bbox: options.bbox, orgPathPrefix: this.scopePath(principal, options.unitId), limit: options.limit })
    return {
      type: 'FeatureCollection' as const,
      features: rows.map((row) => {
        const community = this.org.unit(row.community_id)
        const street = this.org.ancestorOfKind(row.community_id, ['street', 'zone'])
        return {
          type: 'Feature' as const,
          id: row.id,
          geometry: JSON.parse(row.geojson) as { type: string; coordinates: unknown },
          properties: { code: row.code, name: row.name, communityCode: community?.code ?? '', communityName: community?.name ?? '', streetCode: street?.code ?? '', streetName: street?.name ?? '', areaM2: Math.round(row.area_m2), demo: row.demo },
        }
      }),
    }
  }

  /**
   * Imports cells from GeoJSON features (upsert by code); the community comes from the first 12 digits of the code.
   * All or nothing: if any feature is bad, nothing is stored and the 400 lists every bad feature by index.
   */
  async import(principal: Principal, features: Array<{ geometry: unknown; properties: { code: string; name?: string | null | undefined } }>): Promise<ImportResult> {
    requirePermission(principal, 'grid:write')
    const result: ImportResult = { created: 0, updated: 0, errors: [] }
    const seen = new Set<string>()
    await this.db.kysely.transaction().execute(async (trx) => {
      const rows: Array<{ code: string; name: string | null; community: Unit; geojson: string }> = []
      let geometryOnly = true
      for (const [index, feature] of features.entries()) {
        const code = feature.properties.code
        const reject = (zh: string, en: string, geometry = false) => {
          result.errors.push({ index, code, message: en, messages: { 'zh-CN': zh, en } })
          if (!geometry) geometryOnly = false
        }
        if (seen.has(code)) reject(`网格编码 ${code} 在文件中重复`, `code ${code} appears twice in the file`)
        seen.add(code)
        const community = this.org.byCode(code.slice(0, 12))
        if (!community || community.kind !== 'community') {
          reject(`不存在编码为 ${code.slice(0, 12)} 的社区`, `no community with code ${code.slice(0, 12)}`)
          continue
        }
        if (!inScope(principal, community.path)) {
          reject('该社区不在您的管辖范围内', 'community outside your data scope')
          continue
        }
        const shape = shapeProblem(feature.geometry)
        const geojson = JSON.stringify(feature.geometry)
        const problem = shape ?? (await repo.geometryProblem(trx, geojson))
        if (problem) {
          reject(`几何图形无效：${problem}`, `invalid geometry: ${problem}`, true)
          continue
        }
        rows.push({ code, name: feature.properties.name ?? null, community, geojson })
      }
      if (result.errors.length) {
        const code = geometryOnly ? 'INVALID_GEOMETRY' : 'BAD_REQUEST'
        const reason = { 'zh-CN': `${result.errors.length} 个要素有误，未导入任何网格`, en: `${result.errors.length} features are wrong; nothing was imported` }
        throw new AppError(code, { reason }, result.errors)
      }
      for (const row of rows) {
        const saved = await repo.upsertCell(trx, { code: row.code, name: row.name, community_id: row.community.id, org_path: row.community.path, geojson: row.geojson })
        if (saved.created) result.created++
        else result.updated++
      }
      await repo.bumpGridRevision(trx)
      await audit(trx, actorOf(principal), { action: 'grid.import', entityType: 'grid_cell', details: { features: features.length, created: result.created, updated: result.updated, codes: rows.slice(0, 50).map((r) => r.code) } })
    })
    await this.load()
    await this.events.publish({ type: 'grid.changed', revision: this.index.revision })
    return result
  }
}

/** What PostGIS would accept but a grid cell must not be: coordinates off the globe, rings not closed. */
function shapeProblem(geometry: unknown): string | null {
  const g = geometry as { type: string; coordinates: number[][][] | number[][][][] }
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][]
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (const position of ring) {
        const [lng, lat] = position as [number, number]
        if (!(lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90)) return `position [${lng}, ${lat}] is not a WGS84 longitude/latitude`
      }
      const first = ring[0]!
      const last = ring[ring.length - 1]!
      if (first[0] !== last[0] || first[1] !== last[1]) return 'a ring is not closed (first and last positions differ)'
    }
  }
  return null
}

function extentOf(geojsonTexts: string[]): [number, number, number, number] | undefined {
  if (geojsonTexts.length === 0) return undefined
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return
    if (typeof value[0] === 'number') {
      const [lng, lat] = value as [number, number]
      box[0] = Math.min(box[0], lng)
      box[1] = Math.min(box[1], lat)
      box[2] = Math.max(box[2], lng)
      box[3] = Math.max(box[3], lat)
      return
    }
    for (const item of value) visit(item)
  }
  for (const text of geojsonTexts) visit((JSON.parse(text) as { coordinates: unknown }).coordinates)
  return box
}
