// TypeBox schemas of the evaluation routes (the rankings reply is a contract other pages rely on: add, never rename).
import { Type } from 'typebox'
import { Nullable, Obj, Timestamp, Uuid } from '../../platform/http.js'
import { SUBJECTS } from './indicators.js'

const Names = Obj({ 'zh-CN': Type.String(), en: Type.String() })
export const SubjectParam = Type.Union(SUBJECTS.map((s) => Type.Literal(s)))
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })

export const PeriodQuery = Obj({
  period: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'a month, YYYY-MM (UTC+8); default the current month' })),
  from: Type.Optional(Day),
  to: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'last day included' })),
})

export const RankingQuery = Obj({ ...PeriodQuery.properties, subject: Type.Optional(SubjectParam) })
export const ReportQuery = Obj({
  ...PeriodQuery.properties,
  subjects: Type.Optional(Type.String({ maxLength: 80, description: 'comma-separated subjects; default units,streets' })),
  lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
})

const Indicators = Type.Record(Type.String(), Nullable(Type.Number()))

export const RankingRow = Obj({
  rank: Nullable(Type.Integer({ description: 'null with the composite: no data in the period (无数据), listed after the ranked rows' })),
  id: Uuid,
  name: Type.String(),
  nameEn: Nullable(Type.String()),
  composite: Nullable(Type.Number({ description: 'out of 100; null when nothing of the subject was counted in the period' })),
  previousRank: Nullable(Type.Integer()),
  previousComposite: Nullable(Type.Number()),
  indicators: Indicators,
})

export const RankingReply = Obj({
  subject: Type.String(),
  period: Obj({ key: Type.String(), from: Timestamp, to: Timestamp, label: Type.String() }),
  frozen: Type.Boolean(),
  frozenAt: Nullable(Timestamp),
  formula: Names,
  rows: Type.Array(RankingRow),
})

export const DrillQuery = Obj({ ...PeriodQuery.properties, subject: SubjectParam, id: Uuid, indicator: Type.String({ maxLength: 40 }) })

export const DrillReply = Obj({
  subject: Type.String(),
  id: Uuid,
  name: Type.String(),
  indicator: Type.String(),
  facts: Type.Array(Type.String()),
  frozen: Type.Boolean({ description: 'the period is published: its figures are as published, this list is as the cases are now' }),
  truncated: Type.Boolean(),
  items: Type.Array(Obj({
    id: Uuid, ticket: Type.String(), fact: Type.String(), at: Timestamp, state: Type.String(), classKind: Type.String(), classCode: Type.String(), address: Nullable(Type.String()),
  })),
})

const Points = Type.Number({ minimum: 0, maximum: 100 })
const FirstGroups = {
  unit: Obj({ weights: Obj({ onTimeRate: Points, disposalRate: Points, reworkFree: Points }), deductPerOverdue: Type.Number({ minimum: 0, maximum: 100 }), deductPerUrge: Type.Number({ minimum: 0, maximum: 100 }) }),
  region: Obj({ weights: Obj({ onTimeClosureRate: Points, closureRate: Points, recurrenceFree: Points }), recurrenceDays: Type.Integer({ minimum: 1, maximum: 365 }) }),
  supervisor: Obj({ weights: Obj({ validRate: Points, onTimeVerificationRate: Points, onTimeCheckRate: Points, missFree: Points }) }),
}
const Acceptor = Obj({ weights: Obj({ accurateFilingRate: Points, onTimeFilingRate: Points }) })
const Dispatcher = Obj({ weights: Obj({ accurateDispatchRate: Points, onTimeDispatchRate: Points }) })
const Publication = Obj({
  auto: Type.Boolean({ description: 'publish the previous month by itself' }),
  day: Type.Integer({ minimum: 1, maximum: 28, description: 'from this day of the month on (UTC+8)' }),
})

/** What a client sends: the groups added later may be left out (they keep their current values). */
export const Settings = Obj({ ...FirstGroups, acceptor: Type.Optional(Acceptor), dispatcher: Type.Optional(Dispatcher), publication: Type.Optional(Publication) })
const StoredSettings = Obj({ ...FirstGroups, acceptor: Acceptor, dispatcher: Dispatcher, publication: Publication })

export const SettingsReply = Obj({
  settings: StoredSettings, version: Type.Integer(), updatedAt: Nullable(Timestamp),
  formulas: Obj({ unit: Names, region: Names, supervisor: Names, acceptor: Names, dispatcher: Names }),
})

export const PeriodParams = Obj({ period: Type.String({ maxLength: 30, description: 'YYYY-MM or YYYY-MM-DD..YYYY-MM-DD' }) })

export const FreezeReply = Obj({ period: Type.String(), frozen: Type.Boolean(), frozenAt: Timestamp, frozenBy: Type.String() })

const Ranked = Obj({ rank: Nullable(Type.Integer()), composite: Nullable(Type.Number()) })
const Difference = Obj({
  id: Type.String(),
  name: Type.String(),
  published: Nullable(Ranked),
  now: Nullable(Ranked),
  indicators: Type.Record(Type.String(), Type.Array(Nullable(Type.Number()))),
})
export const DiffReply = Obj({ period: Type.String(), frozenAt: Timestamp, subjects: Type.Record(Type.String(), Type.Array(Difference)) })

export const PublishedReply = Obj({ items: Type.Array(Obj({ period: Type.String(), from: Timestamp, to: Timestamp, frozenAt: Timestamp })) })
