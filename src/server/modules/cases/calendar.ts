// The district's working calendar: office periods, working days (weekdays, public holidays, make-up days 调休, local overrides) and working-time arithmetic.
//
// Semantics, in one place:
// - Times are instants (`Date`); calendar questions are asked in the district's local time, a fixed UTC offset
//   (default +08:00, China has no daylight saving), so the answer never depends on the server's time zone.
// - A working day is, in order of precedence: a district override (extra holiday / extra working day), else the
//   State Council arrangement from `chinese-days` (public holiday, or make-up working day 调休 on a weekend), else
//   Monday–Friday. For a year `chinese-days` has no arrangement for, only the last rule applies (weekends-only
//   fallback) and `hasOfficialData(year)` is false so the app can warn that holidays are missing.
// - Working time is the union of the office periods (default 08:30–12:00 and 14:00–17:30) on working days.
// - `addWorkingMinutes(start, m)` is the earliest instant t ≥ start with exactly m working minutes in [start, t):
//   a start outside office hours begins counting at the next office period, and a count that runs out exactly at
//   the end of a period is due at that end (12:00, 17:30), not at the start of the next one.
// - `addWorkingDays(start, n)` is `addWorkingMinutes(start, n × minutes of one office day)`. Started inside office
//   hours this is the same office time n working days later (Mon 10:00 + 1 → Tue 10:00); started outside office
//   hours (before work, at lunch, at night, on a rest day) it is the end of the n-th working day on which the clock
//   runs, counting the day it starts on (Mon 07:00 + 1 → Mon 17:30; Mon 20:00 + 1 → Tue 17:30).
// - `workingMinutesBetween(a, b)` counts working minutes in [a, b); negative when b is before a.
import officialData from 'chinese-days/dist/chinese-days.json' with { type: 'json' }

/** An office period in local time, 'HH:MM' 24-hour, start before end, within one day. */
export interface OfficePeriod {
  from: string
  to: string
}

export interface CalendarConfig {
  /** The office day, in order, not overlapping. Default 08:30–12:00 and 14:00–17:30. */
  officeHours?: readonly OfficePeriod[]
  /** Local dates 'YYYY-MM-DD' the district does not work although the national calendar does (e.g. a flood day). */
  extraHolidays?: readonly string[]
  /** Local dates 'YYYY-MM-DD' the district works although the national calendar does not. */
  extraWorkingDays?: readonly string[]
  /** Local time offset from UTC in minutes; default 480 (Asia/Shanghai, UTC+8, no DST). */
  utcOffsetMinutes?: number
}

/** Why a day is, or is not, a working day. */
export type DayReason =
  | 'weekday'
  | 'weekend'
  | 'public-holiday' // 法定节假日 (and the rest days moved next to it)
  | 'make-up-working-day' // 调休上班
  | 'district-holiday'
  | 'district-working-day'

export interface DayInfo {
  /** Local date, 'YYYY-MM-DD'. */
  date: string
  working: boolean
  reason: DayReason
  /** The holiday's Chinese name from the official data (e.g. 国庆节), when there is one. */
  holiday?: string
}

export interface WorkingCalendar {
  /** Whether the local day containing this instant (or this 'YYYY-MM-DD' local date) is a working day. */
  isWorkingDay(date: Date | string): boolean
  /** The day's status and the rule that decided it. */
  dayInfo(date: Date | string): DayInfo
  /** Whether `chinese-days` has the State Council arrangement for this year (else weekends-only fallback). */
  hasOfficialData(year: number): boolean
  addWorkingMinutes(start: Date, minutes: number): Date
  addWorkingDays(start: Date, days: number): Date
  workingMinutesBetween(a: Date, b: Date): number
  /** Working minutes in one office day (420 by default). */
  readonly minutesPerDay: number
}

export const DEFAULT_OFFICE_HOURS: readonly OfficePeriod[] = [
  { from: '08:30', to: '12:00' },
  { from: '14:00', to: '17:30' },
]

const MINUTE = 60_000
const DAY = 86_400_000
/** No real calendar has a year without a working day; stop a misconfiguration from looping forever. */
const MAX_DAYS_SCANNED = 3_660

const holidays: Readonly<Record<string, string>> = officialData.holidays
const makeUpDays: Readonly<Record<string, string>> = officialData.workdays
const officialYears: ReadonlySet<number> = new Set(Object.keys(holidays).map((d) => Number(d.slice(0, 4))))

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/

/** Builds a calendar from the district's configuration; throws on an invalid configuration. */
export function createWorkingCalendar(config: CalendarConfig = {}): WorkingCalendar {
  const offset = (config.utcOffsetMinutes ?? 480) * MINUTE
  const periods = parsePeriods(config.officeHours ?? DEFAULT_OFFICE_HOURS)
  const minutesPerDay = periods.reduce((sum, [from, to]) => sum + (to - from), 0) / MINUTE
  const extraHolidays = new Set((config.extraHolidays ?? []).map((d) => checkDate(d, 'extraHolidays')))
  const extraWorkingDays = new Set((config.extraWorkingDays ?? []).map((d) => checkDate(d, 'extraWorkingDays')))
  for (const d of extraHolidays) {
    if (extraWorkingDays.has(d)) throw new RangeError(`calendar: ${d} is both an extra holiday and an extra working day`)
  }

  // A local day is numbered by whole days since 1970-01-01 local time.
  const dayOf = (t: number) => Math.floor((t + offset) / DAY)
  const dayStart = (day: number) => day * DAY - offset
  const dayKey = (day: number) => new Date(day * DAY).toISOString().slice(0, 10)

  const infoOf = (day: number): DayInfo => {
    const date = dayKey(day)
    if (extraHolidays.has(date)) return { date, working: false, reason: 'district-holiday' }
    if (extraWorkingDays.has(date)) return { date, working: true, reason: 'district-working-day' }
    const makeUp = makeUpDays[date]
    if (makeUp !== undefined) return { date, working: true, reason: 'make-up-working-day', holiday: holidayName(makeUp) }
    const holiday = holidays[date]
    if (holiday !== undefined) return { date, working: false, reason: 'public-holiday', holiday: holidayName(holiday) }
    const weekday = (day + 4) % 7 // 1970-01-01 was a Thursday; 0 = Sunday
    return weekday === 0 || weekday === 6 ? { date, working: false, reason: 'weekend' } : { date, working: true, reason: 'weekday' }
  }

  const toDay = (date: Date | string): number => {
    if (typeof date === 'string') {
      const match = DATE_RE.exec(checkDate(date, 'date'))
      return Date.UTC(Number(match?.[1]), Number(match?.[2]) - 1, Number(match?.[3])) / DAY
    }
    return dayOf(instant(date, 'date'))
  }

  /** Office periods of a local day as [from, to) instants in ms; none on a rest day. */
  const periodsOf = (day: number): Array<[number, number]> => {
    if (!infoOf(day).working) return []
    const base = dayStart(day)
    return periods.map(([from, to]) => [base + from, base + to])
  }

  const addMs = (start: number, ms: number): number => {
    if (ms === 0) return start
    let remaining = ms
    for (let day = dayOf(start), scanned = 0; scanned < MAX_DAYS_SCANNED; day++, scanned++) {
      for (const [from, to] of periodsOf(day)) {
        if (to <= start) continue
        const begin = Math.max(from, start)
        if (remaining <= to - begin) return begin + remaining
        remaining -= to - begin
      }
    }
    throw new RangeError(`calendar: no working time found within ${MAX_DAYS_SCANNED} days`)
  }

  const msBetween = (a: number, b: number): number => {
    if (b < a) return -msBetween(b, a)
    let total = 0
    for (let day = dayOf(a); day <= dayOf(b); day++) {
      for (const [from, to] of periodsOf(day)) total += Math.max(0, Math.min(to, b) - Math.max(from, a))
    }
    return total
  }

  return Object.freeze({
    minutesPerDay,
    isWorkingDay: (date: Date | string) => infoOf(toDay(date)).working,
    dayInfo: (date: Date | string) => infoOf(toDay(date)),
    hasOfficialData: (year: number) => officialYears.has(year),
    addWorkingMinutes: (start: Date, minutes: number) => new Date(addMs(instant(start, 'start'), amount(minutes, 'minutes') * MINUTE)),
    addWorkingDays: (start: Date, days: number) => new Date(addMs(instant(start, 'start'), amount(days, 'days') * minutesPerDay * MINUTE)),
    workingMinutesBetween: (a: Date, b: Date) => msBetween(instant(a, 'a'), instant(b, 'b')) / MINUTE,
  })
}

/** Office periods as [from, to) offsets in ms from local midnight, checked to be ordered and disjoint. */
function parsePeriods(officeHours: readonly OfficePeriod[]): Array<[number, number]> {
  if (officeHours.length === 0) throw new RangeError('calendar: the office day needs at least one period')
  const parsed = officeHours.map(({ from, to }): [number, number] => {
    const start = timeOfDay(from)
    const end = timeOfDay(to)
    if (end <= start) throw new RangeError(`calendar: office period ${from}–${to} must end after it starts`)
    return [start, end]
  })
  parsed.forEach(([start], i) => {
    const previous = parsed[i - 1]
    if (previous && start < previous[1]) throw new RangeError('calendar: office periods must be in order and must not overlap')
  })
  return parsed
}

function timeOfDay(hhmm: string): number {
  const match = TIME_RE.exec(hhmm)
  if (!match) throw new RangeError(`calendar: '${hhmm}' is not a time HH:MM`)
  return (Number(match[1]) * 60 + Number(match[2])) * MINUTE
}

function checkDate(date: string, what: string): string {
  const match = DATE_RE.exec(date)
  const valid = match && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === date
  if (!valid) throw new RangeError(`calendar: ${what} '${date}' is not a date YYYY-MM-DD`)
  return date
}

function instant(date: Date, what: string): number {
  const t = date.getTime()
  if (Number.isNaN(t)) throw new RangeError(`calendar: ${what} is not a valid date`)
  return t
}

function amount(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`calendar: ${what} must be a finite number ≥ 0, got ${value}`)
  return value
}

/** The official data reads 'National Day,国庆节,3': English name, Chinese name, days. */
function holidayName(entry: string): string {
  return entry.split(',')[1] ?? entry
}
