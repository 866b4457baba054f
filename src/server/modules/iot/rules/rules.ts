// The rules of device models and single devices (告警规则): listed, created and edited by admins, the condition checked
// against the model's telemetry keys; every process reloads them on 'iot.rules.changed'.
import { sql } from 'kysely'
import type { Db } from '../../../platform/db/engine.js'
import { audit } from '../../../platform/audit.js'
import { actorOf, inScope, type Principal } from '../../../platform/auth/principal.js'
import { AppError, notFound } from '../../../platform/errors.js'
import type { EventBus } from '../../../platform/events.js'
import { findClass } from '../../classes/service.js'
import type { Condition, Severity, TelemetryKey } from '../models.js'
import { type AlarmService, type LoadedRule, RULES_CHANGED } from './alarms.js'

/** A rule as the API shows it: the loaded rule and what only people need. */
export interface RuleItem extends LoadedRule {
  builtin: boolean
  updatedAt: string
  /** A model's rule that the device's own rule of the same name replaces (listed with `deviceId`). */
  overridden: boolean
}

/** What an admin sets of a rule. */
export interface RuleFields {
  name: string
  nameEn: string
  severity: Severity
  condition: { all: Condition[] }
  createCase: boolean
  classKind?: 'component' | 'event' | null | undefined
  classCode?: string | null | undefined
  enabled: boolean
}

export interface NewRule extends RuleFields {
  modelKey: string
  deviceId?: string | null | undefined
}

const bad = (zh: string, en: string, details?: unknown) => new AppError('BAD_REQUEST', { reason: { 'zh-CN': zh, en } }, details)
const duplicateName = () => new AppError('CONFLICT', { reason: { 'zh-CN': '同名规则已存在', en: 'a rule of this name exists already' } }, { code: 'DUPLICATE_NAME' })
const staleRule = () => new AppError('CONFLICT', { reason: { 'zh-CN': '规则已被他人修改，请刷新后重试', en: 'someone else changed this rule first; reload and try again' } }, { code: 'STALE' })

type RuleRow = { id: string; model_key: string; device_id: string | null; name: string; name_en: string; severity: Severity; condition: unknown; create_case: boolean; class_kind: 'component' | 'event' | null; class_code: string | null; enabled: boolean; builtin: boolean; version: number; updated_at: Date }

const itemOf = (r: RuleRow, overridden = false): RuleItem => ({
  id: r.id, modelKey: r.model_key, deviceId: r.device_id, name: r.name, nameEn: r.name_en, severity: r.severity, condition: r.condition as { all: Condition[] },
  createCase: r.create_case, classKind: r.class_kind, classCode: r.class_code, enabled: r.enabled, builtin: r.builtin, version: r.version,
  updatedAt: r.updated_at.toISOString(), overridden,
})

/**
 * Checks a condition against its model: every key is one of the model's number or boolean keys, a clear line lies on
 * the normal side of its line (hysteresis cannot be negative). The shape (types, seconds > 0) is the schema's.
 */
export function checkCondition(condition: { all: Condition[] }, telemetry: readonly TelemetryKey[]): void {
  condition.all.forEach((part, i) => {
    if (part.type === 'offline') return
    const known = telemetry.find((t) => t.key === part.key)
    if (!known) throw bad(`条件 ${i + 1}：型号没有遥测项 ${part.key}`, `part ${i + 1}: the model has no telemetry key ${part.key}`, { part: i, key: part.key })
    if (known.type === 'string') throw bad(`条件 ${i + 1}：${part.key} 不是数值`, `part ${i + 1}: ${part.key} is not a number or boolean`, { part: i, key: part.key })
    if (part.type === 'rate' || part.clear === undefined) return
    if (part.op === 'above' ? part.clear > part.value : part.clear < part.value) {
      throw bad(`条件 ${i + 1}：解除值须在告警值的正常一侧`, `part ${i + 1}: the clear line must lie on the normal side of the line`, { part: i })
    }
  })
}

export class RuleStore {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly alarms: AlarmService,
  ) {}

  /** A device the principal may see; NOT_FOUND / OUT_OF_SCOPE. */
  private async device(principal: Principal, id: string) {
    const row = await this.db.kysely.selectFrom('devices').select(['id', 'model_key', 'org_path', 'owner_unit_path']).where('id', '=', id).executeTakeFirst()
    if (!row) throw notFound('设备', 'device')
    if (!inScope(principal, row.org_path) && !(row.owner_unit_path && inScope(principal, row.owner_unit_path))) throw new AppError('OUT_OF_SCOPE')
    return row
  }

  /**
   * The rules of a model, or those that apply to a device (its model's, marked when its own replace them, and its
   * own); without either, every model's rules and the device rules in the principal's scope.
   */
  async list(principal: Principal, filter: { model?: string | undefined; deviceId?: string | undefined }): Promise<RuleItem[]> {
    const device = filter.deviceId ? await this.device(principal, filter.deviceId) : undefined
    const model = device?.model_key ?? filter.model
    let query = this.db.kysely.selectFrom('iot_rules').leftJoin('devices', 'devices.id', 'iot_rules.device_id').selectAll('iot_rules')
    if (model) query = query.where('iot_rules.model_key', '=', model)
    if (device) query = query.where((eb) => eb.or([eb('iot_rules.device_id', 'is', null), eb('iot_rules.device_id', '=', device.id)]))
    else {
      query = query.where((eb) => eb.or([
        eb('iot_rules.device_id', 'is', null),
        eb('devices.org_path', 'like', `${principal.scopePath}%`),
        eb('devices.owner_unit_path', 'like', `${principal.scopePath}%`),
      ]))
    }
    const rows = await query.orderBy('iot_rules.model_key').orderBy(sql`iot_rules.device_id nulls first`).orderBy('iot_rules.created_at').orderBy('iot_rules.id').execute()
    const own = new Set(device ? rows.filter((r) => r.device_id && r.enabled).map((r) => r.name) : [])
    return rows.map((r) => itemOf(r, Boolean(device) && r.device_id === null && own.has(r.name)))
  }

  private async modelOf(key: string) {
    const model = await this.db.kysely.selectFrom('device_models').select(['key', 'telemetry', 'class_kind', 'class_code']).where('key', '=', key).executeTakeFirst()
    if (!model) throw bad(`不存在的设备型号 ${key}`, `unknown device model ${key}`, { modelKey: key })
    return model
  }

  /** The class a rule files its cases in must exist; a rule that files cases needs one of its own or its model's. */
  private async checkClass(fields: RuleFields, model: { class_kind: string | null; class_code: string | null }): Promise<void> {
    const kind = fields.classKind ?? null
    const code = fields.classCode ?? null
    if ((kind === null) !== (code === null)) throw bad('分类的类型和代码须同时给出', 'give both the class kind and code, or neither')
    if (kind && code) {
      const cls = await findClass(this.db.kysely, kind, code)
      if (!cls || !cls.active) throw bad(`不存在的分类 ${code}`, `unknown class ${code}`, { classCode: code })
    }
    if (fields.createCase && !code && !model.class_code) throw bad('生成案卷须指定分类（规则或型号的）', 'a rule that files cases needs a class (its own or its model\'s)')
  }

  async create(principal: Principal, input: NewRule): Promise<RuleItem> {
    const model = await this.modelOf(input.modelKey)
    const deviceId = input.deviceId ?? null
    if (deviceId) {
      const device = await this.device(principal, deviceId)
      if (device.model_key !== input.modelKey) throw bad('规则的型号须与设备的型号一致', 'the rule\'s model must be the device\'s', { modelKey: device.model_key })
    }
    checkCondition(input.condition, model.telemetry as TelemetryKey[])
    await this.checkClass(input, model)
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('iot_rules').select('id').where('model_key', '=', input.modelKey).where('name', '=', input.name)
        .where(deviceId ? sql<boolean>`device_id = ${deviceId}` : sql<boolean>`device_id is null`).executeTakeFirst()
      if (taken) throw duplicateName()
      const row = await trx.insertInto('iot_rules').values({
        model_key: input.modelKey, device_id: deviceId, name: input.name, name_en: input.nameEn, severity: input.severity, condition: JSON.stringify(input.condition),
        create_case: input.createCase, class_kind: input.classKind ?? null, class_code: input.classCode ?? null, enabled: input.enabled,
      }).returningAll().executeTakeFirstOrThrow()
      await audit(trx, actorOf(principal), { action: 'iot.rule.create', entityType: 'iot_rule', entityId: row.id, details: { modelKey: row.model_key, deviceId, name: row.name, condition: input.condition } })
      return row
    }).catch(uniqueAsConflict)
    await this.changed()
    // the device's own rule replaces its model's of the same name: that rule's open alarm on the device ends
    if (deviceId && row.enabled) {
      const replaced = await this.db.kysely.selectFrom('iot_rules').select('id').where('model_key', '=', row.model_key).where('device_id', 'is', null).where('name', '=', row.name).executeTakeFirst()
      if (replaced) await this.alarms.retire(actorOf(principal), replaced.id, deviceId)
    }
    return itemOf(row)
  }

  /** Edits a rule (`version` as the editor saw it). A changed condition or a rule switched off ends its open alarms. */
  async update(principal: Principal, id: string, version: number, input: RuleFields): Promise<RuleItem> {
    const current = await this.db.kysely.selectFrom('iot_rules').selectAll().where('id', '=', id).executeTakeFirst()
    if (!current) throw notFound('规则', 'rule')
    if (current.device_id) await this.device(principal, current.device_id)
    if (current.version !== version) throw staleRule()
    if (current.builtin && input.name !== current.name) throw bad('内置规则不能改名', 'a built-in rule keeps its name')
    const model = await this.modelOf(current.model_key)
    checkCondition(input.condition, model.telemetry as TelemetryKey[])
    await this.checkClass(input, model)
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx.updateTable('iot_rules').set({
        name: input.name, name_en: input.nameEn, severity: input.severity, condition: JSON.stringify(input.condition), create_case: input.createCase,
        class_kind: input.classKind ?? null, class_code: input.classCode ?? null, enabled: input.enabled, version: sql`version + 1`, updated_at: new Date(),
      }).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst()
      if (!row) throw staleRule()
      await audit(trx, actorOf(principal), { action: 'iot.rule.update', entityType: 'iot_rule', entityId: id, details: { name: row.name, enabled: row.enabled, condition: input.condition, before: { condition: current.condition, enabled: current.enabled } } })
      return row
    }).catch(uniqueAsConflict)
    await this.changed()
    if (!row.enabled || JSON.stringify(current.condition) !== JSON.stringify(row.condition)) await this.alarms.retire(actorOf(principal), id)
    return itemOf(row)
  }

  /** This process reloads at once; the others on the event. */
  private async changed(): Promise<void> {
    await this.alarms.loadRules()
    await this.events.publish({ type: RULES_CHANGED })
  }
}

function uniqueAsConflict(error: unknown): never {
  if ((error as { code?: string }).code === '23505') throw duplicateName()
  throw error
}
