// TypeBox schemas of the case routes.
import { type Static, Type } from 'typebox'
import { Nullable, Obj, Uuid } from '../../platform/http.js'
import { ALL_ACTIONS, ALL_STATES, CASE_SOURCES, REJECT_REASONS } from './workflow.js'

const Urgency = Type.Union([Type.Literal('urgent'), Type.Literal('important'), Type.Literal('normal'), Type.Literal('complex')])
const Source = Type.Union(CASE_SOURCES.map((s) => Type.Literal(s)))
const State = Type.Union(ALL_STATES.map((s) => Type.Literal(s)))
const Text = Type.String({ minLength: 1, maxLength: 500 })

/** Photos one report may carry, sent with it or uploaded before it. */
export const MAX_REPORT_PHOTOS = 9

const reportFields = {
  clientId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description: 'chosen by the client; a retry with the same id returns the same case' }),
  source: Source,
  classKind: Type.Union([Type.Literal('component'), Type.Literal('event')]),
  classCode: Type.String({ pattern: '^[0-9]{4,6}$' }),
  urgency: Type.Optional(Urgency),
  description: Type.String({ minLength: 1, maxLength: 2000 }),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')])),
}

export const ReportBody = Obj({
  ...reportFields,
  photoIds: Type.Optional(Type.Array(Uuid, { maxItems: MAX_REPORT_PHOTOS, description: 'photos of the problem (POST /api/files first), by the reporter' })),
})

/** The text fields of a report sent as multipart/form-data together with its `photo` files. */
export const ReportFormFields = Obj(reportFields)

export const CaseSummary = Obj({
  id: Uuid,
  ticket: Type.String(),
  source: Type.String(),
  classKind: Type.String(),
  classCode: Type.String(),
  urgency: Urgency,
  description: Type.String(),
  address: Nullable(Type.String()),
  position: Type.Tuple([Type.Number(), Type.Number()]),
  streetName: Nullable(Type.String()),
  state: Type.String(),
  assignedUnitId: Nullable(Type.String()),
  assignedUnitName: Nullable(Type.String()),
  deadline: Nullable(Type.String()),
  light: Nullable(Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')])),
  counters: Type.Record(Type.String(), Type.Integer()),
  hasPendingExtension: Type.Boolean({ description: 'an extension request waits for the dispatcher' }),
  hasPendingSuspension: Type.Boolean({ description: 'a suspension request waits for the shift leader' }),
  hasPendingReview: Type.Boolean({ description: 'a citizen is unsatisfied with the closing; the centre reviews it (reopen or keep closed)' }),
  version: Type.Integer(),
  createdAt: Type.String(),
})

export const CaseDetail = Type.Object({
  ...CaseSummary.properties,
  suggestedUnitId: Nullable(Type.String({ description: 'the disposal unit the responsibility matrix names for this class and place' })),
  suggestedUnitName: Nullable(Type.String()),
  possibleDuplicates: Type.Array(Type.String(), { description: 'open cases of the same class reported nearby shortly before (candidates to merge into)' }),
  gridCellId: Nullable(Type.String()),
  rejectReason: Nullable(Type.String()),
  mergedInto: Nullable(Type.String()),
  pendingExtension: Type.Unknown(),
  pendingSuspension: Type.Unknown(),
  pendingReview: Type.Unknown({ description: 'the unsatisfied rating waiting for review: { rating, comment, ratedAt }' }),
  publicDescription: Type.Boolean({ description: 'the description is shown to the public' }),
  publicReply: Nullable(Type.String({ description: 'the reply to the reporter, shown on the public pages' })),
  actions: Type.Array(Type.String()),
  timeline: Type.Array(Type.Object({
    kind: Type.String(),
    action: Type.String(),
    at: Type.String(),
    actorId: Nullable(Type.String()),
    actorName: Nullable(Type.String({ description: 'the display name of who acted (null for the system)' })),
    role: Type.String(),
    unitId: Nullable(Type.String()),
    unitName: Nullable(Type.String()),
    fromState: Type.String(),
    toState: Type.String(),
    comment: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    photoIds: Type.Array(Type.String()),
    detail: Type.Unknown(),
  })),
}, { additionalProperties: false })

export const ReportReply = Obj({ created: Type.Boolean(), case: CaseDetail })

export const ActionBody = Obj({
  version: Type.Integer({ minimum: 1, description: 'the case version the user saw (optimistic concurrency)' }),
  type: Type.Union(ALL_ACTIONS.map((a) => Type.Literal(a))),
  comment: Type.Optional(Type.String({ maxLength: 500 })),
  reason: Type.Optional(Text),
  photoIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
  unitId: Type.Optional(Uuid),
  newDeadline: Type.Optional(Type.String({ format: 'date-time' })),
  rejectReason: Type.Optional(Type.Union(Object.keys(REJECT_REASONS).map((r) => Type.Literal(r)))),
  into: Type.Optional(Uuid),
})

const LightValue = Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')])

/** The filters the list, the export and the map share. */
const CaseFilters = {
  state: Type.Optional(Type.Array(State, { maxItems: 20 })),
  classCode: Type.Optional(Type.String({ pattern: '^[0-9]{4,6}$' })),
  streetId: Type.Optional(Uuid),
  assignedUnitId: Type.Optional(Uuid),
  source: Type.Optional(Source),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  overdue: Type.Optional(Type.Boolean()),
  mine: Type.Optional(Type.Boolean({ description: 'only cases dispatched to my unit or a unit under it' })),
  myCells: Type.Optional(Type.Boolean({ description: 'only cases in the grid cells I am the responsible supervisor of' })),
  pending: Type.Optional(Type.Union([Type.Literal('extension'), Type.Literal('suspension'), Type.Literal('review')], { description: 'only cases with this request waiting (review: an unsatisfied citizen rating)' })),
  light: Type.Optional(Type.Array(LightValue, { maxItems: 3 })),
}

export const CaseQuery = Obj({
  ...CaseFilters,
  sort: Type.Union([Type.Literal('created'), Type.Literal('deadline'), Type.Literal('light')], { default: 'created', description: 'created: newest first; deadline: nearest first; light: red, yellow, green, then nearest deadline' }),
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1, description: 'pages reach the first 2,000 matches (the count); a page past them is refused with PAGE_TOO_DEEP' }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
})

export const ExportQuery = Obj(CaseFilters)

export const MapQuery = Obj({
  ...CaseFilters,
  bbox: Type.Optional(Type.String({ pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'minLng,minLat,maxLng,maxLat (WGS-84)' })),
})

/** A marker of the command map: where, and how pressing; the popup reads the case (GET /api/cases/{id}) when clicked. */
export const MapCase = Obj({
  id: Uuid,
  position: Type.Tuple([Type.Number(), Type.Number()]),
  light: Nullable(LightValue),
})

export const MapReply = Obj({ items: Type.Array(MapCase), total: Type.Integer(), truncated: Type.Boolean() })

export type CaseQueryType = Static<typeof CaseQuery>

export const CaseList = Obj({
  items: Type.Array(CaseSummary),
  total: Type.Integer({ description: 'matching cases, counted up to 2,000' }),
  totalCapped: Type.Boolean({ description: 'more than `total` cases match (the count stops at 2,000)' }),
})
export const IdParams = Obj({ id: Uuid })
export type ReportBodyType = Static<typeof ReportBody>
