// TypeBox schemas of the analytics routes (城管大脑).
import { Type } from 'typebox'
import { Nullable, Obj, Uuid } from '../../platform/http.js'

const Names = Obj({ 'zh-CN': Type.String(), en: Type.String() })
const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local date YYYY-MM-DD' })
const Period = Obj({ from: LocalDate, to: LocalDate })
const PeriodQuery = {
  from: Type.Optional(LocalDate),
  to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local date YYYY-MM-DD, inclusive (default today)' })),
}
const Count = Type.Integer({ minimum: 0 })

export const SummaryQuery = Obj({ overdue: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 20, description: 'how many overdue cases to list' })) })

const OverdueCase = Obj({
  id: Uuid,
  ticket: Type.String(),
  state: Type.String(),
  className: Names,
  streetName: Nullable(Names),
  unitName: Nullable(Names),
  address: Nullable(Type.String()),
  dueAt: Type.String(),
  overdueMinutes: Count,
  urgeCount: Count,
})

export const Summary = Obj({
  at: Type.String(),
  today: Obj({ date: LocalDate, reported: Count, closed: Count }),
  month: Obj({
    from: LocalDate,
    reported: Count,
    filed: Type.Integer({ description: 'reported this month and filed (立案) since' }),
    closed: Type.Integer({ description: 'of those, closed (结案)' }),
    closureRate: Nullable(Type.Number({ description: 'closed / filed (结案率); null with none filed' })),
  }),
  open: Obj({ total: Count, red: Count, yellow: Count, green: Count, none: Count }),
  streets: Type.Array(Obj({ id: Nullable(Type.String()), name: Nullable(Names), open: Count, overdue: Count })),
  overdue: Type.Array(OverdueCase),
  latest: Type.Array(Obj({
    id: Uuid, ticket: Type.String(), source: Type.String(), sourceName: Names, state: Type.String(), className: Names, streetName: Nullable(Names), createdAt: Type.String(),
  }), { description: 'the newest reports' }),
})

export const TrendQuery = Obj({
  by: Type.Union([Type.Literal('class'), Type.Literal('source'), Type.Literal('street'), Type.Literal('unit')], { default: 'class' }),
  interval: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { default: 'day' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 8 })),
  ...PeriodQuery,
})

export const Trends = Obj({
  by: Type.String(),
  interval: Type.String(),
  period: Period,
  buckets: Type.Array(LocalDate, { description: 'first day of every interval of the period (weeks from Monday)' }),
  total: Count,
  series: Type.Array(Obj({ key: Nullable(Type.String()), name: Names, total: Count, counts: Type.Array(Count) })),
  other: Nullable(Obj({ total: Count, counts: Type.Array(Count) })),
})

export const HotspotQuery = Obj({
  withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30, description: 'a report within this many days of the one before it (same cell, same class) is a recurrence' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 30 })),
  ...PeriodQuery,
})

const DayPart = Type.Union([Type.Literal('night'), Type.Literal('morning'), Type.Literal('noon'), Type.Literal('afternoon'), Type.Literal('evening')])
export const Hotspots = Obj({
  period: Period,
  withinDays: Type.Integer(),
  items: Type.Array(Obj({
    cellId: Uuid,
    cellCode: Nullable(Type.String()),
    streetName: Nullable(Names),
    classKind: Type.String(),
    classCode: Type.String(),
    className: Names,
    count: Count,
    recurrences: Count,
    position: Type.Tuple([Type.Number(), Type.Number()]),
    hours: Type.Array(Count, { description: 'reports by local hour 0–23' }),
    weekdays: Type.Array(Count, { description: 'reports by weekday, 0 Sunday … 6 Saturday' }),
    timeOfDay: Nullable(Obj({ part: DayPart, share: Type.Number() })),
    weekday: Nullable(Type.Union([
      Obj({ kind: Type.Literal('day'), weekday: Type.Integer(), share: Type.Number() }),
      Obj({ kind: Type.Literal('weekend'), share: Type.Number() }),
      Obj({ kind: Type.Literal('workdays'), share: Type.Number() }),
    ])),
    reason: Names,
  })),
  heat: Type.Array(Obj({ lng: Type.Number(), lat: Type.Number(), count: Count, recurrences: Count })),
})

export const SourcesQuery = Obj({ top: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, default: 3 })), ...PeriodQuery })

export const StreetSources = Obj({
  period: Period,
  items: Type.Array(Obj({
    streetId: Nullable(Type.String()),
    streetName: Nullable(Names),
    total: Count,
    sources: Type.Array(Obj({ source: Type.String(), name: Names, count: Count, share: Type.Number() })),
  })),
})

export const ForecastQuery = Obj({
  classKind: Type.Optional(Type.Union([Type.Literal('component'), Type.Literal('event')])),
  classCode: Type.Optional(Type.String({ pattern: '^[0-9]{4,6}$' })),
  streetId: Type.Optional(Uuid),
  horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: 56, default: 28, description: 'days ahead' })),
  historyDays: Type.Optional(Type.Integer({ minimum: 28, maximum: 730, default: 182 })),
  backtestWeeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, default: 4 })),
})

const DayKind = Type.Union([Type.Literal('normal'), Type.Literal('holiday'), Type.Literal('makeup')])
const Ahead = Obj({ key: Nullable(Type.String()), name: Names, history: Count, next7: Type.Number(), next28: Type.Number() })
export const Forecast = Obj({
  filter: Obj({ classKind: Nullable(Type.String()), classCode: Nullable(Type.String()), streetId: Nullable(Type.String()) }),
  history: Type.Array(Obj({ date: LocalDate, count: Count })),
  forecast: Type.Array(Obj({ date: LocalDate, kind: DayKind, expected: Type.Number() })),
  weekly: Type.Array(Obj({ from: LocalDate, to: LocalDate, expected: Type.Number() })),
  backtest: Obj({
    weeks: Type.Integer(),
    mae: Nullable(Type.Number({ description: 'mean absolute error, cases per day' })),
    mape: Nullable(Type.Number({ description: 'mean absolute percentage error (0.2 = 20 %) over days with cases' })),
    days: Type.Integer(),
    daysWithCases: Type.Integer(),
    points: Type.Array(Obj({ date: LocalDate, actual: Count, expected: Type.Number() })),
  }),
  breakdown: Obj({ days: Type.Integer({ description: 'history days behind each line' }), streets: Type.Array(Ahead), classes: Type.Array(Ahead) }),
})
