// Twelve small months of one year, each day coloured by what it is (public holiday, make-up working day 调休, district
// holiday or working day, weekend), with the named special days listed under each month; a click toggles a day.
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import type { CalendarRules, CalendarYear } from '../../api/client'
import { type DayReason, type DayRun, type DayView, monthDays, specialRuns, weekdayOf } from './calendarDays'

type SpecialDay = CalendarYear['specialDays'][number]

/** Reasons shown in the legend and the list under each month, in this order. */
export const LEGEND: readonly DayReason[] = ['public-holiday', 'make-up-working-day', 'district-holiday', 'district-working-day', 'weekend']

/** Today in the district (UTC+8), 'YYYY-MM-DD'. */
function todayKey(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

export function useHolidayName(): (name: string) => string {
  const { t, i18n } = useTranslation()
  return (name) => (i18n.language === 'en' ? t(`calendar.holidayNames.${name}`, { defaultValue: name }) : name)
}

export function YearGrid({ year, saved, rules, onToggle }: {
  year: number
  saved: ReadonlyMap<string, SpecialDay>
  rules: CalendarRules
  /** Absent: read only. */
  onToggle?: (day: DayView) => void
}) {
  const { t, i18n } = useTranslation()
  const holidayName = useHolidayName()
  const monthName = useMemo(() => new Intl.DateTimeFormat(i18n.language === 'en' ? 'en' : 'zh-CN', { month: 'long', timeZone: 'UTC' }), [i18n.language])
  const weekdays = t('calendar.weekdays').split(' ')
  const today = todayKey()

  const describe = (d: DayView) =>
    [d.date, d.holiday ? holidayName(d.holiday) : '', t(`calendar.reason.${d.reason}`), d.backToNational ? t('calendar.backToNational') : d.pending ? t('calendar.pending') : '']
      .filter(Boolean).join(' · ')

  const runText = (run: DayRun) => {
    const days = run.from.day === run.to.day ? t('calendar.dayOne', { day: run.from.day }) : t('calendar.dayRange', { from: run.from.day, to: run.to.day })
    const what = run.from.backToNational ? t('calendar.backToNational') : t(`calendar.reason.${run.from.reason}`)
    return { days, what, name: run.from.holiday ? holidayName(run.from.holiday) : '' }
  }

  return (
    <div className="xh-year" data-testid="year-grid">
      {Array.from({ length: 12 }, (_, month) => {
        const days = monthDays(year, month, saved, rules)
        const lead = weekdayOf(year, month, 1)
        const runs = specialRuns(days)
        return (
          <section key={month} className="xh-month" aria-label={monthName.format(Date.UTC(year, month, 1))}>
            <h3>{monthName.format(Date.UTC(year, month, 1))}</h3>
            <div className="xh-month-grid">
              {weekdays.map((w, i) => <span key={`w${i}`} className={`xh-weekday${i >= 5 ? ' xh-weekday-end' : ''}`}>{w}</span>)}
              {Array.from({ length: lead }, (_, i) => <span key={`pad${i}`} />)}
              {days.map((d) => {
                const className = `xh-day xh-day-${d.reason}${d.pending ? ' xh-day-pending' : ''}${d.date === today ? ' xh-day-today' : ''}`
                const mark = d.reason === 'weekday' || d.reason === 'weekend' ? '' : t(`calendar.mark.${d.reason}`)
                const content = <>{d.day}{mark && <span className="xh-day-mark">{mark}</span>}</>
                const props = { className, title: describe(d), 'aria-label': describe(d), 'data-testid': `day-${d.date}`, 'data-reason': d.reason, 'data-pending': d.pending ? 'true' : 'false' }
                return onToggle
                  ? <button key={d.date} type="button" {...props} onClick={() => onToggle(d)}>{content}</button>
                  : <span key={d.date} {...props}>{content}</span>
              })}
            </div>
            <ul className="xh-month-list">
              {runs.map((run) => {
                const r = runText(run)
                return (
                  <li key={run.from.date}>
                    <span className={`xh-swatch xh-day-${run.from.reason}${run.from.pending ? ' xh-day-pending' : ''}`} aria-hidden />
                    <span className="xh-month-list-days">{r.days}</span> {r.name && <strong>{r.name}</strong>} {r.what}
                  </li>
                )
              })}
            </ul>
          </section>
        )
      })}
    </div>
  )
}

/** The colours of the grid, explained. */
export function Legend() {
  const { t } = useTranslation()
  return (
    <div className="xh-legend" data-testid="calendar-legend">
      <span className="xh-legend-title">{t('calendar.legend')}</span>
      {LEGEND.map((reason) => (
        <span key={reason} className="xh-legend-item"><span className={`xh-swatch xh-day-${reason}`} aria-hidden />{t(`calendar.reason.${reason}`)}</span>
      ))}
      <span className="xh-legend-item"><span className="xh-swatch xh-day-weekday xh-day-pending" aria-hidden />{t('calendar.unsaved')}</span>
    </div>
  )
}
