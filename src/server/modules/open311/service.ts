// Open311 GeoReport v2 documents (services, service definitions, service requests, discovery) from the citizen
// service's catalogue and the public view of cases. A posted request is one citizen report of the 'open311' channel;
// nothing personal a client posts ever appears in a GET answer.
import { createHash } from 'node:crypto'
import { AppError, type Locale, notFound } from '../../platform/errors.js'
import { open311Status, PUBLIC_STAGES, parseServiceCode, publicStage, type PublicCase, serviceCodeOf } from '../cases/public.js'
import { type CaseState, STATES } from '../cases/workflow-table.js'
import type { PublicFilter } from '../cases/repository.js'
import type { ProblemType } from '../citizen/catalogue.js'
import type { CitizenService } from '../citizen/service.js'
import type { OrgService } from '../org/service.js'
import type { Open311Keys, PerKeyLimit } from './keys.js'

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2'
/** The spec's response volume: 90 days or 1000 requests, whichever is smaller. */
export const MAX_RESULTS = 1000
export const MAX_DAYS = 90
const DAY_MS = 86_400_000

const text = (zh: string, en: string): Record<Locale, string> => ({ 'zh-CN': zh, en })
const badRequest = (zh: string, en: string, details?: unknown) => new AppError('BAD_REQUEST', { reason: text(zh, en) }, details)

/** One GeoReport v2 service request as the spec's GET answers carry it. */
export type Open311Request = {
  service_request_id: string
  status: 'open' | 'closed'
  status_notes: string | null
  service_name: string
  service_code: string
  description: string | null
  agency_responsible: string | null
  service_notice: string | null
  requested_datetime: string
  updated_datetime: string
  expected_datetime: string | null
  address: string | null
  address_id: string | null
  zipcode: string | null
  lat: number
  long: number
  media_url: string | null
}

/** The fields of a posted request (schemas.ts PostFields), after empty ones were dropped. */
export interface PostedRequest {
  jurisdiction_id?: string | undefined
  api_key?: string | undefined
  service_code?: string | undefined
  lat?: number | undefined
  long?: number | undefined
  address_string?: string | undefined
  address_id?: string | undefined
  email?: string | undefined
  device_id?: string | undefined
  account_id?: string | undefined
  first_name?: string | undefined
  last_name?: string | undefined
  phone?: string | undefined
  description?: string | undefined
  media_url?: string | undefined
  attribute?: Record<string, string | string[]> | undefined
}

export interface RequestsSearch {
  service_request_id?: string | undefined
  service_code?: string | undefined
  start_date?: string | undefined
  end_date?: string | undefined
  status?: string | undefined
}

/**
 * A W3C datetime (the profile of ISO 8601 the spec names). A time needs its zone; a date alone is the district's
 * local day (UTC+8). A '+' sent unencoded in a query string arrives as a space and is read as '+'.
 */
export function parseW3cDate(raw: string, name: string): Date {
  const value = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1')
  const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value)
  const date = full ? new Date(value) : day ? new Date(`${value}T00:00:00+08:00`) : undefined
  if (!date || Number.isNaN(date.getTime())) {
    throw badRequest(`${name} 应为 W3C 日期时间，如 2026-01-01T00:00:00Z`, `${name} must be a W3C datetime, e.g. 2026-01-01T00:00:00Z`, { field: name })
  }
  return date
}

/** The case states of each Open311 status; a merged report follows the case it joined, so it is in both and sorted after. */
const STATES_OF = (status: 'open' | 'closed') =>
  (Object.keys(STATES) as CaseState[]).filter((s) => s === 'merged' || open311Status(publicStage(s)) === status)

const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean)

export class Open311Service {
  private changeset: { hash: string; at: string } | undefined

  constructor(
    private readonly citizen: CitizenService,
    private readonly org: OrgService,
    readonly keys: Open311Keys,
  ) {}

  /** One jurisdiction is served: its district code. Another is unknown (404); none at all is fine. */
  checkJurisdiction(id: string | undefined): void {
    const code = this.org.district()?.code
    if (id && id.trim() !== code) throw new AppError('NOT_FOUND', { what: text(`管辖区 jurisdiction_id ${id}`, `jurisdiction_id ${id}`) }, { field: 'jurisdiction_id' })
  }

  /**
   * The discovery document. Its changeset is when this process first saw the current service list (clients only
   * compare it to refresh cached services).
   */
  async discovery(baseUrl: string, locale: Locale) {
    const types = await this.citizen.catalogue()
    const hash = createHash('sha256').update(JSON.stringify(types)).digest('hex')
    if (this.changeset?.hash !== hash) this.changeset = { hash, at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }
    const district = this.org.district()
    const name = locale === 'en' ? (district?.nameEn ?? district?.name ?? '') : (district?.name ?? '')
    return {
      changeset: this.changeset.at,
      contact: locale === 'en' ? `${name} city management supervision and command centre` : `${name}城市管理监督指挥中心`,
      key_service: locale === 'en'
        ? 'API keys are issued by the system administrator of the district (System → Open311 keys).'
        : 'API 密钥由本区系统管理员签发（系统管理 → Open311 密钥）。',
      endpoints: [{ specification: SPECIFICATION, url: `${baseUrl}/open311/v2`, changeset: this.changeset.at, type: 'production', formats: ['application/json', 'text/xml'] }],
    }
  }

  async services(locale: Locale) {
    return (await this.citizen.catalogue()).map((t) => ({
      service_code: t.serviceCode,
      service_name: t.name[locale],
      description: `${t.group[locale]} · ${t.name[locale]}`,
      metadata: t.attributes.length > 0,
      type: 'realtime',
      keywords: [...new Set([t.name['zh-CN'], t.name.en, t.group['zh-CN'], t.group.en])].join(', '),
      group: t.group[locale],
    }))
  }

  async definition(serviceCode: string, locale: Locale) {
    const type = await this.citizen.problemType(serviceCode)
    if (!type) throw unknownService(serviceCode)
    return {
      service_code: type.serviceCode,
      attributes: type.attributes.map((a, i) => ({
        variable: true,
        code: a.code,
        datatype: a.datatype,
        required: a.required,
        datatype_description: a.datatypeDescription?.[locale] ?? null,
        order: i + 1,
        description: a.description[locale],
        ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.name[locale] })) } : {}),
      })),
    }
  }

  /** Creates a request: key, rate, service and location are checked in that order, then the citizen intake runs. */
  async create(fields: PostedRequest, meta: { ip: string; locale: Locale; photos?: Buffer[]; perKey: PerKeyLimit }) {
    this.checkJurisdiction(fields.jurisdiction_id)
    const key = await this.keys.verify(fields.api_key)
    const decision = await meta.perKey(key.id, key.requestsPerMinute)
    if (!decision.allowed) throw new AppError('RATE_LIMITED', {}, { retryAfterSeconds: decision.retryAfterSeconds, limit: key.requestsPerMinute })
    if (!fields.service_code) throw badRequest('缺少 service_code', 'service_code was not provided', { field: 'service_code' })
    if (!(await this.citizen.problemType(fields.service_code))) throw unknownService(fields.service_code)
    const { lat, long } = fields
    if ((lat === undefined) !== (long === undefined)) throw badRequest('lat 与 long 须同时提供', 'lat and long must both be sent', { field: lat === undefined ? 'lat' : 'long' })
    if (lat === undefined || long === undefined) {
      if (fields.address_string || fields.address_id) {
        throw badRequest('本平台不做地址解析：请提供 lat 与 long（WGS84）', 'this server has no geocoder: send lat and long (WGS84) with the address', { field: 'lat' })
      }
      throw badRequest('缺少位置：请提供 lat 与 long', 'a location is required: lat and long', { field: 'lat' })
    }
    const result = await this.citizen.submit({
      serviceCode: fields.service_code, description: fields.description, lng: long, lat, crs: 'wgs84', address: fields.address_string,
      phone: fields.phone, firstName: fields.first_name, lastName: fields.last_name, email: fields.email, deviceId: fields.device_id,
      accountId: fields.account_id, attributes: fields.attribute, mediaUrl: fields.media_url, photos: meta.photos,
    }, { channel: 'open311', ip: meta.ip, apiKeyId: key.id })
    const notice = meta.locale === 'en'
      ? `Received as ${result.ticket}. The supervision centre checks it within working hours and dispatches it to the unit responsible.`
      : `已受理登记，编号 ${result.ticket}。监督中心将在工作时间内核实，并派遣责任单位处置。`
    return [{ service_request_id: result.ticket, token: result.token, service_notice: notice, account_id: fields.account_id ?? null }]
  }

  /** GET requests: by ids (overriding everything else), or by service codes, dates (90 days at most) and status. */
  async search(query: RequestsSearch, locale: Locale, baseUrl: string): Promise<Open311Request[]> {
    const ids = list(query.service_request_id)
    const types = await this.citizen.catalogue()
    if (ids.length) {
      if (ids.length > MAX_RESULTS) throw badRequest(`service_request_id 最多 ${MAX_RESULTS} 个`, `at most ${MAX_RESULTS} service_request_id`, { field: 'service_request_id' })
      return this.present(await this.citizen.search({ tickets: ids, limit: MAX_RESULTS }), types, locale, baseUrl)
    }
    const filter: PublicFilter = { limit: MAX_RESULTS }
    const codes = list(query.service_code)
    if (codes.length) {
      const classes = codes.flatMap((code) => types.find((t) => t.serviceCode === code)?.classes ?? (parseServiceCode(code) ? [parseServiceCode(code)!] : []))
      if (!classes.length) return []
      filter.classes = classes
    }
    const start = query.start_date ? parseW3cDate(query.start_date, 'start_date') : undefined
    const end = query.end_date ? parseW3cDate(query.end_date, 'end_date') : undefined
    if (start && end && end < start) throw badRequest('end_date 早于 start_date', 'end_date is before start_date', { field: 'end_date' })
    if (start && end && end.getTime() - start.getTime() > MAX_DAYS * DAY_MS) {
      throw badRequest(`start_date 与 end_date 相距不得超过 ${MAX_DAYS} 天`, `start_date and end_date may not span more than ${MAX_DAYS} days`, { field: 'end_date' })
    }
    filter.from = start ?? new Date((end?.getTime() ?? Date.now()) - MAX_DAYS * DAY_MS)
    if (end) filter.to = new Date(end.getTime() + 1) // end_date is the latest time included
    else if (start) filter.to = new Date(start.getTime() + MAX_DAYS * DAY_MS)
    const statuses = list(query.status)
    for (const s of statuses) if (s !== 'open' && s !== 'closed') throw badRequest('status 只能是 open 或 closed', 'status must be open or closed', { field: 'status' })
    const wanted = new Set(statuses)
    const only = wanted.size === 1 ? [...wanted][0] as 'open' | 'closed' : undefined
    if (only) filter.states = STATES_OF(only)
    const found = await this.citizen.search(filter)
    const matching = only ? found.filter((c) => c.status === only) : found
    return this.present(matching, types, locale, baseUrl)
  }

  async byId(id: string, locale: Locale, baseUrl: string): Promise<Open311Request[]> {
    const found = await this.citizen.search({ tickets: [id], limit: 1 })
    if (!found.length) throw notFound(`服务请求 ${id}`, `service_request_id ${id}`)
    return this.present(found, await this.citizen.catalogue(), locale, baseUrl)
  }

  async token(token: string) {
    return [{ service_request_id: await this.citizen.ticketOfToken(token), token }]
  }

  private present(cases: PublicCase[], types: ProblemType[], locale: Locale, baseUrl: string): Open311Request[] {
    const typeOfClass = new Map<string, ProblemType>()
    for (const t of types) for (const c of t.classes) typeOfClass.set(serviceCodeOf(c.kind, c.code), t)
    return cases.map((c) => {
      const type = typeOfClass.get(c.serviceCode)
      const photo = c.photos[0]
      return {
        service_request_id: c.ticket,
        status: c.status,
        status_notes: c.reply ?? PUBLIC_STAGES[c.stage][locale],
        service_name: type ? type.name[locale] : (locale === 'en' ? (c.classNameEn ?? c.className) : c.className),
        service_code: type?.serviceCode ?? c.serviceCode,
        description: c.description,
        agency_responsible: c.agency || null,
        service_notice: null,
        requested_datetime: c.reportedAt,
        updated_datetime: c.status === 'closed' ? (c.closedAt ?? c.updatedAt) : c.updatedAt,
        expected_datetime: c.expectedAt,
        address: c.address,
        address_id: null,
        zipcode: null,
        lat: c.position[1],
        long: c.position[0],
        media_url: photo ? `${baseUrl}${photo.url}` : null,
      }
    })
  }
}

const unknownService = (code: string) => new AppError('NOT_FOUND', { what: text(`服务类型 ${code}`, `service_code ${code}`) }, { field: 'service_code' })
