// The responsibility matrix held in memory (a few hundred rules), edited by administrators, audited, shared by NOTIFY.
import { sql } from 'kysely'
import type { Db } from '../../platform/db/engine.js'
import { audit } from '../../platform/audit.js'
import { actorOf, type Principal, requirePermission } from '../../platform/auth/principal.js'
import { AppError, notFound } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import type { OrgService } from '../org/service.js'
import { chooseRule, type DispatchRule } from './matrix.js'

/** A rule as an administrator sets it (the id is the table's). */
export type RuleInput = Omit<DispatchRule, 'id'>

const DISPOSAL_KINDS = ['street', 'zone', 'community', 'department', 'sub_unit']
const AREA_KINDS = ['district', 'street', 'zone', 'community']

export class DispatchMatrix {
  private rules: DispatchRule[] = []

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly org: OrgService,
  ) {
    events.on('cases.matrix.changed', () => void this.load())
  }

  async load(): Promise<void> {
    const rows = await this.db.kysely.selectFrom('dispatch_rules').selectAll().orderBy('big_code').orderBy('small_code').execute()
    this.rules = rows.map((r) => ({ id: r.id, classKind: r.class_kind, bigCode: r.big_code, smallCode: r.small_code, areaUnitId: r.area_unit_id, unitId: r.unit_id, auto: r.auto }))
  }

  list(): DispatchRule[] {
    return this.rules
  }

  /** The rule for a case at a place (its community, or the district when it lies outside every cell). */
  suggest(classKind: 'component' | 'event', smallCode: string, placeUnitId: string | null): DispatchRule | null {
    const district = this.org.district()
    const areaUnitIds = placeUnitId ? this.org.lineage(placeUnitId).map((u) => u.id) : district ? [district.id] : []
    return chooseRule(this.rules, { classKind, smallCode, areaUnitIds })
  }

  /** Creates or replaces the rule for a class in an area. */
  async put(principal: Principal, input: RuleInput): Promise<DispatchRule> {
    requirePermission(principal, 'case:configure')
    const area = this.org.unit(input.areaUnitId)
    const unit = this.org.unit(input.unitId)
    if (!area || !AREA_KINDS.includes(area.kind)) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '区域须为区、街道或社区', en: 'the area must be the district, a street or a community' } })
    if (!unit || !DISPOSAL_KINDS.includes(unit.kind)) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '处置单位须为部门、街道、社区或下属单位', en: 'the disposal unit must be a department, street, community or sub-unit' } })
    if (input.smallCode !== null && !input.smallCode.startsWith(input.bigCode)) {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '小类代码须以大类代码开头', en: 'the small code must start with the big code' } })
    }
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('dispatch_rules')
        .select('id')
        .where('class_kind', '=', input.classKind)
        .where('big_code', '=', input.bigCode)
        .where(sql<boolean>`coalesce(small_code, '') = ${input.smallCode ?? ''}`)
        .where('area_unit_id', '=', input.areaUnitId)
        .executeTakeFirst()
      const values = { class_kind: input.classKind, big_code: input.bigCode, small_code: input.smallCode, area_unit_id: input.areaUnitId, unit_id: input.unitId, auto: input.auto }
      const saved = existing
        ? await trx.updateTable('dispatch_rules').set({ ...values, version: sql`version + 1`, updated_at: sql`now()` }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
        : await trx.insertInto('dispatch_rules').values(values).returningAll().executeTakeFirstOrThrow()
      await audit(trx, actorOf(principal), { action: 'cases.matrix.put', entityType: 'dispatch_rule', entityId: saved.id, details: { ...input } })
      return saved
    })
    await this.changed()
    return { id: row.id, classKind: row.class_kind, bigCode: row.big_code, smallCode: row.small_code, areaUnitId: row.area_unit_id, unitId: row.unit_id, auto: row.auto }
  }

  async remove(principal: Principal, id: string): Promise<void> {
    requirePermission(principal, 'case:configure')
    await this.db.kysely.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('dispatch_rules').where('id', '=', id).returningAll().executeTakeFirst()
      if (!removed) throw notFound('派遣规则', 'dispatch rule')
      await audit(trx, actorOf(principal), { action: 'cases.matrix.remove', entityType: 'dispatch_rule', entityId: id, details: { removed } })
    })
    await this.changed()
  }

  private async changed() {
    await this.load()
    await this.events.publish({ type: 'cases.matrix.changed' })
  }
}
