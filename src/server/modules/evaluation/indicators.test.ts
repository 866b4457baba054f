// The evaluation's formulas: indicators from counts, the composite with weights and deductions, no data, ranking with
// ties, change against the previous period, the difference report, and periods in UTC+8.
import { describe, expect, it } from 'vitest'
import {
  acceptorIndicators, composite, DEFAULT_SETTINGS, difference, dispatcherIndicators, DRILL, FACTS, FAMILIES, formula, INDICATOR_NAMES, indicatorsOf, rank,
  ratio, regionIndicators, settingsProblem, supervisorIndicators, unitIndicators, withPrevious, type EvaluationSettings,
} from './indicators.js'
import { dayPeriod, monthPeriod, parsePeriodKey, periodOf, previousPeriod } from './period.js'

describe('unit indicators', () => {
  // 10 dispatched, 1 returned; 6 disposed on time, 2 late; 1 ran late and was returned, 1 still open past its deadline;
  // 2 reworked, 1 extended, 1 suspended, 3 urgings.
  const counts = { dispatched: 10, returned: 1, disposed_on_time: 6, disposed_late: 2, ended_late: 1, open_overdue: 1, reworked: 2, extended: 1, suspended: 1, urged: 3 }
  const i = unitIndicators(counts)

  it('counts due as disposed plus undisposed, and overdue as late disposals plus undisposed', () => {
    expect(i).toMatchObject({ due: 10, disposed: 8, onTime: 6, overdueDisposed: 2, undisposed: 2, overdue: 4, reworked: 2, returned: 1, extended: 1, suspended: 1, urged: 3, dispatched: 10 })
  })

  it('works out the rates of DOMAIN.md', () => {
    expect(i.disposalRate).toBeCloseTo(0.8) // 8 / 10
    expect(i.onTimeRate).toBeCloseTo(0.6) // 6 / 10
    expect(i.reworkRate).toBeCloseTo(0.25) // 2 / 8
    expect(i.returnRate).toBeCloseTo(0.1) // 1 / 10
  })

  it('composite: 0.6×50 + 0.8×30 + (1−0.25)×20 = 69, minus 4 overdue × 1 and 3 urgings × 0.5 = 63.5', () => {
    expect(composite('unit', i, DEFAULT_SETTINGS)).toBe(63.5)
  })

  it('never goes below 0, and a unit with nothing due scores full marks less its deductions', () => {
    expect(composite('unit', unitIndicators({ open_overdue: 200 }), DEFAULT_SETTINGS)).toBe(0)
    const idle = unitIndicators({ urged: 2 })
    expect(idle.onTimeRate).toBeNull()
    expect(composite('unit', idle, DEFAULT_SETTINGS)).toBe(99)
  })

  it('a unit with nothing counted in the period has no composite (no data), not full marks', () => {
    expect(composite('unit', unitIndicators({}), DEFAULT_SETTINGS)).toBeNull()
    // one dispatch is something: nothing due yet, every rate counts in full
    expect(composite('unit', unitIndicators({ dispatched: 1 }), DEFAULT_SETTINGS)).toBe(100)
  })

  it('follows the district weights and deductions', () => {
    const s: EvaluationSettings = { ...DEFAULT_SETTINGS, unit: { weights: { onTimeRate: 100, disposalRate: 0, reworkFree: 0 }, deductPerOverdue: 0, deductPerUrge: 0 } }
    expect(composite('unit', i, s)).toBe(60)
  })
})

describe('region and supervisor indicators', () => {
  it('region: closure and on-time closure over filed, recurrence over reported, density per km² and per 10,000 residents', () => {
    const r = regionIndicators({ reported: 20, filed: 16, closed_on_time: 10, closed_late: 2, recurrent: 4 }, { areaKm2: 2.5, population: 40_000 })
    expect(r).toMatchObject({ reported: 20, filed: 16, closed: 12, closedOnTime: 10, recurrent: 4, perKm2: 8, per10k: 5 })
    expect(r.closureRate).toBeCloseTo(0.75)
    expect(r.onTimeClosureRate).toBeCloseTo(0.625)
    expect(r.recurrenceRate).toBeCloseTo(0.2)
    // 0.625×50 + 0.75×30 + 0.8×20 = 31.25 + 22.5 + 16 = 69.75
    expect(composite('region', r, DEFAULT_SETTINGS)).toBe(69.75)
  })

  it('region: more closed than filed in a period counts as a full closure rate in the composite', () => {
    const r = regionIndicators({ filed: 2, closed_on_time: 3 }, { areaKm2: null, population: null })
    expect(r.closureRate).toBe(1.5)
    expect(r.perKm2).toBeNull()
    expect(composite('region', r, DEFAULT_SETTINGS)).toBe(100)
  })

  it('supervisor: valid rate, missed rate over all problems of their cells, on-time verification and check', () => {
    const s = supervisorIndicators({ reported: 8, valid: 6, filed: 6, missed: 2, verified_on_time: 3, verified_late: 1, checked_on_time: 4 })
    expect(s).toMatchObject({ reported: 8, valid: 6, missed: 2, verifications: 4, checks: 4, checkedOnTime: 4 })
    expect(s.validRate).toBeCloseTo(0.75)
    expect(s.missRate).toBeCloseTo(0.2)
    expect(s.onTimeVerificationRate).toBeCloseTo(0.75)
    // 0.75×30 + 0.75×25 + 1×25 + 0.8×20 = 22.5 + 18.75 + 25 + 16 = 82.25
    expect(composite('supervisor', s, DEFAULT_SETTINGS)).toBe(82.25)
  })

  it('no data for a region with no case, or a supervisor with nothing done, in the period', () => {
    expect(composite('region', regionIndicators({}, { areaKm2: 2, population: 1000 }), DEFAULT_SETTINGS)).toBeNull()
    expect(composite('supervisor', supervisorIndicators({}), DEFAULT_SETTINGS)).toBeNull()
    // a problem missed is something: 0 reported, 1 missed → missed rate 1, the other rates in full: 30 + 25 + 25 + 0 = 80
    expect(composite('supervisor', supervisorIndicators({ missed: 1 }), DEFAULT_SETTINGS)).toBe(80)
  })

  it('ratio is null with nothing to measure', () => {
    expect(ratio(0, 0)).toBeNull()
    expect(ratio(1, 4)).toBe(0.25)
  })
})

describe('acceptor and dispatcher indicators', () => {
  it('acceptor: accurate and on-time filing rates over the filings; rejections counted apart', () => {
    // 10 filings: 9 stood, 1 was cancelled afterwards (wrong); 8 by the filing deadline, 2 after it; 3 rejections
    const a = acceptorIndicators({ filed_accurate: 9, filed_wrong: 1, filed_on_time: 8, filed_late: 2, rejected: 3 })
    expect(a).toMatchObject({ filed: 10, accurateFiled: 9, wronglyFiled: 1, filedOnTime: 8, filedLate: 2, rejected: 3, accurateFilingRate: 0.9, onTimeFilingRate: 0.8 })
    // 0.9×60 + 0.8×40 = 54 + 32 = 86
    expect(composite('acceptor', a, DEFAULT_SETTINGS)).toBe(86)
  })

  it('dispatcher: accuracy over dispatches and reassignments, timeliness over dispatches only', () => {
    // 10 dispatches and 2 reassignments; 1 of the 12 returned by its unit; 9 of the 10 dispatches by the deadline
    const d = dispatcherIndicators({ dispatch_accurate: 11, dispatch_returned: 1, dispatched_on_time: 9, dispatched_late: 1 })
    expect(d).toMatchObject({ dispatched: 12, accurateDispatched: 11, returned: 1, dispatchedOnTime: 9, dispatchedLate: 1, onTimeDispatchRate: 0.9 })
    expect(d.accurateDispatchRate).toBeCloseTo(11 / 12)
    // (11/12)×60 + 0.9×40 = 55 + 36 = 91
    expect(composite('dispatcher', d, DEFAULT_SETTINGS)).toBe(91)
  })

  it('a reassignment alone that came back: accuracy 0, no dispatch to time (counts in full): 0×60 + 1×40 = 40', () => {
    const d = dispatcherIndicators({ dispatch_returned: 1 })
    expect(d.onTimeDispatchRate).toBeNull()
    expect(composite('dispatcher', d, DEFAULT_SETTINGS)).toBe(40)
  })

  it('no filing or dispatch in the period: no data', () => {
    expect(composite('acceptor', acceptorIndicators({}), DEFAULT_SETTINGS)).toBeNull()
    expect(composite('dispatcher', dispatcherIndicators({}), DEFAULT_SETTINGS)).toBeNull()
    // rejections only: something was done, nothing to rate
    expect(composite('acceptor', acceptorIndicators({ rejected: 2 }), DEFAULT_SETTINGS)).toBe(100)
  })

  it('follows the district weights', () => {
    const s: EvaluationSettings = { ...DEFAULT_SETTINGS, acceptor: { weights: { accurateFilingRate: 100, onTimeFilingRate: 0 } } }
    expect(composite('acceptor', acceptorIndicators({ filed_accurate: 3, filed_wrong: 1, filed_on_time: 0, filed_late: 4 }), s)).toBe(75)
  })
})

describe('formula, drill-down and names', () => {
  it('shows the weights and deductions in use in both languages', () => {
    const f = formula('unit', DEFAULT_SETTINGS)
    expect(f['zh-CN']).toBe('综合指标值 = 按期处置率 × 50 + 处置率 × 30 + (1 − 返工率) × 20 − 超期案卷数 × 1 − 督办次数 × 0.5（百分制，最低 0）')
    expect(f.en).toContain('on-time disposal rate × 50')
    expect(formula('region', DEFAULT_SETTINGS)['zh-CN']).toContain('(1 − 复发率) × 20')
    expect(formula('acceptor', DEFAULT_SETTINGS)['zh-CN']).toBe('综合指标值 = 准确立案率 × 60 + 按时立案率 × 40（百分制）')
    expect(formula('dispatcher', DEFAULT_SETTINGS).en).toBe('composite = accurate dispatch rate × 60 + on-time dispatch rate × 40 (out of 100)')
  })

  it('every indicator of every family drills down to known facts and has a name in both languages', () => {
    for (const family of FAMILIES) {
      const indicators = indicatorsOf(family, {}, { areaKm2: 1, population: 1 })
      for (const key of Object.keys(indicators)) {
        expect(DRILL[family][key], `${family}.${key}`).toBeDefined()
        for (const fact of DRILL[family][key]!) expect(FACTS[family] as readonly string[]).toContain(fact)
        expect(INDICATOR_NAMES[family][key]?.['zh-CN'], `${family}.${key}`).toBeTruthy()
      }
    }
  })

  it('refuses weights that do not add up to 100, negative deductions and odd recurrence windows', () => {
    expect(settingsProblem(DEFAULT_SETTINGS)).toBeNull()
    expect(settingsProblem({ ...DEFAULT_SETTINGS, unit: { ...DEFAULT_SETTINGS.unit, weights: { onTimeRate: 50, disposalRate: 30, reworkFree: 10 } } })?.en).toMatch(/add up to 100 \(now 90\)/)
    expect(settingsProblem({ ...DEFAULT_SETTINGS, unit: { ...DEFAULT_SETTINGS.unit, deductPerUrge: -1 } })).not.toBeNull()
    expect(settingsProblem({ ...DEFAULT_SETTINGS, region: { ...DEFAULT_SETTINGS.region, recurrenceDays: 0 } })).not.toBeNull()
    expect(settingsProblem({ ...DEFAULT_SETTINGS, dispatcher: { weights: { accurateDispatchRate: 60, onTimeDispatchRate: 30 } } })?.en).toMatch(/now 90/)
    // the publication day: 1 to 28, so every month has it
    expect(settingsProblem({ ...DEFAULT_SETTINGS, publication: { auto: true, day: 28 } })).toBeNull()
    expect(settingsProblem({ ...DEFAULT_SETTINGS, publication: { auto: true, day: 29 } })?.en).toMatch(/1 to 28/)
    expect(settingsProblem({ ...DEFAULT_SETTINGS, publication: { auto: false, day: 0 } })).not.toBeNull()
  })
})

describe('ranking', () => {
  const row = (id: string, name: string, c: number | null) => ({ id, name, composite: c, indicators: {} })

  it('sorts by composite; ties share a rank and the next rank skips; ties are listed by name', () => {
    const ranked = rank([row('a', '乙', 80), row('b', '甲', 90), row('c', '丙', 80), row('d', '丁', 70)])
    // 丙 (U+4E19) sorts before 乙 (U+4E59) by pinyin bǐng < yǐ
    expect(ranked.map((r) => [r.name, r.rank])).toEqual([['甲', 1], ['丙', 2], ['乙', 2], ['丁', 4]])
  })

  it('subjects with no data come after every ranked one, by name, without a rank', () => {
    const ranked = rank([row('a', '乙', null), row('b', '甲', 0), row('c', '丙', null), row('d', '丁', 70)])
    expect(ranked.map((r) => [r.name, r.rank])).toEqual([['丁', 1], ['甲', 2], ['丙', null], ['乙', null]])
    expect(rank([row('x', 'X', null)]).map((r) => r.rank)).toEqual([null])
  })

  it('gives the previous rank and composite, null for a row not ranked then', () => {
    const now = rank([row('a', 'A', 90), row('b', 'B', 80)])
    const before = rank([row('a', 'A', 70), row('z', 'Z', 95)])
    expect(withPrevious(now, before).map((r) => [r.id, r.previousRank, r.previousComposite])).toEqual([['a', 2, 70], ['b', null, null]])
  })

  it('the difference report lists the rows whose rank, composite or indicators moved, and rows added or gone', () => {
    const published = rank([{ ...row('a', 'A', 90), indicators: { due: 10 } }, { ...row('b', 'B', 80), indicators: { due: 5 } }, { ...row('c', 'C', 10), indicators: { due: 1 } }])
    const now = rank([{ ...row('a', 'A', 70), indicators: { due: 11 } }, { ...row('b', 'B', 80), indicators: { due: 5 } }, { ...row('n', 'N', 5), indicators: { due: 2 } }])
    const diff = difference(published, now)
    expect(diff.map((d) => d.id)).toEqual(['a', 'b', 'c', 'n']) // b moved up to 1st
    expect(diff[0]).toEqual({ id: 'a', name: 'A', published: { rank: 1, composite: 90 }, now: { rank: 2, composite: 70 }, indicators: { due: [10, 11] } })
    expect(diff[1]).toMatchObject({ published: { rank: 2 }, now: { rank: 1 }, indicators: {} })
    expect(diff[2]!.now).toBeNull()
    expect(diff[3]!.published).toBeNull()
    expect(difference(published, published)).toEqual([])
  })

  it('the difference report shows a row that had no data when published and has now', () => {
    const published = rank([{ ...row('a', 'A', null), indicators: { due: 0 } }])
    const now = rank([{ ...row('a', 'A', 80), indicators: { due: 1 } }])
    expect(difference(published, now)).toEqual([{ id: 'a', name: 'A', published: { rank: null, composite: null }, now: { rank: 1, composite: 80 }, indicators: { due: [0, 1] } }])
  })
})

describe('periods (UTC+8)', () => {
  it('a month runs from the 1st 00:00 China time, which is 16:00 UTC the day before', () => {
    const p = monthPeriod(2026, 11)
    expect(p.from.toISOString()).toBe('2026-10-31T16:00:00.000Z')
    expect(p.to.toISOString()).toBe('2026-11-30T16:00:00.000Z')
    expect(parsePeriodKey('2026-11')).toEqual(p)
  })

  it('any days, both included; the previous period has as many days', () => {
    const p = dayPeriod('2026-11-01', '2026-11-15')
    expect(p.key).toBe('2026-11-01..2026-11-15')
    expect(p.to.toISOString()).toBe('2026-11-15T16:00:00.000Z')
    expect(previousPeriod(p).key).toBe('2026-10-17..2026-10-31')
    expect(periodOf({ from: '2026-11-01', to: '2026-11-15' }, new Date())).toEqual(p)
  })

  it('the previous month crosses the year; the default is the current month in China', () => {
    expect(previousPeriod(monthPeriod(2026, 1)).key).toBe('2025-12')
    expect(periodOf({}, new Date('2026-11-30T16:30:00Z')).key).toBe('2026-12')
  })

  it('refuses malformed and impossible periods', () => {
    for (const bad of ['2026-13', '2026-1', '2026-02-30..2026-03-01', '2026-03-02..2026-03-01', 'x']) expect(() => parsePeriodKey(bad), bad).toThrow()
    expect(() => periodOf({ from: '2026-01-01' }, new Date())).toThrow()
  })
})
