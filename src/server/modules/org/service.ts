// Organisation use cases: the unit tree held in memory (a few thousand rows), scoped reads and audited changes.
import { randomUUID } from 'node:crypto'
import type { Db } from '../../platform/db/engine.js'
import { audit } from '../../platform/audit.js'
import { actorOf, inScope, type Principal, requirePermission, requireScope } from '../../platform/auth/principal.js'
import { AppError, notFound } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import * as repo from './repository.js'
import type { UnitRow } from './repository.js'
import { codeProblem, PARENT_KINDS, type UnitKind } from './units.js'

export interface Unit {
  id: string
  parentId: string | null
  kind: UnitKind
  code: string
  name: string
  nameEn: string | null
  path: string
  sort: number
  active: boolean
  demo: boolean
  version: number
}

const present = (row: UnitRow): Unit => ({
  id: row.id,
  parentId: row.parent_id,
  kind: row.kind,
  code: row.code,
  name: row.name,
  nameEn: row.name_en,
  path: row.path,
  sort: row.sort,
  active: row.active,
  demo: row.demo,
  version: row.version,
})

export class OrgService {
  private units = new Map<string, Unit>()
  private loads = 0

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
  ) {
    events.on('org.changed', () => void this.load())
  }

  async load(): Promise<void> {
    const load = ++this.loads
    const rows = await repo.allUnits(this.db.kysely)
    // loads may overlap (a local change and a notification): the one started last read the newest rows
    if (load === this.loads) this.units = new Map(rows.map((row) => [row.id, present(row)]))
  }

  /** Any unit by id, unscoped: for other modules' services, which apply scope themselves. */
  unit(id: string): Unit | undefined {
    return this.units.get(id)
  }

  /** The unit and its ancestors, nearest first. */
  lineage(id: string): Unit[] {
    const chain: Unit[] = []
    for (let unit = this.units.get(id); unit; unit = unit.parentId ? this.units.get(unit.parentId) : undefined) chain.push(unit)
    return chain
  }

  ancestorOfKind(id: string, kinds: UnitKind[]): Unit | undefined {
    return this.lineage(id).find((unit) => kinds.includes(unit.kind))
  }

  district(): Unit | undefined {
    for (const unit of this.units.values()) if (unit.kind === 'district') return unit
    return undefined
  }

  byCode(code: string): Unit | undefined {
    for (const unit of this.units.values()) if (unit.code === code) return unit
    return undefined
  }

  /** Ids of the units inside a scope path (the unit of that path and everything under it). */
  idsUnder(path: string): string[] {
    return [...this.units.values()].filter((unit) => unit.path.startsWith(path)).map((unit) => unit.id)
  }

  list(principal: Principal, filter: { kind?: UnitKind | undefined; parentId?: string | undefined; q?: string | undefined }): Unit[] {
    const q = filter.q?.toLowerCase()
    return [...this.units.values()]
      .filter((unit) => inScope(principal, unit.path))
      .filter((unit) => !filter.kind || unit.kind === filter.kind)
      .filter((unit) => !filter.parentId || unit.parentId === filter.parentId)
      .filter((unit) => !q || unit.name.toLowerCase().includes(q) || unit.code.startsWith(q) || (unit.nameEn ?? '').toLowerCase().includes(q))
      .sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.sort - b.sort || a.code.localeCompare(b.code))
  }

  get(principal: Principal, id: string): Unit {
    const unit = this.units.get(id)
    if (!unit) throw notFound('单位', 'unit')
    requireScope(principal, unit.path)
    return unit
  }

  async create(principal: Principal, input: { parentId: string; kind: UnitKind; code: string; name: string; nameEn?: string | undefined; sort?: number | undefined }): Promise<Unit> {
    requirePermission(principal, 'org:write')
    const parent = this.get(principal, input.parentId)
    if (!PARENT_KINDS[input.kind].includes(parent.kind)) {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `${parent.name} 下不能建立该类单位`, en: `a ${input.kind} cannot sit under a ${parent.kind}` } })
    }
    const problem = codeProblem(input.kind, input.code, parent.kind === 'department' || parent.kind === 'sub_unit' ? null : parent.code)
    if (problem) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': problem.zh, en: problem.en } })
    if (this.byCode(input.code)) throw new AppError('CONFLICT', { reason: { 'zh-CN': `代码 ${input.code} 已被使用`, en: `code ${input.code} is taken` } })
    const id = randomUUID()
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const created = await repo.insertUnit(trx, { id, parent_id: parent.id, kind: input.kind, code: input.code, name: input.name, name_en: input.nameEn ?? null, path: `${parent.path}${id}/`, sort: input.sort ?? 0 })
      await audit(trx, actorOf(principal), { action: 'org.unit.create', entityType: 'org_unit', entityId: id, details: { after: created } })
      return created
    })
    await this.changed()
    return present(row)
  }

  async update(principal: Principal, id: string, input: { version: number; name?: string | undefined; nameEn?: string | null | undefined; sort?: number | undefined; active?: boolean | undefined }): Promise<Unit> {
    requirePermission(principal, 'org:write')
    const before = this.get(principal, id)
    const values = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.nameEn !== undefined ? { name_en: input.nameEn } : {}),
      ...(input.sort !== undefined ? { sort: input.sort } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    }
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await repo.updateUnit(trx, id, input.version, values)
      if (!updated) throw staleVersion()
      await audit(trx, actorOf(principal), { action: 'org.unit.update', entityType: 'org_unit', entityId: id, details: { before, changes: values } })
      return updated
    })
    await this.changed()
    return present(row)
  }

  private async changed() {
    await this.load()
    await this.events.publish({ type: 'org.changed' })
  }
}

export const staleVersion = () =>
  new AppError('CONFLICT', { reason: { 'zh-CN': '数据已被他人修改，请刷新后重试', en: 'someone else changed this record; reload and try again' } })
