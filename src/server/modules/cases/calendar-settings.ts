// The district's working-day rules (office hours, its own holidays and working days) as a setting an administrator
// changes at run time: stored in `settings`, audited, and applied in every process through NOTIFY. Deadlines set
// after a change use the new rules; deadlines already set stay as they were (they were promised then).
import type { Db } from '../../platform/db/engine.js'
import { audit } from '../../platform/audit.js'
import { actorOf, type Principal, requirePermission } from '../../platform/auth/principal.js'
import { AppError } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { type CalendarConfig, createWorkingCalendar, DEFAULT_OFFICE_HOURS, type DayInfo, type OfficePeriod, type WorkingCalendar } from './calendar.js'

const KEY = 'calendar'
const CHANGED = 'settings.calendar.changed'

/** The rules as stored and edited (the time zone stays the district's, fixed at +08:00). */
export interface CalendarRules {
  officeHours: OfficePeriod[]
  extraHolidays: string[]
  extraWorkingDays: string[]
}

export const DEFAULT_RULES: CalendarRules = { officeHours: [...DEFAULT_OFFICE_HOURS], extraHolidays: [], extraWorkingDays: [] }

/**
 * A WorkingCalendar whose rules can change: every question goes to the calendar built from the current rules. The
 * case service holds this one object for the life of the process.
 */
export class DistrictCalendar implements WorkingCalendar {
  private calendar: WorkingCalendar = createWorkingCalendar()
  private current: CalendarRules = DEFAULT_RULES

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
  ) {
    events.on(CHANGED, () => void this.load())
  }

  async load(): Promise<void> {
    const row = await this.db.kysely.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst()
    const rules = row ? { ...DEFAULT_RULES, ...(row.value as Partial<CalendarRules>) } : DEFAULT_RULES
    this.calendar = build(rules)
    this.current = rules
  }

  rules(): CalendarRules {
    return this.current
  }

  /** Checks the rules by building a calendar from them, stores them, and tells every process. */
  async update(principal: Principal, rules: CalendarRules): Promise<CalendarRules> {
    requirePermission(principal, 'case:configure')
    const clash = rules.extraHolidays.filter((d) => rules.extraWorkingDays.includes(d))
    if (clash.length) {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `同一天不能既是休息日又是工作日：${clash.join('、')}`, en: `a day cannot be both a holiday and a working day: ${clash.join(', ')}` } }, { dates: clash })
    }
    let calendar: WorkingCalendar
    try {
      calendar = build(rules)
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^calendar: /, '') : String(error)
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `工作日规则无效：${message}`, en: `invalid working-day rules: ${message}` } })
    }
    const stored: CalendarRules = {
      officeHours: rules.officeHours,
      extraHolidays: [...new Set(rules.extraHolidays)].sort(),
      extraWorkingDays: [...new Set(rules.extraWorkingDays)].sort(),
    }
    await this.db.kysely.transaction().execute(async (trx) => {
      const value = JSON.stringify(stored)
      await trx.insertInto('settings').values({ key: KEY, value, updated_by: principal.userId })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_by: principal.userId, updated_at: new Date() }))
        .execute()
      await audit(trx, actorOf(principal), { action: 'settings.calendar.update', entityType: 'settings', entityId: KEY, details: { before: this.current, after: stored } })
    })
    this.calendar = calendar
    this.current = stored
    await this.events.publish({ type: CHANGED })
    return stored
  }

  /** Every day of a year with its status and the rule that decided it (for the settings page). */
  year(year: number): { hasOfficialData: boolean; days: DayInfo[] } {
    const days: DayInfo[] = []
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) days.push(this.calendar.dayInfo(new Date(t).toISOString().slice(0, 10)))
    return { hasOfficialData: this.calendar.hasOfficialData(year), days }
  }

  get minutesPerDay(): number {
    return this.calendar.minutesPerDay
  }
  isWorkingDay(date: Date | string): boolean {
    return this.calendar.isWorkingDay(date)
  }
  dayInfo(date: Date | string): DayInfo {
    return this.calendar.dayInfo(date)
  }
  hasOfficialData(year: number): boolean {
    return this.calendar.hasOfficialData(year)
  }
  addWorkingMinutes(start: Date, minutes: number): Date {
    return this.calendar.addWorkingMinutes(start, minutes)
  }
  addWorkingDays(start: Date, days: number): Date {
    return this.calendar.addWorkingDays(start, days)
  }
  workingMinutesBetween(a: Date, b: Date): number {
    return this.calendar.workingMinutesBetween(a, b)
  }
}

function build(rules: CalendarRules): WorkingCalendar {
  const config: CalendarConfig = { officeHours: rules.officeHours, extraHolidays: rules.extraHolidays, extraWorkingDays: rules.extraWorkingDays }
  return createWorkingCalendar(config)
}
