// Periods of local dates and their intervals, as the trends count them.
import { describe, expect, it } from 'vitest'
import { bucketsOf, localDate, periodOf, startOf } from './service.js'

describe('periods', () => {
  it('turns instants into local (UTC+8) dates and back', () => {
    expect(localDate(new Date('2026-03-01T15:59:59Z'))).toBe('2026-03-01')
    expect(localDate(new Date('2026-03-01T16:00:00Z'))).toBe('2026-03-02')
    expect(startOf('2026-03-02').toISOString()).toBe('2026-03-01T16:00:00.000Z')
  })

  it('defaults to the last N days up to today and refuses a reversed or too long period', () => {
    expect(periodOf({}, 30, new Date('2026-03-31T04:00:00Z'))).toEqual({ from: '2026-03-02', to: '2026-03-31' })
    expect(periodOf({ to: '2026-01-10' }, 10)).toEqual({ from: '2026-01-01', to: '2026-01-10' })
    expect(() => periodOf({ from: '2026-01-10', to: '2026-01-09' }, 1)).toThrow(/from is after to/)
    expect(() => periodOf({ from: '2020-01-01', to: '2026-01-09' }, 1)).toThrow(/731/)
  })

  it('lists every day, week (from Monday) or month of a period', () => {
    expect(bucketsOf({ from: '2026-02-27', to: '2026-03-02' }, 'day')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
    // 2026-03-04 is a Wednesday: its week starts on Monday 2026-03-02
    expect(bucketsOf({ from: '2026-03-04', to: '2026-03-16' }, 'week')).toEqual(['2026-03-02', '2026-03-09', '2026-03-16'])
    expect(bucketsOf({ from: '2025-11-15', to: '2026-02-01' }, 'month')).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01'])
  })
})
