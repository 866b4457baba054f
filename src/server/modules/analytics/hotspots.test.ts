// Hot-spot rules: recurrence within N days, the time-of-day and weekday patterns, the reason in words.
import { describe, expect, it } from 'vitest'
import { reasonOf, recurrences, timeOfDayPattern, weekdayPattern } from './hotspots.js'

const DAY = 86_400_000
const hoursAt = (...hours: number[]) => {
  const counts = new Array<number>(24).fill(0)
  for (const h of hours) counts[h]! += 1
  return counts
}
const weekdaysAt = (...days: number[]) => {
  const counts = new Array<number>(7).fill(0)
  for (const d of days) counts[d]! += 1
  return counts
}

describe('recurrences', () => {
  it('counts the reports that came within N days of the one before, in any order', () => {
    const t0 = Date.UTC(2026, 0, 1)
    expect(recurrences([t0 + 40 * DAY, t0, t0 + 10 * DAY], 30)).toBe(2)
    expect(recurrences([t0, t0 + 31 * DAY, t0 + 62 * DAY], 30)).toBe(0)
    expect(recurrences([t0, t0 + 30 * DAY], 30)).toBe(1)
    expect(recurrences([t0], 30)).toBe(0)
    expect(recurrences([], 30)).toBe(0)
  })
})

describe('time of day', () => {
  it('names the part of the day holding most reports', () => {
    expect(timeOfDayPattern(hoursAt(19, 20, 21, 22, 9))).toEqual({ part: 'evening', share: 0.8 })
    expect(timeOfDayPattern(hoursAt(7, 8, 9, 10, 15))).toEqual({ part: 'morning', share: 0.8 })
  })

  it('sees no pattern in reports spread over the day, or in too few', () => {
    expect(timeOfDayPattern(hoursAt(2, 8, 12, 16, 20))).toBeNull()
    expect(timeOfDayPattern(hoursAt(19, 20, 21))).toBeNull()
  })

  it('asks more of a long part of the day than of a short one', () => {
    // noon is 3 hours (12.5 % of the day): half of the reports is a pattern
    expect(timeOfDayPattern(hoursAt(12, 12, 13, 8, 16, 20))).toEqual({ part: 'noon', share: 0.5 })
  })
})

describe('weekday', () => {
  it('finds one weekday, the weekend or working days only', () => {
    expect(weekdayPattern(weekdaysAt(5, 5, 5, 1, 2))).toEqual({ kind: 'day', weekday: 5, share: 0.6 })
    expect(weekdayPattern(weekdaysAt(0, 6, 0, 6, 3, 1))).toEqual({ kind: 'weekend', share: 4 / 6 })
    expect(weekdayPattern(weekdaysAt(1, 2, 3, 4, 5, 1, 2, 3, 4, 5))).toEqual({ kind: 'workdays', share: 1 })
  })

  it('sees none in an even spread or in too few reports', () => {
    expect(weekdayPattern(weekdaysAt(0, 1, 2, 3, 4, 5, 6))).toBeNull()
    expect(weekdayPattern(weekdaysAt(6, 6, 6))).toBeNull()
  })
})

describe('reason', () => {
  it('says what comes back, how often, when — in both languages', () => {
    const reason = reasonOf({
      className: { 'zh-CN': '占道经营', en: 'Street vending' }, count: 8, recurrences: 6, withinDays: 30,
      time: { part: 'evening', share: 0.75 }, weekday: { kind: 'weekend', share: 0.625 },
    })
    expect(reason['zh-CN']).toBe('占道经营：30 天内同一网格重复发生 6 次（共 8 件）；集中在傍晚至夜间（18–24 时，75%）；多发于周末（63%）')
    expect(reason.en).toBe('Street vending: came back 6 times within 30 days in the same grid cell (8 cases); mostly in the evening (18:00–24:00, 75%); often at weekends (63%)')
  })

  it('leaves out the patterns there are not', () => {
    const reason = reasonOf({ className: { 'zh-CN': '井盖破损', en: 'Broken cover' }, count: 2, recurrences: 1, withinDays: 30, time: null, weekday: { kind: 'day', weekday: 1, share: 0.5 } })
    expect(reason['zh-CN']).toBe('井盖破损：30 天内同一网格重复发生 1 次（共 2 件）；多发于周一（50%）')
    expect(reason.en).toContain('often on Mondays (50%)')
  })
})
