// The working calendar as a specification: default office day 08:30–12:00 and 14:00–17:30 (7 h = 420 min), UTC+8.
import { describe, expect, it } from 'vitest'
import { createWorkingCalendar } from './calendar.js'

const calendar = createWorkingCalendar()
const at = (iso: string) => new Date(iso)
/** An instant written back in Beijing time, so failures read like the expectations. */
const cst = (date: Date) => new Date(date.getTime() + 8 * 3_600_000).toISOString().replace(/\.000Z$/, '+08:00')
const plusMinutes = (iso: string, minutes: number) => cst(calendar.addWorkingMinutes(at(iso), minutes))
const plusDays = (iso: string, days: number) => cst(calendar.addWorkingDays(at(iso), days))

describe('working days', () => {
  it('counts Monday to Friday and rests on the weekend', () => {
    expect(calendar.isWorkingDay('2025-11-14')).toBe(true) // Friday
    expect(calendar.isWorkingDay('2025-11-15')).toBe(false) // Saturday
    expect(calendar.isWorkingDay('2025-11-16')).toBe(false) // Sunday
    expect(calendar.isWorkingDay('2025-11-17')).toBe(true) // Monday
  })

  it('asks about the local day in Beijing time, whatever the instant is written in', () => {
    // 2025-11-14T16:30Z is Saturday 00:30 in Beijing; the last minute of Friday is still Friday.
    expect(calendar.isWorkingDay(at('2025-11-14T16:30:00Z'))).toBe(false)
    expect(calendar.isWorkingDay(at('2025-11-14T23:59:00+08:00'))).toBe(true)
    expect(calendar.isWorkingDay(at('2025-11-15T00:00:00+08:00'))).toBe(false)
  })

  it('follows the 2025 National Day arrangement of chinese-days: Oct 1–8 off, Sun Sep 28 and Sat Oct 11 worked', () => {
    // Library data: holidays 2025-10-01…10-08 (10-06 is Mid-autumn), make-up working days 2025-09-28 and 2025-10-11.
    for (const day of ['01', '02', '03', '04', '05', '06', '07', '08']) expect(calendar.isWorkingDay(`2025-10-${day}`)).toBe(false)
    expect(calendar.dayInfo('2025-10-06')).toEqual({ date: '2025-10-06', working: false, reason: 'public-holiday', holiday: '中秋' })
    expect(calendar.dayInfo('2025-09-28')).toEqual({ date: '2025-09-28', working: true, reason: 'make-up-working-day', holiday: '国庆节' })
    expect(calendar.isWorkingDay('2025-10-11')).toBe(true) // Saturday
    expect(calendar.isWorkingDay('2025-10-09')).toBe(true) // Thursday, back to work
    expect(calendar.isWorkingDay('2025-10-12')).toBe(false) // the Sunday after is an ordinary rest day
  })

  it('follows the 2026 National Day arrangement: Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked', () => {
    for (const day of ['01', '02', '03', '04', '05', '06', '07']) expect(calendar.isWorkingDay(`2026-10-${day}`)).toBe(false)
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true)
    expect(calendar.dayInfo('2026-09-20').reason).toBe('make-up-working-day')
    expect(calendar.dayInfo('2026-10-10').reason).toBe('make-up-working-day')
  })

  it('follows the 2026 Spring Festival arrangement: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked', () => {
    for (let day = 15; day <= 23; day++) expect(calendar.dayInfo(`2026-02-${day}`)).toMatchObject({ working: false, holiday: '春节' })
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true)
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true)
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true)
    expect(calendar.isWorkingDay('2026-02-21')).toBe(false) // a Saturday inside the holiday
  })

  it('refuses a date that is not YYYY-MM-DD or does not exist', () => {
    expect(() => calendar.isWorkingDay('2025-02-30')).toThrow(RangeError)
    expect(() => calendar.isWorkingDay('2025/10/01')).toThrow(RangeError)
    expect(() => calendar.isWorkingDay(new Date('nonsense'))).toThrow(RangeError)
  })
})

describe('adding working minutes', () => {
  it('counts inside one office period', () => {
    expect(plusMinutes('2025-11-17T09:00:00+08:00', 60)).toBe('2025-11-17T10:00:00+08:00')
  })

  it('skips the lunch break', () => {
    // 11:30–12:00 uses 30 min; the other 30 run from 14:00.
    expect(plusMinutes('2025-11-17T11:30:00+08:00', 60)).toBe('2025-11-17T14:30:00+08:00')
  })

  it('is due at the end of a period when the count runs out exactly there, not at the next start', () => {
    expect(plusMinutes('2025-11-17T11:00:00+08:00', 60)).toBe('2025-11-17T12:00:00+08:00')
    expect(plusMinutes('2025-11-17T16:30:00+08:00', 60)).toBe('2025-11-17T17:30:00+08:00')
  })

  it('carries over the night', () => {
    // Tue 17:00–17:30 uses 30 min; the other 30 run from Wed 08:30.
    expect(plusMinutes('2025-11-18T17:00:00+08:00', 60)).toBe('2025-11-19T09:00:00+08:00')
  })

  it('carries over the weekend: Friday 16:00 + 3 working hours is Monday 10:00', () => {
    // Fri 16:00–17:30 = 90 min; Sat and Sun rest; Mon 08:30 + the other 90 min = 10:00.
    expect(plusMinutes('2025-11-14T16:00:00+08:00', 180)).toBe('2025-11-17T10:00:00+08:00')
  })

  it('starts counting at the next office period when started before work, at lunch, at night or on a rest day', () => {
    expect(plusMinutes('2025-11-17T07:00:00+08:00', 60)).toBe('2025-11-17T09:30:00+08:00') // from 08:30
    expect(plusMinutes('2025-11-17T12:30:00+08:00', 30)).toBe('2025-11-17T14:30:00+08:00') // from 14:00
    expect(plusMinutes('2025-11-17T20:00:00+08:00', 60)).toBe('2025-11-18T09:30:00+08:00') // from Tue 08:30
    expect(plusMinutes('2025-11-15T10:00:00+08:00', 30)).toBe('2025-11-17T09:00:00+08:00') // Sat → Mon 08:30
  })

  it('jumps the 2025 National Day holiday', () => {
    // Tue Sep 30 17:00–17:30 = 30 min; Oct 1–8 off; Thu Oct 9 08:30 + 30 = 09:00.
    expect(plusMinutes('2025-09-30T17:00:00+08:00', 60)).toBe('2025-10-09T09:00:00+08:00')
  })

  it('counts a make-up working Sunday (Sep 28 2025) like any working day', () => {
    // Sat Sep 27 is a rest day; the clock starts Sun Sep 28 08:30.
    expect(plusMinutes('2025-09-27T10:00:00+08:00', 60)).toBe('2025-09-28T09:30:00+08:00')
  })

  it('counts the make-up working Saturday before the 2026 Spring Festival, then jumps the holiday', () => {
    // Fri Feb 13 17:00–17:30 = 30 min; Sat Feb 14 is a make-up working day: 08:30 + 30 = 09:00.
    expect(plusMinutes('2026-02-13T17:00:00+08:00', 60)).toBe('2026-02-14T09:00:00+08:00')
    // Sat Feb 14 16:30–17:30 = 60 min; Feb 15–23 off; Tue Feb 24 08:30 + 60 = 09:30.
    expect(plusMinutes('2026-02-14T16:30:00+08:00', 120)).toBe('2026-02-24T09:30:00+08:00')
  })

  it('adds nothing for zero minutes and refuses a negative amount', () => {
    expect(plusMinutes('2025-11-15T10:00:00+08:00', 0)).toBe('2025-11-15T10:00:00+08:00')
    expect(() => calendar.addWorkingMinutes(at('2025-11-17T09:00:00+08:00'), -1)).toThrow(RangeError)
  })
})

describe('adding working days', () => {
  it('makes a working day one office day (420 min): started in office hours, due at the same time n working days later', () => {
    expect(calendar.minutesPerDay).toBe(420)
    expect(plusDays('2025-11-17T10:00:00+08:00', 1)).toBe('2025-11-18T10:00:00+08:00') // Mon → Tue
    expect(plusDays('2025-11-17T10:00:00+08:00', 3)).toBe('2025-11-20T10:00:00+08:00') // Mon → Thu
    expect(plusDays('2025-11-14T15:00:00+08:00', 1)).toBe('2025-11-17T15:00:00+08:00') // Fri → Mon
  })

  it('started outside office hours, is due at the end of the n-th working day the clock runs on', () => {
    // Mon 07:00: the clock starts Mon 08:30, so Monday is day 1 → Mon 17:30.
    expect(plusDays('2025-11-17T07:00:00+08:00', 1)).toBe('2025-11-17T17:30:00+08:00')
    // Mon 20:00: the clock starts Tue 08:30 → Tue 17:30.
    expect(plusDays('2025-11-17T20:00:00+08:00', 1)).toBe('2025-11-18T17:30:00+08:00')
    // Sat 11:00: the clock starts Mon 08:30; two days → Tue 17:30.
    expect(plusDays('2025-11-15T11:00:00+08:00', 2)).toBe('2025-11-18T17:30:00+08:00')
    // At lunch the clock stands at 12:00 = 14:00; one day later the earliest such instant is Tue 12:00.
    expect(plusDays('2025-11-17T12:30:00+08:00', 1)).toBe('2025-11-18T12:00:00+08:00')
  })

  it('carries 3 working days across the 2025 National Day onto the make-up Saturday', () => {
    // Tue Sep 30 10:00 → (Oct 1–8 off) Thu Oct 9 10:00 (1) → Fri Oct 10 10:00 (2) → Sat Oct 11 10:00 (3, make-up day).
    expect(plusDays('2025-09-30T10:00:00+08:00', 3)).toBe('2025-10-11T10:00:00+08:00')
  })

  it('carries 3 working days across the 2026 National Day onto its make-up Saturday', () => {
    // Wed Sep 30 16:00 → (Oct 1–7 off) Thu Oct 8 (1) → Fri Oct 9 (2) → Sat Oct 10 16:00 (3, make-up day).
    expect(plusDays('2026-09-30T16:00:00+08:00', 3)).toBe('2026-10-10T16:00:00+08:00')
  })

  it('carries working days across the 2026 Spring Festival', () => {
    // Fri Feb 13 15:00 → Sat Feb 14 15:00 (make-up day) → (Feb 15–23 off) Tue Feb 24 15:00.
    expect(plusDays('2026-02-13T15:00:00+08:00', 1)).toBe('2026-02-14T15:00:00+08:00')
    expect(plusDays('2026-02-13T15:00:00+08:00', 2)).toBe('2026-02-24T15:00:00+08:00')
  })
})

describe('working minutes between two instants', () => {
  it('counts only office time on working days', () => {
    // 09:00–12:00 = 180, 14:00–15:00 = 60.
    expect(calendar.workingMinutesBetween(at('2025-11-17T09:00:00+08:00'), at('2025-11-17T15:00:00+08:00'))).toBe(240)
    // Fri 16:00–17:30 = 90, Mon 08:30–10:00 = 90.
    expect(calendar.workingMinutesBetween(at('2025-11-14T16:00:00+08:00'), at('2025-11-17T10:00:00+08:00'))).toBe(180)
    expect(calendar.workingMinutesBetween(at('2025-11-15T08:00:00+08:00'), at('2025-11-16T20:00:00+08:00'))).toBe(0)
  })

  it('is the inverse of adding working minutes', () => {
    const start = at('2025-09-26T11:17:00+08:00')
    for (const minutes of [1, 43, 420, 1000, 5000]) {
      expect(calendar.workingMinutesBetween(start, calendar.addWorkingMinutes(start, minutes))).toBe(minutes)
    }
  })

  it('counts one working day across the 2025 National Day week', () => {
    // Sep 30 is the only working day in [Sep 30 08:30, Oct 9 08:30).
    expect(calendar.workingMinutesBetween(at('2025-09-30T08:30:00+08:00'), at('2025-10-09T08:30:00+08:00'))).toBe(420)
  })

  it('is negative when the second instant comes first', () => {
    expect(calendar.workingMinutesBetween(at('2025-11-17T10:00:00+08:00'), at('2025-11-17T09:00:00+08:00'))).toBe(-60)
  })
})

describe('district configuration', () => {
  const district = createWorkingCalendar({
    extraHolidays: ['2025-07-15'], // a local flood day (Tuesday)
    extraWorkingDays: ['2025-07-19', '2025-10-08'], // a Saturday, and a national holiday the district works
  })

  it('rests on a district holiday and works on a district working day, before the national rules', () => {
    expect(district.dayInfo('2025-07-15')).toEqual({ date: '2025-07-15', working: false, reason: 'district-holiday' })
    expect(district.dayInfo('2025-07-19')).toEqual({ date: '2025-07-19', working: true, reason: 'district-working-day' })
    expect(district.isWorkingDay('2025-10-08')).toBe(true)
    expect(calendar.isWorkingDay('2025-07-15')).toBe(true) // other districts are not affected
  })

  it('jumps the flood day when counting', () => {
    // Mon Jul 14 17:00–17:30 = 30 min; Tue off; Wed Jul 16 08:30 + 30 = 09:00.
    expect(cst(district.addWorkingMinutes(at('2025-07-14T17:00:00+08:00'), 60))).toBe('2025-07-16T09:00:00+08:00')
  })

  it('takes its own office day', () => {
    // Summer hours 08:00–12:00 and 14:30–18:00 (7.5 h): 17:00 + 90 min = 18:00 + next day 08:00 + 30 → 08:30.
    const summer = createWorkingCalendar({ officeHours: [{ from: '08:00', to: '12:00' }, { from: '14:30', to: '18:00' }] })
    expect(summer.minutesPerDay).toBe(450)
    expect(cst(summer.addWorkingMinutes(at('2025-07-14T17:00:00+08:00'), 90))).toBe('2025-07-15T08:30:00+08:00')
  })

  it('refuses a contradictory or malformed configuration', () => {
    expect(() => createWorkingCalendar({ extraHolidays: ['2025-07-15'], extraWorkingDays: ['2025-07-15'] })).toThrow(/both/)
    expect(() => createWorkingCalendar({ extraHolidays: ['15/07/2025'] })).toThrow(RangeError)
    expect(() => createWorkingCalendar({ officeHours: [] })).toThrow(RangeError)
    expect(() => createWorkingCalendar({ officeHours: [{ from: '12:00', to: '08:30' }] })).toThrow(RangeError)
    expect(() => createWorkingCalendar({ officeHours: [{ from: '14:00', to: '17:30' }, { from: '08:30', to: '12:00' }] })).toThrow(RangeError)
    expect(() => createWorkingCalendar({ officeHours: [{ from: '8:30', to: '12:00' }] })).toThrow(RangeError)
  })
})

describe('a year without official data', () => {
  it('knows which years chinese-days covers (2004–2026 in the pinned version)', () => {
    expect(calendar.hasOfficialData(2004)).toBe(true)
    expect(calendar.hasOfficialData(2025)).toBe(true)
    expect(calendar.hasOfficialData(2026)).toBe(true)
    expect(calendar.hasOfficialData(2003)).toBe(false)
    // The State Council publishes 2027 around November 2026; until chinese-days is upgraded, 2027 has no data.
    // (When the upgrade brings it, move this example to the next uncovered year.)
    expect(calendar.hasOfficialData(2027)).toBe(false)
  })

  it('falls back to weekends only, so a likely holiday counts as a working day until the data arrives', () => {
    expect(calendar.dayInfo('2027-10-01')).toEqual({ date: '2027-10-01', working: true, reason: 'weekday' }) // Friday
    expect(calendar.isWorkingDay('2027-10-02')).toBe(false) // Saturday
    // Thu Sep 30 17:00–17:30 = 30 min; Fri Oct 1 08:30 + 30 = 09:00.
    expect(cst(calendar.addWorkingMinutes(at('2027-09-30T17:00:00+08:00'), 60))).toBe('2027-10-01T09:00:00+08:00')
  })

  it('lets the district enter the new arrangement as overrides meanwhile', () => {
    const patched = createWorkingCalendar({ extraHolidays: ['2027-10-01'] })
    expect(cst(patched.addWorkingMinutes(at('2027-09-30T17:00:00+08:00'), 60))).toBe('2027-10-04T09:00:00+08:00')
  })
})
