// The web's copy of the case workflow facts the pages need (the server's workflow-table.ts is runtime code the web
// must not import): states in loop order, what each action asks for, reject reasons and sources. The e2e test
// test/e2e/cases.test.ts compares this copy and the locale names with the server's table.
import type { CaseActionType, CaseSource, CaseState, RejectReason } from '../../api/client'

export const STATE_ORDER: readonly CaseState[] = [
  'reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'suspended', 'disposed', 'checked', 'closed',
  'rejected', 'invalid', 'cancelled', 'merged',
]

/** States in which the case still runs. */
export const OPEN_STATES: readonly CaseState[] = ['reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'suspended', 'disposed', 'checked']

export type Need = 'reason' | 'photoIds' | 'unitId' | 'newDeadline' | 'rejectReason' | 'into'

/** The data each action cannot do without (the server's WORKFLOW[action].needs, without the unit path it derives). */
export const ACTION_NEEDS: Record<CaseActionType, readonly Need[]> = {
  request_verification: [],
  confirm_verification: ['photoIds'],
  deny_verification: ['reason'],
  file: [],
  reject: ['rejectReason'],
  dispatch: ['unitId'],
  sign_for: [],
  return: ['reason'],
  request_extension: ['newDeadline', 'reason'],
  approve_extension: ['newDeadline'],
  deny_extension: ['reason'],
  request_suspension: ['reason'],
  approve_suspension: [],
  deny_suspension: ['reason'],
  resume: [],
  report_disposal: ['photoIds'],
  check_pass: ['photoIds'],
  check_fail: ['photoIds', 'reason'],
  close: [],
  urge: ['reason'],
  reassign: ['unitId', 'reason'],
  cancel: ['reason'],
  merge: ['into'],
  keep_closed: ['reason'],
  reopen: ['reason'],
}

/** Button order on the detail page: the loop's main step first, then the special operations. */
export const ACTION_ORDER: readonly CaseActionType[] = Object.keys(ACTION_NEEDS) as CaseActionType[]

/** Actions that end or undo something: their buttons are drawn as danger buttons. */
export const DANGER_ACTIONS: ReadonlySet<CaseActionType> = new Set<CaseActionType>([
  'reject', 'deny_verification', 'return', 'deny_extension', 'deny_suspension', 'check_fail', 'cancel',
])

/** The loop's forward steps, drawn as primary buttons. */
export const PRIMARY_ACTIONS: ReadonlySet<CaseActionType> = new Set<CaseActionType>([
  'confirm_verification', 'file', 'dispatch', 'sign_for', 'report_disposal', 'check_pass', 'close', 'approve_extension', 'approve_suspension', 'resume',
])

export const REJECT_REASONS: readonly RejectReason[] = ['not_in_scope', 'duplicate', 'not_a_problem', 'outside_area', 'other']

export const CASE_SOURCES: readonly CaseSource[] = ['supervisor', 'citizen', 'hotline', 'leader', 'upper_platform', 'sensor', 'video_ai', 'media']

export const COUNTERS = ['reworkCount', 'returnCount', 'extensionCount', 'suspensionCount', 'urgeCount', 'reopenCount'] as const

/** Timeline entries whose photos show the problem (before) and the result (after). */
export const BEFORE_ACTIONS: ReadonlySet<string> = new Set(['report', 'confirm_verification'])
export const AFTER_ACTIONS: ReadonlySet<string> = new Set(['report_disposal', 'check_pass', 'check_fail'])

export const STATE_COLOURS: Record<CaseState, string> = {
  reported: 'gold', verifying: 'gold', verified: 'gold', filed: 'blue', dispatched: 'geekblue', in_disposal: 'processing',
  suspended: 'purple', disposed: 'cyan', checked: 'cyan', closed: 'green', rejected: 'default', invalid: 'default',
  cancelled: 'default', merged: 'default',
}
