// What the evaluation pages share: the subjects, their family, the columns each table shows, number formats.
import type { EvaluationSubject } from '../../api/evaluation'

export const SUBJECTS: readonly EvaluationSubject[] = ['units', 'streets', 'communities', 'cells', 'supervisors']
export type Family = 'unit' | 'region' | 'supervisor'
export const FAMILY: Record<EvaluationSubject, Family> = { units: 'unit', streets: 'region', communities: 'region', cells: 'region', supervisors: 'supervisor' }

/** The figures each table shows (the server answers more; the report has them all). */
export const COLUMNS: Record<Family, readonly string[]> = {
  unit: ['due', 'disposed', 'onTime', 'undisposed', 'reworked', 'returned', 'extended', 'suspended', 'urged', 'onTimeRate', 'disposalRate', 'reworkRate'],
  region: ['reported', 'filed', 'closed', 'closedOnTime', 'recurrent', 'onTimeClosureRate', 'closureRate', 'recurrenceRate', 'perKm2', 'per10k'],
  supervisor: ['reported', 'valid', 'filed', 'missed', 'verifications', 'checks', 'validRate', 'missRate', 'onTimeVerificationRate', 'onTimeCheckRate'],
}

export const isRate = (key: string) => key.endsWith('Rate')

/** A rate as a percentage, a density with two decimals, a count as it is; '—' when there is nothing to measure. */
export function formatIndicator(key: string, value: number | null, lang: string): string {
  if (value === null) return '—'
  if (isRate(key)) return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value * 100)}%`
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value)
}
