// The case workflow as a specification: every allowed step, every refusal (generated from the table), whole paths.
import { describe, expect, it } from 'vitest'
import { ERRORS } from '../../platform/errors.js'
import {
  ALL_ACTIONS, ALL_STATES, COUNTERS, OPEN_STATES, REFUSAL_ERROR, ROLES, TIMELINE_KINDS, WORKFLOW, availableActions, decide, isOpen, reportedCase,
  type Accepted, type Action, type ActionType, type CaseFacts, type CaseState, type Decision, type Role, type WorkflowActor,
} from './workflow.js'

const T0 = new Date('2025-03-03T09:00:00+08:00')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)
const DAY = 24 * 60
const NOW = at(60)

const CENTRE = { id: 'u-centre', path: '/d/u-centre/' }
const STREET = { id: 'u-zc', path: '/d/u-zc/' } // the unit cases are dispatched to
const DEPT = { id: 'u-dept', path: '/d/u-dept/' }
const SUPERVISOR_ID = 'sup-liu'

function actor(role: Role | string, unit = CENTRE, userId = `${role}-1`): WorkflowActor {
  return { userId, roles: [role], unitId: unit.id, unitPath: unit.path }
}
/** Each role as it normally relates to the test case: staff of the assigned unit, the cell's supervisor, the centre. */
function actorAs(role: Role): WorkflowActor {
  if (role === 'disposal' || role === 'officer') return actor(role, STREET)
  if (role === 'supervisor') return actor(role, CENTRE, SUPERVISOR_ID)
  return actor(role)
}

function caseIn(state: CaseState, extra: Partial<CaseFacts> = {}): CaseFacts {
  return {
    ...reportedCase('c-2', T0, [SUPERVISOR_ID]),
    state, assignedUnitId: STREET.id, assignedUnitPath: STREET.path, disposalDeadline: at(3 * DAY), ...extra,
  }
}
const pendingExtension = { newDeadline: at(5 * DAY), reason: '需要更换井盖', requestedBy: 'disposal-1', requestedAt: at(10) }
const pendingSuspension = { reason: '需要专项资金', requestedBy: 'disposal-1', requestedAt: at(10) }
const pendingReview = { rating: 'unsatisfied' as const, comment: '垃圾还在', ratedAt: at(20) }

/** A case in `state` that also has the pending request the action decides, if any. */
function caseFor(type: ActionType, state: CaseState): CaseFacts {
  const pending = WORKFLOW[type].pending
  return caseIn(state, {
    pendingExtension: pending === 'extension' ? pendingExtension : null,
    pendingSuspension: pending === 'suspension' ? pendingSuspension : null,
    pendingReview: pending === 'review' ? pendingReview : null,
  })
}

const photos = ['photo-1']
const reason = '不属于本单位职责'
const VALID: { [K in ActionType]: Extract<Action, { type: K }> } = {
  request_verification: { type: 'request_verification' },
  confirm_verification: { type: 'confirm_verification', photoIds: photos },
  deny_verification: { type: 'deny_verification', reason: '现场未发现' },
  file: { type: 'file', comment: '符合立案条件' },
  reject: { type: 'reject', rejectReason: 'duplicate' },
  dispatch: { type: 'dispatch', unitId: STREET.id, unitPath: STREET.path },
  sign_for: { type: 'sign_for' },
  return: { type: 'return', reason },
  request_extension: { type: 'request_extension', newDeadline: at(5 * DAY), reason: '需要更换井盖' },
  approve_extension: { type: 'approve_extension', newDeadline: at(5 * DAY) },
  deny_extension: { type: 'deny_extension', reason: '期限内可以完成' },
  request_suspension: { type: 'request_suspension', reason: '需要专项资金' },
  approve_suspension: { type: 'approve_suspension' },
  deny_suspension: { type: 'deny_suspension', reason: '应当立即处置' },
  resume: { type: 'resume' },
  report_disposal: { type: 'report_disposal', photoIds: photos, comment: '已清理' },
  check_pass: { type: 'check_pass', photoIds: photos },
  check_fail: { type: 'check_fail', photoIds: photos, reason: '仍有垃圾' },
  close: { type: 'close' },
  urge: { type: 'urge', reason: '请今日内处置' },
  reassign: { type: 'reassign', unitId: DEPT.id, unitPath: DEPT.path, reason: '属于部门职责' },
  cancel: { type: 'cancel', reason: '重复录入' },
  merge: { type: 'merge', into: { id: 'c-1', state: 'filed' } },
  reopen: { type: 'reopen', reason: '市民不满意，复核后重新办理' },
  keep_closed: { type: 'keep_closed', reason: '已按标准处置完毕，维持结案' },
}

function accepted(decision: Decision): Accepted {
  if (!decision.ok) throw new Error(`refused: ${decision.code} ${decision.message.en}`)
  return decision
}
const refusal = (decision: Decision) => (decision.ok ? 'ok' : decision.code)

describe('every allowed transition, for each state it starts from and each role allowed', () => {
  for (const type of ALL_ACTIONS) {
    const rule = WORKFLOW[type]
    for (const state of rule.from) {
      for (const role of rule.roles) {
        it(`${type}: ${state} → ${rule.to ?? state} by ${role}`, () => {
          const facts = caseFor(type, state)
          const who = actorAs(role)
          expect(availableActions(facts, who)).toContain(type)
          const { next, entry, needsDeadline } = accepted(decide(facts, VALID[type], who, NOW))
          expect(next.state).toBe(rule.to ?? state)
          expect(entry).toMatchObject({ kind: rule.entry, action: type, at: NOW, actorId: who.userId, role, unitId: who.unitId, fromState: state, toState: next.state })
          for (const counter of COUNTERS) expect(next.counters[counter]).toBe(counter === rule.counter ? 1 : 0)
          expect(needsDeadline).toBe(rule.needsDeadline)
          if (needsDeadline === 'dispose') expect(next.disposalDeadline).toBeNull()
          if (rule.to !== null) expect(next).toMatchObject({ stepStartedAt: NOW, stepDeadline: null, pendingExtension: null, pendingSuspension: null })
          else expect(next.stepStartedAt).toBe(facts.stepStartedAt)
        })
      }
    }
  }
})

describe('every refused transition', () => {
  for (const type of ALL_ACTIONS) {
    const rule = WORKFLOW[type]
    const allowedActor = actorAs(rule.roles[0]!)
    for (const state of ALL_STATES.filter((s) => !rule.from.includes(s))) {
      it(`${type} is illegal in ${state}`, () => {
        const facts = caseFor(type, state)
        const decision = decide(facts, VALID[type], allowedActor, NOW)
        expect(refusal(decision)).toBe('ILLEGAL_TRANSITION')
        expect(availableActions(facts, allowedActor)).not.toContain(type)
      })
    }
    for (const role of ROLES.filter((r) => !rule.roles.includes(r))) {
      it(`${type} is forbidden to ${role}`, () => {
        const facts = caseFor(type, rule.from[0]!)
        const decision = decide(facts, VALID[type], actorAs(role), NOW)
        expect(refusal(decision)).toBe('FORBIDDEN')
        expect(availableActions(facts, actorAs(role))).not.toContain(type)
      })
    }
    for (const field of rule.needs) {
      it(`${type} without ${field} is invalid input`, () => {
        const { [field as keyof Action]: _dropped, ...rest } = VALID[type]
        const decision = decide(caseFor(type, rule.from[0]!), rest as Action, allowedActor, NOW)
        expect(refusal(decision)).toBe('INVALID_INPUT')
      })
    }
  }

  it('refuses a user with no workflow role at all', () => {
    for (const type of ALL_ACTIONS) expect(refusal(decide(caseFor(type, WORKFLOW[type].from[0]!), VALID[type], actor('citizen'), NOW))).toBe('FORBIDDEN')
    expect(availableActions(caseIn('in_disposal'), { ...actor('x'), roles: [] })).toEqual([])
  })

  it('every refusal carries a stable code that maps to an error, and a message in both languages', () => {
    const decision = decide(caseIn('filed'), VALID.close, actorAs('admin'), NOW)
    expect(decision).toEqual({ ok: false, code: 'ILLEGAL_TRANSITION', message: { 'zh-CN': '案卷状态为「待派遣」，不能「结案」', en: 'Cannot close a case in state "Filed"' } })
    for (const code of Object.values(REFUSAL_ERROR)) expect(ERRORS[code]).toBeDefined()
  })
})

describe('who acts on which case', () => {
  const street2 = { id: 'u-zc2', path: '/d/u-zc2/' }
  const sub = { id: 'u-sub', path: '/d/u-zc/u-sub/' }

  it('refuses a disposal unit acting on a case not dispatched to it', () => {
    for (const type of ['sign_for', 'return'] as const) expect(refusal(decide(caseIn('dispatched'), VALID[type], actor('disposal', DEPT), NOW))).toBe('NOT_YOUR_CASE')
    expect(refusal(decide(caseIn('in_disposal'), VALID.report_disposal, actor('officer', street2), NOW))).toBe('NOT_YOUR_CASE')
    expect(availableActions(caseIn('in_disposal'), actor('disposal', DEPT))).toEqual([])
  })

  it('refuses a unit acting on a filed case before anyone is assigned, without revealing its state', () => {
    const decision = decide(caseIn('filed', { assignedUnitId: null, assignedUnitPath: null }), VALID.sign_for, actor('disposal', STREET), NOW)
    expect(decision).toMatchObject({ code: 'NOT_YOUR_CASE', message: { en: 'The case is not dispatched to your unit' } })
  })

  it('lets a unit act for its sub-unit, but not a sub-unit for its parent or a unit whose path merely starts alike', () => {
    expect(accepted(decide(caseIn('dispatched', { assignedUnitId: sub.id, assignedUnitPath: sub.path }), VALID.sign_for, actor('disposal', STREET), NOW)).entry.unitId).toBe(STREET.id)
    expect(refusal(decide(caseIn('dispatched'), VALID.sign_for, actor('disposal', sub), NOW))).toBe('NOT_YOUR_CASE')
    expect(refusal(decide(caseIn('dispatched', { assignedUnitId: street2.id, assignedUnitPath: street2.path }), VALID.sign_for, actor('disposal', STREET), NOW))).toBe('NOT_YOUR_CASE')
    expect(refusal(decide(caseIn('dispatched'), VALID.sign_for, { ...actor('disposal'), unitId: 'x', unitPath: '/' }, NOW))).toBe('NOT_YOUR_CASE')
  })

  it('refuses a supervisor verifying or checking a case outside their grid cells', () => {
    const other = actor('supervisor', CENTRE, 'sup-zhang')
    expect(decide(caseIn('verifying'), VALID.confirm_verification, other, NOW)).toMatchObject({ code: 'NOT_YOUR_CASE', message: { en: 'The case is not in a grid cell you are responsible for' } })
    expect(refusal(decide(caseIn('disposed'), VALID.check_pass, other, NOW))).toBe('NOT_YOUR_CASE')
    expect(refusal(decide(caseIn('disposed', { cellSupervisorIds: [] }), VALID.check_fail, actorAs('supervisor'), NOW))).toBe('NOT_YOUR_CASE')
  })

  it('refuses a supervisor closing a case', () => {
    expect(decide(caseIn('checked'), VALID.close, actorAs('supervisor'), NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' })
  })

  it('lets an admin do the centre’s actions but not a unit’s or a supervisor’s, and never an illegal transition', () => {
    const admin = actorAs('admin')
    expect(refusal(decide(caseIn('dispatched'), VALID.sign_for, admin, NOW))).toBe('FORBIDDEN')
    expect(refusal(decide(caseIn('disposed'), VALID.check_pass, admin, NOW))).toBe('FORBIDDEN')
    expect(refusal(decide(caseIn('closed'), VALID.cancel, admin, NOW))).toBe('ILLEGAL_TRANSITION')
    expect(availableActions(caseIn('checked'), admin)).toEqual(['close', 'urge', 'cancel'])
  })

  it('shows a leader only urging, on open cases', () => {
    for (const state of OPEN_STATES) expect(availableActions(caseIn(state), actorAs('leader'))).toEqual(['urge'])
    expect(availableActions(caseIn('closed'), actorAs('leader'))).toEqual([])
  })

  it('records the role a user with several roles acted in', () => {
    const both = { ...actor('dispatcher', DEPT), roles: ['disposal', 'dispatcher'] }
    expect(accepted(decide(caseIn('suspended'), VALID.resume, both, NOW)).entry.role).toBe('dispatcher')
    const own = { ...actor('dispatcher', STREET), roles: ['disposal', 'dispatcher'] }
    expect(accepted(decide(caseIn('suspended'), VALID.resume, own, NOW)).entry.role).toBe('disposal')
  })
})

describe('pending requests', () => {
  const unit = actorAs('disposal')

  it('refuses a second extension request while one waits, and any suspension request beside it', () => {
    const waiting = caseIn('in_disposal', { pendingExtension })
    expect(decide(waiting, VALID.request_extension, unit, NOW)).toMatchObject({ code: 'PENDING_REQUEST', message: { en: 'An extension request is already waiting for approval' } })
    expect(refusal(decide(waiting, VALID.request_suspension, unit, NOW))).toBe('PENDING_REQUEST')
    expect(refusal(decide(caseIn('in_disposal', { pendingSuspension }), VALID.request_extension, unit, NOW))).toBe('PENDING_REQUEST')
    expect(availableActions(waiting, unit)).toEqual(['return', 'report_disposal'])
  })

  it('refuses approving or denying a request nobody made', () => {
    for (const type of ['approve_extension', 'deny_extension'] as const) expect(refusal(decide(caseIn('in_disposal'), VALID[type], actorAs('dispatcher'), NOW))).toBe('NO_PENDING_REQUEST')
    for (const type of ['approve_suspension', 'deny_suspension'] as const) expect(refusal(decide(caseIn('in_disposal'), VALID[type], actorAs('shift_leader'), NOW))).toBe('NO_PENDING_REQUEST')
  })

  it('settles a pending request when the case leaves disposal', () => {
    const next = accepted(decide(caseIn('in_disposal', { pendingExtension }), VALID.report_disposal, unit, NOW)).next
    expect(next.pendingExtension).toBeNull()
    expect(accepted(decide(caseIn('in_disposal', { pendingSuspension }), VALID.cancel, actorAs('admin'), NOW)).next.pendingSuspension).toBeNull()
  })
})

describe('the data an action needs', () => {
  const dispatcher = actorAs('dispatcher')
  const unit = actorAs('disposal')

  it('refuses an extension deadline that is not later than the current one, or already past', () => {
    const current = at(3 * DAY)
    expect(decide(caseIn('in_disposal'), { ...VALID.request_extension, newDeadline: at(2 * DAY) }, unit, NOW)).toMatchObject({ code: 'INVALID_INPUT', message: { en: 'The new disposal deadline must be later than the current one' } })
    expect(refusal(decide(caseIn('in_disposal'), { ...VALID.request_extension, newDeadline: current }, unit, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('in_disposal', { pendingExtension }), { type: 'approve_extension', newDeadline: at(DAY) }, dispatcher, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('in_disposal', { disposalDeadline: null }), { ...VALID.request_extension, newDeadline: at(30) }, unit, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('in_disposal', { pendingExtension }), { type: 'approve_extension', newDeadline: new Date('nonsense') }, dispatcher, NOW))).toBe('INVALID_INPUT')
  })

  it('refuses merging a case into itself or into a case that is no longer open', () => {
    const acceptor = actorAs('acceptor')
    expect(decide(caseIn('reported'), { type: 'merge', into: { id: 'c-2', state: 'filed' } }, acceptor, NOW)).toMatchObject({ code: 'INVALID_INPUT', message: { en: 'A case cannot be merged into itself' } })
    for (const state of ['closed', 'merged', 'cancelled'] as const) expect(refusal(decide(caseIn('reported'), { type: 'merge', into: { id: 'c-1', state } }, acceptor, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('reported'), { type: 'merge', into: { id: '', state: 'filed' } }, acceptor, NOW))).toBe('INVALID_INPUT')
  })

  it('requires a real reason of at most 500 characters', () => {
    const cases: Array<[unknown, string]> = [[undefined, 'INVALID_INPUT'], ['   ', 'INVALID_INPUT'], ['字'.repeat(501), 'INVALID_INPUT'], ['字'.repeat(500), 'ok'], [42, 'INVALID_INPUT']]
    for (const [value, expected] of cases) expect(refusal(decide(caseIn('dispatched'), { type: 'return', reason: value } as Action, unit, NOW))).toBe(expected)
    expect(refusal(decide(caseIn('dispatched'), { ...VALID.sign_for, comment: 'x'.repeat(501) }, unit, NOW))).toBe('INVALID_INPUT')
    expect(accepted(decide(caseIn('dispatched'), { type: 'return', reason: '  不归我们管  ' }, unit, NOW)).entry.reason).toBe('不归我们管')
  })

  it('requires a reject reason from the list, and words when it is "other"', () => {
    const acceptor = actorAs('acceptor')
    expect(refusal(decide(caseIn('reported'), { type: 'reject', rejectReason: 'other' }, acceptor, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('reported'), { type: 'reject', rejectReason: 'bored' } as unknown as Action, acceptor, NOW))).toBe('INVALID_INPUT')
    const { next, entry } = accepted(decide(caseIn('reported'), { type: 'reject', rejectReason: 'other', reason: '私人物业' }, acceptor, NOW))
    expect([next.state, next.rejectReason, entry.reason, entry.detail.rejectReason]).toEqual(['rejected', 'other', '私人物业', 'other'])
  })

  it('requires photos where the standard asks for them, and a sane number of them', () => {
    for (const photoIds of [[], [''], 'photo-1', Array.from({ length: 21 }, (_, i) => `p${i}`)]) {
      expect(refusal(decide(caseIn('in_disposal'), { type: 'report_disposal', photoIds } as Action, unit, NOW))).toBe('INVALID_INPUT')
    }
    expect(accepted(decide(caseIn('dispatched'), { type: 'return', reason, photoIds: ['p1', 'p2'] }, unit, NOW)).entry.photoIds).toEqual(['p1', 'p2'])
  })

  it('requires another unit, with its own path, to dispatch or reassign to', () => {
    expect(refusal(decide(caseIn('in_disposal'), { ...VALID.reassign, unitId: STREET.id, unitPath: STREET.path }, dispatcher, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('filed'), { ...VALID.dispatch, unitPath: '/d/u-other/' }, dispatcher, NOW))).toBe('INVALID_INPUT')
    expect(refusal(decide(caseIn('filed'), { type: 'frobnicate' } as unknown as Action, dispatcher, NOW))).toBe('INVALID_INPUT')
  })
})

describe('whole paths through the loop', () => {
  const [acceptor, dispatcher, shiftLeader, leader, supervisor, unit] = (['acceptor', 'dispatcher', 'shift_leader', 'leader', 'supervisor', 'disposal'] as const).map(actorAs) as [WorkflowActor, WorkflowActor, WorkflowActor, WorkflowActor, WorkflowActor, WorkflowActor]
  const deptStaff = actor('disposal', DEPT)

  /** Runs the steps 30 minutes apart, filling deadlines as the service would; every step must be accepted. */
  function run(start: CaseFacts, steps: Array<[WorkflowActor, Action]>) {
    let facts = start
    const entries = steps.map(([who, action], i) => {
      const now = at(30 * (i + 1))
      const { next, entry, needsDeadline } = accepted(decide(facts, action, who, now))
      if (needsDeadline === 'dispose') next.disposalDeadline = at(30 * (i + 1) + 3 * DAY)
      else if (needsDeadline) next.stepDeadline = at(30 * (i + 1) + 60)
      facts = next
      return entry
    })
    return { facts, entries, kinds: entries.map((e) => e.kind) }
  }
  const citizenReport = () => reportedCase('c-9', T0, [SUPERVISOR_ID])
  const toDisposal: Array<[WorkflowActor, Action]> = [[acceptor, VALID.request_verification], [supervisor, VALID.confirm_verification], [acceptor, VALID.file], [dispatcher, VALID.dispatch], [unit, VALID.sign_for]]
  const toClosed: Array<[WorkflowActor, Action]> = [[unit, VALID.report_disposal], [supervisor, VALID.check_pass], [acceptor, VALID.close]]

  it('runs the normal loop: citizen report → verify → file → dispatch → sign for → disposal report → check → close', () => {
    const { facts, kinds, entries } = run(citizenReport(), [...toDisposal, ...toClosed])
    expect(kinds).toEqual(['verification_requested', 'verified', 'filed', 'dispatched', 'signed_for', 'disposal_reported', 'check_passed', 'closed'])
    expect(entries.map((e) => e.toState)).toEqual(['verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'disposed', 'checked', 'closed'])
    expect(facts).toMatchObject({ state: 'closed', assignedUnitId: STREET.id, stepStartedAt: at(240), counters: { reworkCount: 0, returnCount: 0, extensionCount: 0, suspensionCount: 0, urgeCount: 0, reopenCount: 0 } })
    for (const role of ROLES) expect(availableActions(facts, actorAs(role)).filter((a) => a !== 'reopen')).toEqual([])
  })

  it('sends a case that fails the check back to the same unit as rework, and counts it', () => {
    const { facts, kinds, entries } = run(citizenReport(), [...toDisposal, [unit, VALID.report_disposal], [supervisor, VALID.check_fail], ...toClosed])
    expect(kinds.slice(5, 7)).toEqual(['disposal_reported', 'reworked'])
    expect(entries[6]).toMatchObject({ toState: 'in_disposal', reason: '仍有垃圾', photoIds: photos })
    expect(facts).toMatchObject({ state: 'closed', assignedUnitId: STREET.id, counters: { reworkCount: 1, returnCount: 0 } })
  })

  it('lets a wrongly dispatched unit return the case, which is then dispatched to the right one', () => {
    const { facts, kinds } = run(citizenReport(), [
      [acceptor, VALID.file], [dispatcher, { type: 'dispatch', unitId: DEPT.id, unitPath: DEPT.path }], [deptStaff, VALID.return],
      [dispatcher, VALID.dispatch], [unit, VALID.sign_for], ...toClosed,
    ])
    expect(kinds.slice(0, 4)).toEqual(['filed', 'dispatched', 'returned', 'dispatched'])
    expect(facts).toMatchObject({ state: 'closed', assignedUnitId: STREET.id, counters: { returnCount: 1 } })
    expect(refusal(decide(caseIn('in_disposal'), VALID.report_disposal, deptStaff, NOW))).toBe('NOT_YOUR_CASE')
  })

  it('moves the disposal deadline on an approved extension and keeps it on a denied one', () => {
    const granted = at(10 * DAY)
    const { facts, kinds } = run(citizenReport(), [
      [acceptor, VALID.file], [dispatcher, VALID.dispatch], [unit, VALID.sign_for],
      [unit, { type: 'request_extension', newDeadline: granted, reason: '需订购井盖' }], [dispatcher, { type: 'approve_extension', newDeadline: granted }],
      [unit, { type: 'request_extension', newDeadline: at(20 * DAY), reason: '再延' }], [dispatcher, VALID.deny_extension],
    ])
    expect(kinds.slice(3)).toEqual(['extension_requested', 'extension_approved', 'extension_requested', 'extension_denied'])
    expect(facts).toMatchObject({ state: 'in_disposal', disposalDeadline: granted, pendingExtension: null, counters: { extensionCount: 1 } })
  })

  it('suspends a case that cannot be solved now, stops its clock, and resumes it', () => {
    const { facts, entries } = run(citizenReport(), [
      [acceptor, VALID.file], [dispatcher, VALID.dispatch], [unit, VALID.sign_for], [unit, VALID.request_suspension], [shiftLeader, VALID.approve_suspension],
      [leader, VALID.urge], [unit, VALID.resume], ...toClosed,
    ])
    expect(entries.map((e) => e.kind).slice(3, 7)).toEqual(['suspension_requested', 'suspended', 'urged', 'resumed'])
    expect(entries[5]).toMatchObject({ fromState: 'suspended', toState: 'suspended', reason: '请今日内处置' })
    expect(facts).toMatchObject({ state: 'closed', counters: { suspensionCount: 1, urgeCount: 1 } })
  })

  it('reopens a closed case on the citizen’s dissatisfaction and runs it again', () => {
    const { facts, kinds, entries } = run(citizenReport(), [...toDisposal, ...toClosed, [shiftLeader, VALID.reopen], [dispatcher, VALID.dispatch], [unit, VALID.sign_for], ...toClosed])
    expect(kinds.slice(8, 10)).toEqual(['reopened', 'dispatched'])
    expect(entries[8]).toMatchObject({ fromState: 'closed', toState: 'filed' })
    expect(facts).toMatchObject({ state: 'closed', counters: { reopenCount: 1, reworkCount: 0 } })
  })

  it('reviews an unsatisfied rating: keeping the case closed settles it; reopening settles it too', () => {
    const rated = caseIn('closed', { pendingReview })
    const kept = accepted(decide(rated, VALID.keep_closed, shiftLeader, NOW))
    expect(kept.next).toMatchObject({ state: 'closed', pendingReview: null })
    expect(kept.entry).toMatchObject({ kind: 'review_kept', fromState: 'closed', toState: 'closed', reason: '已按标准处置完毕，维持结案' })
    expect(refusal(decide(kept.next, VALID.keep_closed, shiftLeader, NOW))).toBe('NO_PENDING_REQUEST')
    expect(availableActions(kept.next, shiftLeader)).toEqual(['reopen'])
    expect(availableActions(rated, acceptor)).toEqual(['keep_closed'])
    const reopened = accepted(decide(rated, VALID.reopen, shiftLeader, NOW))
    expect(reopened.next).toMatchObject({ state: 'filed', pendingReview: null, counters: { reopenCount: 1 } })
  })

  it('joins a later duplicate report to the earlier case, after which nobody can act on it', () => {
    const { facts, entries } = run(citizenReport(), [[acceptor, VALID.merge]])
    expect(facts).toMatchObject({ state: 'merged', mergedInto: 'c-1' })
    expect(entries[0]!.detail).toEqual({ mergedInto: 'c-1' })
    for (const role of ROLES) expect(availableActions(facts, actorAs(role))).toEqual([])
  })

  it('marks a report that the supervisor could not confirm as invalid', () => {
    const { facts } = run(citizenReport(), [[acceptor, VALID.request_verification], [supervisor, VALID.deny_verification]])
    expect(facts.state).toBe('invalid')
  })
})

describe('the table itself', () => {
  it('reaches every state from a new report', () => {
    const seen = new Set<CaseState>(['reported'])
    for (let grew = true; grew;) {
      grew = false
      for (const rule of Object.values(WORKFLOW)) {
        if (rule.to && !seen.has(rule.to) && rule.from.some((s) => seen.has(s))) {
          seen.add(rule.to)
          grew = true
        }
      }
    }
    expect([...seen].sort()).toEqual([...ALL_STATES].sort())
  })

  it('lets every open state be urged and cancelled, and nothing but the review of a closing act on a finished state', () => {
    for (const state of OPEN_STATES) expect(WORKFLOW.urge.from.includes(state) && WORKFLOW.cancel.from.includes(state)).toBe(true)
    const fromFinished = ALL_ACTIONS.filter((type) => WORKFLOW[type].from.some((s) => !isOpen(s)))
    expect(fromFinished).toEqual(['reopen', 'keep_closed'])
  })

  it('records a distinct timeline kind per action and increments every counter somewhere', () => {
    expect(ALL_ACTIONS.map((type) => WORKFLOW[type].entry).sort()).toEqual([...TIMELINE_KINDS].sort())
    expect(COUNTERS.filter((c) => !ALL_ACTIONS.some((type) => WORKFLOW[type].counter === c))).toEqual([])
  })

  it('never mutates the case it decides on', () => {
    const facts = caseIn('in_disposal', { pendingExtension })
    const copy = structuredClone(facts)
    accepted(decide(facts, VALID.approve_extension, actorAs('dispatcher'), NOW))
    accepted(decide(facts, VALID.urge, actorAs('leader'), NOW))
    expect(facts).toEqual(copy)
  })
})
