// Decides one step of the case closed loop (pure): may this actor do this now, and what is the case afterwards.
import type { ErrorCode, Locale } from '../../platform/errors.js'
import {
  ALL_ACTIONS, COUNTERS, REJECT_REASONS, ROLE_RELATION, STATES, WORKFLOW, isOpen,
  type Action, type ActionRule, type ActionType, type CaseState, type Counters, type DeadlineKind, type RejectReason, type Role, type TimelineKind,
} from './workflow-table.js'

export * from './workflow-table.js'

type Message = Record<Locale, string>

export interface PendingExtension {
  newDeadline: Date
  reason: string
  requestedBy: string
  requestedAt: Date
}

export interface PendingSuspension {
  reason: string
  requestedBy: string
  requestedAt: Date
}

export interface PendingReview {
  rating: 'unsatisfied'
  comment: string | null
  ratedAt: Date
}

/** What the workflow needs to know about a case; the service loads it and stores `next` back. */
export interface CaseFacts {
  id: string
  state: CaseState
  /** When the current state began: `decide` sets it to `now` on every change of state (a re-dispatch too). */
  stepStartedAt: Date
  /** Time limit of the verify / file / dispatch / check step the case waits on; null otherwise. */
  stepDeadline: Date | null
  assignedUnitId: string | null
  /** The assigned unit's org path, '/…/<unit id>/'. */
  assignedUnitPath: string | null
  /** The unit's time limit from dispatch to disposal report; moved by an extension, frozen while suspended. */
  disposalDeadline: Date | null
  /** Field supervisors responsible for the case's grid cell. */
  cellSupervisorIds: readonly string[]
  pendingExtension: PendingExtension | null
  pendingSuspension: PendingSuspension | null
  /** A citizen's unsatisfied rating of the closing, waiting for the centre's review (reopen or keep closed). */
  pendingReview: PendingReview | null
  rejectReason: RejectReason | null
  mergedInto: string | null
  counters: Counters
}

export interface WorkflowActor {
  userId: string
  roles: readonly string[]
  unitId: string
  /** '/…/<unit id>/' (the principal's scope path). */
  unitPath: string
}

/** One step of the case's history: who, in which role, from which unit, when, what, with which photos. */
export interface TimelineEntry {
  kind: TimelineKind
  action: ActionType
  at: Date
  actorId: string
  role: Role
  unitId: string
  fromState: CaseState
  toState: CaseState
  comment: string | null
  reason: string | null
  photoIds: string[]
  /** What the step decided: the unit dispatched to, the deadline asked for or granted, the reject reason, the case joined. */
  detail: { unitId?: string; unitPath?: string; deadline?: Date; rejectReason?: RejectReason; mergedInto?: string }
}

export type RefusalCode = 'FORBIDDEN' | 'NOT_YOUR_CASE' | 'ILLEGAL_TRANSITION' | 'PENDING_REQUEST' | 'NO_PENDING_REQUEST' | 'INVALID_INPUT'

export interface Refusal {
  ok: false
  code: RefusalCode
  message: Message
}

/**
 * After an accepted step the caller stores `next` and `entry`, and when `needsDeadline` is set computes that time
 * limit from `now` (working time) into `next.stepDeadline`, or into `next.disposalDeadline` for 'dispose'. On
 * `resume` the new disposal deadline is the old one moved by the suspended time (deadlines.ts `extendBySuspension`,
 * suspended from the previous `stepStartedAt`).
 */
export interface Accepted {
  ok: true
  next: CaseFacts
  entry: TimelineEntry
  needsDeadline: DeadlineKind | null
}

export type Decision = Accepted | Refusal

/** How a service turns a refusal into the one error shape: `new AppError(REFUSAL_ERROR[r.code], { reason: r.message }, { code: r.code })`. */
export const REFUSAL_ERROR: Record<RefusalCode, ErrorCode> = {
  FORBIDDEN: 'FORBIDDEN',
  NOT_YOUR_CASE: 'FORBIDDEN',
  ILLEGAL_TRANSITION: 'CONFLICT',
  PENDING_REQUEST: 'CONFLICT',
  NO_PENDING_REQUEST: 'CONFLICT',
  INVALID_INPUT: 'BAD_REQUEST',
}

export const MAX_TEXT = 500
export const MAX_PHOTOS = 20

export const ZERO_COUNTERS: Counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters

/** A new case as intake creates it: reported, nothing assigned, nothing counted. */
export function reportedCase(id: string, at: Date, cellSupervisorIds: readonly string[] = []): CaseFacts {
  return {
    id, state: 'reported', stepStartedAt: at, stepDeadline: null, assignedUnitId: null, assignedUnitPath: null, disposalDeadline: null,
    cellSupervisorIds, pendingExtension: null, pendingSuspension: null, pendingReview: null, rejectReason: null, mergedInto: null, counters: { ...ZERO_COUNTERS },
  }
}

const refuse = (code: RefusalCode, zh: string, en: string): Refusal => ({ ok: false, code, message: { 'zh-CN': zh, en } })

/** Acts for the unit the case is dispatched to: that unit, or a unit above it (a department for its sub-unit). */
function actsForUnit(facts: CaseFacts, actor: WorkflowActor): boolean {
  if (facts.assignedUnitId === null) return false
  if (facts.assignedUnitId === actor.unitId) return true
  const ownPath = actor.unitPath.endsWith(`/${actor.unitId}/`)
  return ownPath && facts.assignedUnitPath !== null && facts.assignedUnitPath.startsWith(actor.unitPath)
}

/** Role, relation to the case, state and pending request: everything but the action's data. */
function precheck(facts: CaseFacts, type: ActionType, actor: WorkflowActor): { role: Role } | Refusal {
  const rule: ActionRule = WORKFLOW[type]
  const name = rule.name
  const held = rule.roles.filter((r) => actor.roles.includes(r))
  if (held.length === 0) return refuse('FORBIDDEN', `您的角色不能「${name['zh-CN']}」`, `Your roles may not ${name.en}`)
  const role = held.find((r) => {
    const relation = ROLE_RELATION[r]
    if (relation === 'assigned_unit') return actsForUnit(facts, actor)
    if (relation === 'cell_supervisor') return facts.cellSupervisorIds.includes(actor.userId)
    return true
  })
  if (role === undefined) {
    return ROLE_RELATION[held[0]!] === 'cell_supervisor'
      ? refuse('NOT_YOUR_CASE', '该案卷不在您负责的网格内', 'The case is not in a grid cell you are responsible for')
      : refuse('NOT_YOUR_CASE', '该案卷未派遣给您的单位', 'The case is not dispatched to your unit')
  }
  const state = STATES[facts.state]
  if (!rule.from.includes(facts.state)) {
    return refuse('ILLEGAL_TRANSITION', `案卷状态为「${state['zh-CN']}」，不能「${name['zh-CN']}」`, `Cannot ${name.en} a case in state "${state.en}"`)
  }
  if (rule.pending === 'none' && (facts.pendingExtension || facts.pendingSuspension)) {
    return facts.pendingExtension
      ? refuse('PENDING_REQUEST', '已有待审批的延期申请', 'An extension request is already waiting for approval')
      : refuse('PENDING_REQUEST', '已有待审批的挂账申请', 'A suspension request is already waiting for approval')
  }
  if (rule.pending === 'extension' && !facts.pendingExtension) return refuse('NO_PENDING_REQUEST', '没有待审批的延期申请', 'There is no extension request to decide')
  if (rule.pending === 'suspension' && !facts.pendingSuspension) return refuse('NO_PENDING_REQUEST', '没有待审批的挂账申请', 'There is no suspension request to decide')
  if (rule.pending === 'review' && !facts.pendingReview) return refuse('NO_PENDING_REQUEST', '没有待复核的不满意评价', 'There is no unsatisfied rating to review')
  return { role }
}

/** The actions this actor may take on this case now (the buttons a page shows); data is checked on submit. */
export function availableActions(facts: CaseFacts, actor: WorkflowActor): ActionType[] {
  return ALL_ACTIONS.filter((type) => !('ok' in precheck(facts, type, actor)))
}

const invalid = (zh: string, en: string) => refuse('INVALID_INPUT', zh, en)
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''
const isDate = (v: unknown): v is Date => v instanceof Date && !Number.isNaN(v.getTime())

function checkText(value: unknown, required: boolean, zh: string, en: string): Refusal | null {
  if (value === undefined && !required) return null
  if (!isText(value)) return invalid(`请填写${zh}`, `${en} is required`)
  if (value.length > MAX_TEXT) return invalid(`${zh}不能超过 ${MAX_TEXT} 字`, `${en} must be at most ${MAX_TEXT} characters`)
  return null
}

function checkPhotos(value: unknown, required: boolean): Refusal | null {
  if (value === undefined && !required) return null
  if (!Array.isArray(value) || !value.every(isText)) return invalid('照片编号无效', 'Photo ids must be a list of ids')
  if (required && value.length === 0) return invalid('请至少上传一张照片', 'At least one photo is required')
  if (value.length > MAX_PHOTOS) return invalid(`照片不能超过 ${MAX_PHOTOS} 张`, `At most ${MAX_PHOTOS} photos`)
  return null
}

/** The deadline asked for or granted must lie after now and after the current disposal deadline. */
function checkLaterDeadline(value: unknown, facts: CaseFacts, now: Date): Refusal | null {
  if (!isDate(value)) return invalid('请填写新的处置期限', 'A new disposal deadline is required')
  const floor = facts.disposalDeadline && facts.disposalDeadline > now ? facts.disposalDeadline : now
  if (value <= floor) return invalid('新的处置期限须晚于当前期限', 'The new disposal deadline must be later than the current one')
  return null
}

function validate(facts: CaseFacts, action: Action, rule: ActionRule, now: Date): Refusal | null {
  const data = action as unknown as Record<string, unknown>
  const needs = rule.needs as readonly string[]
  const problem =
    checkText(data.comment, false, '说明', 'The comment') ??
    checkText(data.reason, needs.includes('reason'), '原因', 'A reason') ??
    checkPhotos(data.photoIds, needs.includes('photoIds'))
  if (problem) return problem
  if (needs.includes('unitId')) {
    if (!isText(data.unitId) || !isText(data.unitPath) || !data.unitPath.endsWith(`/${data.unitId}/`)) return invalid('请选择处置单位', 'A disposal unit (id and path) is required')
  }
  switch (action.type) {
    case 'reject':
      if (!Object.hasOwn(REJECT_REASONS, action.rejectReason)) return invalid('请选择不予立案的原因', 'A reject reason is required')
      if (action.rejectReason === 'other' && action.reason === undefined) return invalid('请填写原因', 'A reason is required')
      return null
    case 'request_extension':
    case 'approve_extension':
      return checkLaterDeadline(action.newDeadline, facts, now)
    case 'reassign':
      return action.unitId === facts.assignedUnitId ? invalid('改派须选择另一个单位', 'Reassign to a different unit') : null
    case 'merge': {
      const into: unknown = action.into
      if (typeof into !== 'object' || into === null || !isText(action.into.id) || !Object.hasOwn(STATES, action.into.state)) return invalid('请选择要并入的案卷', 'The case to merge into is required')
      if (action.into.id === facts.id) return invalid('案卷不能并入自身', 'A case cannot be merged into itself')
      if (!isOpen(action.into.state)) return invalid('只能并入办理中的案卷', 'A case can only be merged into an open case')
      return null
    }
    default:
      return null
  }
}

function effects(next: CaseFacts, action: Action, actor: WorkflowActor, now: Date): TimelineEntry['detail'] {
  switch (action.type) {
    case 'reject':
      next.rejectReason = action.rejectReason
      return { rejectReason: action.rejectReason }
    case 'dispatch':
    case 'reassign':
      next.assignedUnitId = action.unitId
      next.assignedUnitPath = action.unitPath
      return { unitId: action.unitId, unitPath: action.unitPath }
    case 'reopen':
      next.pendingReview = null
      next.assignedUnitId = null
      next.assignedUnitPath = null
      next.disposalDeadline = null
      return {}
    case 'keep_closed':
      next.pendingReview = null
      return {}
    case 'return':
      next.assignedUnitId = null
      next.assignedUnitPath = null
      next.disposalDeadline = null
      return {}
    case 'request_extension':
      next.pendingExtension = { newDeadline: action.newDeadline, reason: action.reason.trim(), requestedBy: actor.userId, requestedAt: now }
      return { deadline: action.newDeadline }
    case 'approve_extension':
      next.disposalDeadline = action.newDeadline
      next.pendingExtension = null
      return { deadline: action.newDeadline }
    case 'deny_extension':
      next.pendingExtension = null
      return {}
    case 'request_suspension':
      next.pendingSuspension = { reason: action.reason.trim(), requestedBy: actor.userId, requestedAt: now }
      return {}
    case 'deny_suspension':
      next.pendingSuspension = null
      return {}
    case 'merge':
      next.mergedInto = action.into.id
      return { mergedInto: action.into.id }
    case 'request_verification': case 'confirm_verification': case 'deny_verification': case 'file': case 'sign_for':
    case 'approve_suspension': case 'resume': case 'report_disposal': case 'check_pass': case 'check_fail': case 'close':
    case 'urge': case 'cancel':
      return {}
    default: {
      const unknown: never = action
      return unknown
    }
  }
}

/** Decide one action on one case at `now`. Never throws and never mutates `facts`. */
export function decide(facts: CaseFacts, action: Action, actor: WorkflowActor, now: Date): Decision {
  if (!Object.hasOwn(WORKFLOW, action.type)) return invalid('未知的操作', `Unknown action "${String(action.type)}"`)
  const rule: ActionRule = WORKFLOW[action.type]
  const allowed = precheck(facts, action.type, actor)
  if ('ok' in allowed) return allowed
  const problem = validate(facts, action, rule, now)
  if (problem) return problem

  const next: CaseFacts = { ...facts, counters: { ...facts.counters } }
  if (rule.to !== null) {
    next.state = rule.to
    next.stepStartedAt = now
    next.stepDeadline = null
    next.pendingExtension = null // requests live only while in disposal; leaving it settles them
    next.pendingSuspension = null
  }
  if (rule.counter) next.counters[rule.counter] += 1
  if (rule.needsDeadline === 'dispose') next.disposalDeadline = null
  const detail = effects(next, action, actor, now)

  const entry: TimelineEntry = {
    kind: rule.entry, action: action.type, at: now, actorId: actor.userId, role: allowed.role, unitId: actor.unitId,
    fromState: facts.state, toState: next.state,
    comment: action.comment?.trim() || null, reason: 'reason' in action && action.reason !== undefined ? action.reason.trim() : null,
    photoIds: [...(action.photoIds ?? [])], detail,
  }
  return { ok: true, next, entry, needsDeadline: rule.needsDeadline }
}
