// The seasonal forecast and its backtest: weekday and holiday effects, the level from recent weeks, MAE/MAPE.
import { describe, expect, it } from 'vitest'
import { addDays, backtest, type Calendar, dateRange, errors, fillDays, fit, forecast, weekdayOf, weekly } from './forecast.js'

/** Weekends are rest days; the dates given are public holidays, the ones in `makeup` make-up working days. */
const calendarWith = (holidays: string[] = [], makeup: string[] = []): Calendar => (date) => ({
  weekday: weekdayOf(date),
  kind: holidays.includes(date) ? 'holiday' : makeup.includes(date) ? 'makeup' : 'normal',
})

/** 2026-01-05 is a Monday. */
const START = '2026-01-05'
/** `weeks` weeks of 10 a working day and 4 a weekend day (times `scale`). */
function history(weeks: number, scale = 1, start = START) {
  return dateRange(start, weeks * 7).map((date) => ({ date, count: ([0, 6].includes(weekdayOf(date)) ? 4 : 10) * scale }))
}

describe('dates', () => {
  it('counts local dates without time zones and knows their weekday', () => {
    expect(dateRange('2026-02-27', 3)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01'])
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(weekdayOf('2026-01-05')).toBe(1)
    expect(weekdayOf('2026-01-04')).toBe(0)
  })

  it('fills the days without a row with 0', () => {
    expect(fillDays([{ date: '2026-01-06', count: 3 }], '2026-01-05', 3)).toEqual([
      { date: '2026-01-05', count: 0 }, { date: '2026-01-06', count: 3 }, { date: '2026-01-07', count: 0 },
    ])
  })
})

describe('fit', () => {
  it('finds the weekday effect and the level', () => {
    const model = fit(history(8), calendarWith())
    const mean = (5 * 10 + 2 * 4) / 7
    expect(model.weekday[1]).toBeCloseTo(10 / mean, 6)
    expect(model.weekday[0]).toBeCloseTo(4 / mean, 6)
    expect(model.level).toBeCloseTo(mean, 6)
    expect(model.makeup).toBeCloseTo(10 / mean, 6)
  })

  it('takes the level from the recent weeks: a district growing busier is forecast at its new volume', () => {
    const older = history(8)
    const recent = history(4, 2, addDays(START, 56))
    const next = forecast([...older, ...recent], calendarWith(), 7)
    // Monday of the next week: twice the old 10
    expect(next[0]!.date).toBe(addDays(START, 84))
    expect(weekdayOf(next[0]!.date)).toBe(1)
    expect(next[0]!.expected).toBeCloseTo(20, 0)
    expect(next[6]!.expected).toBeCloseTo(8, 0)
  })

  it('learns how a public holiday behaves, and treats an unseen one as a rest day', () => {
    const days = history(8)
    const holiday = '2026-01-14' // a Wednesday
    const withHoliday = days.map((d) => (d.date === holiday ? { ...d, count: 2 } : d))
    const seen = fit(withHoliday, calendarWith([holiday]))
    const mean = (5 * 10 + 2 * 4) / 7
    expect(seen.holiday).toBeCloseTo(2 / 10, 1)
    // the holiday does not drag the ordinary days down
    const next = forecast(withHoliday, calendarWith([holiday]), 7)
    expect(next[0]!.expected).toBeCloseTo(10, 6)
    expect(next[6]!.expected).toBeCloseTo(4, 6)
    const unseen = fit(days, calendarWith())
    expect(unseen.holiday).toBeCloseTo(4 / mean, 6)
  })

  it('forecasts a make-up Saturday as a working day and a holiday Monday as a rest day', () => {
    const days = history(8)
    const saturday = addDays(START, 56 + 5)
    const monday = addDays(START, 56)
    const next = forecast(days, calendarWith([monday], [saturday]), 7)
    expect(next.find((d) => d.date === saturday)).toMatchObject({ kind: 'makeup' })
    expect(next.find((d) => d.date === saturday)!.expected).toBeCloseTo(10, 6)
    expect(next.find((d) => d.date === monday)!.expected).toBeCloseTo(4, 6)
  })

  it('forecasts nothing from nothing, and never below zero', () => {
    expect(forecast([], calendarWith(), 7)).toEqual([])
    const zeros = dateRange(START, 28).map((date) => ({ date, count: 0 }))
    expect(forecast(zeros, calendarWith(), 3).map((d) => d.expected)).toEqual([0, 0, 0])
  })
})

describe('weekly', () => {
  it('sums whole weeks and leaves out a partial one', () => {
    const next = forecast(history(4), calendarWith(), 10)
    const weeks = weekly(next)
    expect(weeks).toHaveLength(1)
    expect(weeks[0]!.expected).toBeCloseTo(58, 6)
    expect(weeks[0]).toMatchObject({ from: next[0]!.date, to: next[6]!.date })
  })
})

describe('errors and backtest', () => {
  it('computes MAE over every day and MAPE over the days with cases', () => {
    const e = errors([{ actual: 10, expected: 8 }, { actual: 5, expected: 6 }, { actual: 0, expected: 1 }])
    expect(e.mae).toBeCloseTo((2 + 1 + 1) / 3, 9)
    expect(e.mape).toBeCloseTo((0.2 + 0.2) / 2, 9)
    expect(e).toMatchObject({ days: 3, daysWithCases: 2 })
    expect(errors([])).toEqual({ mae: null, mape: null, days: 0, daysWithCases: 0 })
  })

  it('forecasts each past week only from the days before it: a steady pattern is forecast without error', () => {
    const test = backtest(history(10), calendarWith(), 4)
    expect(test.weeks).toBe(4)
    expect(test.points).toHaveLength(28)
    expect(test.points[0]!.date).toBe(addDays(START, 42))
    expect(test.mae).toBeCloseTo(0, 9)
    expect(test.mape).toBeCloseTo(0, 9)
  })

  it('shows the error when the volume jumps, and does not see the future', () => {
    const days = [...history(8), ...history(1, 3, addDays(START, 56))]
    const test = backtest(days, calendarWith(), 1)
    // the last week was forecast from the 8 steady weeks: 10 on Monday, then 30 happened
    expect(test.points[0]).toEqual({ date: addDays(START, 56), actual: 30, expected: expect.closeTo(10, 6) as number })
    expect(test.mape).toBeCloseTo(2 / 3, 6)
    expect(test.mae).toBeCloseTo((5 * 20 + 2 * 8) / 7, 6)
  })

  it('skips the weeks without two weeks of history before them', () => {
    expect(backtest(history(3), calendarWith(), 4).weeks).toBe(1)
    expect(backtest(history(2), calendarWith(), 4)).toMatchObject({ weeks: 0, mae: null, mape: null })
  })
})
