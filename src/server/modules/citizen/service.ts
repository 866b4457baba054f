// Citizen service (公众服务, "一键回应"): a report from a phone or an Open311 client becomes a case of the loop; the
// reporter follows it by ticket, by the secret token given at once, or by phone number with a one-time code, and
// rates the result. Personal data (phone, name, e-mail, IP) stays here and is never part of a public answer.
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Actor } from '../../platform/audit.js'
import type { Db } from '../../platform/db/engine.js'
import { AppError, notFound } from '../../platform/errors.js'
import type { Crs } from '../../platform/geo/coords.js'
import type { PublicFilter } from '../cases/repository.js'
import type { PublicCase } from '../cases/public.js'
import type { CaseService, Rating } from '../cases/service.js'
import type { FileService } from '../files/service.js'
import { checkAttributes, describeAttributes, loadCatalogue, type ProblemType } from './catalogue.js'

export const MAX_CITIZEN_PHOTOS = 3
const CODE_TTL_MS = 10 * 60_000
const CODE_ATTEMPTS = 5

export interface Submission {
  serviceCode: string
  description?: string | undefined
  lng: number
  lat: number
  crs?: Crs | undefined
  address?: string | undefined
  phone?: string | undefined
  firstName?: string | undefined
  lastName?: string | undefined
  email?: string | undefined
  deviceId?: string | undefined
  accountId?: string | undefined
  attributes?: Record<string, string | string[]> | undefined
  mediaUrl?: string | undefined
  /** The device's id for this report, so a retried upload never makes two cases. */
  clientId?: string | undefined
  photos?: Buffer[] | undefined
}

export interface SubmitMeta {
  channel: 'web' | 'open311'
  ip: string | null
  apiKeyId?: string | null | undefined
}

/** The reporter's view: the public case with their rating, and whether they may rate now. */
export interface ReporterView extends PublicCase {
  rating: { rating: Rating; comment: string | null; at: string } | null
  canRate: boolean
}

/** A Chinese mobile number in its 11-digit form, or undefined when it is not one. */
export function mobileNumber(raw: string): string | undefined {
  const digits = raw.replace(/[\s-]/g, '').replace(/^(\+?86)/, '')
  return /^1[3-9][0-9]{9}$/.test(digits) ? digits : undefined
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The citizen's side of the audit log: no user, the address they came from. */
export const citizenActor = (ip: string | null, channel: 'web' | 'open311' = 'web'): Actor => ({ userId: null, username: channel === 'web' ? 'citizen' : 'open311', ip: ip ?? undefined })

export class CitizenService {
  private catalogueCache: { at: number; types: ProblemType[] } | undefined

  constructor(
    private readonly db: Db,
    private readonly cases: CaseService,
    private readonly files: FileService,
    private readonly sms: { now: (to: string, text: string) => Promise<void>; queue: (to: string, text: string) => Promise<void> },
  ) {}

  /** The problem types (cached for a minute: the class table changes rarely). */
  async catalogue(): Promise<ProblemType[]> {
    if (!this.catalogueCache || Date.now() - this.catalogueCache.at > 60_000) {
      this.catalogueCache = { at: Date.now(), types: await loadCatalogue(this.db.kysely) }
    }
    return this.catalogueCache.types
  }

  async problemType(serviceCode: string): Promise<ProblemType | undefined> {
    return (await this.catalogue()).find((t) => t.serviceCode === serviceCode)
  }

  /** A citizen's report: checked, one case of the loop with its photos (stored with it, in its transaction). Answers the ticket and the secret token. */
  async submit(input: Submission, meta: SubmitMeta): Promise<{ created: boolean; ticket: string; token: string; caseId: string }> {
    const type = await this.problemType(input.serviceCode)
    if (!type) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `不存在的问题类型 ${input.serviceCode}`, en: `unknown service code ${input.serviceCode}` } }, { code: 'UNKNOWN_SERVICE' })
    const answers = checkAttributes(type, input.attributes ?? {})
    const photos = input.photos ?? []
    if (photos.length > MAX_CITIZEN_PHOTOS) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `最多 ${MAX_CITIZEN_PHOTOS} 张照片`, en: `at most ${MAX_CITIZEN_PHOTOS} photos` } })
    const phone = input.phone?.trim() || undefined
    if (meta.channel === 'web' && phone && !mobileNumber(phone)) {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '手机号码格式不正确', en: 'not a mobile phone number' } }, { field: 'phone' })
    }
    const clientId = `${meta.channel}:${input.clientId ?? randomUUID()}`
    const retried = input.clientId ? await this.existing(clientId) : undefined
    if (retried) return { created: false, ...retried }

    const actor = citizenActor(meta.ip, meta.channel)
    const text = input.description?.trim() || type.name['zh-CN']
    const extra = describeAttributes(type, answers)
    const token = randomBytes(18).toString('base64url')
    const mobile = phone ? mobileNumber(phone) : undefined
    // an Open311 client's address is the integrator's server: only the text and the phone say something there
    const suspect = await this.suspicion(text, meta.channel === 'web' ? meta.ip : null, mobile)
    const { created, id, ticket } = await this.cases.intakeLean(actor, {
      clientId, source: 'citizen', classKind: type.kind, classCode: type.classCode,
      description: extra ? `${text}（${extra}）` : text,
      address: input.address?.trim() || undefined, lng: input.lng, lat: input.lat, crs: input.crs,
    }, {
      citizen_reports: {
        channel: meta.channel, service_code: type.serviceCode, token,
        phone: phone ?? null, phone_sha256: mobile ? sha256(mobile) : null,
        first_name: input.firstName?.trim() || null, last_name: input.lastName?.trim() || null, email: input.email?.trim() || null,
        device_id: input.deviceId?.trim() || null, account_id: input.accountId?.trim() || null, api_key_id: meta.apiKeyId ?? null,
        attributes: answers, media_url: input.mediaUrl?.trim() || null, ip: meta.ip, suspect, notified_stage: 'submitted',
      },
    }, !input.clientId, photos.length ? () => this.files.preparePhotos(photos, null) : undefined)
    if (!created) {
      const raced = await this.existing(clientId)
      if (raced) return { created: false, ...raced }
    }
    if (mobile) await this.sms.queue(mobile, `【绣花城管】您反映的问题已收到，编号 ${ticket}。可凭编号查询办理进度。`)
    return { created: true, ticket, token, caseId: id }
  }

  private async existing(clientId: string) {
    const row = await this.db.kysely.selectFrom('cases').innerJoin('citizen_reports', 'citizen_reports.case_id', 'cases.id')
      .select(['cases.id', 'cases.ticket', 'citizen_reports.token']).where('cases.source', '=', 'citizen').where('cases.client_id', '=', clientId).executeTakeFirst()
    return row ? { ticket: row.ticket, token: row.token, caseId: row.id } : undefined
  }

  /** The public view of a case (the answer to a report). */
  async viewOf(caseId: string): Promise<PublicCase> {
    const [view] = await this.cases.publicCases({ ids: [caseId], limit: 1 })
    if (!view) throw notFound('案卷', 'report')
    return strip(view)
  }

  /**
   * Why a report might be spam or a flood (links, phone numbers in the text, many reports from one address or phone
   * within the hour); the acceptor sees the reason and rejects or files it. Nothing is dropped.
   */
  private async suspicion(text: string, ip: string | null, mobile: string | undefined): Promise<string | null> {
    if (/https?:\/\/|www\.|\.(com|cn|net)\b/i.test(text)) return 'link'
    if (/(?:\d[\s-]?){11,}/.test(text)) return 'number_in_text'
    const since = new Date(Date.now() - 3600_000)
    const [byIp, byPhone] = await Promise.all([
      ip ? this.db.kysely.selectFrom('citizen_reports').select((eb) => eb.fn.countAll<number>().as('n')).where('ip', '=', ip).where('created_at', '>', since).executeTakeFirstOrThrow() : { n: 0 },
      mobile ? this.db.kysely.selectFrom('citizen_reports').select((eb) => eb.fn.countAll<number>().as('n')).where('phone_sha256', '=', sha256(mobile)).where('created_at', '>', since).executeTakeFirstOrThrow() : { n: 0 },
    ])
    if (Number(byPhone.n) >= 5) return 'many_from_phone'
    if (Number(byIp.n) >= 20) return 'many_from_address'
    return null
  }

  /** Anyone may follow a case by its ticket: the public view only. */
  async byTicket(ticket: string): Promise<PublicCase> {
    const [view] = await this.cases.publicCases({ tickets: [ticket], limit: 1 })
    if (!view) throw notFound('案卷', 'report')
    return strip(view)
  }

  /** The reporter follows their report with the token given at once: the public view, their rating, whether they may rate. */
  async byToken(token: string): Promise<ReporterView & { caseId: string }> {
    const row = await this.reportOfToken(token)
    const [view] = await this.cases.publicCases({ ids: [row.case_id], limit: 1 })
    if (!view) throw notFound('案卷', 'report')
    const rating = (await this.cases.ratingsOf([row.case_id])).get(row.case_id)
    const ratedThisClosing = Boolean(rating && view.closedAt && rating.closedAt === view.closedAt)
    return { ...strip(view), caseId: row.case_id, rating: rating ? { rating: rating.rating, comment: rating.comment, at: rating.at } : null, canRate: view.stage === 'closed' && !ratedThisClosing }
  }

  /** The Open311 token lookup: which request the token became. */
  async ticketOfToken(token: string): Promise<string> {
    const row = await this.reportOfToken(token)
    const c = await this.db.kysely.selectFrom('cases').select('ticket').where('id', '=', row.case_id).executeTakeFirstOrThrow()
    return c.ticket
  }

  private async reportOfToken(token: string) {
    const row = /^[A-Za-z0-9_-]{16,64}$/.test(token)
      ? await this.db.kysely.selectFrom('citizen_reports').select(['case_id', 'channel', 'ip']).where('token', '=', token).executeTakeFirst()
      : undefined
    if (!row) throw notFound('案卷', 'report')
    return row
  }

  /** The reporter rates the resolution (满意/基本满意/不满意); an unsatisfied rating goes to the centre's review. */
  async rate(token: string, rating: Rating, comment: string | undefined, ip: string | null): Promise<ReporterView> {
    const row = await this.reportOfToken(token)
    await this.cases.rateClosing(row.case_id, rating, comment?.trim() || null, citizenActor(ip, row.channel))
    const { caseId: _caseId, ...view } = await this.byToken(token)
    return view
  }

  /** Sends a one-time code to a mobile number, to follow its reports. Answers the same whether or not it has reports. */
  async requestCode(rawPhone: string): Promise<{ expiresInSeconds: number }> {
    const phone = mobileNumber(rawPhone)
    if (!phone) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '手机号码格式不正确', en: 'not a mobile phone number' } }, { field: 'phone' })
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    await this.db.kysely.insertInto('citizen_codes').values({ phone_sha256: sha256(phone), code_sha256: sha256(`${phone}:${code}`), expires_at: new Date(Date.now() + CODE_TTL_MS) }).execute()
    await this.sms.now(phone, `【绣花城管】验证码 ${code}，10 分钟内有效，用于查询您反映的问题。`)
    return { expiresInSeconds: CODE_TTL_MS / 1000 }
  }

  /** With the latest code sent to the number (at most five tries), the reports made with that number and their tokens. */
  async reportsOfPhone(rawPhone: string, code: string): Promise<Array<{ token: string; case: PublicCase }>> {
    const phone = mobileNumber(rawPhone)
    const wrong = () => new AppError('BAD_REQUEST', { reason: { 'zh-CN': '验证码错误或已过期', en: 'the code is wrong or has expired' } }, { code: 'BAD_CODE' })
    if (!phone) throw wrong()
    const hash = sha256(phone)
    const reports = await this.db.kysely.transaction().execute(async (trx) => {
      const latest = await trx.selectFrom('citizen_codes').selectAll().where('phone_sha256', '=', hash).orderBy('id', 'desc').limit(1).forUpdate().executeTakeFirst()
      if (!latest || latest.used_at || latest.expires_at < new Date() || latest.attempts >= CODE_ATTEMPTS) throw wrong()
      const matches = timingSafeEqual(Buffer.from(latest.code_sha256), Buffer.from(sha256(`${phone}:${code.trim()}`)))
      await trx.updateTable('citizen_codes').set(matches ? { used_at: new Date() } : { attempts: latest.attempts + 1 }).where('id', '=', latest.id).execute()
      if (!matches) return undefined
      return trx.selectFrom('citizen_reports').select(['case_id', 'token']).where('phone_sha256', '=', hash).orderBy('created_at', 'desc').limit(50).execute()
    })
    if (!reports) throw wrong()
    const views = await this.cases.publicCases({ ids: reports.map((r) => r.case_id), limit: 50 })
    return reports.flatMap((r) => {
      const view = views.find((v) => v.id === r.case_id)
      return view ? [{ token: r.token, case: strip(view) }] : []
    })
  }

  /** The public map: recent reports in a box, with nothing personal. */
  async map(bbox: [number, number, number, number], limit = 2000): Promise<PublicCase[]> {
    const since = new Date(Date.now() - 90 * 86_400_000)
    const states = ['reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'suspended', 'disposed', 'checked', 'closed']
    return (await this.cases.publicCases({ bbox, from: since, states, limit })).map(strip)
  }

  /** Public cases for Open311 search and lookups (ids are tickets). */
  async search(filter: PublicFilter): Promise<PublicCase[]> {
    return (await this.cases.publicCases(filter)).map(strip)
  }

  /** For staff who see the case: the reporter's contact and what intake noticed. */
  async reporterOf(caseId: string) {
    const row = await this.db.kysely.selectFrom('citizen_reports').leftJoin('open311_keys', 'open311_keys.id', 'citizen_reports.api_key_id')
      .select(['channel', 'service_code', 'phone', 'first_name', 'last_name', 'email', 'device_id', 'account_id', 'attributes', 'media_url', 'suspect', 'citizen_reports.created_at', 'open311_keys.name as key_name'])
      .where('case_id', '=', caseId).executeTakeFirst()
    const ratings = await this.db.kysely.selectFrom('case_ratings').select(['rating', 'comment', 'at', 'closed_at']).where('case_id', '=', caseId).orderBy('id').execute()
    return {
      report: row ? {
        channel: row.channel, serviceCode: row.service_code, phone: row.phone, firstName: row.first_name, lastName: row.last_name, email: row.email,
        deviceId: row.device_id, accountId: row.account_id, attributes: row.attributes, mediaUrl: row.media_url, suspect: row.suspect, client: row.key_name,
      } : null,
      ratings: ratings.map((r) => ({ rating: r.rating, comment: r.comment, at: r.at.toISOString(), closedAt: r.closed_at.toISOString() })),
    }
  }
}

/** The public view without the internal id and source. */
function strip(view: PublicCase & { id: string; source: string }): PublicCase {
  const { id: _id, source: _source, ...rest } = view
  return rest
}
