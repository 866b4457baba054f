// Telling citizens and 311 clients when their report changes stage: an SMS to the reporter's mobile number and a
// signed webhook to the Open311 client whose key made the request. Driven by case events through the jobs table (so
// any process may send, and each change is told once), with a sweep for events a stopped process missed.
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../platform/db/engine.js'
import type { EventBus } from '../../platform/events.js'
import type { Jobs } from '../../platform/jobs.js'
import type { PublicCase, PublicStage } from '../cases/public.js'
import type { CaseService } from '../cases/service.js'
import { mobileNumber } from './service.js'

/** Where messages go out (platform/notify/deliveries.ts): durable, retried. */
export interface Outbox {
  sms(to: string, text: string): Promise<void>
  webhook(subscriberId: string, type: string, body: unknown): Promise<void>
}

export const STAGE_JOB = 'citizen.stage'
export const SWEEP_JOB = 'citizen.stage-sweep'
const SWEEP_EVERY_MS = 10 * 60_000

/** What the reporter reads, per stage (SMS: short, signed with the platform's name). */
export function smsText(view: PublicCase): string | undefined {
  const head = `【绣花城管】您反映的问题（编号 ${view.ticket}）`
  const texts: Partial<Record<PublicStage, string>> = {
    accepted: `${head}已受理，我们将尽快安排处理。`,
    in_progress: `${head}已交由${view.agency}处理。`,
    closed: `${head}已办结。${view.reply ? `回复：${view.reply.slice(0, 120)}。` : ''}欢迎凭编号评价办理结果。`,
    declined: `${head}未予受理。${view.reply ? `说明：${view.reply.slice(0, 120)}` : ''}`,
  }
  return texts[view.stage]
}

/** The Open311 request as a webhook body (GeoReport v2 field names). */
export function webhookBody(view: PublicCase) {
  return {
    service_request_id: view.ticket,
    status: view.status,
    stage: view.stage,
    status_notes: view.reply,
    service_code: view.serviceCode,
    agency_responsible: view.agency,
    updated_datetime: view.updatedAt,
    expected_datetime: view.expectedAt,
  }
}

export class CitizenNotifier {
  constructor(
    private readonly db: Db,
    private readonly jobs: Jobs,
    private readonly cases: CaseService,
    private readonly outbox: Outbox,
    private readonly log: FastifyBaseLogger,
  ) {}

  register(events: EventBus): void {
    this.jobs.register(STAGE_JOB, async (payload) => void (await this.check(String(payload.caseId))))
    this.jobs.register(SWEEP_JOB, () => this.sweep(), SWEEP_EVERY_MS)
    events.on('case.changed', (event) => {
      const caseId = typeof event.caseId === 'string' ? event.caseId : undefined
      // a new report's stage (submitted) is told with its ticket at submission
      if (caseId && event.state !== 'reported') void this.schedule(caseId).catch((error: unknown) => this.log.warn({ err: error, caseId }, 'citizen stage check not scheduled'))
    })
  }

  /** A citizen's case changed: check its stage in a job (one pending job per case across all processes). */
  private async schedule(caseId: string): Promise<void> {
    const report = await this.db.kysely.selectFrom('citizen_reports').select('case_id').where('case_id', '=', caseId).executeTakeFirst()
    if (report) await this.jobs.enqueue(STAGE_JOB, { caseId }, new Date(), `${STAGE_JOB}:${caseId}`)
  }

  /** Tells the reporter and the 311 client of a new stage, once: the stage told is swapped in before anything is sent. */
  async check(caseId: string): Promise<PublicStage | undefined> {
    const report = await this.db.kysely.selectFrom('citizen_reports')
      .leftJoin('open311_keys', 'open311_keys.id', 'citizen_reports.api_key_id')
      .select(['citizen_reports.phone', 'citizen_reports.notified_stage', 'citizen_reports.api_key_id', 'open311_keys.webhook_url', 'open311_keys.revoked_at'])
      .where('citizen_reports.case_id', '=', caseId).executeTakeFirst()
    if (!report) return undefined
    const [view] = await this.cases.publicCases({ ids: [caseId], limit: 1 })
    if (!view || view.stage === report.notified_stage) return undefined
    const swapped = await this.db.kysely.updateTable('citizen_reports').set({ notified_stage: view.stage })
      .where('case_id', '=', caseId)
      .where((eb) => (report.notified_stage === null ? eb('notified_stage', 'is', null) : eb('notified_stage', '=', report.notified_stage)))
      .returning('case_id').executeTakeFirst()
    if (!swapped) return undefined // another process told it
    const { id: _id, source: _source, ...publicView } = view
    const mobile = report.phone ? mobileNumber(report.phone) : undefined
    const text = smsText(publicView)
    if (mobile && text) await this.outbox.sms(mobile, text)
    if (report.api_key_id && report.webhook_url && !report.revoked_at) await this.outbox.webhook(report.api_key_id, 'service_request.updated', webhookBody(publicView))
    return view.stage
  }

  /** Cases of citizen reports changed in the last day whose stage may not have been told (a missed event). */
  private async sweep(): Promise<void> {
    const since = new Date(Date.now() - 86_400_000)
    const rows = await this.db.kysely.selectFrom('citizen_reports').innerJoin('cases', 'cases.id', 'citizen_reports.case_id')
      .select('cases.id').where('cases.updated_at', '>', since).limit(5000).execute()
    for (const row of rows) await this.check(row.id)
  }
}
