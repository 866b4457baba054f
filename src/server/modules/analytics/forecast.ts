// Case volume forecast (预测): a small seasonal baseline — recent level × weekday factor, with public holidays and
// make-up working days (调休) as their own kinds of day — and its backtest (forecast past weeks from the data before
// them, report MAE and MAPE) so users see how far to trust it. Pure: the caller gives daily counts and the calendar.

/** How a local day behaves: an ordinary day of its weekday, a public holiday's rest day, or a make-up working day. */
export type DayKind = 'normal' | 'holiday' | 'makeup'

export interface DayOf {
  /** 0 Sunday … 6 Saturday. */
  weekday: number
  kind: DayKind
}

/** Tells the weekday and kind of a local date 'YYYY-MM-DD' (the district's working calendar). */
export type Calendar = (date: string) => DayOf

export interface DailyCount {
  /** Local date, 'YYYY-MM-DD'. */
  date: string
  count: number
}

export interface SeasonalModel {
  /** Expected cases on an ordinary day of average weekday, from the recent weeks. */
  level: number
  /** Factor of each weekday (0 Sunday … 6 Saturday) against the average ordinary day. */
  weekday: number[]
  /** Factor of a public holiday's rest day. */
  holiday: number
  /** Factor of a make-up working day (the working weekdays' mean). */
  makeup: number
}

export interface ModelOptions {
  /** Days at the end of the history that set the level (default 28: four of each weekday). */
  levelDays?: number
}

const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0)

/** The dates from `from` for `days` days, 'YYYY-MM-DD' (calendar arithmetic in UTC, so no time zone moves a day). */
export function dateRange(from: string, days: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`)
  return Array.from({ length: Math.max(0, days) }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10))
}

export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

/** The weekday of a local date (0 Sunday … 6 Saturday). */
export const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay()

/** Fits the model to a history of consecutive days (missing days count as 0 if the caller filled them). */
export function fit(history: readonly DailyCount[], calendar: Calendar, options: ModelOptions = {}): SeasonalModel {
  const levelDays = options.levelDays ?? 28
  const days = history.map((d) => ({ ...d, ...calendar(d.date) }))
  const normal = days.filter((d) => d.kind === 'normal')
  const overall = mean(normal.map((d) => d.count))
  // weekday factors from ordinary days; a weekday never seen keeps 1
  const weekday = Array.from({ length: 7 }, (_, w) => {
    const seen = normal.filter((d) => d.weekday === w)
    return seen.length && overall > 0 ? mean(seen.map((d) => d.count)) / overall : 1
  })
  const working = [1, 2, 3, 4, 5].map((w) => weekday[w]!)
  const makeup = mean(working)
  // a holiday with no holiday in the history behaves like the weekend's rest days
  const restDays = [weekday[0]!, weekday[6]!]
  const holidays = days.filter((d) => d.kind === 'holiday')
  const expectedOnHolidays = holidays.reduce((sum, d) => sum + overall * weekday[d.weekday]!, 0)
  const holiday = holidays.length && expectedOnHolidays > 0 ? holidays.reduce((sum, d) => sum + d.count, 0) / expectedOnHolidays : mean(restDays)
  // the level: recent days with their weekday (or make-up) effect taken out; holidays say nothing about it
  const factorOf = (d: DayOf) => (d.kind === 'makeup' ? makeup : d.kind === 'holiday' ? holiday : weekday[d.weekday]!)
  const recent = days.slice(-levelDays).filter((d) => d.kind !== 'holiday' && factorOf(d) > 0)
  const level = recent.length ? mean(recent.map((d) => d.count / factorOf(d))) : overall
  return { level, weekday, holiday, makeup }
}

/** The expected count of one day under the model. */
export function expected(model: SeasonalModel, day: DayOf): number {
  const factor = day.kind === 'holiday' ? model.holiday : day.kind === 'makeup' ? model.makeup : model.weekday[day.weekday]!
  return Math.max(0, model.level * factor)
}

export interface ForecastDay {
  date: string
  kind: DayKind
  expected: number
}

/** The next `horizon` days after the history's last day. */
export function forecast(history: readonly DailyCount[], calendar: Calendar, horizon: number, options: ModelOptions = {}): ForecastDay[] {
  const last = history.at(-1)
  if (!last) return []
  const model = fit(history, calendar, options)
  return dateRange(addDays(last.date, 1), horizon).map((date) => {
    const day = calendar(date)
    return { date, kind: day.kind, expected: expected(model, day) }
  })
}

/** Sums of consecutive 7-day blocks of a forecast, from its first day (a partial last week is left out). */
export function weekly(days: readonly ForecastDay[]): Array<{ from: string; to: string; expected: number }> {
  const weeks: Array<{ from: string; to: string; expected: number }> = []
  for (let i = 0; i + 7 <= days.length; i += 7) {
    const block = days.slice(i, i + 7)
    weeks.push({ from: block[0]!.date, to: block[6]!.date, expected: block.reduce((s, d) => s + d.expected, 0) })
  }
  return weeks
}

export interface ErrorFigures {
  /** Mean absolute error, cases per day. */
  mae: number | null
  /** Mean absolute percentage error over the days with at least one case (a day with none has no percentage). */
  mape: number | null
  /** Days compared (MAE) and days with cases (MAPE). */
  days: number
  daysWithCases: number
}

/** MAE and MAPE of forecasts against what happened. */
export function errors(pairs: ReadonlyArray<{ actual: number; expected: number }>): ErrorFigures {
  const withCases = pairs.filter((p) => p.actual > 0)
  return {
    mae: pairs.length ? mean(pairs.map((p) => Math.abs(p.actual - p.expected))) : null,
    mape: withCases.length ? mean(withCases.map((p) => Math.abs(p.actual - p.expected) / p.actual)) : null,
    days: pairs.length,
    daysWithCases: withCases.length,
  }
}

export interface Backtest extends ErrorFigures {
  /** Weeks forecast (each from the data before it). */
  weeks: number
  points: Array<{ date: string; actual: number; expected: number }>
}

/**
 * Forecasts each of the last `weeks` weeks of the history from the days before it only, and compares with what
 * happened. Weeks with fewer than `minTrainingDays` before them are skipped.
 */
export function backtest(history: readonly DailyCount[], calendar: Calendar, weeks: number, options: ModelOptions & { minTrainingDays?: number } = {}): Backtest {
  const minTraining = options.minTrainingDays ?? 14
  const points: Backtest['points'] = []
  let done = 0
  for (let k = weeks; k >= 1; k--) {
    const cut = history.length - 7 * k
    if (cut < minTraining) continue
    const predicted = forecast(history.slice(0, cut), calendar, 7, options)
    predicted.forEach((day, i) => points.push({ date: day.date, actual: history[cut + i]!.count, expected: day.expected }))
    done++
  }
  return { weeks: done, points, ...errors(points) }
}

/** Daily counts for every day from `from` for `days` days, 0 where the query had no row. */
export function fillDays(rows: ReadonlyArray<{ date: string; count: number }>, from: string, days: number): DailyCount[] {
  const byDate = new Map(rows.map((r) => [r.date, r.count]))
  return dateRange(from, days).map((date) => ({ date, count: byDate.get(date) ?? 0 }))
}
