// The working calendar as the page shows it while an administrator edits: the server's special days of the year (as
// saved) under the rules being edited, what a click on a day does, and runs of like days for the month lists.
import type { CalendarRules, CalendarYear } from '../../api/client'

export type DayReason = CalendarYear['specialDays'][number]['reason']
type SpecialDay = CalendarYear['specialDays'][number]

export interface DayView {
  date: string
  /** 1–31, and 0 = Monday … 6 = Sunday. */
  day: number
  weekday: number
  working: boolean
  reason: DayReason
  holiday?: string
  /** The day differs from what is saved (an edit not yet saved). */
  pending: boolean
  /** A saved district day taken out in the edit: what the national calendar says is known once saved. */
  backToNational: boolean
}

const DISTRICT: ReadonlySet<string> = new Set(['district-holiday', 'district-working-day'])

export function dateKey(year: number, month: number, day: number): string {
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month, day)).getUTCDay() + 6) % 7
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
}

/** How one day looks: the edited district lists first, then the saved special day, then Monday–Friday. */
export function dayView(year: number, month: number, day: number, saved: ReadonlyMap<string, SpecialDay>, rules: CalendarRules): DayView {
  const date = dateKey(year, month, day)
  const weekday = weekdayOf(year, month, day)
  const base = { date, day, weekday, backToNational: false }
  const was = saved.get(date)
  if (rules.extraHolidays.includes(date)) return { ...base, working: false, reason: 'district-holiday', pending: was?.reason !== 'district-holiday' }
  if (rules.extraWorkingDays.includes(date)) return { ...base, working: true, reason: 'district-working-day', pending: was?.reason !== 'district-working-day' }
  const plain = { ...base, working: weekday < 5, reason: (weekday < 5 ? 'weekday' : 'weekend') as DayReason }
  if (!was) return { ...plain, pending: false }
  if (DISTRICT.has(was.reason)) return { ...plain, pending: true, backToNational: true }
  return { ...base, working: was.working, reason: was.reason as DayReason, ...(was.holiday ? { holiday: was.holiday } : {}), pending: false }
}

/** Every day of a month, in order. */
export function monthDays(year: number, month: number, saved: ReadonlyMap<string, SpecialDay>, rules: CalendarRules): DayView[] {
  return Array.from({ length: daysInMonth(year, month) }, (_, i) => dayView(year, month, i + 1, saved, rules))
}

const without = (list: readonly string[], date: string) => list.filter((d) => d !== date)
const sorted = (list: readonly string[]) => [...list].sort()

/**
 * The rules after a click on a day: a district day goes back to the national calendar; a saved district day taken
 * out comes back; otherwise a working day becomes a district holiday and a rest day a district working day.
 */
export function toggleDay(view: DayView, saved: ReadonlyMap<string, SpecialDay>, rules: CalendarRules): CalendarRules {
  const { date } = view
  if (rules.extraHolidays.includes(date)) return { ...rules, extraHolidays: without(rules.extraHolidays, date) }
  if (rules.extraWorkingDays.includes(date)) return { ...rules, extraWorkingDays: without(rules.extraWorkingDays, date) }
  const wasReason = saved.get(date)?.reason
  const holiday = wasReason === 'district-holiday' || (wasReason !== 'district-working-day' && view.working)
  return holiday
    ? { ...rules, extraHolidays: sorted([...rules.extraHolidays, date]) }
    : { ...rules, extraWorkingDays: sorted([...rules.extraWorkingDays, date]) }
}

/** A run of consecutive special days of one kind (e.g. 国庆节 10-01…10-08), for the list under a month. */
export interface DayRun {
  from: DayView
  to: DayView
}

export function specialRuns(days: readonly DayView[]): DayRun[] {
  const runs: DayRun[] = []
  for (const d of days) {
    if (d.reason === 'weekday' || d.reason === 'weekend') {
      if (!d.backToNational) continue
    }
    const last = runs.at(-1)
    if (last && last.to.day === d.day - 1 && last.to.reason === d.reason && last.to.holiday === d.holiday && last.to.pending === d.pending && last.to.backToNational === d.backToNational) {
      last.to = d
    } else {
      runs.push({ from: d, to: d })
    }
  }
  return runs
}

/** Whether two rule sets say the same (the lists compared as sets). */
export function sameRules(a: CalendarRules, b: CalendarRules): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && sorted(x).every((v, i) => v === sorted(y)[i])
  return JSON.stringify(a.officeHours) === JSON.stringify(b.officeHours) && same(a.extraHolidays, b.extraHolidays) && same(a.extraWorkingDays, b.extraWorkingDays)
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Working minutes of one office day, and whether the periods are in order, each starting before it ends. */
export function officeDay(periods: CalendarRules['officeHours']): { minutes: number; valid: boolean } {
  let minutes = 0
  let valid = periods.length > 0
  let end = -1
  for (const p of periods) {
    const from = minutesOf(p.from)
    const to = minutesOf(p.to)
    if (!(from < to) || from < end) valid = false
    minutes += Math.max(0, to - from)
    end = to
  }
  return { minutes, valid }
}
