// The case closed loop (DOMAIN.md, "Case workflow") as data: states, actions, who may act, what each needs and records.
import type { Locale } from '../../platform/errors.js'
import type { DeadlineStep } from './deadlines.js'

type Names = Record<Locale, string>

/** Where a case is in the loop. A pending extension or suspension request is a flag on the case, not a state. */
export const STATES = {
  reported: { 'zh-CN': '待受理', en: 'Reported' }, // 上报/待受理
  verifying: { 'zh-CN': '核实中', en: 'Being verified' }, // 核实: the cell's supervisor confirms on site
  verified: { 'zh-CN': '待立案', en: 'Verified' }, // 核实属实, awaiting the filing decision
  filed: { 'zh-CN': '待派遣', en: 'Filed' }, // 立案, awaiting (re-)dispatch
  dispatched: { 'zh-CN': '待签收', en: 'Dispatched' }, // 派遣, awaiting the unit's sign-for (签收)
  in_disposal: { 'zh-CN': '处置中', en: 'In disposal' }, // 处置
  suspended: { 'zh-CN': '挂账', en: 'Suspended' }, // 挂账/缓办: the disposal clock stops
  disposed: { 'zh-CN': '待核查', en: 'Disposal reported' }, // 处置反馈, awaiting the supervisor's check (核查)
  checked: { 'zh-CN': '待结案', en: 'Checked' }, // 核查通过, awaiting closing
  closed: { 'zh-CN': '已结案', en: 'Closed' }, // 结案
  rejected: { 'zh-CN': '不予立案', en: 'Rejected' }, // 不予立案, with a RejectReason
  invalid: { 'zh-CN': '核实不属实', en: 'Invalid' }, // 作废 because verification did not confirm it
  cancelled: { 'zh-CN': '已作废', en: 'Cancelled' }, // 作废 by the centre, with a reason
  merged: { 'zh-CN': '已合并', en: 'Merged' }, // the later report joined an earlier case (mergedInto)
} as const satisfies Record<string, Names>

export type CaseState = keyof typeof STATES
export const ALL_STATES = Object.keys(STATES) as CaseState[]

/** States in which the case still runs: urging and cancelling apply to these. */
export const OPEN_STATES = ['reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'suspended', 'disposed', 'checked'] as const satisfies readonly CaseState[]

export function isOpen(state: CaseState): boolean {
  return (OPEN_STATES as readonly CaseState[]).includes(state)
}

/** The built-in role keys (platform/auth/permissions.ts). */
export const ROLES = ['admin', 'leader', 'shift_leader', 'acceptor', 'dispatcher', 'supervisor', 'disposal', 'officer'] as const
export type Role = (typeof ROLES)[number]

/**
 * Roles that act only on some cases: a unit's staff (disposal staff, or an enforcement squad's officers) on cases
 * dispatched to their unit or a unit under it; a field supervisor on cases in the grid cells they are responsible for.
 * Every other role acts for the centre on any case in its data scope (checked by the service, not here).
 */
export const ROLE_RELATION: Partial<Record<Role, 'assigned_unit' | 'cell_supervisor'>> = {
  disposal: 'assigned_unit',
  officer: 'assigned_unit',
  supervisor: 'cell_supervisor',
}

export const CASE_SOURCES = ['supervisor', 'citizen', 'hotline', 'leader', 'upper_platform', 'sensor', 'video_ai', 'media'] as const
export type CaseSource = (typeof CASE_SOURCES)[number]

/** Default (each district may change it): reports not made by a supervisor are verified on site first. */
export const VERIFY_BY_DEFAULT: Record<CaseSource, boolean> = {
  supervisor: false,
  citizen: true,
  hotline: true, // 12319
  leader: false, // a leader's instruction (领导交办) is filed directly
  upper_platform: false, // already a case upstream
  sensor: true,
  video_ai: true,
  media: true,
}

export const REJECT_REASONS = {
  not_in_scope: { 'zh-CN': '不属于城管受理范围', en: 'not in scope' },
  duplicate: { 'zh-CN': '重复上报', en: 'duplicate' },
  not_a_problem: { 'zh-CN': '不构成问题', en: 'not a problem' },
  outside_area: { 'zh-CN': '不在本区域', en: 'outside the area' },
  other: { 'zh-CN': '其他', en: 'other' },
} as const satisfies Record<string, Names>
export type RejectReason = keyof typeof REJECT_REASONS

export const COUNTERS = ['reworkCount', 'returnCount', 'extensionCount', 'suspensionCount', 'urgeCount', 'reopenCount'] as const
export type Counter = (typeof COUNTERS)[number]
export type Counters = Record<Counter, number>

/**
 * Which time limit the caller must compute after a transition (deadlines.ts counts working time):
 * verify / file / dispatch / check go to `stepDeadline`, dispose to `disposalDeadline`.
 */
export type DeadlineKind = DeadlineStep

interface Common {
  comment?: string
  photoIds?: readonly string[]
}

/** The data each action carries besides its type. Texts are at most 500 characters; required texts not blank. */
export interface ActionData {
  request_verification: Common
  confirm_verification: Common & { photoIds: readonly string[] }
  deny_verification: Common & { reason: string }
  file: Common
  reject: Common & { rejectReason: RejectReason; reason?: string } // reason text required when 'other'
  dispatch: Common & { unitId: string; unitPath: string }
  sign_for: Common
  return: Common & { reason: string }
  request_extension: Common & { newDeadline: Date; reason: string } // the deadline the unit asks for
  approve_extension: Common & { newDeadline: Date } // the deadline granted
  deny_extension: Common & { reason: string }
  request_suspension: Common & { reason: string }
  approve_suspension: Common
  deny_suspension: Common & { reason: string }
  resume: Common
  report_disposal: Common & { photoIds: readonly string[] } // after-photos
  check_pass: Common & { photoIds: readonly string[] }
  check_fail: Common & { photoIds: readonly string[]; reason: string }
  close: Common
  urge: Common & { reason: string } // the urging instruction
  reassign: Common & { unitId: string; unitPath: string; reason: string }
  cancel: Common & { reason: string }
  merge: Common & { into: { id: string; state: CaseState } } // the earlier case this report joins
  reopen: Common & { reason: string }
  keep_closed: Common & { reason: string } // 维持结案: the review of an unsatisfied rating found the closing right
}

export type ActionType = keyof ActionData
export type Action = { [K in ActionType]: { type: K } & ActionData[K] }[ActionType]

type RequiredKeys<T> = { [P in keyof T]-?: undefined extends T[P] ? never : P }[keyof T]
export type DataField = 'reason' | 'photoIds' | 'unitId' | 'unitPath' | 'newDeadline' | 'rejectReason' | 'into'

/** Timeline entry kinds, one per action; the evaluation (综合考核) counts these. */
export const TIMELINE_KINDS = [
  'verification_requested', 'verified', 'verification_denied', 'filed', 'rejected', 'dispatched', 'signed_for', 'returned',
  'extension_requested', 'extension_approved', 'extension_denied', 'suspension_requested', 'suspended', 'suspension_denied',
  'resumed', 'disposal_reported', 'check_passed', 'reworked', 'closed', 'urged', 'reassigned', 'cancelled', 'merged', 'reopened',
  'review_kept',
] as const
export type TimelineKind = (typeof TIMELINE_KINDS)[number]

/** The fields an action cannot do without (distributes over a union of actions). */
type NeedsOf<K extends ActionType> = K extends ActionType ? Extract<RequiredKeys<ActionData[K]>, DataField> : never

export interface ActionRule {
  name: Names
  from: readonly CaseState[]
  roles: readonly Role[]
  /** The data that must be present (and valid); comment and photoIds are optional everywhere else. */
  needs: readonly DataField[]
  /** The state after the action; null: unchanged. */
  to: CaseState | null
  /** A pending request the action requires ('extension' | 'suspension' | 'review'), or 'none' when it must not have one. */
  pending?: 'none' | 'extension' | 'suspension' | 'review'
  /** What the timeline records (the evaluation counts these kinds). */
  entry: TimelineKind
  counter: Counter | null
  needsDeadline: DeadlineKind | null
}

const ACCEPTANCE: Role[] = ['acceptor', 'shift_leader', 'admin'] // 受理 and closing: the supervision centre
const DISPATCH: Role[] = ['dispatcher', 'shift_leader', 'admin'] // the command centre
const APPROVAL: Role[] = ['shift_leader', 'admin'] // decisions that stop or undo the loop
const UNIT: Role[] = ['disposal', 'officer']
const FIELD: Role[] = ['supervisor']
const DISPOSING = ['dispatched', 'in_disposal'] as const satisfies readonly CaseState[]

/** The whole machine. `decide` and `availableActions` read only this; docs and pages may list it. */
export const WORKFLOW: { [K in ActionType]: ActionRule & { needs: readonly NeedsOf<K>[] } } = {
  request_verification: { name: { 'zh-CN': '派发核实', en: 'request verification' }, from: ['reported'], roles: ACCEPTANCE, needs: [], to: 'verifying', entry: 'verification_requested', counter: null, needsDeadline: 'verify' },
  confirm_verification: { name: { 'zh-CN': '核实属实', en: 'confirm on site' }, from: ['verifying'], roles: FIELD, needs: ['photoIds'], to: 'verified', entry: 'verified', counter: null, needsDeadline: 'file' },
  deny_verification: { name: { 'zh-CN': '核实不属实', en: 'report as not confirmed' }, from: ['verifying'], roles: FIELD, needs: ['reason'], to: 'invalid', entry: 'verification_denied', counter: null, needsDeadline: null },
  file: { name: { 'zh-CN': '立案', en: 'file' }, from: ['reported', 'verified'], roles: ACCEPTANCE, needs: [], to: 'filed', entry: 'filed', counter: null, needsDeadline: 'dispatch' },
  reject: { name: { 'zh-CN': '不予立案', en: 'reject' }, from: ['reported', 'verified'], roles: ACCEPTANCE, needs: ['rejectReason'], to: 'rejected', entry: 'rejected', counter: null, needsDeadline: null },
  dispatch: { name: { 'zh-CN': '派遣', en: 'dispatch' }, from: ['filed'], roles: DISPATCH, needs: ['unitId', 'unitPath'], to: 'dispatched', entry: 'dispatched', counter: null, needsDeadline: 'dispose' },
  sign_for: { name: { 'zh-CN': '签收', en: 'sign for' }, from: ['dispatched'], roles: UNIT, needs: [], to: 'in_disposal', entry: 'signed_for', counter: null, needsDeadline: null },
  return: { name: { 'zh-CN': '回退', en: 'return' }, from: DISPOSING, roles: UNIT, needs: ['reason'], to: 'filed', entry: 'returned', counter: 'returnCount', needsDeadline: 'dispatch' },
  request_extension: { name: { 'zh-CN': '申请延期', en: 'request an extension' }, from: ['in_disposal'], roles: UNIT, needs: ['newDeadline', 'reason'], to: null, pending: 'none', entry: 'extension_requested', counter: null, needsDeadline: null },
  approve_extension: { name: { 'zh-CN': '批准延期', en: 'approve the extension' }, from: ['in_disposal'], roles: DISPATCH, needs: ['newDeadline'], to: null, pending: 'extension', entry: 'extension_approved', counter: 'extensionCount', needsDeadline: null },
  deny_extension: { name: { 'zh-CN': '驳回延期', en: 'deny the extension' }, from: ['in_disposal'], roles: DISPATCH, needs: ['reason'], to: null, pending: 'extension', entry: 'extension_denied', counter: null, needsDeadline: null },
  request_suspension: { name: { 'zh-CN': '申请挂账', en: 'request suspension' }, from: ['in_disposal'], roles: UNIT, needs: ['reason'], to: null, pending: 'none', entry: 'suspension_requested', counter: null, needsDeadline: null },
  approve_suspension: { name: { 'zh-CN': '批准挂账', en: 'approve suspension' }, from: ['in_disposal'], roles: APPROVAL, needs: [], to: 'suspended', pending: 'suspension', entry: 'suspended', counter: 'suspensionCount', needsDeadline: null },
  deny_suspension: { name: { 'zh-CN': '驳回挂账', en: 'deny suspension' }, from: ['in_disposal'], roles: APPROVAL, needs: ['reason'], to: null, pending: 'suspension', entry: 'suspension_denied', counter: null, needsDeadline: null },
  resume: { name: { 'zh-CN': '恢复处置', en: 'resume disposal' }, from: ['suspended'], roles: [...UNIT, ...DISPATCH], needs: [], to: 'in_disposal', entry: 'resumed', counter: null, needsDeadline: 'dispose' },
  report_disposal: { name: { 'zh-CN': '处置反馈', en: 'report disposal' }, from: ['in_disposal'], roles: UNIT, needs: ['photoIds'], to: 'disposed', entry: 'disposal_reported', counter: null, needsDeadline: 'check' },
  check_pass: { name: { 'zh-CN': '核查通过', en: 'pass the check' }, from: ['disposed'], roles: FIELD, needs: ['photoIds'], to: 'checked', entry: 'check_passed', counter: null, needsDeadline: null },
  check_fail: { name: { 'zh-CN': '核查不通过（返工）', en: 'fail the check (rework)' }, from: ['disposed'], roles: FIELD, needs: ['photoIds', 'reason'], to: 'in_disposal', entry: 'reworked', counter: 'reworkCount', needsDeadline: 'dispose' },
  close: { name: { 'zh-CN': '结案', en: 'close' }, from: ['checked'], roles: ACCEPTANCE, needs: [], to: 'closed', entry: 'closed', counter: null, needsDeadline: null },
  urge: { name: { 'zh-CN': '督办', en: 'urge' }, from: OPEN_STATES, roles: ['leader', 'shift_leader', 'dispatcher', 'admin'], needs: ['reason'], to: null, entry: 'urged', counter: 'urgeCount', needsDeadline: null },
  reassign: { name: { 'zh-CN': '改派', en: 'reassign' }, from: DISPOSING, roles: DISPATCH, needs: ['unitId', 'unitPath', 'reason'], to: 'dispatched', entry: 'reassigned', counter: null, needsDeadline: 'dispose' },
  cancel: { name: { 'zh-CN': '作废', en: 'cancel' }, from: OPEN_STATES, roles: APPROVAL, needs: ['reason'], to: 'cancelled', entry: 'cancelled', counter: null, needsDeadline: null },
  merge: { name: { 'zh-CN': '合并', en: 'merge' }, from: ['reported', 'verifying', 'verified', 'filed'], roles: ACCEPTANCE, needs: ['into'], to: 'merged', entry: 'merged', counter: null, needsDeadline: null },
  reopen: { name: { 'zh-CN': '重新办理', en: 'reopen' }, from: ['closed'], roles: APPROVAL, needs: ['reason'], to: 'filed', entry: 'reopened', counter: 'reopenCount', needsDeadline: 'dispatch' },
  keep_closed: { name: { 'zh-CN': '维持结案', en: 'keep closed' }, from: ['closed'], roles: ACCEPTANCE, needs: ['reason'], to: null, pending: 'review', entry: 'review_kept', counter: null, needsDeadline: null },
}

export const ALL_ACTIONS = Object.keys(WORKFLOW) as ActionType[]
