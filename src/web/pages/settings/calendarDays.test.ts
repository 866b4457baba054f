// The calendar page's edit logic: how a day looks under the rules being edited, and what a click on it does.
import { describe, expect, it } from 'vitest'
import type { CalendarRules, CalendarYear } from '../../api/client'
import { dayView, officeDay, sameRules, specialRuns, monthDays, toggleDay } from './calendarDays'

type SpecialDay = CalendarYear['specialDays'][number]
const OFFICE = [{ from: '08:30', to: '12:00' }, { from: '14:00', to: '17:30' }]
const rules = (extraHolidays: string[] = [], extraWorkingDays: string[] = []): CalendarRules => ({ officeHours: OFFICE, extraHolidays, extraWorkingDays })
const saved = (...days: SpecialDay[]) => new Map(days.map((d) => [d.date, d]))

// 2026-10-01 is a Thursday (国庆节), 2026-09-27 a Sunday worked (调休), 2026-06-10 a plain Wednesday, 2026-06-13 a Saturday.
const NATIONAL = saved(
  { date: '2026-10-01', working: false, reason: 'public-holiday', holiday: '国庆节' },
  { date: '2026-09-27', working: true, reason: 'make-up-working-day', holiday: '国庆节' },
)

describe('calendar edit', () => {
  it('shows the national days as the server says, and plain days by the day of the week', () => {
    expect(dayView(2026, 9, 1, NATIONAL, rules())).toMatchObject({ reason: 'public-holiday', holiday: '国庆节', working: false, pending: false, weekday: 3 })
    expect(dayView(2026, 8, 27, NATIONAL, rules())).toMatchObject({ reason: 'make-up-working-day', working: true })
    expect(dayView(2026, 5, 10, NATIONAL, rules())).toMatchObject({ reason: 'weekday', working: true, pending: false })
    expect(dayView(2026, 5, 13, NATIONAL, rules())).toMatchObject({ reason: 'weekend', working: false })
  })

  it('a click makes a working day a district holiday and a rest day a district working day, and a second click undoes it', () => {
    const wednesday = dayView(2026, 5, 10, NATIONAL, rules())
    const once = toggleDay(wednesday, NATIONAL, rules())
    expect(once.extraHolidays).toEqual(['2026-06-10'])
    expect(dayView(2026, 5, 10, NATIONAL, once)).toMatchObject({ reason: 'district-holiday', pending: true })
    expect(toggleDay(dayView(2026, 5, 10, NATIONAL, once), NATIONAL, once)).toEqual(rules())

    const holiday = toggleDay(dayView(2026, 9, 1, NATIONAL, rules()), NATIONAL, rules())
    expect(holiday.extraWorkingDays).toEqual(['2026-10-01'])
    const makeUp = toggleDay(dayView(2026, 8, 27, NATIONAL, rules()), NATIONAL, rules())
    expect(makeUp.extraHolidays).toEqual(['2026-09-27'])
  })

  it('a saved district day taken out is marked until saved, and a click brings it back', () => {
    const server = saved(...NATIONAL.values(), { date: '2026-06-10', working: false, reason: 'district-holiday' })
    const taken = dayView(2026, 5, 10, server, rules())
    expect(taken).toMatchObject({ backToNational: true, pending: true })
    expect(toggleDay(taken, server, rules()).extraHolidays).toEqual(['2026-06-10'])
    expect(dayView(2026, 5, 10, server, rules(['2026-06-10']))).toMatchObject({ reason: 'district-holiday', pending: false })
  })

  it('lists runs of like days under a month', () => {
    const october = saved(...['01', '02', '03'].map((d): SpecialDay => ({ date: `2026-10-${d}`, working: false, reason: 'public-holiday', holiday: '国庆节' })))
    const runs = specialRuns(monthDays(2026, 9, october, rules(['2026-10-20'])))
    expect(runs.map((r) => [r.from.day, r.to.day, r.from.reason])).toEqual([[1, 3, 'public-holiday'], [20, 20, 'district-holiday']])
  })

  it('counts the office day and checks its periods', () => {
    expect(officeDay(OFFICE)).toEqual({ minutes: 420, valid: true })
    expect(officeDay([{ from: '09:00', to: '12:00' }, { from: '11:00', to: '13:00' }]).valid).toBe(false)
    expect(officeDay([{ from: '12:00', to: '12:00' }]).valid).toBe(false)
    expect(officeDay([]).valid).toBe(false)
    expect(sameRules(rules(['2026-01-02', '2026-01-01']), rules(['2026-01-01', '2026-01-02']))).toBe(true)
    expect(sameRules(rules(['2026-01-02']), rules())).toBe(false)
  })
})
