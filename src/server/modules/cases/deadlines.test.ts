// Step deadlines and lights as a specification, on the default calendar: office day 08:30–12:00 and 14:00–17:30 (420 min), UTC+8.
import { describe, expect, it } from 'vitest'
import { createWorkingCalendar } from './calendar.js'
import { checkExtension, DEFAULT_LIMITS, deadlineFor, extendBySuspension, light, lightOf, limitFor, yellowAt } from './deadlines.js'
import type { DeadlineOptions, DeadlineStep } from './deadlines.js'

const calendar = createWorkingCalendar()
const at = (iso: string) => new Date(iso)
/** An instant written back in Beijing time, so failures read like the expectations. */
const cst = (date: Date) => new Date(date.getTime() + 8 * 3_600_000).toISOString().replace(/\.000Z$/, '+08:00')
const due = (step: DeadlineStep, options: DeadlineOptions, start: string) => cst(deadlineFor(step, options, at(start), calendar))

describe('the time-limit table', () => {
  it('holds the DOMAIN.md defaults, and nobody can change them by accident', () => {
    expect(DEFAULT_LIMITS).toEqual({
      verify: { amount: 1, unit: 'working-hours' },
      file: { amount: 1, unit: 'working-hours' },
      dispatch: { amount: 30, unit: 'working-minutes' },
      dispose: {
        urgent: { amount: 2, unit: 'natural-hours' },
        important: { amount: 1, unit: 'working-days' },
        normal: { amount: 3, unit: 'working-days' },
        complex: { amount: 10, unit: 'working-days' },
      },
      check: { amount: 1, unit: 'working-hours' },
    })
    expect(Object.isFrozen(DEFAULT_LIMITS.dispose.urgent)).toBe(true)
  })

  it("lets a class override its disposal limit per urgency and keeps the district's for the rest", () => {
    const classLimits = { normal: { amount: 5, unit: 'working-days' } } as const
    expect(limitFor('dispose', { urgency: 'normal', classLimits })).toEqual({ amount: 5, unit: 'working-days' })
    expect(limitFor('dispose', { urgency: 'important', classLimits })).toEqual({ amount: 1, unit: 'working-days' })
    // Mon 10:00 + 5 working days = next Mon 10:00.
    expect(due('dispose', { urgency: 'normal', classLimits }, '2025-11-17T10:00:00+08:00')).toBe('2025-11-24T10:00:00+08:00')
  })

  it("takes the district's own table", () => {
    const limits = { ...DEFAULT_LIMITS, dispatch: { amount: 1, unit: 'working-hours' } } as const
    // Fri 17:15–17:30 = 15 min; Mon 08:30 + 45 = 09:15.
    expect(due('dispatch', { limits }, '2025-11-14T17:15:00+08:00')).toBe('2025-11-17T09:15:00+08:00')
  })

  it('needs the urgency for disposal', () => {
    expect(() => limitFor('dispose')).toThrow(/urgency/)
  })
})

describe('deadlines of the short steps, in working time', () => {
  it('verify: 1 working hour, across the lunch break', () => {
    // 11:30–12:00 = 30 min, 14:00 + 30 = 14:30.
    expect(due('verify', {}, '2025-11-17T11:30:00+08:00')).toBe('2025-11-17T14:30:00+08:00')
  })

  it('file: 1 working hour, across the weekend', () => {
    // Fri 17:00–17:30 = 30 min, Mon 08:30 + 30 = 09:00.
    expect(due('file', {}, '2025-11-14T17:00:00+08:00')).toBe('2025-11-17T09:00:00+08:00')
  })

  it('dispatch: 30 working minutes, from the next morning when filed at night', () => {
    expect(due('dispatch', {}, '2025-11-17T20:00:00+08:00')).toBe('2025-11-18T09:00:00+08:00')
  })

  it('check: 1 working hour, overnight', () => {
    // Tue 17:00–17:30 = 30 min, Wed 08:30 + 30 = 09:00.
    expect(due('check', {}, '2025-11-18T17:00:00+08:00')).toBe('2025-11-19T09:00:00+08:00')
  })
})

describe('disposal deadlines by urgency', () => {
  it('urgent: 2 hours of natural time, weekend or night alike', () => {
    expect(due('dispose', { urgency: 'urgent' }, '2025-11-14T16:30:00+08:00')).toBe('2025-11-14T18:30:00+08:00') // Friday
    expect(due('dispose', { urgency: 'urgent' }, '2025-11-15T23:00:00+08:00')).toBe('2025-11-16T01:00:00+08:00') // Sat → Sun
    expect(due('dispose', { urgency: 'urgent' }, '2025-10-01T10:00:00+08:00')).toBe('2025-10-01T12:00:00+08:00') // National Day
  })

  it('important: 1 working day, Friday to Monday', () => {
    expect(due('dispose', { urgency: 'important' }, '2025-11-14T15:00:00+08:00')).toBe('2025-11-17T15:00:00+08:00')
  })

  it('normal: 3 working days across the 2025 National Day, due on the make-up Saturday', () => {
    // Tue Sep 30 10:00 → Thu Oct 9 (1) → Fri Oct 10 (2) → Sat Oct 11 10:00 (3, make-up working day).
    expect(due('dispose', { urgency: 'normal' }, '2025-09-30T10:00:00+08:00')).toBe('2025-10-11T10:00:00+08:00')
  })

  it('complex: 10 working days, two weeks normally, longer across the 2026 Spring Festival', () => {
    expect(due('dispose', { urgency: 'complex' }, '2025-11-17T09:00:00+08:00')).toBe('2025-12-01T09:00:00+08:00')
    // From Mon Feb 9: Feb 10, 11, 12, 13, Sat 14 (make-up), [Feb 15–23 off], 24, 25, 26, 27, Sat 28 (make-up) = 10th.
    expect(due('dispose', { urgency: 'complex' }, '2026-02-09T09:00:00+08:00')).toBe('2026-02-28T09:00:00+08:00')
  })
})

describe('lights', () => {
  const lightAt = (now: string, startedAt: string, deadline: string, options = {}) =>
    light(at(now), at(startedAt), at(deadline), calendar, options)

  it('verify (60 working min from 09:00, due 10:00): yellow when less than 12 min remain, red once past due', () => {
    const [start, end] = ['2025-11-17T09:00:00+08:00', '2025-11-17T10:00:00+08:00']
    expect(lightAt('2025-11-17T09:00:00+08:00', start, end)).toBe('green')
    expect(lightAt('2025-11-17T09:48:00+08:00', start, end)).toBe('green') // 12 min left: exactly 20 %, not less
    expect(lightAt('2025-11-17T09:49:00+08:00', start, end)).toBe('yellow') // 11 min left
    expect(lightAt('2025-11-17T10:00:00+08:00', start, end)).toBe('yellow') // due now, not yet overdue
    expect(lightAt('2025-11-17T10:00:01+08:00', start, end)).toBe('red')
  })

  it('normal disposal (Mon 09:00 → Thu 09:00, 1260 working min) turns yellow with 252 working min left', () => {
    const [start, end] = ['2025-11-17T09:00:00+08:00', '2025-11-20T09:00:00+08:00']
    expect(lightAt('2025-11-19T09:00:00+08:00', start, end)).toBe('green') // 420 left
    // Wed 11:48: 11:48–12:00 = 12, 14:00–17:30 = 210, Thu 08:30–09:00 = 30 → 252 left, exactly 20 %.
    expect(lightAt('2025-11-19T11:48:00+08:00', start, end)).toBe('green')
    expect(lightAt('2025-11-19T11:49:00+08:00', start, end)).toBe('yellow') // 251 left
    expect(lightAt('2025-11-19T13:00:00+08:00', start, end)).toBe('yellow') // lunch: 240 left, the clock stands still
    expect(lightAt('2025-11-19T20:00:00+08:00', start, end)).toBe('yellow') // 30 left (Thu 08:30–09:00)
    expect(lightAt('2025-11-20T09:01:00+08:00', start, end)).toBe('red')
  })

  it('measured on the clock instead, the same span would turn yellow only 14 h 24 min before the deadline', () => {
    // 20 % of 72 h = 14 h 24 min before Thu 09:00 = Wed 18:36: this is why working limits measure in working time.
    const [start, end] = ['2025-11-17T09:00:00+08:00', '2025-11-20T09:00:00+08:00']
    expect(lightAt('2025-11-19T18:35:00+08:00', start, end, { natural: true })).toBe('green')
    expect(lightAt('2025-11-19T18:37:00+08:00', start, end, { natural: true })).toBe('yellow')
  })

  it('is red after a working deadline even outside office hours, when no working time has passed since', () => {
    const [start, end] = ['2025-11-14T16:30:00+08:00', '2025-11-14T17:30:00+08:00']
    expect(lightAt('2025-11-14T18:00:00+08:00', start, end)).toBe('red')
    expect(lightAt('2025-11-15T10:00:00+08:00', start, end)).toBe('red')
  })

  it('urgent disposal (2 natural hours, Fri 16:30 → 18:30) turns yellow with less than 24 min left', () => {
    const [start, end] = ['2025-11-14T16:30:00+08:00', '2025-11-14T18:30:00+08:00']
    expect(lightAt('2025-11-14T17:30:00+08:00', start, end, { natural: true })).toBe('green') // office closes; the clock runs on
    expect(lightAt('2025-11-14T18:06:00+08:00', start, end, { natural: true })).toBe('green') // 24 min left
    expect(lightAt('2025-11-14T18:07:00+08:00', start, end, { natural: true })).toBe('yellow')
    expect(lightAt('2025-11-14T18:31:00+08:00', start, end, { natural: true })).toBe('red')
  })

  it("follows the district's yellow fraction", () => {
    // 50 % of 60 min: yellow with less than 30 min left.
    const [start, end] = ['2025-11-17T09:00:00+08:00', '2025-11-17T10:00:00+08:00']
    expect(lightAt('2025-11-17T09:30:00+08:00', start, end, { yellowFraction: 0.5 })).toBe('green')
    expect(lightAt('2025-11-17T09:31:00+08:00', start, end, { yellowFraction: 0.5 })).toBe('yellow')
  })
})

describe('stored lights (yellowAt + lightOf, what lists sort and filter by)', () => {
  it('turns a 3-working-day disposal yellow when a fifth of its working time remains, across a weekend', () => {
    // Thu 2025-03-06 10:00 + 3 working days → Tue 03-11 10:00; 1,260 working minutes, yellow with 252 left (90 on Tue, 162 before 17:30 on Mon): Mon 03-10 14:48
    const start = at('2025-03-06T10:00:00+08:00')
    const dueAt = deadlineFor('dispose', { urgency: 'normal' }, start, calendar)
    expect(cst(dueAt)).toBe('2025-03-11T10:00:00+08:00')
    const yellow = yellowAt(start, dueAt, calendar)
    expect(cst(yellow)).toBe('2025-03-10T14:48:00+08:00')
    expect(lightOf(at('2025-03-10T14:47:00+08:00'), dueAt, yellow)).toBe('green')
    expect(lightOf(at('2025-03-10T14:48:00+08:00'), dueAt, yellow)).toBe('yellow')
    expect(lightOf(at('2025-03-11T10:00:01+08:00'), dueAt, yellow)).toBe('red')
    expect(lightOf(at('2025-03-11T10:00:01+08:00'), null, null)).toBeNull()
  })

  it('agrees with light() inside office hours, and measures urgent disposal on the clock', () => {
    const start = at('2025-03-06T10:00:00+08:00')
    const dueAt = deadlineFor('dispose', { urgency: 'normal' }, start, calendar)
    const yellow = yellowAt(start, dueAt, calendar)
    for (const now of ['2025-03-06T16:00:00+08:00', '2025-03-07T09:00:00+08:00', '2025-03-10T15:00:00+08:00', '2025-03-10T15:30:00+08:00', '2025-03-11T09:00:00+08:00']) {
      expect(lightOf(at(now), dueAt, yellow), now).toBe(light(at(now), start, dueAt, calendar))
    }
    const urgentDue = deadlineFor('dispose', { urgency: 'urgent' }, start, calendar)
    expect(cst(yellowAt(start, urgentDue, calendar, { natural: true }))).toBe('2025-03-06T11:36:00+08:00')
  })
})

describe('suspension stops the clock', () => {
  // Important disposal: started Thu Nov 13 10:00, due Fri Nov 14 10:00 (420 working min).
  const startedAt = at('2025-11-13T10:00:00+08:00')
  const deadline = at('2025-11-14T10:00:00+08:00')

  it('moves the deadline by the working time spent suspended over the weekend', () => {
    // Suspended Thu 14:00 with 300 min left (Thu 14:00–17:30 = 210, Fri 08:30–10:00 = 90); resumed Mon 08:30.
    // Suspended working time: Thu 210 + Fri 420 + weekend 0 + Mon 0 = 630 min.
    // Fri 10:00 + 630: Fri 10:00–12:00 120 + 14:00–17:30 210, Mon 08:30–12:00 210, Mon 14:00 + 90 → Mon 15:30.
    const moved = extendBySuspension(deadline, at('2025-11-13T14:00:00+08:00'), at('2025-11-17T08:30:00+08:00'), calendar)
    expect(cst(moved)).toBe('2025-11-17T15:30:00+08:00')
    // The 300 min left at suspension are left at resumption: Mon 08:30–12:00 210 + 14:00–15:30 90.
    expect(calendar.workingMinutesBetween(at('2025-11-17T08:30:00+08:00'), moved)).toBe(300)
  })

  it('does not move the deadline for a suspension that falls wholly on rest days', () => {
    const moved = extendBySuspension(deadline, at('2025-11-15T10:00:00+08:00'), at('2025-11-16T16:00:00+08:00'), calendar)
    expect(cst(moved)).toBe('2025-11-14T10:00:00+08:00')
  })

  it('moves a natural-time deadline by the clock time suspended', () => {
    // Urgent, due Fri 18:30; suspended Fri 17:00 → Sat 09:00 (16 h) → due Sat 10:30.
    const moved = extendBySuspension(at('2025-11-14T18:30:00+08:00'), at('2025-11-14T17:00:00+08:00'), at('2025-11-15T09:00:00+08:00'), calendar, { natural: true })
    expect(cst(moved)).toBe('2025-11-15T10:30:00+08:00')
  })

  it('keeps the yellow threshold at 20 % of the real limit when told how long the clock stood still', () => {
    // After resumption the step is due Mon 15:30. Its real limit is 420 min, so yellow below 84 min left.
    // Counted naively from Thu 10:00 the span would be 1050 min (and yellow below 210, i.e. all Monday).
    const moved = at('2025-11-17T15:30:00+08:00')
    expect(light(at('2025-11-17T14:00:00+08:00'), startedAt, moved, calendar, { suspendedMinutes: 630 })).toBe('green') // 90 left
    expect(light(at('2025-11-17T14:07:00+08:00'), startedAt, moved, calendar, { suspendedMinutes: 630 })).toBe('yellow') // 83 left
    expect(light(at('2025-11-17T14:00:00+08:00'), startedAt, moved, calendar)).toBe('yellow')
  })

  it('refuses a resumption before the suspension', () => {
    expect(() => extendBySuspension(deadline, at('2025-11-14T10:00:00+08:00'), at('2025-11-14T09:00:00+08:00'), calendar)).toThrow(RangeError)
  })
})

describe('extension sets a new deadline', () => {
  const current = at('2025-11-17T15:30:00+08:00')

  it('accepts a later deadline', () => {
    expect(cst(checkExtension(current, at('2025-11-20T17:30:00+08:00')))).toBe('2025-11-20T17:30:00+08:00')
  })

  it('refuses the same or an earlier deadline, or no valid time, with a BAD_REQUEST', () => {
    for (const proposed of ['2025-11-17T15:30:00+08:00', '2025-11-17T09:00:00+08:00', 'not a time']) {
      expect(() => checkExtension(current, at(proposed))).toThrow(expect.objectContaining({ name: 'AppError', code: 'BAD_REQUEST' }))
    }
  })
})
