// Working-calendar routes: the district's rules and the special days of a year; administrators change the rules.
import { Type } from 'typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { type App, Obj } from '../../platform/http.js'
import type { DistrictCalendar } from './calendar-settings.js'

const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })

const Rules = Obj({
  officeHours: Type.Array(Obj({ from: Time, to: Time }), { minItems: 1, maxItems: 4, description: 'office periods in local time, in order' }),
  extraHolidays: Type.Array(Day, { maxItems: 366, description: 'days the district does not work although the national calendar does' }),
  extraWorkingDays: Type.Array(Day, { maxItems: 366, description: 'days the district works although the national calendar does not' }),
})

const YearReply = Obj({
  rules: Rules,
  year: Type.Integer(),
  hasOfficialData: Type.Boolean({ description: 'whether the State Council holiday arrangement of this year is known (else weekends only)' }),
  minutesPerDay: Type.Number(),
  /** Days that are not plain weekdays or weekends: public holidays, make-up working days, district days. */
  specialDays: Type.Array(Obj({ date: Day, working: Type.Boolean(), reason: Type.String(), holiday: Type.Optional(Type.String()) })),
})

export function calendarRoutes(app: App, calendar: DistrictCalendar) {
  const tags = ['cases']
  const reply = (year: number) => {
    const { hasOfficialData, days } = calendar.year(year)
    const specialDays = days.filter((d) => d.reason !== 'weekday' && d.reason !== 'weekend')
    return { rules: calendar.rules(), year, hasOfficialData, minutesPerDay: calendar.minutesPerDay, specialDays }
  }

  app.get('/api/calendar', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'The working calendar deadlines are counted in: the district rules and the special days of a year', querystring: Obj({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }), response: { 200: YearReply } },
  }, async (request) => reply(request.query.year))

  app.put('/api/calendar', {
    config: { permission: 'case:configure' },
    schema: { tags, summary: 'Set the district working-day rules (applies to deadlines set from now on; audited)', body: Rules, response: { 200: Rules } },
  }, async (request) => calendar.update(principalOf(request), request.body))
}
