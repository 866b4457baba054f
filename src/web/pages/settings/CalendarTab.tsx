// The working-calendar tab: the special days of a year (holidays, 调休, the district's own days) on twelve months,
// the office hours and the district's holidays and working days, edited and saved by administrators (case:configure).
// The edit is kept until saved, across years and failed saves; what the server says wrong is shown as it says it.
import { useEffect, useMemo, useState } from 'react'
import { Alert, App, Button, Card, DatePicker, Empty, Space, Spin, Tag, TimePicker, Typography } from 'antd'
import { DeleteOutlined, LeftOutlined, PlusOutlined, RightOutlined, SaveOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useTranslation } from 'react-i18next'
import { getCalendar, putCalendar, type CalendarRules, type CalendarYear } from '../../api/client'
import { useAuth } from '../../app/auth'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { officeDay, sameRules, toggleDay } from './calendarDays'
import { Legend, YearGrid } from './YearGrid'

type Period = CalendarRules['officeHours'][number]
const MAX_PERIODS = 4

const toTime = (hhmm: string): Dayjs => dayjs().hour(Number(hhmm.slice(0, 2))).minute(Number(hhmm.slice(3, 5))).second(0).millisecond(0)

/** A period after the last one: an hour from where it ends (within the day). */
function nextPeriod(last: Period | undefined): Period {
  const from = last ? last.to : '08:30'
  const minutes = Math.min(Number(from.slice(0, 2)) * 60 + Number(from.slice(3, 5)) + 60, 23 * 60 + 59)
  return { from, to: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` }
}

export function CalendarTab({ year, onYear }: { year: number; onYear: (year: number) => void }) {
  const { t } = useTranslation()
  const { can } = useAuth()
  const { message } = App.useApp()
  const writable = can('case:configure')
  const { data, loading, error, reload } = useLoad(() => getCalendar(year), null as CalendarYear | null, [year])
  const [draft, setDraft] = useState<CalendarRules | null>(null)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<unknown>(null)

  const saved = useMemo(() => new Map((data?.specialDays ?? []).map((d) => [d.date, d])), [data])
  const rules = draft ?? data?.rules
  const dirty = !!(draft && data && !sameRules(draft, data.rules))
  const office = rules ? officeDay(rules.officeHours) : { minutes: 0, valid: true }

  // Once the server holds what was edited (after a save), the edit is done.
  useEffect(() => {
    if (draft && data && sameRules(draft, data.rules)) setDraft(null)
  }, [draft, data])

  // Leaving the page with an unsaved edit asks first.
  useEffect(() => {
    if (!dirty) return
    const warn = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [dirty])

  const edit = (change: (r: CalendarRules) => CalendarRules) => {
    if (!rules) return
    setDraft(change(rules))
  }

  const save = async () => {
    if (!draft) return
    setSaving(true)
    setSaveError(null)
    try {
      const stored = await putCalendar(draft)
      setDraft(stored)
      message.success(t('calendar.saved'))
      reload()
    } catch (e) {
      setSaveError(e) // the edit stays as it is, to be corrected and saved again
    } finally {
      setSaving(false)
    }
  }

  const setPeriod = (index: number, period: Period) => edit((r) => ({ ...r, officeHours: r.officeHours.map((p, i) => (i === index ? period : p)) }))
  const addDay = (list: 'extraHolidays' | 'extraWorkingDays', date: string) => {
    const other = list === 'extraHolidays' ? 'extraWorkingDays' : 'extraHolidays'
    edit((r) => ({ ...r, [list]: [...new Set([...r[list], date])].sort(), [other]: r[other].filter((d) => d !== date) }))
  }
  const removeDay = (list: 'extraHolidays' | 'extraWorkingDays', date: string) => edit((r) => ({ ...r, [list]: r[list].filter((d) => d !== date) }))

  const shownYear = data?.year ?? year
  return (
    <div data-testid="calendar-tab">
      <div className="xh-page-header xh-calendar-bar">
        <Space.Compact>
          <Button icon={<LeftOutlined />} aria-label={t('calendar.prevYear')} onClick={() => onYear(year - 1)} disabled={year <= 2000} data-testid="year-prev" />
          <Button style={{ minWidth: 88, fontWeight: 600 }} data-testid="calendar-year" tabIndex={-1}>{year}</Button>
          <Button icon={<RightOutlined />} aria-label={t('calendar.nextYear')} onClick={() => onYear(year + 1)} disabled={year >= 2100} data-testid="year-next" />
        </Space.Compact>
        {writable && (
          <Space wrap>
            {dirty && <Tag color="orange" data-testid="calendar-dirty">{t('calendar.unsaved')}</Tag>}
            {dirty && <Button onClick={() => { setDraft(null); setSaveError(null) }} data-testid="calendar-discard">{t('calendar.discard')}</Button>}
            <Button type="primary" icon={<SaveOutlined />} loading={saving} disabled={!dirty || !office.valid} onClick={save} data-testid="calendar-save">
              {t('calendar.save')}
            </Button>
          </Space>
        )}
      </div>
      <ServerError error={saveError ?? error} />
      {data && !data.hasOfficialData && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('calendar.noOfficialData', { year: data.year })} data-testid="calendar-no-official" />
      )}
      {!writable && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('calendar.readOnly')} data-testid="calendar-read-only" />}
      {!rules ? (
        <Spin spinning={loading}><div style={{ minHeight: 200 }} /></Spin>
      ) : (
        <>
          <Card size="small" title={t('calendar.officeHours')} style={{ marginBottom: 16 }} data-testid="office-hours">
            <Space orientation="vertical" size={8} style={{ width: '100%' }}>
              {rules.officeHours.map((p, i) => (
                <Space key={i} wrap>
                  <Typography.Text type="secondary">{t('calendar.period')} {i + 1}</Typography.Text>
                  {writable ? (
                    <>
                      <TimePicker.RangePicker
                        format="HH:mm"
                        minuteStep={5}
                        allowClear={false}
                        value={[toTime(p.from), toTime(p.to)]}
                        onChange={(v) => v?.[0] && v[1] && setPeriod(i, { from: v[0].format('HH:mm'), to: v[1].format('HH:mm') })}
                        inputReadOnly
                        data-testid={`period-${i}`}
                      />
                      <Button
                        icon={<DeleteOutlined />}
                        aria-label={t('calendar.removePeriod')}
                        title={t('calendar.removePeriod')}
                        disabled={rules.officeHours.length <= 1}
                        onClick={() => edit((r) => ({ ...r, officeHours: r.officeHours.filter((_, k) => k !== i) }))}
                      />
                    </>
                  ) : (
                    <Tag data-testid={`period-${i}`}>{p.from}–{p.to}</Tag>
                  )}
                </Space>
              ))}
              {writable && rules.officeHours.length < MAX_PERIODS && (
                <Button icon={<PlusOutlined />} onClick={() => edit((r) => ({ ...r, officeHours: [...r.officeHours, nextPeriod(r.officeHours.at(-1))] }))} data-testid="period-add">
                  {t('calendar.addPeriod')}
                </Button>
              )}
              {!office.valid && <Alert type="error" showIcon title={t('calendar.periodOrder')} data-testid="period-invalid" />}
              <Typography.Text strong data-testid="minutes-per-day">{t('calendar.minutesPerDay', { minutes: office.minutes })}</Typography.Text>
            </Space>
          </Card>

          <Card size="small" title={t('calendar.specialDays', { year: shownYear })} style={{ marginBottom: 16 }}>
            <Legend />
            {writable && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('calendar.clickHelp')}</Typography.Paragraph>}
            <Spin spinning={loading}>
              <YearGrid year={shownYear} saved={saved} rules={rules} onToggle={writable ? (d) => edit((r) => toggleDay(d, saved, r)) : undefined} />
            </Spin>
          </Card>

          <div className="xh-day-lists">
            <DayList title={t('calendar.extraHolidays')} list="extraHolidays" dates={rules.extraHolidays} writable={writable} onAdd={addDay} onRemove={removeDay} />
            <DayList title={t('calendar.extraWorkingDays')} list="extraWorkingDays" dates={rules.extraWorkingDays} writable={writable} onAdd={addDay} onRemove={removeDay} />
          </div>
        </>
      )}
    </div>
  )
}

/** The district's own days of one kind (all years), added with a date picker and removed with a tag's close. */
function DayList({ title, list, dates, writable, onAdd, onRemove }: {
  title: string
  list: 'extraHolidays' | 'extraWorkingDays'
  dates: readonly string[]
  writable: boolean
  onAdd: (list: 'extraHolidays' | 'extraWorkingDays', date: string) => void
  onRemove: (list: 'extraHolidays' | 'extraWorkingDays', date: string) => void
}) {
  const { t } = useTranslation()
  return (
    <Card size="small" title={title} data-testid={`list-${list}`}>
      {writable && (
        <DatePicker
          placeholder={t('calendar.addDay')}
          value={null}
          onChange={(d: Dayjs | null) => d && onAdd(list, d.format('YYYY-MM-DD'))}
          disabledDate={(d) => dates.includes(d.format('YYYY-MM-DD'))}
          style={{ marginBottom: 8, width: '100%', maxWidth: 240 }}
          inputReadOnly
          data-testid={`add-${list}`}
        />
      )}
      {dates.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('calendar.noDays')} style={{ margin: 8 }} />
      ) : (
        <div className="xh-day-tags">
          {dates.map((d) => (
            <Tag key={d} closable={writable} onClose={(e) => { e.preventDefault(); onRemove(list, d) }} data-testid={`${list}-${d}`}>{d}</Tag>
          ))}
        </div>
      )}
    </Card>
  )
}
