// Typed client for the evaluation routes (综合考核): rankings, drill-down, settings, publishing, the difference, reports.
import { request, withQuery } from './client'

export type EvaluationSubject = 'units' | 'streets' | 'communities' | 'cells' | 'supervisors' | 'acceptors' | 'dispatchers'
export type EvaluationFamily = 'unit' | 'region' | 'supervisor' | 'acceptor' | 'dispatcher'
export type Bilingual = { 'zh-CN': string; en: string }

export interface RankingRow {
  /** Null with the composite: nothing counted in the period (no data, 无数据), listed after the ranked rows. */
  rank: number | null
  id: string
  name: string
  nameEn: string | null
  composite: number | null
  previousRank: number | null
  previousComposite: number | null
  indicators: Record<string, number | null>
}

export interface Ranking {
  subject: EvaluationSubject
  period: { key: string; from: string; to: string; label: string }
  frozen: boolean
  frozenAt: string | null
  formula: Bilingual
  rows: RankingRow[]
}

/** A month (YYYY-MM) or days (from, to: YYYY-MM-DD, both included). */
export type PeriodQuery = { period: string } | { from: string; to: string }

export interface DrillCase { id: string; ticket: string; fact: string; at: string; state: string; classKind: string; classCode: string; address: string | null }
export interface Drill { subject: string; id: string; name: string; indicator: string; facts: string[]; frozen: boolean; truncated: boolean; items: DrillCase[] }

export interface EvaluationSettings {
  unit: { weights: { onTimeRate: number; disposalRate: number; reworkFree: number }; deductPerOverdue: number; deductPerUrge: number }
  region: { weights: { onTimeClosureRate: number; closureRate: number; recurrenceFree: number }; recurrenceDays: number }
  supervisor: { weights: { validRate: number; onTimeVerificationRate: number; onTimeCheckRate: number; missFree: number } }
  acceptor: { weights: { accurateFilingRate: number; onTimeFilingRate: number } }
  dispatcher: { weights: { accurateDispatchRate: number; onTimeDispatchRate: number } }
  /** The previous month is published by itself from this day of the month on (UTC+8). */
  publication: { auto: boolean; day: number }
}
export interface SettingsReply { settings: EvaluationSettings; version: number; updatedAt: string | null; formulas: Record<EvaluationFamily, Bilingual> }

/** One row a re-computation of a published period would change (the server's own type). */
export type { RowDifference } from '../../server/modules/evaluation/indicators'
import type { RowDifference } from '../../server/modules/evaluation/indicators'
export interface PeriodDiff { period: string; frozenAt: string; subjects: Record<EvaluationSubject, RowDifference[]> }

export const getRanking = (subject: EvaluationSubject, period: PeriodQuery) => request<Ranking>('GET', withQuery('/api/evaluation/rankings', { subject, ...period }))
export const getDrill = (subject: EvaluationSubject, id: string, indicator: string, period: PeriodQuery) =>
  request<Drill>('GET', withQuery('/api/evaluation/cases', { subject, id, indicator, ...period }))
export const getEvaluationSettings = () => request<SettingsReply>('GET', '/api/evaluation/settings')
export const putEvaluationSettings = (settings: EvaluationSettings) => request<SettingsReply>('PUT', '/api/evaluation/settings', settings)
export const freezePeriod = (period: string) => request<{ period: string; frozen: boolean; frozenAt: string; frozenBy: string }>('POST', `/api/evaluation/periods/${encodeURIComponent(period)}/freeze`, {})
export const getPeriodDiff = (period: string) => request<PeriodDiff>('GET', `/api/evaluation/periods/${encodeURIComponent(period)}/diff`)
export const reportXlsxUrl = (period: PeriodQuery, subjects = 'units,streets') => withQuery('/api/evaluation/report.xlsx', { ...period, subjects })
export const reportHtmlUrl = (period: PeriodQuery, lang: string, subjects = 'units,streets') => withQuery('/api/evaluation/report.html', { ...period, subjects, lang })
