// Case use cases: intake from every channel (idempotent), one workflow step at a time with optimistic concurrency,
// scoped lists and details with lights. The rules live in workflow.ts and deadlines.ts; this file does the I/O.
import type { Static } from 'typebox'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import type { Db } from '../../platform/db/engine.js'
import { type Actor, audit, auditRecord, SYSTEM_ACTOR } from '../../platform/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { AppError, notFound } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { type Crs, toWgs84 } from '../../platform/geo/coords.js'
import { findClass } from '../classes/service.js'
import { findUsersByIds } from '../identity/repository.js'
import { notifyReporters, notifyReviewers, pushNotifications } from '../notifications/service.js'
import { assertPhotos, attachToCase, type NewPhoto, photosTakenRefused, publicPhotos, uploadDetails } from '../files/service.js'
import { open311Status, type PublicCase, publicStage, serviceCodeOf } from './public.js'
import type { GridService } from '../org/grid.js'
import type { OrgService } from '../org/service.js'
import type { WorkingCalendar } from './calendar.js'
import type { DispatchMatrix } from './matrix-service.js'
import { deadlineFor, extendBySuspension, lightOf, limitFor, type Urgency, yellowAt } from './deadlines.js'
import * as repo from './repository.js'
import type { CaseDetail as CaseDetailSchema } from './schemas.js'
import type { CaseRow } from './repository.js'
import {
  type Action, availableActions, type CaseFacts, type CaseSource, type CaseState, type Counters, decide, REFUSAL_ERROR,
  isOpen, OPEN_STATES, type RejectReason, type WorkflowActor, ZERO_COUNTERS,
} from './workflow.js'

export interface ReportInput {
  clientId: string
  source: CaseSource
  classKind: 'component' | 'event'
  classCode: string
  urgency?: Urgency | undefined
  description: string
  address?: string | undefined
  lng: number
  lat: number
  crs?: Crs | undefined
  /** Photos of the problem, already stored (before-photos). */
  photoIds?: string[] | undefined
}

/** Who may register a report from which channel through the API; sensors, video AI and the city platform come in through `intake`. */
const SOURCE_ROLES: Partial<Record<CaseSource, string[]>> = {
  supervisor: ['supervisor'],
  hotline: ['acceptor', 'shift_leader', 'admin'],
  citizen: ['acceptor', 'shift_leader', 'admin'],
  media: ['acceptor', 'shift_leader', 'admin'],
  leader: ['leader', 'admin'],
}

const DISPOSING: CaseState[] = ['dispatched', 'in_disposal']
/** Who publishes a case's text and photos and replies to the reporter: the supervision centre (受理). */
const PUBLISHERS = ['acceptor', 'shift_leader', 'admin']

const CLASS_CACHE_MS = 30_000

/** What a channel keeps beside a new case, inside its transaction. */
export type Within = (trx: Kysely<Database>, caseId: string) => Promise<void>

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type Rating = (typeof RATINGS)[number]
/** States whose clock is the step deadline (verify, file, dispatch, check, close). */
const STEP_CLOCK: CaseState[] = ['reported', 'verifying', 'verified', 'filed', 'disposed', 'checked']

export class CaseService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly org: OrgService,
    private readonly grid: GridService,
    private readonly calendar: WorkingCalendar,
    private readonly matrix: DispatchMatrix,
    private readonly duplicates: { metres: number; hours: number } = { metres: 50, hours: 72 },
  ) {}

  /**
   * A report from a person through the API: the channel must be theirs. `newPhotos` are photos sent with the report
   * itself (one request): called only when the client id is new, so a retried report stores its photos once.
   */
  async report(principal: Principal, input: ReportInput, newPhotos?: () => Promise<NewPhoto[]>) {
    const allowed = SOURCE_ROLES[input.source]
    if (!allowed || !principal.roles.some((role) => allowed.includes(role))) {
      throw new AppError('FORBIDDEN', {}, { source: input.source })
    }
    const { created, row, entry } = await this.intakeRow(actorOf(principal), principal.userId, input, { lookFirst: true, newPhotos })
    return { created, case: await this.detailOf(row, null, entry && [{ ...entry, actorName: principal.displayName }]) }
  }

  /**
   * The one intake every channel uses (people, sensors, video AI, the city platform). Same client id → same case.
   * `within` runs inside the new case's transaction, for what the channel keeps beside it (the citizen's contact).
   */
  async intake(actor: Actor, reportedBy: string | null, input: ReportInput, within?: Within): Promise<{ created: boolean; case: CaseDetail }> {
    const { created, row } = await this.intakeRow(actor, reportedBy, input, { within, lookFirst: true })
    return { created, case: await this.detailOf(row, null) }
  }

  /**
   * The intake without the case's detail read back, for channels that answer only the ticket (citizens, Open311).
   * `fresh`: the client id was just made up (a channel without one), so no earlier case can have it.
   */
  async intakeLean(actor: Actor, input: ReportInput, within: Within | repo.Beside | undefined, fresh: boolean, newPhotos?: () => Promise<NewPhoto[]>): Promise<{ created: boolean; id: string; ticket: string }> {
    const { created, row } = await this.intakeRow(actor, null, input, typeof within === 'function' ? { within, lookFirst: !fresh, newPhotos } : { beside: within, lookFirst: !fresh, newPhotos })
    return { created, id: row.id, ticket: row.ticket }
  }

  /** The new or existing case; for a new one also its first timeline entry as the detail shows it (so it is not read back). */
  private async intakeRow(actor: Actor, reportedBy: string | null, input: ReportInput, options: IntakeOptions): Promise<{ created: boolean; row: CaseRow; entry?: TimelineEntry }> {
    const { within, beside, lookFirst, newPhotos } = options
    const cls = await this.classOf(input.classKind, input.classCode)
    const [lng, lat] = toWgs84(input.lng, input.lat, input.crs ?? 'wgs84')
    const near = this.duplicates.metres > 0 ? { classKind: input.classKind, classCode: input.classCode, lng, lat, ...this.duplicates, openStates: OPEN_STATES } : null
    const looked = lookFirst || near ? await repo.lookBeforeIntake(this.db.kysely, input.source, lookFirst ? input.clientId : null, near) : { existed: false, nearby: [] }
    if (looked.existed) {
      const existing = await repo.findByClientId(this.db.kysely, input.source, input.clientId)
      if (existing) return { created: false, row: existing }
    }
    // a person's report cites their own photos (a retry above answers the case, whose photos are linked to it already)
    const cited = [...new Set(input.photoIds ?? [])]
    if (cited.length && !reportedBy) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '无上报人的案卷不能引用已上传的照片', en: 'a case without a reporter cannot cite uploaded photos' } })
    if (reportedBy) await assertPhotos(this.db.kysely, cited, reportedBy)
    if (!cls || !cls.active) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `不存在的分类 ${input.classCode}`, en: `unknown class ${input.classCode}` } })
    const cell = this.grid.cellAt(lng, lat)
    const community = cell ? this.org.unit(cell.communityId) : undefined
    const street = cell ? this.org.ancestorOfKind(cell.communityId, ['street', 'zone']) : undefined
    const district = this.org.district()
    if (!district) throw new AppError('UNAVAILABLE', { reason: { 'zh-CN': '尚未建立组织机构', en: 'no organisation yet' } })
    const possibleDuplicates = looked.nearby
    const photos = newPhotos ? await newPhotos() : []
    const photoIds = [...cited, ...photos.map((p) => p.id)]
    const now = new Date()
    const fileBy = deadlineFor('file', {}, now, this.calendar)
    const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '')
    const reported = {
      kind: 'reported', action: 'report', at: now, actor_id: reportedBy, role: input.source, unit_id: null, from_state: 'reported', to_state: 'reported',
      comment: null, reason: null, photo_ids: photoIds, detail: { source: input.source, ...(possibleDuplicates.length ? { possibleDuplicates: possibleDuplicates.map((c) => c.ticket) } : {}) },
    }
    const intake = (q: Kysely<Database>) => repo.insertIntake(q, {
      ticketPrefix: repo.ticketPrefix(district.code, day),
      source: input.source,
      client_id: input.clientId,
      reported_by: reportedBy,
      class_kind: input.classKind,
      class_code: input.classCode,
      urgency: input.urgency ?? cls.default_urgency,
      description: input.description,
      address: input.address ?? null,
      lng,
      lat,
      grid_cell_id: cell?.id ?? null,
      community_id: community?.id ?? null,
      street_id: street?.id ?? null,
      // a report outside every cell belongs to the district until the acceptor rejects it (outside_area) or places it
      org_path: community?.path ?? district.path,
      state: 'reported',
      step_started_at: now,
      // acceptance runs against the filing limit from the moment of the report
      step_deadline: fileBy,
      due_at: fileBy,
      yellow_at: yellowAt(now, fileBy, this.calendar),
      counters: { ...ZERO_COUNTERS },
      possible_duplicates: possibleDuplicates.map((c) => c.id),
    }, {
      entry: reported,
      photos,
      cited,
      beside,
      audit: auditRecord(actor, {
        action: 'case.report', entityType: 'case',
        details: { source: input.source, clientId: input.clientId, class: input.classCode, ...(photos.length ? { photos: photos.map((p) => ({ id: p.id, ...uploadDetails(p) })) } : {}) },
      }),
    })
    // one statement stores the case, its entry, photos (those sent with it and those uploaded before), audit entry
    // and the rows beside it; a channel's own step needs a transaction around it
    const created = await photosTakenRefused(() => within
      ? this.db.kysely.transaction().execute(async (trx) => {
        const row = await intake(trx)
        if (!row) return undefined // the same client id won a race: answer with that case
        await within(trx, row.id)
        return row
      })
      : intake(this.db.kysely))
    const row = created ?? await repo.findByClientId(this.db.kysely, input.source, input.clientId)
    if (!row) throw new AppError('INTERNAL')
    if (!created) return { created: false, row }
    await this.events.publish({ type: 'case.changed', caseId: row.id, orgPath: row.org_path, assignedUnitPath: row.assigned_unit_path, state: row.state })
    return { created: true, row, entry: this.entryOf({ ...reported, actor_id: reportedBy }, null) }
  }

  /** A class as intake checks it, kept CLASS_CACHE_MS (a class imported or switched off counts from then on). */
  private async classOf(kind: string, code: string) {
    const key = `${kind}:${code}`
    const kept = this.classes.get(key)
    if (kept && Date.now() - kept.at < CLASS_CACHE_MS) return kept.row
    const row = await findClass(this.db.kysely, kind, code)
    if (this.classes.size > 5000) this.classes.clear()
    this.classes.set(key, { at: Date.now(), row })
    return row
  }

  private readonly classes = new Map<string, { at: number; row: Awaited<ReturnType<typeof findClass>> }>()

  /** A case the principal may see: placed in their scope, or dispatched to their unit (or one under it). */
  private async scoped(principal: Principal, id: string): Promise<CaseRow> {
    const row = await repo.findCase(this.db.kysely, id)
    if (!row) throw notFound('案卷', 'case')
    const visible = row.org_path.startsWith(principal.scopePath) || (row.assigned_unit_path?.startsWith(principal.scopePath) ?? false)
    if (!visible) throw new AppError('OUT_OF_SCOPE')
    return row
  }

  async get(principal: Principal, id: string) {
    return this.detailOf(await this.scoped(principal, id), principal)
  }

  /** One workflow step. `version` is the version the user saw: a step taken meanwhile by someone else is a CONFLICT. */
  async act(principal: Principal, id: string, version: number, input: ActionInput) {
    const row = await this.scoped(principal, id)
    if (row.version !== version) throw staleCase()
    await assertPhotos(this.db.kysely, input.photoIds ?? [], principal.userId)
    const state = await this.apply(row, await this.actionOf(principal, input), workflowActor(principal), actorOf(principal))
    if (state === 'filed') await this.autoDispatch(id)
    return this.get(principal, id)
  }

  /** Decides the step, sets its deadline, and stores the case, its timeline entry and the audit entry together. */
  private async apply(row: CaseRow, action: Action, actor: WorkflowActor, auditActor: Actor): Promise<CaseState> {
    const id = row.id
    const version = row.version
    const facts = await this.factsOf(row)
    const now = new Date()
    const decision = decide(facts, action, actor, now)
    if (!decision.ok) throw new AppError(REFUSAL_ERROR[decision.code], { reason: decision.message }, { code: decision.code })
    const next = decision.next
    const urgency = row.urgency
    switch (decision.needsDeadline) {
      case null:
        break
      case 'dispose':
        next.disposalDeadline = action.type === 'resume' && facts.disposalDeadline
          ? extendBySuspension(facts.disposalDeadline, facts.stepStartedAt, now, this.calendar, { natural: isNatural(urgency) })
          : deadlineFor('dispose', { urgency }, now, this.calendar)
        break
      default:
        next.stepDeadline = deadlineFor(decision.needsDeadline, {}, now, this.calendar)
    }
    const told = await this.db.kysely.transaction().execute(async (trx) => {
      const saved = await repo.updateCase(trx, id, version, {
        state: next.state,
        step_started_at: next.stepStartedAt,
        step_deadline: next.stepDeadline,
        assigned_unit_id: next.assignedUnitId,
        assigned_unit_path: next.assignedUnitPath,
        disposal_deadline: next.disposalDeadline,
        pending_extension: next.pendingExtension ? JSON.stringify(next.pendingExtension) : null,
        pending_suspension: next.pendingSuspension ? JSON.stringify(next.pendingSuspension) : null,
        pending_review: next.pendingReview ? JSON.stringify(next.pendingReview) : null,
        reject_reason: next.rejectReason,
        merged_into: next.mergedInto,
        counters: JSON.stringify(next.counters),
        closed_at: next.state === 'closed' ? now : null,
        ...this.clockOf(next.state, next.stepStartedAt, next.stepDeadline, next.disposalDeadline, urgency),
      })
      if (!saved) throw staleCase()
      const e = decision.entry
      await repo.insertTimeline(trx, {
        case_id: id, kind: e.kind, action: e.action, at: e.at, actor_id: e.actorId || null, role: e.role, unit_id: e.unitId, from_state: e.fromState, to_state: e.toState,
        comment: e.comment, reason: e.reason, photo_ids: e.photoIds, detail: e.detail as Record<string, unknown>,
        // the evaluation (综合考核) counts the step against the deadline it ran to and the unit that held the case
        due_at: DISPOSING.includes(facts.state) ? facts.disposalDeadline : STEP_CLOCK.includes(facts.state) ? facts.stepDeadline : null,
        holder_unit_id: facts.assignedUnitId,
      })
      await attachToCase(trx, e.photoIds, id)
      if (e.action === 'merge' && next.mergedInto) {
        // the earlier case records who joined it, so its reporters and the centre see both reports in one place
        await repo.insertTimeline(trx, { case_id: next.mergedInto, kind: 'merge_received', action: 'merge', at: e.at, actor_id: e.actorId || null, role: e.role, unit_id: e.unitId, from_state: 'merged', to_state: 'merged', comment: e.comment, reason: null, photo_ids: [], detail: { caseId: id, ticket: row.ticket } })
      }
      await audit(trx, auditActor, { action: `case.${e.action}`, entityType: 'case', entityId: id, details: { from: e.fromState, to: e.toState, reason: e.reason } })
      // the reporters hear how their report went: joined to an earlier case, or closed (with every report merged into it)
      if (e.action === 'merge' && next.mergedInto) {
        const target = await repo.findCase(trx, next.mergedInto)
        return notifyReporters(trx, id, 'case.merged', { ticket: row.ticket, into: target?.ticket ?? null })
      }
      if (next.state === 'closed') return notifyReporters(trx, id, 'case.closed', { ticket: row.ticket, state: 'closed' })
      return []
    })
    await pushNotifications(this.events, told)
    // the unit that held the case before this step (a return or reassignment) refreshes too
    await this.events.publish({ type: 'case.changed', caseId: id, orgPath: row.org_path, assignedUnitPath: next.assignedUnitPath, formerUnitPath: row.assigned_unit_path, state: next.state })
    return next.state
  }

  /** The running clock after a step: when it runs out and when it turns yellow (none while suspended or finished). */
  private clockOf(state: CaseState, startedAt: Date, stepDeadline: Date | null, disposalDeadline: Date | null, urgency: Urgency) {
    const disposing = DISPOSING.includes(state)
    const due = disposing ? disposalDeadline : STEP_CLOCK.includes(state) ? stepDeadline : null
    if (!due) return { due_at: null, yellow_at: null }
    return { due_at: due, yellow_at: yellowAt(startedAt, due, this.calendar, { natural: disposing && isNatural(urgency) }) }
  }

  /** A filed case whose class and place have an automatic rule in the responsibility matrix is dispatched at once. */
  private async autoDispatch(id: string): Promise<void> {
    const row = await repo.findCase(this.db.kysely, id)
    if (!row || row.state !== 'filed') return
    const rule = this.matrix.suggest(row.class_kind as 'component' | 'event', row.class_code, row.community_id)
    const unit = rule?.auto ? this.org.unit(rule.unitId) : undefined
    const district = this.org.district()
    if (!unit || !district) return
    const system: WorkflowActor = { userId: '', roles: ['dispatcher'], unitId: district.id, unitPath: district.path }
    try {
      await this.apply(row, { type: 'dispatch', unitId: unit.id, unitPath: unit.path, comment: '按责任矩阵自动派遣 / dispatched by the responsibility matrix' }, system, SYSTEM_ACTOR)
    } catch (error) {
      // a dispatcher who acted in the same moment has already moved the case on
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error
    }
  }


  /**
   * The reporter's satisfaction with the closing (满意度), once per closing. An unsatisfied rating waits for the
   * centre's review (keep closed, or reopen); the acceptors and shift leaders are told.
   */
  async rateClosing(caseId: string, rating: Rating, comment: string | null, actor: Actor): Promise<{ rating: Rating; at: string }> {
    const now = new Date()
    const { told, row } = await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('cases').select(['id', 'ticket', 'state', 'closed_at', 'org_path', 'assigned_unit_path']).where('id', '=', caseId).forUpdate().executeTakeFirst()
      if (!row) throw notFound('案卷', 'case')
      if (row.state !== 'closed' || !row.closed_at) throw new AppError('CONFLICT', { reason: { 'zh-CN': '案卷办结后才能评价', en: 'the case can be rated once it is resolved' } }, { code: 'NOT_CLOSED' })
      const saved = await trx.insertInto('case_ratings').values({ case_id: caseId, rating, comment, closed_at: row.closed_at, at: now })
        .onConflict((oc) => oc.columns(['case_id', 'closed_at']).doNothing()).returning('id').executeTakeFirst()
      if (!saved) throw new AppError('CONFLICT', { reason: { 'zh-CN': '已经评价过本次办理结果', en: 'this resolution has already been rated' } }, { code: 'ALREADY_RATED' })
      if (rating === 'unsatisfied') {
        await trx.updateTable('cases').set({ pending_review: JSON.stringify({ rating, comment, ratedAt: now }), version: sql`version + 1`, updated_at: now }).where('id', '=', caseId).execute()
      }
      await repo.insertTimeline(trx, { case_id: caseId, kind: 'rated', action: 'rate', at: now, actor_id: null, role: 'citizen', unit_id: null, from_state: 'closed', to_state: 'closed', comment, reason: null, photo_ids: [], detail: { rating } })
      await audit(trx, actor, { action: 'case.rate', entityType: 'case', entityId: caseId, details: { rating } })
      const told = rating === 'unsatisfied' ? await notifyReviewers(trx, caseId, row.org_path, { ticket: row.ticket, comment }) : []
      return { told, row }
    })
    await pushNotifications(this.events, told)
    await this.events.publish({ type: 'case.changed', caseId, orgPath: row.org_path, assignedUnitPath: row.assigned_unit_path })
    return { rating, at: now.toISOString() }
  }

  /**
   * A note in a case's timeline from outside the workflow (an alarm that filed the case has cleared): no step, no
   * change of state or version, audited, and every open page of the case refreshes. `role` names who wrote it.
   */
  async note(actor: Actor, caseId: string, comment: string, detail: Record<string, unknown> = {}, role = 'system'): Promise<void> {
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('cases').select(['id', 'state', 'org_path', 'assigned_unit_path']).where('id', '=', caseId).executeTakeFirst()
      if (!row) throw notFound('案卷', 'case')
      await repo.insertTimeline(trx, { case_id: caseId, kind: 'note', action: 'note', at: new Date(), actor_id: actor.userId, role, unit_id: null, from_state: row.state, to_state: row.state, comment, reason: null, photo_ids: [], detail })
      await audit(trx, actor, { action: 'case.note', entityType: 'case', entityId: caseId, details: detail })
      return row
    })
    await this.events.publish({ type: 'case.changed', caseId, orgPath: row.org_path, assignedUnitPath: row.assigned_unit_path, state: row.state })
  }

  /** The latest rating of each case (for the reporter's page). */
  async ratingsOf(caseIds: readonly string[]): Promise<Map<string, { rating: Rating; comment: string | null; at: string; closedAt: string }>> {
    if (!caseIds.length) return new Map()
    const rows = await this.db.kysely.selectFrom('case_ratings').select(['case_id', 'rating', 'comment', 'at', 'closed_at'])
      .where('case_id', 'in', [...caseIds]).orderBy('id').execute()
    return new Map(rows.map((r) => [r.case_id, { rating: r.rating, comment: r.comment, at: r.at.toISOString(), closedAt: r.closed_at.toISOString() }]))
  }

  /**
   * What the public may see of a case (public.ts): staff of the centre publish the reporter's description and chosen
   * photos (after checking them for faces, plates and personal data) and write the reply to the reporter.
   */
  async setPublication(principal: Principal, id: string, input: { descriptionPublic: boolean; photoIds: string[]; reply: string | null }) {
    if (!principal.roles.some((r) => PUBLISHERS.includes(r))) throw new AppError('FORBIDDEN', {}, { roles: PUBLISHERS })
    const row = await this.scoped(principal, id)
    const reply = input.reply?.trim() || null
    await this.db.kysely.transaction().execute(async (trx) => {
      const published = await publicPhotos.set(trx, id, input.photoIds)
      const unknown = input.photoIds.filter((p) => !published.includes(p))
      if (unknown.length) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `不是本案卷的照片：${unknown.join(', ')}`, en: `not photos of this case: ${unknown.join(', ')}` } }, { unknown })
      await trx.updateTable('cases').set({ public_description: input.descriptionPublic, public_reply: reply, updated_at: new Date() }).where('id', '=', id).execute()
      await audit(trx, actorOf(principal), { action: 'case.publish', entityType: 'case', entityId: id, details: { descriptionPublic: input.descriptionPublic, photoIds: published, reply } })
    })
    await this.events.publish({ type: 'case.changed', caseId: id, orgPath: row.org_path, assignedUnitPath: row.assigned_unit_path })
    return this.get(principal, id)
  }

  /** The public view of cases (public.ts) for citizen pages, the public map and Open311. */
  async publicCases(filter: repo.PublicFilter): Promise<Array<PublicCase & { id: string; source: CaseSource }>> {
    const rows = await repo.publicCases(this.db.kysely, filter)
    const photos = await publicPhotos.of(this.db.kysely, rows.map((r) => r.id))
    const district = this.org.district()
    return rows.map((r) => {
      const stage = publicStage(r.state as CaseState, r.joined_state as CaseState | null)
      return {
        id: r.id,
        source: r.source as CaseSource,
        ticket: r.ticket,
        serviceCode: serviceCodeOf(r.class_kind, r.class_code),
        className: r.class_name,
        classNameEn: r.class_name_en,
        stage,
        status: open311Status(stage),
        position: [r.lng, r.lat],
        address: r.public_description ? r.address : null,
        description: r.public_description ? r.description : null,
        photos: photos.filter((p) => p.case_id === r.id).map((p) => ({ url: `/api/public/photos/${p.id}`, thumbnailUrl: `/api/public/photos/${p.id}/thumbnail` })),
        reply: r.public_reply,
        agency: r.unit_name ?? district?.name ?? '',
        reportedAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        closedAt: r.closed_at?.toISOString() ?? null,
        expectedAt: stage === 'in_progress' ? (r.disposal_deadline?.toISOString() ?? null) : null,
      }
    })
  }

  /**
   * One page of the cases in the principal's scope. Pages reach as deep as the count (COUNT_CAP matches): past it a
   * page would walk the whole scope for its offset (page 500 of a street: ~60 ms on a million cases), and the list
   * shows no page there; the exports read every match.
   */
  async list(principal: Principal, filter: ListFilter, page: number, pageSize: number, sort: repo.CaseSort = 'created') {
    if ((page - 1) * pageSize >= repo.COUNT_CAP) throw new AppError('PAGE_TOO_DEEP', { cap: repo.COUNT_CAP }, { cap: repo.COUNT_CAP })
    const now = new Date()
    const { items, total, totalCapped } = await repo.listCases(this.db.kysely, this.scopeFilter(principal, filter), now, page, pageSize, sort)
    return { total, totalCapped, items: items.map((row) => this.summaryOf(row, now)) }
  }

  /**
   * Open cases for the command map, most pressing first (at most MAP_LIMIT; `truncated` says when more matched), as the
   * bytes of `MapReply`'s JSON, whose markers the database writes (`repo.mapCases`). 10,000 markers are 1.1 MB: kept as
   * one string, the server spent ~15 ms more on each answer measuring, flattening and encoding it again on the way out.
   */
  async map(principal: Principal, filter: ListFilter): Promise<Buffer> {
    const now = new Date()
    const states = filter.states?.length ? filter.states.filter((s) => isOpen(s as CaseState)) : OPEN_STATES
    const { items, shown, total } = states.length
      ? await repo.mapCases(this.db.kysely, { ...this.scopeFilter(principal, filter), states }, now, MAP_LIMIT)
      : { items: '[]', shown: 0, total: 0 }
    return Buffer.from(`{"items":${items},"total":${total},"truncated":${total > shown}}`)
  }

  /** Every case the filter matches, as list summaries, read in batches (for exports). */
  async *all(principal: Principal, filter: ListFilter): AsyncGenerator<CaseSummary> {
    const now = new Date()
    for await (const row of repo.allCases(this.db.kysely, this.scopeFilter(principal, filter), now)) yield this.summaryOf(row, now)
  }

  async count(principal: Principal, filter: ListFilter): Promise<number> {
    return repo.exactCount(this.db.kysely, this.scopeFilter(principal, filter), new Date())
  }

  /** The principal's scope; "mine" as the cases dispatched to their own unit or one under it; "my cells" as a supervisor's. */
  private scopeFilter(principal: Principal, { mine, myCells, ...filter }: ListFilter): repo.CaseFilter {
    const unitPath = this.org.unit(principal.unitId)?.path ?? principal.scopePath
    return { ...filter, scopePath: principal.scopePath, minePath: mine ? unitPath : undefined, cellsOfUser: myCells ? principal.userId : undefined }
  }

  summaryOf(row: CaseRow, now: Date) {
    const street = row.street_id ? this.org.unit(row.street_id) : undefined
    const unit = row.assigned_unit_id ? this.org.unit(row.assigned_unit_id) : undefined
    const due = DISPOSING.includes(row.state as CaseState) ? row.disposal_deadline : row.step_deadline
    return {
      id: row.id,
      ticket: row.ticket,
      source: row.source,
      classKind: row.class_kind,
      classCode: row.class_code,
      urgency: row.urgency,
      description: row.description,
      address: row.address,
      position: [row.lng, row.lat] as [number, number],
      streetName: street?.name ?? null,
      state: row.state,
      assignedUnitId: row.assigned_unit_id,
      assignedUnitName: unit?.name ?? null,
      deadline: due?.toISOString() ?? null,
      light: lightOf(now, row.due_at, row.yellow_at),
      counters: row.counters as Counters,
      hasPendingExtension: row.pending_extension !== null,
      hasPendingSuspension: row.pending_suspension !== null,
      hasPendingReview: row.pending_review !== null,
      version: row.version,
      createdAt: row.created_at.toISOString(),
    }
  }

  /** `known`: the whole timeline when the caller has it (a case just reported), so it is not read back. */
  private async detailOf(row: CaseRow, principal: Principal | null, known?: TimelineEntry[]): Promise<CaseDetail> {
    const rule = isOpen(row.state as CaseState) ? this.matrix.suggest(row.class_kind as 'component' | 'event', row.class_code, row.community_id) : null
    return {
      ...this.summaryOf(row, new Date()),
      suggestedUnitId: rule?.unitId ?? null,
      suggestedUnitName: rule ? (this.org.unit(rule.unitId)?.name ?? null) : null,
      possibleDuplicates: row.possible_duplicates,
      gridCellId: row.grid_cell_id,
      rejectReason: row.reject_reason,
      mergedInto: row.merged_into,
      pendingExtension: row.pending_extension,
      pendingSuspension: row.pending_suspension,
      pendingReview: row.pending_review,
      publicDescription: row.public_description,
      publicReply: row.public_reply,
      actions: principal ? availableActions(await this.factsOf(row), workflowActor(principal)) : [],
      timeline: known ?? await this.timelineOf(row.id),
    }
  }

  private async timelineOf(caseId: string): Promise<TimelineEntry[]> {
    const timeline = await repo.timeline(this.db.kysely, caseId)
    // the timeline shows the names of the people who acted, also to readers who may not list people
    const actorIds = [...new Set(timeline.map((e) => e.actor_id).filter((id): id is string => id !== null))]
    const names = new Map(actorIds.length ? (await findUsersByIds(this.db.kysely, actorIds)).map((u) => [u.id, u.display_name]) : [])
    return timeline.map((e) => this.entryOf(e, e.actor_id ? (names.get(e.actor_id) ?? null) : null))
  }

  /** A timeline row as the detail shows it. */
  private entryOf(e: Pick<repo.TimelineRow, 'kind' | 'action' | 'at' | 'actor_id' | 'role' | 'unit_id' | 'from_state' | 'to_state' | 'comment' | 'reason' | 'photo_ids' | 'detail'>, actorName: string | null): TimelineEntry {
    return {
      kind: e.kind, action: e.action, at: e.at.toISOString(), actorId: e.actor_id, actorName,
      role: e.role, unitId: e.unit_id, unitName: e.unit_id ? (this.org.unit(e.unit_id)?.name ?? null) : null,
      fromState: e.from_state, toState: e.to_state, comment: e.comment, reason: e.reason, photoIds: e.photo_ids, detail: this.namedDetail(e.detail),
    }
  }

  /** A step's detail with the name of the unit it names (the unit dispatched to), for readers who may not list units. */
  private namedDetail(detail: unknown): unknown {
    const unitId = (detail as { unitId?: unknown } | null)?.unitId
    const unit = typeof unitId === 'string' ? this.org.unit(unitId) : undefined
    return unit ? { ...(detail as object), unitName: unit.name } : detail
  }

  private async factsOf(row: CaseRow): Promise<CaseFacts> {
    const pendingExtension = row.pending_extension as { newDeadline: string; reason: string; requestedBy: string; requestedAt: string } | null
    const pendingSuspension = row.pending_suspension as { reason: string; requestedBy: string; requestedAt: string } | null
    const pendingReview = row.pending_review as { rating: 'unsatisfied'; comment: string | null; ratedAt: string } | null
    return {
      id: row.id,
      state: row.state as CaseState,
      stepStartedAt: row.step_started_at,
      stepDeadline: row.step_deadline,
      assignedUnitId: row.assigned_unit_id,
      assignedUnitPath: row.assigned_unit_path,
      disposalDeadline: row.disposal_deadline,
      cellSupervisorIds: row.grid_cell_id ? await this.grid.supervisorsOf(row.grid_cell_id) : [],
      pendingExtension: pendingExtension ? { ...pendingExtension, newDeadline: new Date(pendingExtension.newDeadline), requestedAt: new Date(pendingExtension.requestedAt) } : null,
      pendingSuspension: pendingSuspension ? { ...pendingSuspension, requestedAt: new Date(pendingSuspension.requestedAt) } : null,
      pendingReview: pendingReview ? { ...pendingReview, ratedAt: new Date(pendingReview.ratedAt) } : null,
      rejectReason: row.reject_reason as RejectReason | null,
      mergedInto: row.merged_into,
      counters: { ...ZERO_COUNTERS, ...(row.counters as Partial<Counters>) },
    }
  }

  /** Turns the request into a workflow action: units by id → their paths, the merge target → its state. */
  private async actionOf(principal: Principal, input: ActionInput): Promise<Action> {
    const { unitId, newDeadline, into, ...rest } = input
    const data: Record<string, unknown> = { ...rest }
    if (unitId !== undefined) {
      const unit = this.org.unit(unitId)
      if (!unit) throw notFound('单位', 'unit')
      data.unitId = unit.id
      data.unitPath = unit.path
    }
    if (newDeadline !== undefined) data.newDeadline = new Date(newDeadline)
    if (into !== undefined) {
      const target = await this.scoped(principal, into)
      data.into = { id: target.id, state: target.state }
    }
    return data as unknown as Action
  }
}

export interface ListFilter extends Omit<repo.CaseFilter, 'scopePath' | 'minePath' | 'cellsOfUser'> {
  mine?: boolean | undefined
  myCells?: boolean | undefined
}

/** The command map shows at most this many cases at once (the most pressing). */
export const MAP_LIMIT = 10_000

export type CaseSummary = ReturnType<CaseService['summaryOf']>

export interface ActionInput {
  type: Action['type']
  comment?: string | undefined
  reason?: string | undefined
  photoIds?: string[] | undefined
  unitId?: string | undefined
  newDeadline?: string | undefined
  rejectReason?: RejectReason | undefined
  into?: string | undefined
}

/** The detail as the API shows it (the schema is the one source of its shape). */
export type CaseDetail = Static<typeof CaseDetailSchema>
export type TimelineEntry = CaseDetail['timeline'][number]

interface IntakeOptions {
  /** Runs inside the new case's transaction. */
  within?: Within | undefined
  /** Rows kept beside the case, written in the statement that writes it. */
  beside?: repo.Beside | undefined
  /** Look the client id up before anything else (false: it was just made up, so no case can have it). */
  lookFirst: boolean
  /** Photos sent with the report, checked and stored when the report is new; recorded in its transaction. */
  newPhotos?: (() => Promise<NewPhoto[]>) | undefined
}

const isNatural = (urgency: Urgency) => limitFor('dispose', { urgency }).unit.startsWith('natural')

function workflowActor(principal: Principal): WorkflowActor {
  return { userId: principal.userId, roles: principal.roles, unitId: principal.unitId, unitPath: principal.scopePath }
}

const staleCase = () =>
  new AppError('CONFLICT', { reason: { 'zh-CN': '案卷已被他人处理，请刷新后重试', en: 'someone else acted on this case first; reload and try again' } })

