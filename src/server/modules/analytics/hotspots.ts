// Hot spots (热点): places and classes where a problem keeps coming back, and why — recurrence (the same class in the
// same grid cell within N days; DOMAIN.md, region evaluation) and the time-of-day and weekday patterns of its reports.
// Pure: the repository counts in SQL; these rules read the counts.
import type { Locale } from '../../platform/errors.js'

/** How many of these reports came within `withinDays` of the report before them (same place and class). */
export function recurrences(times: readonly number[], withinDays: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let n = 0
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! <= withinDays * 86_400_000) n++
  return n
}

/** Parts of the local day (hours [from, to)). */
export const DAY_PARTS = {
  night: { from: 0, to: 6, 'zh-CN': '夜间', en: 'at night' },
  morning: { from: 6, to: 11, 'zh-CN': '上午', en: 'in the morning' },
  noon: { from: 11, to: 14, 'zh-CN': '中午', en: 'around noon' },
  afternoon: { from: 14, to: 18, 'zh-CN': '下午', en: 'in the afternoon' },
  evening: { from: 18, to: 24, 'zh-CN': '傍晚至夜间', en: 'in the evening' },
} as const
export type DayPart = keyof typeof DAY_PARTS
const PART_KEYS = Object.keys(DAY_PARTS) as DayPart[]

const WEEKDAY_NAMES: Record<Locale, string[]> = {
  'zh-CN': ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'],
}

/** Fewer reports than this show no pattern (three reports at 7 pm are chance, not a habit). */
export const MIN_FOR_PATTERN = 4

export interface TimePattern {
  part: DayPart
  /** Share of the reports in that part of the day. */
  share: number
}

/**
 * The part of the day holding the reports, when it holds clearly more than its length would: at least half of them,
 * and at least 1.5 times its share of the day's 24 hours.
 */
export function timeOfDayPattern(hours: readonly number[]): TimePattern | null {
  const total = hours.reduce((a, b) => a + b, 0)
  if (total < MIN_FOR_PATTERN) return null
  let best: TimePattern | null = null
  for (const part of PART_KEYS) {
    const { from, to } = DAY_PARTS[part]
    let n = 0
    for (let h = from; h < to; h++) n += hours[h] ?? 0
    const share = n / total
    if (share >= 0.5 && share >= 1.5 * ((to - from) / 24) && (!best || share > best.share)) best = { part, share }
  }
  return best
}

export type WeekdayPattern =
  | { kind: 'weekend'; share: number }
  | { kind: 'workdays'; share: number }
  | { kind: 'day'; weekday: number; share: number }

/**
 * A weekday habit: one weekday with at least 40 % of the reports (a seventh is 14 %), else the weekend with at least
 * half (two sevenths is 29 %), else working days with at least 90 % (five sevenths is 71 %). `weekdays[0]` is Sunday.
 */
export function weekdayPattern(weekdays: readonly number[]): WeekdayPattern | null {
  const total = weekdays.reduce((a, b) => a + b, 0)
  if (total < MIN_FOR_PATTERN) return null
  let top = 0
  for (let d = 1; d < 7; d++) if ((weekdays[d] ?? 0) > (weekdays[top] ?? 0)) top = d
  const topShare = (weekdays[top] ?? 0) / total
  if (topShare >= 0.4) return { kind: 'day', weekday: top, share: topShare }
  const weekend = ((weekdays[0] ?? 0) + (weekdays[6] ?? 0)) / total
  if (weekend >= 0.5) return { kind: 'weekend', share: weekend }
  if (1 - weekend >= 0.9) return { kind: 'workdays', share: 1 - weekend }
  return null
}

export interface HotspotFacts {
  className: Record<Locale, string>
  count: number
  recurrences: number
  withinDays: number
  time: TimePattern | null
  weekday: WeekdayPattern | null
}

const pct = (share: number) => `${Math.round(share * 100)}%`

/** Why a place is a hot spot, in words, in both languages. */
export function reasonOf(f: HotspotFacts): Record<Locale, string> {
  const zh = [`${f.className['zh-CN']}：${f.withinDays} 天内同一网格重复发生 ${f.recurrences} 次（共 ${f.count} 件）`]
  const en = [`${f.className.en}: came back ${f.recurrences} times within ${f.withinDays} days in the same grid cell (${f.count} cases)`]
  if (f.time) {
    const part = DAY_PARTS[f.time.part]
    zh.push(`集中在${part['zh-CN']}（${part.from}–${part.to} 时，${pct(f.time.share)}）`)
    en.push(`mostly ${part.en} (${part.from}:00–${part.to}:00, ${pct(f.time.share)})`)
  }
  if (f.weekday) {
    const w = f.weekday
    if (w.kind === 'day') {
      zh.push(`多发于${WEEKDAY_NAMES['zh-CN'][w.weekday]}（${pct(w.share)}）`)
      en.push(`often on ${WEEKDAY_NAMES.en[w.weekday]} (${pct(w.share)})`)
    } else if (w.kind === 'weekend') {
      zh.push(`多发于周末（${pct(w.share)}）`)
      en.push(`often at weekends (${pct(w.share)})`)
    } else {
      zh.push(`几乎都在工作日（${pct(w.share)}）`)
      en.push(`almost only on working days (${pct(w.share)})`)
    }
  }
  return { 'zh-CN': zh.join('；'), en: en.join('; ') }
}
