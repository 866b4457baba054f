// The device registry (设备台账): devices, their access tokens, and the lookups ingestion makes on every connection
// and message (cached, dropped on 'device.changed' from any process). Staff list, place, edit and re-key devices here,
// each change audited in its transaction and announced to every process afterwards.
import { createHash, randomBytes } from 'node:crypto'
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely'
import { type Actor, audit } from '../../platform/audit.js'
import { actorOf, inScope, type Principal } from '../../platform/auth/principal.js'
import type { Database, DevicesTable } from '../../platform/db/database.js'
import type { Db } from '../../platform/db/engine.js'
import { AppError, type ErrorCode, type ErrorParams, notFound } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { type Crs, toWgs84 } from '../../platform/geo/coords.js'
import type { GridService } from '../org/grid.js'
import { type OrgService, staleVersion } from '../org/service.js'
import { SEVERITIES, type Severity, type TelemetryKey } from './models.js'

/** What ingestion and the rules need of a device. */
export interface DeviceRef {
  id: string
  code: string
  name: string
  modelKey: string
  lng: number | null
  lat: number | null
  orgPath: string
  streetId: string | null
  enabled: boolean
}

export const DEVICE_CHANGED = 'device.changed'
/** Published after an admin edited a model (ranges, interval, default class): `{ modelKey }`. */
export const MODEL_CHANGED = 'device.model.changed'

/** How long a lookup is trusted without an event (a missed NOTIFY heals after this). */
const CACHE_MS = 60_000
const CACHE_SIZE = 50_000

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')
/** A new access token: 20 random bytes, URL-safe (ThingsBoard tokens are 20 characters; ours are 27). */
export const newToken = () => randomBytes(20).toString('base64url')
export const TOKEN_HINT_LENGTH = 4

const COLUMNS = ['id', 'code', 'name', 'model_key', 'lng', 'lat', 'org_path', 'street_id', 'enabled'] as const
type RefRow = { id: string; code: string; name: string; model_key: string; lng: number | null; lat: number | null; org_path: string; street_id: string | null; enabled: boolean }
const refOf = (r: RefRow): DeviceRef => ({ id: r.id, code: r.code, name: r.name, modelKey: r.model_key, lng: r.lng, lat: r.lat, orgPath: r.org_path, streetId: r.street_id, enabled: r.enabled })

interface Cached {
  ref: DeviceRef | undefined
  at: number
}

// ---- what staff see and send ---------------------------------------------------------------------------------------

/** A device model as staff see and edit it. */
export interface DeviceModel {
  key: string
  name: string
  nameEn: string
  telemetry: TelemetryKey[]
  intervalSeconds: number
  classKind: 'component' | 'event' | null
  classCode: string | null
  builtin: boolean
  updatedAt: string
}

/** The fields of a device an operator gives (create, import). Positions are WGS84 unless `crs` says otherwise. */
export interface DeviceInput {
  code: string
  name: string
  modelKey: string
  lng?: number | null | undefined
  lat?: number | null | undefined
  crs?: Crs | undefined
  address?: string | null | undefined
  facilityKind?: string | null | undefined
  facilityName?: string | null | undefined
  facilityRef?: string | null | undefined
  ownerUnitId?: string | null | undefined
  /** YYYY-MM-DD */
  installedOn?: string | null | undefined
}

/** An edit: the fields given change, `lng`/`lat` null unplace the device; `enabled: false` refuses it everywhere. */
export interface DeviceChanges extends Partial<DeviceInput> {
  enabled?: boolean | undefined
}

export type DeviceState = 'never' | 'online' | 'offline'

export interface DeviceFilter {
  q?: string | undefined
  model?: string | undefined
  state?: DeviceState | undefined
  streetId?: string | undefined
  /** 'open': with an open (not cleared) alarm; 'none': without; a severity: with an open alarm of that severity. */
  alarm?: 'open' | 'none' | Severity | undefined
}

type LatestValues = Record<string, { v: number | boolean | string; ts: number; q: number }>

/** The open-alarm badge of a device: how many alarms are not cleared, and the worst severity among them. */
export interface AlarmBadge {
  open: number
  worst: Severity | null
}

export interface DeviceItem {
  id: string
  code: string
  name: string
  modelKey: string
  modelName: string
  state: DeviceState
  enabled: boolean
  lng: number | null
  lat: number | null
  address: string | null
  streetId: string | null
  streetName: string | null
  communityName: string | null
  lastSeen: string | null
  latest: LatestValues
  alarms: AlarmBadge
  version: number
}

export interface DeviceDetail extends DeviceItem {
  model: DeviceModel
  cellId: string | null
  communityId: string | null
  orgPath: string
  facilityKind: string | null
  facilityName: string | null
  facilityRef: string | null
  ownerUnitId: string | null
  ownerUnitName: string | null
  installedOn: string | null
  /** The token's first characters and when it was issued; null while revoked. */
  token: { hint: string; issuedAt: string } | null
  latestAt: string | null
  attributes: Record<string, unknown>
  counters: { rejected: number; flagged: number; lastReject: string | null }
  createdAt: string
  updatedAt: string
}

/** The columns of an import file (and the fields they fill), in the template's order. */
export const DEVICE_COLUMNS = ['code', 'name', 'model', 'lng', 'lat', 'address', 'facility_kind', 'facility_name', 'facility_ref', 'owner_unit', 'installed_on'] as const
export type DeviceColumn = (typeof DEVICE_COLUMNS)[number]

/** Each column's heading in both languages (error messages and the import template). */
export const COLUMN_NAMES: Record<DeviceColumn, { 'zh-CN': string; en: string }> = {
  code: { 'zh-CN': '设备编号', en: 'code' },
  name: { 'zh-CN': '设备名称', en: 'name' },
  model: { 'zh-CN': '型号', en: 'model' },
  lng: { 'zh-CN': '经度', en: 'longitude' },
  lat: { 'zh-CN': '纬度', en: 'latitude' },
  address: { 'zh-CN': '地址', en: 'address' },
  facility_kind: { 'zh-CN': '设施类型', en: 'facility kind' },
  facility_name: { 'zh-CN': '设施名称', en: 'facility name' },
  facility_ref: { 'zh-CN': '设施编号', en: 'facility reference' },
  owner_unit: { 'zh-CN': '权属单位', en: 'owner unit' },
  installed_on: { 'zh-CN': '安装日期', en: 'installation date' },
}

/** One thing wrong with a device's fields, and the column it belongs to. */
export interface Problem {
  column: DeviceColumn
  error: AppError
}

const problem = (column: DeviceColumn, code: ErrorCode, params: ErrorParams = {}): Problem => ({ column, error: new AppError(code, params, { column }) })
const required = (column: DeviceColumn) => problem(column, 'DEVICE_FIELD_REQUIRED', { column: COLUMN_NAMES[column] })
const invalid = (column: DeviceColumn, zh: string, en: string) => problem(column, 'DEVICE_FIELD_INVALID', { column: COLUMN_NAMES[column], reason: { 'zh-CN': zh, en } })

const TEXT_MAX = 200
const CODE_MAX = 64
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The device row fields that a check fills (everything but the token and the counters). */
export type DeviceValues = Pick<Insertable<DevicesTable>, 'code' | 'name' | 'model_key' | 'lng' | 'lat' | 'cell_id' | 'street_id' | 'community_id' | 'address' | 'org_path' | 'facility_kind' | 'facility_name' | 'facility_ref' | 'owner_unit_id' | 'owner_unit_path' | 'installed_on'>

/** A device created with its token, which is shown this once. */
export interface Created {
  id: string
  code: string
  token: string
}

/** A device's row, its installation day as text (a date column is parsed into a zone-dependent Date otherwise). */
type DeviceRow = Selectable<DevicesTable> & { installed_day: string | null }
const INSTALLED_DAY = sql<string | null>`installed_on::text`.as('installed_day')
type Q = Kysely<Database>

/** Where devices are placed: the grid index for the cell at a position, the unit tree for streets, owners and names. */
export interface Places {
  grid: GridService
  org: OrgService
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)
const iso = (d: Date | null) => (d ? d.toISOString() : null)
const SEVERITY_RANK = sql<number>`min(case severity when 'critical' then 0 when 'major' then 1 when 'minor' then 2 else 3 end)`

const modelOf = (r: Selectable<Database['device_models']>): DeviceModel => ({
  key: r.key, name: r.name, nameEn: r.name_en, telemetry: r.telemetry as TelemetryKey[], intervalSeconds: r.interval_seconds,
  classKind: r.class_kind, classCode: r.class_code, builtin: r.builtin, updatedAt: r.updated_at.toISOString(),
})

export class DeviceRegistry {
  private readonly byTokenCache = new Map<string, Cached>()
  private readonly byIdCache = new Map<string, Cached>()
  private readonly changeListeners = new Set<(deviceId: string) => void>()

  /**
   * `places` (the grid and the unit tree) is needed by everything staff do; a registry built without it (ingestion's
   * own tests) answers the lookups by token and id only.
   */
  constructor(
    protected readonly db: Db,
    protected readonly events: EventBus,
    private readonly places?: Places,
  ) {
    events.on(DEVICE_CHANGED, (event) => {
      if (typeof event.deviceId === 'string') this.forget(event.deviceId)
    })
  }

  /** Told (in every process) when a device changed: its token was rotated or revoked, it moved, it was disabled. */
  onChange(listener: (deviceId: string) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** The device holding this token; undefined when the token is unknown or revoked, or the device disabled. */
  async byToken(token: string): Promise<DeviceRef | undefined> {
    if (!token || token.length > 200) return undefined
    const hash = tokenHash(token)
    const cached = this.byTokenCache.get(hash)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.ref
    const row = await this.db.kysely.selectFrom('devices').select(COLUMNS).where('token_sha256', '=', hash).executeTakeFirst()
    const ref = row && row.enabled ? refOf(row) : undefined
    remember(this.byTokenCache, hash, ref)
    if (ref) remember(this.byIdCache, ref.id, ref)
    return ref
  }

  async byId(id: string): Promise<DeviceRef | undefined> {
    const cached = this.byIdCache.get(id)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.ref
    const row = await this.db.kysely.selectFrom('devices').select(COLUMNS).where('id', '=', id).executeTakeFirst()
    const ref = row ? refOf(row) : undefined
    remember(this.byIdCache, id, ref)
    return ref
  }

  /** Drops what is cached of a device (its token lookups too) and tells the listeners. */
  protected forget(deviceId: string): void {
    this.byIdCache.delete(deviceId)
    for (const [hash, cached] of this.byTokenCache) if (!cached.ref || cached.ref.id === deviceId) this.byTokenCache.delete(hash)
    for (const listener of this.changeListeners) listener(deviceId)
  }

  /** Call after a committed change of a device: every process drops it from its caches. */
  protected async changed(deviceId: string): Promise<void> {
    this.forget(deviceId)
    await this.events.publish({ type: DEVICE_CHANGED, deviceId })
  }

  private get placed(): Places {
    if (!this.places) throw new Error('this DeviceRegistry was built for lookups only (no grid and units)')
    return this.places
  }

  // ---- models ------------------------------------------------------------------------------------------------------

  async models(): Promise<DeviceModel[]> {
    return (await this.db.kysely.selectFrom('device_models').selectAll().orderBy('key').execute()).map(modelOf)
  }

  async model(key: string): Promise<DeviceModel | undefined> {
    const row = await this.db.kysely.selectFrom('device_models').selectAll().where('key', '=', key).executeTakeFirst()
    return row ? modelOf(row) : undefined
  }

  /**
   * Edits a model: the valid ranges of its number keys (keys not named keep theirs; null removes a bound), its
   * reporting interval, and the case class its alarms file by default (both null: none).
   */
  async updateModel(principal: Principal, key: string, input: {
    ranges?: Array<{ key: string; min?: number | null | undefined; max?: number | null | undefined }> | undefined
    intervalSeconds?: number | undefined
    classKind?: 'component' | 'event' | null | undefined
    classCode?: string | null | undefined
  }): Promise<DeviceModel> {
    const before = await this.model(key)
    if (!before) throw notFound('设备型号', 'device model')
    const telemetry = before.telemetry.map((k) => ({ ...k }))
    for (const range of input.ranges ?? []) {
      const target = telemetry.find((k) => k.key === range.key)
      if (!target || target.type !== 'number') throw new AppError('TELEMETRY_KEY_UNKNOWN', { model: key, key: range.key })
      for (const bound of ['min', 'max'] as const) {
        const value = range[bound]
        if (value === null) delete target[bound]
        else if (value !== undefined) target[bound] = value
      }
      if (target.min !== undefined && target.max !== undefined && target.min > target.max) {
        throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `${target.name} 的下限大于上限`, en: `the minimum of ${target.key} is above its maximum` } })
      }
    }
    let classKind = before.classKind
    let classCode = before.classCode
    if (input.classKind !== undefined || input.classCode !== undefined) {
      classKind = input.classKind ?? null
      classCode = input.classCode ?? null
      if ((classKind === null) !== (classCode === null)) {
        throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '案卷分类须同时给出类型和代码', en: 'give both classKind and classCode, or neither' } })
      }
      if (classKind && classCode) {
        const found = await this.db.kysely.selectFrom('case_classes').select('small_code').where('kind', '=', classKind).where('small_code', '=', classCode).executeTakeFirst()
        if (!found) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `不存在的分类 ${classCode}`, en: `unknown class ${classCode}` } })
      }
    }
    const intervalSeconds = input.intervalSeconds ?? before.intervalSeconds
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('device_models')
        .set({ telemetry: JSON.stringify(telemetry), interval_seconds: intervalSeconds, class_kind: classKind, class_code: classCode, updated_at: new Date() })
        .where('key', '=', key).returningAll().executeTakeFirstOrThrow()
      await audit(trx, actorOf(principal), { action: 'device.model.update', entityType: 'device_model', entityId: key, details: { before: { telemetry: before.telemetry, intervalSeconds: before.intervalSeconds, classKind: before.classKind, classCode: before.classCode }, after: { telemetry, intervalSeconds, classKind, classCode } } })
      return updated
    })
    await this.events.publish({ type: MODEL_CHANGED, modelKey: key })
    return modelOf(row)
  }

  // ---- reading devices ---------------------------------------------------------------------------------------------

  /** Devices the principal may see: placed in their scope, or owned by their unit (or one under it). */
  private scoped(db: Q, principal: Principal) {
    const prefix = `${principal.scopePath}%`
    return db.selectFrom('devices').where((eb) => eb.or([eb('org_path', 'like', prefix), eb('owner_unit_path', 'like', prefix)]))
  }

  private visible(principal: Principal, row: Pick<DeviceRow, 'org_path' | 'owner_unit_path'>): boolean {
    return inScope(principal, row.org_path) || (row.owner_unit_path !== null && inScope(principal, row.owner_unit_path))
  }

  /** One device's row if the principal may see it: 404 when there is none, OUT_OF_SCOPE when it lies elsewhere. */
  async row(principal: Principal, id: string, db: Q = this.db.kysely): Promise<DeviceRow> {
    const row = await db.selectFrom('devices').selectAll().select(INSTALLED_DAY).where('id', '=', id).executeTakeFirst()
    if (!row) throw notFound('设备', 'device')
    if (!this.visible(principal, row)) throw new AppError('OUT_OF_SCOPE')
    return row
  }

  private filtered(principal: Principal, filter: DeviceFilter) {
    let query = this.scoped(this.db.kysely, principal)
    if (filter.q) {
      const like = `%${escapeLike(filter.q.trim())}%`
      query = query.where((eb) => eb.or([eb('code', 'ilike', like), eb('name', 'ilike', like), eb('address', 'ilike', like), eb('facility_name', 'ilike', like)]))
    }
    if (filter.model) query = query.where('model_key', '=', filter.model)
    if (filter.state) query = query.where('state', '=', filter.state)
    if (filter.streetId) query = query.where('street_id', '=', filter.streetId)
    const alarm = filter.alarm
    if (alarm) {
      query = query.where((eb) => {
        let open = eb.selectFrom('alarms').select('alarms.id').whereRef('alarms.device_id', '=', 'devices.id').where('alarms.state', '<>', 'cleared')
        if (alarm !== 'open' && alarm !== 'none') open = open.where('alarms.severity', '=', alarm)
        return alarm === 'none' ? eb.not(eb.exists(open)) : eb.exists(open)
      })
    }
    return query
  }

  /** Open-alarm badges of these devices (devices without open alarms are left out). */
  private async badges(ids: string[]): Promise<Map<string, AlarmBadge>> {
    if (ids.length === 0) return new Map()
    const rows = await this.db.kysely.selectFrom('alarms')
      .select(['device_id', (eb) => eb.fn.countAll<string>().as('open'), SEVERITY_RANK.as('worst')])
      .where('device_id', 'in', ids).where('state', '<>', 'cleared').groupBy('device_id').execute()
    return new Map(rows.map((r) => [r.device_id, { open: Number(r.open), worst: SEVERITIES[Number(r.worst)] ?? null }]))
  }

  private async latest(ids: string[]): Promise<Map<string, { ts: Date; values: LatestValues }>> {
    if (ids.length === 0) return new Map()
    const rows = await this.db.kysely.selectFrom('device_latest').select(['device_id', 'ts', 'values']).where('device_id', 'in', ids).execute()
    return new Map(rows.map((r) => [r.device_id, { ts: r.ts, values: r.values }]))
  }

  private item(row: DeviceRow, models: Map<string, DeviceModel>, latest: LatestValues | undefined, badge: AlarmBadge | undefined): DeviceItem {
    const { org } = this.placed
    return {
      id: row.id, code: row.code, name: row.name, modelKey: row.model_key, modelName: models.get(row.model_key)?.name ?? row.model_key,
      state: row.state, enabled: row.enabled, lng: row.lng, lat: row.lat, address: row.address,
      streetId: row.street_id, streetName: row.street_id ? (org.unit(row.street_id)?.name ?? null) : null,
      communityName: row.community_id ? (org.unit(row.community_id)?.name ?? null) : null,
      lastSeen: iso(row.last_seen), latest: latest ?? {}, alarms: badge ?? { open: 0, worst: null }, version: row.version,
    }
  }

  /** Every model by its key. */
  async modelsByKey(): Promise<Map<string, DeviceModel>> {
    return new Map((await this.models()).map((m) => [m.key, m]))
  }

  /** A page of the devices in scope, by code, each with its latest values and open-alarm badge. */
  async list(principal: Principal, filter: DeviceFilter, page = 1, pageSize = 20): Promise<{ items: DeviceItem[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.filtered(principal, filter).selectAll().select(INSTALLED_DAY).orderBy('code').limit(pageSize).offset((page - 1) * pageSize).execute(),
      this.filtered(principal, filter).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    const ids = rows.map((r) => r.id)
    const [models, latest, badges] = await Promise.all([this.modelsByKey(), this.latest(ids), this.badges(ids)])
    return { items: rows.map((r) => this.item(r, models, latest.get(r.id)?.values, badges.get(r.id))), total: Number(count.n) }
  }

  /** The placed devices in scope as GeoJSON points with their state and worst open alarm, for the map. */
  async map(principal: Principal, filter: DeviceFilter = {}) {
    const rows = await this.filtered(principal, filter)
      .leftJoin(
        (eb) => eb.selectFrom('alarms').select(['device_id', (e) => e.fn.countAll<string>().as('open'), SEVERITY_RANK.as('worst')]).where('state', '<>', 'cleared').groupBy('device_id').as('a'),
        (join) => join.onRef('a.device_id', '=', 'devices.id'),
      )
      .select(['devices.id', 'devices.code', 'devices.name', 'devices.model_key', 'devices.state', 'devices.enabled', 'devices.lng', 'devices.lat', 'a.open', 'a.worst'])
      .where('devices.lng', 'is not', null).where('devices.lat', 'is not', null)
      .orderBy('devices.code').execute()
    return {
      type: 'FeatureCollection' as const,
      features: rows.map((r) => ({
        type: 'Feature' as const,
        id: r.id,
        geometry: { type: 'Point' as const, coordinates: [r.lng!, r.lat!] as [number, number] },
        properties: { id: r.id, code: r.code, name: r.name, modelKey: r.model_key, state: r.state, enabled: r.enabled, alarms: Number(r.open ?? 0), worstAlarm: r.worst === null ? null : (SEVERITIES[Number(r.worst)] ?? null) },
      })),
    }
  }

  /** One device in scope with its model, latest values, client attributes, counters and open alarms. */
  async get(principal: Principal, id: string): Promise<DeviceDetail> {
    return this.detailOf(await this.row(principal, id))
  }

  private async detailOf(row: DeviceRow): Promise<DeviceDetail> {
    const [model, latest, badges] = await Promise.all([this.model(row.model_key), this.latest([row.id]), this.badges([row.id])])
    if (!model) throw new AppError('INTERNAL')
    const { org } = this.placed
    const last = latest.get(row.id)
    return {
      ...this.item(row, new Map([[model.key, model]]), last?.values, badges.get(row.id)),
      model,
      cellId: row.cell_id,
      communityId: row.community_id,
      orgPath: row.org_path,
      facilityKind: row.facility_kind,
      facilityName: row.facility_name,
      facilityRef: row.facility_ref,
      ownerUnitId: row.owner_unit_id,
      ownerUnitName: row.owner_unit_id ? (org.unit(row.owner_unit_id)?.name ?? null) : null,
      installedOn: row.installed_day,
      token: row.token_sha256 && row.token_hint && row.token_issued_at ? { hint: row.token_hint, issuedAt: row.token_issued_at.toISOString() } : null,
      latestAt: iso(last?.ts ?? null),
      attributes: row.attributes,
      counters: { rejected: Number(row.rejected_count), flagged: Number(row.flagged_count), lastReject: row.last_reject },
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }
  }

  // ---- checking what staff send ------------------------------------------------------------------------------------

  /** The unit an import names as owner: its id, its code, or its exact name (a name two units share is unknown). */
  unitNamed(text: string): string | undefined {
    const { org } = this.placed
    if (org.unit(text)) return text
    const byCode = org.byCode(text)
    if (byCode) return byCode.id
    const named = org.idsUnder('/').filter((id) => org.unit(id)?.name === text)
    return named.length === 1 ? named[0] : undefined
  }

  /**
   * Checks a device's fields and places it: position → grid cell, community, street and org path (the district's
   * path when it has no position), owner → owner path. Answers every problem found, each with its column; the code's
   * uniqueness is the caller's to check (one query for a whole import).
   */
  check(principal: Principal, input: DeviceInput, models: ReadonlyMap<string, unknown>): { values: DeviceValues; problems: Problem[] } {
    const { grid, org } = this.placed
    const district = org.district()
    if (!district) throw new AppError('UNAVAILABLE', { reason: { 'zh-CN': '尚未建立组织机构', en: 'no organisation yet' } })
    const problems: Problem[] = []
    const text = (column: DeviceColumn, value: string | null | undefined, max: number, need = false): string | null => {
      const trimmed = value?.trim() ?? ''
      if (!trimmed) {
        if (need) problems.push(required(column))
        return null
      }
      if (trimmed.length > max) problems.push(invalid(column, `不能超过 ${max} 个字符`, `at most ${max} characters`))
      return trimmed
    }
    const code = text('code', input.code, CODE_MAX, true)
    const name = text('name', input.name, TEXT_MAX, true)
    const modelKey = input.modelKey.trim()
    if (!modelKey) problems.push(required('model'))
    else if (!models.has(modelKey)) problems.push(problem('model', 'DEVICE_MODEL_UNKNOWN', { model: modelKey }))

    let place: Pick<DeviceValues, 'lng' | 'lat' | 'cell_id' | 'street_id' | 'community_id' | 'org_path'> = { lng: null, lat: null, cell_id: null, street_id: null, community_id: null, org_path: district.path }
    const hasLng = input.lng !== null && input.lng !== undefined
    const hasLat = input.lat !== null && input.lat !== undefined
    if (hasLng !== hasLat) problems.push(problem(hasLng ? 'lat' : 'lng', 'DEVICE_POSITION_INCOMPLETE'))
    else if (hasLng && hasLat) {
      const [lng, lat] = toWgs84(input.lng!, input.lat!, input.crs ?? 'wgs84')
      const cell = grid.cellAt(lng, lat)
      const community = cell ? org.unit(cell.communityId) : undefined
      if (!cell || !community) problems.push(problem('lng', 'DEVICE_OUTSIDE_DISTRICT', { lng: input.lng!, lat: input.lat! }))
      else place = { lng, lat, cell_id: cell.id, community_id: community.id, street_id: org.ancestorOfKind(community.id, ['street', 'zone'])?.id ?? null, org_path: community.path }
    }

    let owner: { id: string; path: string } | null = null
    if (input.ownerUnitId) {
      const unit = org.unit(input.ownerUnitId)
      if (!unit) problems.push(problem('owner_unit', 'DEVICE_OWNER_UNKNOWN', { unit: input.ownerUnitId }))
      else owner = { id: unit.id, path: unit.path }
    }

    let installedOn: string | null = null
    if (input.installedOn) {
      const match = DATE.exec(input.installedOn.trim())
      const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined
      if (!match || !day || day.toISOString().slice(0, 10) !== match[0]) problems.push(invalid('installed_on', '应为 YYYY-MM-DD 格式的日期', 'expected a date as YYYY-MM-DD'))
      else installedOn = match[0]
    }

    // a device is put where its placer may see it: in their area, or owned by their unit
    const placedProblems = problems.some((p) => p.column === 'lng' || p.column === 'lat' || p.column === 'owner_unit')
    if (!placedProblems && !inScope(principal, place.org_path) && !(owner && inScope(principal, owner.path))) {
      problems.push({ column: place.lng === null ? 'owner_unit' : 'lng', error: new AppError('OUT_OF_SCOPE', {}, { column: place.lng === null ? 'owner_unit' : 'lng' }) })
    }
    return {
      values: {
        code: code ?? '', name: name ?? '', model_key: modelKey, ...place,
        address: text('address', input.address, TEXT_MAX),
        facility_kind: text('facility_kind', input.facilityKind, TEXT_MAX),
        facility_name: text('facility_name', input.facilityName, TEXT_MAX),
        facility_ref: text('facility_ref', input.facilityRef, TEXT_MAX),
        owner_unit_id: owner?.id ?? null,
        owner_unit_path: owner?.path ?? null,
        installed_on: installedOn,
      },
      problems,
    }
  }

  /** The codes of these that devices already have. */
  async takenCodes(codes: string[]): Promise<Set<string>> {
    const taken = new Set<string>()
    for (let i = 0; i < codes.length; i += 1000) {
      const rows = await this.db.kysely.selectFrom('devices').select('code').where('code', 'in', codes.slice(i, i + 1000)).execute()
      for (const row of rows) taken.add(row.code)
    }
    return taken
  }

  // ---- changing devices --------------------------------------------------------------------------------------------

  /** Registers a device and issues its token (answered this once). */
  async create(principal: Principal, input: DeviceInput): Promise<{ device: DeviceDetail; token: string }> {
    const { values, problems } = this.check(principal, input, await this.modelsByKey())
    if (problems[0]) throw problems[0].error
    if ((await this.takenCodes([values.code])).size) throw new AppError('DEVICE_CODE_TAKEN', { code: values.code })
    const [created] = await this.insert(actorOf(principal), [values], { action: 'device.create' })
    if (!created) throw new AppError('DEVICE_CODE_TAKEN', { code: values.code })
    await this.changed(created.id)
    return { device: await this.get(principal, created.id), token: created.token }
  }

  /**
   * Inserts checked devices with fresh tokens in one transaction (all or none), audited as one entry per device, or
   * for an import as one entry naming them all. A code taken meanwhile by someone else stops the whole insert.
   */
  async insert(actor: Actor, devices: DeviceValues[], how: { action: 'device.create' } | { action: 'device.import'; file: string }): Promise<Created[]> {
    const now = new Date()
    const withTokens = devices.map((values) => ({ values, token: newToken() }))
    return this.db.kysely.transaction().execute(async (trx) => {
      const created: Created[] = []
      for (let i = 0; i < withTokens.length; i += 500) {
        const chunk = withTokens.slice(i, i + 500)
        const rows = await trx.insertInto('devices')
          .values(chunk.map(({ values, token }) => ({ ...values, token_sha256: tokenHash(token), token_hint: token.slice(0, TOKEN_HINT_LENGTH), token_issued_at: now })))
          .onConflict((oc) => oc.column('code').doNothing())
          .returning(['id', 'code']).execute()
        if (rows.length !== chunk.length) {
          const missing = chunk.find(({ values }) => !rows.some((r) => r.code === values.code))
          throw new AppError('DEVICE_CODE_TAKEN', { code: missing?.values.code ?? '' })
        }
        const tokens = new Map(chunk.map(({ values, token }) => [values.code, token]))
        for (const row of rows) created.push({ id: row.id, code: row.code, token: tokens.get(row.code)! })
      }
      if (how.action === 'device.create') {
        for (const [i, c] of created.entries()) {
          const { org_path, owner_unit_path, ...after } = withTokens[i]!.values
          await audit(trx, actor, { action: 'device.create', entityType: 'device', entityId: c.id, details: { after: { ...after, orgPath: org_path, ownerUnitPath: owner_unit_path }, tokenHint: c.token.slice(0, TOKEN_HINT_LENGTH) } })
        }
      } else {
        await audit(trx, actor, { action: 'device.import', entityType: 'device', details: { file: how.file, count: created.length, codes: created.map((c) => c.code) } })
      }
      return created
    })
  }

  /** An edit by someone who saw `version`; a change made meanwhile by someone else is a CONFLICT (409). */
  async update(principal: Principal, id: string, version: number, changes: DeviceChanges): Promise<DeviceDetail> {
    const before = await this.row(principal, id)
    const { enabled, ...fields } = changes
    const moved = fields.lng !== undefined || fields.lat !== undefined
    const merged: DeviceInput = {
      code: fields.code ?? before.code,
      name: fields.name ?? before.name,
      modelKey: fields.modelKey ?? before.model_key,
      lng: moved ? fields.lng : before.lng,
      lat: moved ? fields.lat : before.lat,
      crs: moved ? fields.crs : 'wgs84',
      address: fields.address !== undefined ? fields.address : before.address,
      facilityKind: fields.facilityKind !== undefined ? fields.facilityKind : before.facility_kind,
      facilityName: fields.facilityName !== undefined ? fields.facilityName : before.facility_name,
      facilityRef: fields.facilityRef !== undefined ? fields.facilityRef : before.facility_ref,
      ownerUnitId: fields.ownerUnitId !== undefined ? fields.ownerUnitId : before.owner_unit_id,
      installedOn: fields.installedOn !== undefined ? fields.installedOn : before.installed_day,
    }
    const { values, problems } = this.check(principal, merged, await this.modelsByKey())
    if (problems[0]) throw problems[0].error
    if (values.code !== before.code && (await this.takenCodes([values.code])).size) throw new AppError('DEVICE_CODE_TAKEN', { code: values.code })
    const next = { ...values, ...(enabled === undefined ? {} : { enabled }) }
    const diff = Object.fromEntries(Object.entries(next).filter(([key, value]) => {
      const old = key === 'installed_on' ? before.installed_day : before[key as keyof DeviceRow]
      return old !== value
    }))
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('devices')
        .set({ ...next, version: sql<number>`version + 1`, updated_at: new Date() })
        .where('id', '=', id).where('version', '=', version).returningAll().returning(INSTALLED_DAY).executeTakeFirst()
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === '23505') throw new AppError('DEVICE_CODE_TAKEN', { code: values.code })
          throw error
        })
      if (!updated) throw staleVersion()
      const old = Object.fromEntries(Object.keys(diff).map((key) => [key, key === 'installed_on' ? before.installed_day : before[key as keyof DeviceRow]]))
      await audit(trx, actorOf(principal), { action: 'device.update', entityType: 'device', entityId: id, details: { before: old, changes: diff } })
      return updated
    })
    await this.changed(id)
    return this.detailOf(row)
  }

  /** Issues a new token; the old one is refused from now on (connections holding it are told through onChange). */
  async issueToken(principal: Principal, id: string): Promise<{ token: string }> {
    const token = newToken()
    await this.db.kysely.transaction().execute(async (trx) => {
      const before = await this.row(principal, id, trx)
      await trx.updateTable('devices').set({ token_sha256: tokenHash(token), token_hint: token.slice(0, TOKEN_HINT_LENGTH), token_issued_at: new Date(), updated_at: new Date() }).where('id', '=', id).execute()
      await audit(trx, actorOf(principal), { action: before.token_sha256 ? 'device.token.rotate' : 'device.token.issue', entityType: 'device', entityId: id, details: { code: before.code, tokenHint: token.slice(0, TOKEN_HINT_LENGTH), formerHint: before.token_hint } })
    })
    await this.changed(id)
    return { token }
  }

  /** Revokes the token: the device is refused on MQTT and HTTP until a new one is issued. */
  async revokeToken(principal: Principal, id: string): Promise<void> {
    const revoked = await this.db.kysely.transaction().execute(async (trx) => {
      const before = await this.row(principal, id, trx)
      if (!before.token_sha256) return false
      await trx.updateTable('devices').set({ token_sha256: null, token_hint: null, token_issued_at: null, updated_at: new Date() }).where('id', '=', id).execute()
      await audit(trx, actorOf(principal), { action: 'device.token.revoke', entityType: 'device', entityId: id, details: { code: before.code, formerHint: before.token_hint } })
      return true
    })
    if (revoked) await this.changed(id)
  }
}

function remember(cache: Map<string, Cached>, key: string, ref: DeviceRef | undefined) {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string)
  cache.set(key, { ref, at: Date.now() })
}
