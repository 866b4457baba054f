// Step deadlines of a case: the time-limit table, due times in working or natural time, lights (亮灯), suspension and extension.
import { AppError } from '../../platform/errors.js'
import type { WorkingCalendar } from './calendar.js'

/** The steps that run against a time limit. */
export type DeadlineStep = 'verify' | 'file' | 'dispatch' | 'dispose' | 'check'
export type Urgency = 'urgent' | 'important' | 'normal' | 'complex'
/** Working units count only office time on working days; natural units count the clock. */
export type LimitUnit = 'working-minutes' | 'working-hours' | 'working-days' | 'natural-minutes' | 'natural-hours' | 'natural-days'

export interface TimeLimit {
  amount: number
  unit: LimitUnit
}

/** A district's limits; disposal (处置) depends on the case's urgency. */
export interface DeadlineLimits {
  verify: TimeLimit // 核实
  file: TimeLimit // 立案
  dispatch: TimeLimit // 派遣
  dispose: Record<Urgency, TimeLimit>
  check: TimeLimit // 核查
}

/** A small class's own disposal limits, for the urgencies it overrides. */
export type ClassDisposalLimits = Partial<Record<Urgency, TimeLimit>>

/** DOMAIN.md "Case workflow" defaults; each district configures its own. */
export const DEFAULT_LIMITS: DeadlineLimits = deepFreeze({
  verify: { amount: 1, unit: 'working-hours' },
  file: { amount: 1, unit: 'working-hours' },
  dispatch: { amount: 30, unit: 'working-minutes' },
  dispose: {
    urgent: { amount: 2, unit: 'natural-hours' }, // 紧急
    important: { amount: 1, unit: 'working-days' }, // 重要
    normal: { amount: 3, unit: 'working-days' }, // 一般
    complex: { amount: 10, unit: 'working-days' }, // 复杂/疑难
  },
  check: { amount: 1, unit: 'working-hours' },
} satisfies DeadlineLimits)

export type Light = 'green' | 'yellow' | 'red' // 正常 / 将到期 / 超期

export interface DeadlineOptions {
  /** Required for 'dispose'. */
  urgency?: Urgency
  /** The district's table; default DEFAULT_LIMITS. */
  limits?: DeadlineLimits
  /** The case's small class may override disposal limits per urgency. */
  classLimits?: ClassDisposalLimits
}

const MINUTE = 60_000
const UNIT_MINUTES = { minutes: 1, hours: 60, days: 1440 } as const

/** The limit that applies to a step: the class's disposal override, else the district table. */
export function limitFor(step: DeadlineStep, options: DeadlineOptions = {}): TimeLimit {
  const limits = options.limits ?? DEFAULT_LIMITS
  if (step !== 'dispose') return limits[step]
  if (!options.urgency) throw new RangeError('deadlines: the disposal limit depends on the urgency, and none was given')
  return options.classLimits?.[options.urgency] ?? limits.dispose[options.urgency]
}

export const isNatural = (limit: TimeLimit): boolean => limit.unit.startsWith('natural-')

/** When a step started at `start` is due. */
export function deadlineFor(step: DeadlineStep, options: DeadlineOptions, start: Date, calendar: WorkingCalendar): Date {
  return addLimit(start, limitFor(step, options), calendar)
}

/** `start` plus a time limit: natural units on the clock, working units on the calendar. */
export function addLimit(start: Date, limit: TimeLimit, calendar: WorkingCalendar): Date {
  const { amount, unit } = limit
  if (!Number.isFinite(amount) || amount < 0) throw new RangeError(`deadlines: a time limit must be ≥ 0, got ${amount}`)
  switch (unit) {
    case 'working-minutes':
      return calendar.addWorkingMinutes(start, amount)
    case 'working-hours':
      return calendar.addWorkingMinutes(start, amount * 60)
    case 'working-days':
      return calendar.addWorkingDays(start, amount)
    case 'natural-minutes':
    case 'natural-hours':
    case 'natural-days':
      return new Date(start.getTime() + amount * UNIT_MINUTES[unit.slice('natural-'.length) as keyof typeof UNIT_MINUTES] * MINUTE)
  }
}

export interface LightOptions {
  /** Yellow when less than this fraction of the limit remains; default 0.2. */
  yellowFraction?: number
  /** Measure on the clock (natural-time limits such as urgent disposal) instead of in working time. */
  natural?: boolean
  /**
   * Minutes (working, or natural when `natural`) the clock stood still between `startedAt` and the deadline
   * because the case was suspended; taken off the span so the yellow threshold stays a fraction of the limit.
   */
  suspendedMinutes?: number
}

/**
 * The light of a step at `now`: red once `now` is past the deadline (on the clock, even outside office hours),
 * yellow while less than `yellowFraction` of the limit remains, green before that. A suspended step has no
 * light of its own; compute it after resumption with the extended deadline.
 */
export function light(now: Date, startedAt: Date, deadline: Date, calendar: WorkingCalendar, options: LightOptions = {}): Light {
  const { yellowFraction = 0.2, natural = false, suspendedMinutes = 0 } = options
  if (now.getTime() > deadline.getTime()) return 'red'
  const between = (a: Date, b: Date) => (natural ? (b.getTime() - a.getTime()) / MINUTE : calendar.workingMinutesBetween(a, b))
  const limit = between(startedAt, deadline) - suspendedMinutes
  return between(now, deadline) < yellowFraction * limit ? 'yellow' : 'green'
}

/**
 * The instant a step started at `startedAt` and due at `deadline` turns yellow: when `yellowFraction` of the limit
 * remains (in working time, or on the clock for a natural-time limit). Stored beside the deadline, so lists can be
 * filtered and sorted by light in the database: see `lightOf`.
 */
export function yellowAt(startedAt: Date, deadline: Date, calendar: WorkingCalendar, options: Pick<LightOptions, 'yellowFraction' | 'natural'> = {}): Date {
  const { yellowFraction = 0.2, natural = false } = options
  if (natural) return new Date(deadline.getTime() - yellowFraction * Math.max(0, deadline.getTime() - startedAt.getTime()))
  const limit = calendar.workingMinutesBetween(startedAt, deadline)
  if (limit <= 0) return deadline
  return calendar.addWorkingMinutes(startedAt, limit * (1 - yellowFraction))
}

/** The light from the stored instants: red past the deadline, yellow from `yellowAt`, green before; none without a running clock. */
export function lightOf(now: Date, dueAt: Date | null, yellowFrom: Date | null): Light | null {
  if (!dueAt) return null
  if (now.getTime() > dueAt.getTime()) return 'red'
  return yellowFrom && now.getTime() >= yellowFrom.getTime() ? 'yellow' : 'green'
}

/**
 * Suspension (挂账/缓办) stops the clock: the deadline moves by the time the case spent suspended, measured in
 * working time (or on the clock for a natural-time limit), so the time left at resumption is what was left at
 * suspension.
 */
export function extendBySuspension(
  deadline: Date,
  suspendedFrom: Date,
  resumedAt: Date,
  calendar: WorkingCalendar,
  options: { natural?: boolean } = {},
): Date {
  if (resumedAt.getTime() < suspendedFrom.getTime()) throw new RangeError('deadlines: a suspension cannot end before it starts')
  if (options.natural) return new Date(deadline.getTime() + resumedAt.getTime() - suspendedFrom.getTime())
  return calendar.addWorkingMinutes(deadline, calendar.workingMinutesBetween(suspendedFrom, resumedAt))
}

/** An extension (延期) sets a new deadline, which must be later than the current one; returns it. */
export function checkExtension(currentDeadline: Date, newDeadline: Date): Date {
  if (Number.isNaN(newDeadline.getTime())) {
    throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '延期后的期限不是有效时间', en: 'the extended deadline is not a valid time' } })
  }
  if (newDeadline.getTime() <= currentDeadline.getTime()) {
    throw new AppError('BAD_REQUEST', {
      reason: { 'zh-CN': '延期后的期限须晚于当前期限', en: 'the extended deadline must be later than the current one' },
    })
  }
  return newDeadline
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner)
  return Object.freeze(value)
}
