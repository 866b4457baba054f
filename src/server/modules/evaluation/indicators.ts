// The evaluation's formulas (综合考核, DOMAIN.md "Evaluation"), pure: counts → indicators → composite → ranking, and
// the difference between a published ranking and a re-computation. The SQL that counts lives in repository.ts.
import type { Locale } from '../../platform/errors.js'

type Names = Record<Locale, string>

/** Who is ranked: disposal units (departments, streets and the zone as units), regions, field supervisors, acceptors and dispatchers. */
export const SUBJECTS = ['units', 'streets', 'communities', 'cells', 'supervisors', 'acceptors', 'dispatchers'] as const
export type Subject = (typeof SUBJECTS)[number]
export const FAMILIES = ['unit', 'region', 'supervisor', 'acceptor', 'dispatcher'] as const
export type Family = (typeof FAMILIES)[number]
export const FAMILY: Record<Subject, Family> = {
  units: 'unit', streets: 'region', communities: 'region', cells: 'region', supervisors: 'supervisor', acceptors: 'acceptor', dispatchers: 'dispatcher',
}

/**
 * What the SQL counts per subject over a period, one row per (subject, case, fact). A case counts in the period its
 * step happened; a step is late when it was taken after the deadline it ran to, however it ended.
 */
export const FACTS = {
  unit: [
    'dispatched', // 派遣 or 改派 to the unit
    'returned', // 回退 by the unit
    'disposed_on_time', // 处置反馈 by the deadline
    'disposed_late', // 处置反馈 after it
    'ended_late', // the unit's disposal step ran past its deadline and ended otherwise (returned, reassigned, suspended, cancelled)
    'open_overdue', // still in the unit's hands, its deadline passed in the period
    'reworked', // 返工: the check failed
    'extended', // 延期 approved
    'suspended', // 挂账 approved
    'urged', // 督办 while the unit held the case
  ],
  region: [
    'reported', // 上报
    'filed', // 立案
    'closed_on_time', // 结案, no step of the case ran late
    'closed_late', // 结案, some step ran late
    'recurrent', // reported within N days of an earlier case of the same class in the same cell
  ],
  supervisor: [
    'reported', // reports by the supervisor
    'valid', // … not rejected, found invalid or merged as a duplicate
    'filed', // … filed
    'missed', // 漏报: filed cases in their cells first reported by someone else
    'verified_on_time', 'verified_late', // 核实
    'checked_on_time', 'checked_late', // 核查
  ],
  // the centre's people, by who took the step; every filing and every dispatch counts once for accuracy and once for time
  acceptor: [
    'filed_accurate', // 立案 whose case was not cancelled or merged afterwards
    'filed_wrong', // 立案 whose case was afterwards cancelled (作废) or merged into another (合并: a duplicate filed again)
    'filed_on_time', 'filed_late', // 立案 by / after the filing deadline
    'rejected', // 不予立案 (no step of the workflow overturns a rejection)
  ],
  dispatcher: [
    'dispatch_accurate', // 派遣 or 改派 that the unit kept
    'dispatch_returned', // … that the unit returned (回退) before the case went anywhere else
    'dispatched_on_time', 'dispatched_late', // 派遣 by / after the dispatch deadline (a reassignment has no deadline of its own)
  ],
} as const satisfies Record<Family, readonly string[]>
export type Fact<F extends Family = Family> = (typeof FACTS)[F][number]
export type Counts = Partial<Record<string, number>>

/** What the figures of a region are measured against (area and population). */
export interface RegionSize {
  areaKm2: number | null
  population: number | null
}

export type Indicators = Record<string, number | null>

/** part / whole, null when there is nothing to measure. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null
}

const n = (counts: Counts, key: string) => counts[key] ?? 0

export function unitIndicators(c: Counts): Indicators {
  const onTime = n(c, 'disposed_on_time')
  const overdueDisposed = n(c, 'disposed_late')
  const disposed = onTime + overdueDisposed
  const undisposed = n(c, 'ended_late') + n(c, 'open_overdue')
  const due = disposed + undisposed
  const dispatched = n(c, 'dispatched')
  const reworked = n(c, 'reworked')
  const returned = n(c, 'returned')
  return {
    due, disposed, onTime, overdueDisposed, undisposed, reworked, returned, extended: n(c, 'extended'), suspended: n(c, 'suspended'),
    dispatched, urged: n(c, 'urged'), overdue: overdueDisposed + undisposed,
    disposalRate: ratio(disposed, due), onTimeRate: ratio(onTime, due), reworkRate: ratio(reworked, disposed), returnRate: ratio(returned, dispatched),
  }
}

export function regionIndicators(c: Counts, size: RegionSize): Indicators {
  const reported = n(c, 'reported')
  const filed = n(c, 'filed')
  const closedOnTime = n(c, 'closed_on_time')
  const closed = closedOnTime + n(c, 'closed_late')
  const recurrent = n(c, 'recurrent')
  return {
    reported, filed, closed, closedOnTime, recurrent,
    closureRate: ratio(closed, filed), onTimeClosureRate: ratio(closedOnTime, filed), recurrenceRate: ratio(recurrent, reported),
    perKm2: size.areaKm2 ? reported / size.areaKm2 : null,
    per10k: size.population ? (reported / size.population) * 10_000 : null,
  }
}

export function supervisorIndicators(c: Counts): Indicators {
  const reported = n(c, 'reported')
  const missed = n(c, 'missed')
  const verifiedOnTime = n(c, 'verified_on_time')
  const verifications = verifiedOnTime + n(c, 'verified_late')
  const checkedOnTime = n(c, 'checked_on_time')
  const checks = checkedOnTime + n(c, 'checked_late')
  return {
    reported, valid: n(c, 'valid'), filed: n(c, 'filed'), missed, verifications, verifiedOnTime, checks, checkedOnTime,
    validRate: ratio(n(c, 'valid'), reported), missRate: ratio(missed, reported + missed),
    onTimeVerificationRate: ratio(verifiedOnTime, verifications), onTimeCheckRate: ratio(checkedOnTime, checks),
  }
}

export function acceptorIndicators(c: Counts): Indicators {
  const accurateFiled = n(c, 'filed_accurate')
  const filed = accurateFiled + n(c, 'filed_wrong')
  const filedOnTime = n(c, 'filed_on_time')
  return {
    filed, accurateFiled, wronglyFiled: n(c, 'filed_wrong'), filedOnTime, filedLate: n(c, 'filed_late'), rejected: n(c, 'rejected'),
    accurateFilingRate: ratio(accurateFiled, filed), onTimeFilingRate: ratio(filedOnTime, filedOnTime + n(c, 'filed_late')),
  }
}

export function dispatcherIndicators(c: Counts): Indicators {
  const accurateDispatched = n(c, 'dispatch_accurate')
  const dispatched = accurateDispatched + n(c, 'dispatch_returned')
  const dispatchedOnTime = n(c, 'dispatched_on_time')
  return {
    dispatched, accurateDispatched, returned: n(c, 'dispatch_returned'), dispatchedOnTime, dispatchedLate: n(c, 'dispatched_late'),
    accurateDispatchRate: ratio(accurateDispatched, dispatched), onTimeDispatchRate: ratio(dispatchedOnTime, dispatchedOnTime + n(c, 'dispatched_late')),
  }
}

/** Which facts stand behind each counted indicator (the drill-down); a rate drills down to its denominator. */
export const DRILL: Record<Family, Record<string, readonly string[]>> = {
  unit: {
    due: ['disposed_on_time', 'disposed_late', 'ended_late', 'open_overdue'], disposed: ['disposed_on_time', 'disposed_late'], onTime: ['disposed_on_time'],
    overdueDisposed: ['disposed_late'], undisposed: ['ended_late', 'open_overdue'], reworked: ['reworked'], returned: ['returned'], extended: ['extended'],
    suspended: ['suspended'], dispatched: ['dispatched'], urged: ['urged'], overdue: ['disposed_late', 'ended_late', 'open_overdue'],
    disposalRate: ['disposed_on_time', 'disposed_late', 'ended_late', 'open_overdue'], onTimeRate: ['disposed_on_time', 'disposed_late', 'ended_late', 'open_overdue'],
    reworkRate: ['reworked', 'disposed_on_time', 'disposed_late'], returnRate: ['returned', 'dispatched'],
  },
  region: {
    reported: ['reported'], filed: ['filed'], closed: ['closed_on_time', 'closed_late'], closedOnTime: ['closed_on_time'], recurrent: ['recurrent'],
    closureRate: ['filed', 'closed_on_time', 'closed_late'], onTimeClosureRate: ['filed', 'closed_on_time'], recurrenceRate: ['recurrent', 'reported'],
    perKm2: ['reported'], per10k: ['reported'],
  },
  supervisor: {
    reported: ['reported'], valid: ['valid'], filed: ['filed'], missed: ['missed'], verifications: ['verified_on_time', 'verified_late'],
    verifiedOnTime: ['verified_on_time'], checks: ['checked_on_time', 'checked_late'], checkedOnTime: ['checked_on_time'],
    validRate: ['reported', 'valid'], missRate: ['missed', 'reported'], onTimeVerificationRate: ['verified_on_time', 'verified_late'], onTimeCheckRate: ['checked_on_time', 'checked_late'],
  },
  acceptor: {
    filed: ['filed_accurate', 'filed_wrong'], accurateFiled: ['filed_accurate'], wronglyFiled: ['filed_wrong'], filedOnTime: ['filed_on_time'], filedLate: ['filed_late'],
    rejected: ['rejected'], accurateFilingRate: ['filed_accurate', 'filed_wrong'], onTimeFilingRate: ['filed_on_time', 'filed_late'],
  },
  dispatcher: {
    dispatched: ['dispatch_accurate', 'dispatch_returned'], accurateDispatched: ['dispatch_accurate'], returned: ['dispatch_returned'],
    dispatchedOnTime: ['dispatched_on_time'], dispatchedLate: ['dispatched_late'],
    accurateDispatchRate: ['dispatch_accurate', 'dispatch_returned'], onTimeDispatchRate: ['dispatched_on_time', 'dispatched_late'],
  },
}

/** The indicators of one family from its counts (a region's also need its size). */
export function indicatorsOf(family: Family, counts: Counts, size: RegionSize = { areaKm2: null, population: null }): Indicators {
  switch (family) {
    case 'unit': return unitIndicators(counts)
    case 'region': return regionIndicators(counts, size)
    case 'supervisor': return supervisorIndicators(counts)
    case 'acceptor': return acceptorIndicators(counts)
    case 'dispatcher': return dispatcherIndicators(counts)
  }
}

// ---- weights, composite ------------------------------------------------------------------------------------------

/**
 * A district's weights (points of 100) and deductions, and when the previous month is published by itself (on `day` of
 * the month, district time, or later when the server was down then); DEFAULT_SETTINGS are DOMAIN.md's defaults.
 */
export interface EvaluationSettings {
  unit: { weights: { onTimeRate: number; disposalRate: number; reworkFree: number }; deductPerOverdue: number; deductPerUrge: number }
  region: { weights: { onTimeClosureRate: number; closureRate: number; recurrenceFree: number }; recurrenceDays: number }
  supervisor: { weights: { validRate: number; onTimeVerificationRate: number; onTimeCheckRate: number; missFree: number } }
  acceptor: { weights: { accurateFilingRate: number; onTimeFilingRate: number } }
  dispatcher: { weights: { accurateDispatchRate: number; onTimeDispatchRate: number } }
  publication: { auto: boolean; day: number }
}

export const DEFAULT_SETTINGS: EvaluationSettings = {
  unit: { weights: { onTimeRate: 50, disposalRate: 30, reworkFree: 20 }, deductPerOverdue: 1, deductPerUrge: 0.5 },
  region: { weights: { onTimeClosureRate: 50, closureRate: 30, recurrenceFree: 20 }, recurrenceDays: 30 },
  // not in the standard: the project's defaults for supervisors, acceptors and dispatchers, which each district sets
  supervisor: { weights: { validRate: 30, onTimeVerificationRate: 25, onTimeCheckRate: 25, missFree: 20 } },
  acceptor: { weights: { accurateFilingRate: 60, onTimeFilingRate: 40 } },
  dispatcher: { weights: { accurateDispatchRate: 60, onTimeDispatchRate: 40 } },
  publication: { auto: true, day: 1 },
}

/** One term of a composite: a rate (or 1 − the rate named by `of`) times its weight. */
interface Term {
  weight: keyof EvaluationSettings[Family]['weights'] | string
  rate: string
  invert: boolean
  name: Names
}

const TERMS: Record<Family, Term[]> = {
  unit: [
    { weight: 'onTimeRate', rate: 'onTimeRate', invert: false, name: { 'zh-CN': '按期处置率', en: 'on-time disposal rate' } },
    { weight: 'disposalRate', rate: 'disposalRate', invert: false, name: { 'zh-CN': '处置率', en: 'disposal rate' } },
    { weight: 'reworkFree', rate: 'reworkRate', invert: true, name: { 'zh-CN': '返工率', en: 'rework rate' } },
  ],
  region: [
    { weight: 'onTimeClosureRate', rate: 'onTimeClosureRate', invert: false, name: { 'zh-CN': '按期结案率', en: 'on-time closure rate' } },
    { weight: 'closureRate', rate: 'closureRate', invert: false, name: { 'zh-CN': '结案率', en: 'closure rate' } },
    { weight: 'recurrenceFree', rate: 'recurrenceRate', invert: true, name: { 'zh-CN': '复发率', en: 'recurrence rate' } },
  ],
  supervisor: [
    { weight: 'validRate', rate: 'validRate', invert: false, name: { 'zh-CN': '有效上报率', en: 'valid report rate' } },
    { weight: 'onTimeVerificationRate', rate: 'onTimeVerificationRate', invert: false, name: { 'zh-CN': '按时核实率', en: 'on-time verification rate' } },
    { weight: 'onTimeCheckRate', rate: 'onTimeCheckRate', invert: false, name: { 'zh-CN': '按时核查率', en: 'on-time check rate' } },
    { weight: 'missFree', rate: 'missRate', invert: true, name: { 'zh-CN': '漏报率', en: 'missed rate' } },
  ],
  acceptor: [
    { weight: 'accurateFilingRate', rate: 'accurateFilingRate', invert: false, name: { 'zh-CN': '准确立案率', en: 'accurate filing rate' } },
    { weight: 'onTimeFilingRate', rate: 'onTimeFilingRate', invert: false, name: { 'zh-CN': '按时立案率', en: 'on-time filing rate' } },
  ],
  dispatcher: [
    { weight: 'accurateDispatchRate', rate: 'accurateDispatchRate', invert: false, name: { 'zh-CN': '准确派遣率', en: 'accurate dispatch rate' } },
    { weight: 'onTimeDispatchRate', rate: 'onTimeDispatchRate', invert: false, name: { 'zh-CN': '按时派遣率', en: 'on-time dispatch rate' } },
  ],
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v))
export const round2 = (v: number) => Math.round(v * 100) / 100

/** Whether anything of the subject was counted in the period (a count or a density above 0). */
export const counted = (indicators: Indicators) => Object.entries(indicators).some(([key, v]) => !isRate(key) && v !== null && v > 0)

/**
 * The composite (综合指标值) on a 100-point scale: Σ weight × rate (a rate above 1 — more closed than filed in the
 * period — counts as 1; a rate with nothing to measure counts in full), minus the deductions, never below 0. Null — no
 * data (无数据) — when nothing of the subject was counted in the period: it is not ranked rather than ranked first.
 */
export function composite(family: Family, indicators: Indicators, settings: EvaluationSettings): number | null {
  if (!counted(indicators)) return null
  const weights = settings[family].weights as Record<string, number>
  let score = 0
  for (const term of TERMS[family]) {
    const rate = indicators[term.rate]
    const part = rate === null || rate === undefined ? 1 : term.invert ? 1 - clamp01(rate) : clamp01(rate)
    score += (weights[term.weight] ?? 0) * part
  }
  if (family === 'unit') score -= (indicators.overdue ?? 0) * settings.unit.deductPerOverdue + (indicators.urged ?? 0) * settings.unit.deductPerUrge
  return round2(Math.max(0, score))
}

const num = (v: number) => String(round2(v))

/** The formula as the page shows it beside the figures, in both languages. */
export function formula(family: Family, settings: EvaluationSettings): Names {
  const weights = settings[family].weights as Record<string, number>
  const part = (locale: Locale) => TERMS[family].map((t) => (t.invert ? `(1 − ${t.name[locale]})` : t.name[locale]) + ` × ${num(weights[t.weight] ?? 0)}`).join(' + ')
  if (family === 'unit') {
    const { deductPerOverdue: o, deductPerUrge: u } = settings.unit
    return {
      'zh-CN': `综合指标值 = ${part('zh-CN')} − 超期案卷数 × ${num(o)} − 督办次数 × ${num(u)}（百分制，最低 0）`,
      en: `composite = ${part('en')} − overdue cases × ${num(o)} − urgings × ${num(u)} (out of 100, at least 0)`,
    }
  }
  return { 'zh-CN': `综合指标值 = ${part('zh-CN')}（百分制）`, en: `composite = ${part('en')} (out of 100)` }
}

/** Weights are points that add up to 100; deductions, the recurrence window and the publication day are sensible numbers. Null when fine. */
export function settingsProblem(s: EvaluationSettings): Names | null {
  for (const family of FAMILIES) {
    const weights = Object.values(s[family].weights)
    if (weights.some((w) => !Number.isFinite(w) || w < 0)) return { 'zh-CN': '权重不能为负数', en: 'weights must not be negative' }
    const sum = weights.reduce((a, b) => a + b, 0)
    if (Math.abs(sum - 100) > 1e-6) return { 'zh-CN': `权重之和须为 100（现为 ${num(sum)}）`, en: `weights must add up to 100 (now ${num(sum)})` }
  }
  if (s.unit.deductPerOverdue < 0 || s.unit.deductPerUrge < 0) return { 'zh-CN': '扣分不能为负数', en: 'deductions must not be negative' }
  if (!Number.isInteger(s.region.recurrenceDays) || s.region.recurrenceDays < 1 || s.region.recurrenceDays > 365) {
    return { 'zh-CN': '复发判定天数须为 1–365 的整数', en: 'the recurrence window must be a whole number of days from 1 to 365' }
  }
  // the 28th at the latest, so that every month has the day
  if (!Number.isInteger(s.publication.day) || s.publication.day < 1 || s.publication.day > 28) {
    return { 'zh-CN': '自动发布日须为每月 1–28 日', en: 'the publication day must be a day of the month from 1 to 28' }
  }
  return null
}

// ---- ranking -------------------------------------------------------------------------------------------------

export interface Scored {
  id: string
  name: string
  /** Null: no data in the period. */
  composite: number | null
  indicators: Indicators
}

export interface Ranked extends Scored {
  /** Null: no data in the period, so not ranked. */
  rank: number | null
}

const byName = new Intl.Collator('zh-CN')

/**
 * Highest composite first; equal composites share a rank and the next rank skips (1, 2, 2, 4); ties listed by name.
 * Subjects with no data come last, by name, without a rank.
 */
export function rank<T extends Scored>(rows: readonly T[]): Array<T & { rank: number | null }> {
  const score = (row: Scored) => row.composite ?? -Infinity
  const sorted = [...rows].sort((a, b) => score(b) - score(a) || byName.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  let previous: { composite: number; rank: number } | undefined
  return sorted.map((row, i) => {
    if (row.composite === null) return { ...row, rank: null }
    const r = previous && previous.composite === row.composite ? previous.rank : i + 1
    previous = { composite: row.composite, rank: r }
    return { ...row, rank: r }
  })
}

/** Each row with its rank and composite of the previous period (null when it was not ranked then). */
export function withPrevious<T extends Ranked>(rows: readonly T[], previous: readonly Ranked[]): Array<T & { previousRank: number | null; previousComposite: number | null }> {
  const before = new Map(previous.map((p) => [p.id, p]))
  return rows.map((row) => ({ ...row, previousRank: before.get(row.id)?.rank ?? null, previousComposite: before.get(row.id)?.composite ?? null }))
}

export interface RowDifference {
  id: string
  name: string
  published: { rank: number | null; composite: number | null } | null
  now: { rank: number | null; composite: number | null } | null
  /** Indicators whose value changed: [published, now]. */
  indicators: Record<string, [number | null, number | null]>
}

/** What a re-computation would change in a published ranking: rows whose rank, composite or any indicator moved. */
export function difference(published: readonly Ranked[], now: readonly Ranked[]): RowDifference[] {
  const after = new Map(now.map((r) => [r.id, r]))
  const out: RowDifference[] = []
  const same = (a: number | null | undefined, b: number | null | undefined) => (a ?? null) === (b ?? null) || (a != null && b != null && Math.abs(a - b) < 1e-9)
  for (const p of published) {
    const r = after.get(p.id)
    after.delete(p.id)
    const indicators: RowDifference['indicators'] = {}
    for (const key of new Set([...Object.keys(p.indicators), ...Object.keys(r?.indicators ?? {})])) {
      const a = p.indicators[key] ?? null
      const b = r?.indicators[key] ?? null
      if (!same(a, b)) indicators[key] = [a, b]
    }
    if (!r || r.rank !== p.rank || !same(r.composite, p.composite) || Object.keys(indicators).length) {
      out.push({ id: p.id, name: p.name, published: { rank: p.rank, composite: p.composite }, now: r ? { rank: r.rank, composite: r.composite } : null, indicators })
    }
  }
  for (const r of after.values()) {
    out.push({ id: r.id, name: r.name, published: null, now: { rank: r.rank, composite: r.composite }, indicators: Object.fromEntries(Object.entries(r.indicators).map(([k, v]) => [k, [null, v]])) })
  }
  return out
}

// ---- names of the indicators (report headings) -------------------------------------------------------------------

export const INDICATOR_NAMES: Record<Family, Record<string, Names>> = {
  unit: {
    due: { 'zh-CN': '应处置数', en: 'Due' }, disposed: { 'zh-CN': '处置数', en: 'Disposed' }, onTime: { 'zh-CN': '按期处置数', en: 'On time' },
    overdueDisposed: { 'zh-CN': '超期处置数', en: 'Disposed late' }, undisposed: { 'zh-CN': '未处置数', en: 'Undisposed' },
    reworked: { 'zh-CN': '返工数', en: 'Reworked' }, returned: { 'zh-CN': '回退数', en: 'Returned' }, extended: { 'zh-CN': '延期数', en: 'Extended' },
    suspended: { 'zh-CN': '挂账数', en: 'Suspended' }, dispatched: { 'zh-CN': '派遣数', en: 'Dispatched' }, urged: { 'zh-CN': '督办数', en: 'Urged' },
    overdue: { 'zh-CN': '超期数', en: 'Overdue' }, disposalRate: { 'zh-CN': '处置率', en: 'Disposal rate' }, onTimeRate: { 'zh-CN': '按期处置率', en: 'On-time rate' },
    reworkRate: { 'zh-CN': '返工率', en: 'Rework rate' }, returnRate: { 'zh-CN': '回退率', en: 'Return rate' },
  },
  region: {
    reported: { 'zh-CN': '上报数', en: 'Reported' }, filed: { 'zh-CN': '立案数', en: 'Filed' }, closed: { 'zh-CN': '结案数', en: 'Closed' },
    closedOnTime: { 'zh-CN': '按期结案数', en: 'Closed on time' }, recurrent: { 'zh-CN': '复发数', en: 'Recurrent' },
    closureRate: { 'zh-CN': '结案率', en: 'Closure rate' }, onTimeClosureRate: { 'zh-CN': '按期结案率', en: 'On-time closure rate' },
    recurrenceRate: { 'zh-CN': '复发率', en: 'Recurrence rate' }, perKm2: { 'zh-CN': '每平方公里问题数', en: 'Per km²' },
    per10k: { 'zh-CN': '每万人问题数', en: 'Per 10,000 residents' },
  },
  supervisor: {
    reported: { 'zh-CN': '上报数', en: 'Reported' }, valid: { 'zh-CN': '有效上报数', en: 'Valid' }, filed: { 'zh-CN': '立案数', en: 'Filed' },
    missed: { 'zh-CN': '漏报数', en: 'Missed' }, verifications: { 'zh-CN': '核实数', en: 'Verifications' }, verifiedOnTime: { 'zh-CN': '按时核实数', en: 'Verified on time' },
    checks: { 'zh-CN': '核查数', en: 'Checks' }, checkedOnTime: { 'zh-CN': '按时核查数', en: 'Checked on time' }, validRate: { 'zh-CN': '有效上报率', en: 'Valid rate' },
    missRate: { 'zh-CN': '漏报率', en: 'Missed rate' }, onTimeVerificationRate: { 'zh-CN': '按时核实率', en: 'On-time verification rate' },
    onTimeCheckRate: { 'zh-CN': '按时核查率', en: 'On-time check rate' },
  },
  acceptor: {
    filed: { 'zh-CN': '立案数', en: 'Filed' }, accurateFiled: { 'zh-CN': '准确立案数', en: 'Filed accurately' }, wronglyFiled: { 'zh-CN': '错误立案数', en: 'Filed wrongly' },
    filedOnTime: { 'zh-CN': '按时立案数', en: 'Filed on time' }, filedLate: { 'zh-CN': '超时立案数', en: 'Filed late' }, rejected: { 'zh-CN': '不予立案数', en: 'Rejected' },
    accurateFilingRate: { 'zh-CN': '准确立案率', en: 'Accurate filing rate' }, onTimeFilingRate: { 'zh-CN': '按时立案率', en: 'On-time filing rate' },
  },
  dispatcher: {
    dispatched: { 'zh-CN': '派遣数', en: 'Dispatched' }, accurateDispatched: { 'zh-CN': '准确派遣数', en: 'Dispatched accurately' },
    returned: { 'zh-CN': '被回退数', en: 'Returned' }, dispatchedOnTime: { 'zh-CN': '按时派遣数', en: 'Dispatched on time' },
    dispatchedLate: { 'zh-CN': '超时派遣数', en: 'Dispatched late' }, accurateDispatchRate: { 'zh-CN': '准确派遣率', en: 'Accurate dispatch rate' },
    onTimeDispatchRate: { 'zh-CN': '按时派遣率', en: 'On-time dispatch rate' },
  },
}

/** Indicators shown as percentages (the others are counts or densities). */
export const isRate = (key: string) => key.endsWith('Rate')
