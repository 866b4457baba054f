// Evaluation periods in the district's time (UTC+8): a month 'YYYY-MM' or any days 'YYYY-MM-DD..YYYY-MM-DD' (both included).
import { AppError } from '../../platform/errors.js'

export interface Period {
  /** 'YYYY-MM' or 'YYYY-MM-DD..YYYY-MM-DD': the key a published period is stored under. */
  key: string
  from: Date
  /** Exclusive. */
  to: Date
  label: string
  month: boolean
}

const OFFSET_MS = 8 * 3600_000
const DAY_MS = 24 * 3600_000
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

const bad = (zh: string, en: string) => new AppError('BAD_REQUEST', { reason: { 'zh-CN': zh, en } }, { code: 'BAD_PERIOD' })

/** Midnight (UTC+8) of a calendar day. */
function dayStart(text: string): Date {
  const m = DAY.exec(text)
  if (!m) throw bad(`日期格式应为 YYYY-MM-DD：${text}`, `a date must read YYYY-MM-DD: ${text}`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const at = Date.UTC(y, mo - 1, d)
  const check = new Date(at)
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw bad(`不存在的日期：${text}`, `no such date: ${text}`)
  return new Date(at - OFFSET_MS)
}

/** The calendar day (UTC+8) of an instant, 'YYYY-MM-DD'. */
export const localDay = (at: Date) => new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10)

export function monthPeriod(year: number, month: number): Period {
  const from = new Date(Date.UTC(year, month - 1, 1) - OFFSET_MS)
  const to = new Date(Date.UTC(year, month, 1) - OFFSET_MS)
  const key = `${year}-${String(month).padStart(2, '0')}`
  return { key, from, to, label: key, month: true }
}

export function dayPeriod(fromDay: string, toDay: string): Period {
  const from = dayStart(fromDay)
  const to = new Date(dayStart(toDay).getTime() + DAY_MS)
  if (to <= from) throw bad('结束日期不能早于开始日期', 'the end date must not be before the start date')
  if (to.getTime() - from.getTime() > 366 * DAY_MS) throw bad('考核期不能超过一年', 'a period must not be longer than a year')
  return { key: `${fromDay}..${toDay}`, from, to, label: `${fromDay} – ${toDay}`, month: false }
}

/** A period key as stored ('YYYY-MM' or 'YYYY-MM-DD..YYYY-MM-DD'). */
export function parsePeriodKey(key: string): Period {
  const m = MONTH.exec(key)
  if (m) return monthPeriod(Number(m[1]), Number(m[2]))
  const [a, b, ...rest] = key.split('..')
  if (a && b && rest.length === 0) return dayPeriod(a, b)
  throw bad(`考核期应为 YYYY-MM 或 YYYY-MM-DD..YYYY-MM-DD：${key}`, `a period must read YYYY-MM or YYYY-MM-DD..YYYY-MM-DD: ${key}`)
}

/** From a query: `period`, or `from` and `to` days; by default the current month (UTC+8). */
export function periodOf(query: { period?: string | undefined; from?: string | undefined; to?: string | undefined }, now: Date): Period {
  if (query.period) return parsePeriodKey(query.period)
  if (query.from || query.to) {
    if (!query.from || !query.to) throw bad('请同时给出开始和结束日期', 'give both from and to')
    return dayPeriod(query.from, query.to)
  }
  const day = localDay(now)
  return monthPeriod(Number(day.slice(0, 4)), Number(day.slice(5, 7)))
}

/** The period just before: the previous month, or as many days ending the day before. */
export function previousPeriod(p: Period): Period {
  if (p.month) {
    const [y, m] = p.key.split('-').map(Number) as [number, number]
    return m === 1 ? monthPeriod(y - 1, 12) : monthPeriod(y, m - 1)
  }
  const days = Math.round((p.to.getTime() - p.from.getTime()) / DAY_MS)
  return dayPeriod(localDay(new Date(p.from.getTime() - days * DAY_MS)), localDay(new Date(p.from.getTime() - DAY_MS)))
}
