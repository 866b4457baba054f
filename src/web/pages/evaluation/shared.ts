// What the evaluation pages share: the subjects, their family, the columns each table shows, number formats.
import type { EvaluationFamily, EvaluationSubject } from '../../api/evaluation'

export const SUBJECTS: readonly EvaluationSubject[] = ['units', 'streets', 'communities', 'cells', 'supervisors', 'acceptors', 'dispatchers']
export type Family = EvaluationFamily
export const FAMILIES: readonly Family[] = ['unit', 'region', 'supervisor', 'acceptor', 'dispatcher']
export const FAMILY: Record<EvaluationSubject, Family> = {
  units: 'unit', streets: 'region', communities: 'region', cells: 'region', supervisors: 'supervisor', acceptors: 'acceptor', dispatchers: 'dispatcher',
}

/** The figures each table shows (the server answers more; the report has them all). */
export const COLUMNS: Record<Family, readonly string[]> = {
  unit: ['due', 'disposed', 'onTime', 'undisposed', 'reworked', 'returned', 'extended', 'suspended', 'urged', 'onTimeRate', 'disposalRate', 'reworkRate'],
  region: ['reported', 'filed', 'closed', 'closedOnTime', 'recurrent', 'onTimeClosureRate', 'closureRate', 'recurrenceRate', 'perKm2', 'per10k'],
  supervisor: ['reported', 'valid', 'filed', 'missed', 'verifications', 'checks', 'validRate', 'missRate', 'onTimeVerificationRate', 'onTimeCheckRate'],
  acceptor: ['filed', 'accurateFiled', 'wronglyFiled', 'filedOnTime', 'filedLate', 'rejected', 'accurateFilingRate', 'onTimeFilingRate'],
  dispatcher: ['dispatched', 'accurateDispatched', 'returned', 'dispatchedOnTime', 'dispatchedLate', 'accurateDispatchRate', 'onTimeDispatchRate'],
}

/** The report's tables from the page: the 通报's two (units and streets) and the one being looked at. */
export const reportSubjects = (subject: EvaluationSubject) => ['units', 'streets', ...(subject === 'units' || subject === 'streets' ? [] : [subject])].join(',')

export const isRate = (key: string) => key.endsWith('Rate')

/** A rate as a percentage, a density with two decimals, a count as it is; '—' when there is nothing to measure. */
export function formatIndicator(key: string, value: number | null, lang: string): string {
  if (value === null) return '—'
  if (isRate(key)) return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value * 100)}%`
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value)
}
