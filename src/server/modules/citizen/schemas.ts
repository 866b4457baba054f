// Schemas of the citizen routes: what a public reader may send and what they get back (never personal data).
import { Type } from 'typebox'
import { Nullable, Obj, Timestamp, Uuid } from '../../platform/http.js'

const Names = Obj({ 'zh-CN': Type.String(), en: Type.String() })

export const ProblemTypeReply = Obj({
  serviceCode: Type.String({ description: 'the Open311 service code, e.g. component-0101' }),
  name: Names,
  group: Names,
  attributes: Type.Array(Obj({
    code: Type.String(),
    datatype: Type.String(),
    required: Type.Boolean(),
    description: Names,
    datatypeDescription: Type.Optional(Names),
    values: Type.Optional(Type.Array(Obj({ key: Type.String(), name: Names }))),
  })),
})
export const CatalogueReply = Obj({ types: Type.Array(ProblemTypeReply), maxPhotos: Type.Integer() })

export const PublicCaseReply = Obj({
  ticket: Type.String(),
  serviceCode: Type.String(),
  className: Type.String(),
  classNameEn: Nullable(Type.String()),
  stage: Type.Union([Type.Literal('submitted'), Type.Literal('accepted'), Type.Literal('in_progress'), Type.Literal('closed'), Type.Literal('declined')]),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  position: Type.Tuple([Type.Number(), Type.Number()], { description: '[longitude, latitude], WGS84' }),
  address: Nullable(Type.String({ description: 'only once staff published the report text' })),
  description: Nullable(Type.String({ description: 'only once staff published it' })),
  photos: Type.Array(Obj({ url: Type.String(), thumbnailUrl: Type.String() }), { description: 'only photos staff published' }),
  reply: Nullable(Type.String({ description: "the centre's reply to the reporter" })),
  agency: Type.String(),
  reportedAt: Timestamp,
  updatedAt: Timestamp,
  closedAt: Nullable(Timestamp),
  expectedAt: Nullable(Timestamp),
}, { title: 'PublicCase', description: 'What anyone may see of a case: no name, phone, unpublished text or photo' })

const RatingValue = Type.Union([Type.Literal('satisfied'), Type.Literal('basically_satisfied'), Type.Literal('unsatisfied')])

export const ReporterReply = Type.Intersect([PublicCaseReply, Obj({
  rating: Nullable(Obj({ rating: RatingValue, comment: Nullable(Type.String()), at: Timestamp })),
  canRate: Type.Boolean(),
})])

/** A report's fields (multipart form fields, or a JSON body without photos); text fields arrive as text. */
export const SubmitFields = Obj({
  serviceCode: Type.String({ minLength: 1, maxLength: 40 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')], { description: 'coordinates of Chinese phones are GCJ-02; converted on arrival' })),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.String({ maxLength: 20, description: 'optional, for the reply by SMS; never shown publicly' })),
  clientId: Type.Optional(Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'the device\'s id of this report: a retry never makes two cases' })),
  attributes: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 500 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })]))),
})

export const SubmitReply = Obj({
  ticket: Type.String(),
  token: Type.String({ description: 'keep it: it follows and rates the report' }),
  created: Type.Boolean(),
  case: PublicCaseReply,
})

export const TicketParams = Obj({ ticket: Type.String({ pattern: '^[0-9A-Za-z-]{6,40}$' }) })
export const TokenParams = Obj({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) })
export const PhotoParams = Obj({ id: Uuid })

export const RateBody = Obj({ rating: RatingValue, comment: Type.Optional(Type.String({ maxLength: 500 })) })

export const CodeBody = Obj({ phone: Type.String({ minLength: 5, maxLength: 20 }) })
export const CodeReply = Obj({ expiresInSeconds: Type.Integer() })
export const VerifyBody = Obj({ phone: Type.String({ minLength: 5, maxLength: 20 }), code: Type.String({ pattern: '^[0-9]{6}$' }) })
export const MyReportsReply = Obj({ reports: Type.Array(Obj({ token: Type.String(), case: PublicCaseReply })) })

export const MapQuery = Obj({
  bbox: Type.String({ pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'west,south,east,north (WGS84)' }),
})
export const MapReply = Obj({ items: Type.Array(PublicCaseReply), truncated: Type.Boolean() })

// staff
export const PublicationBody = Obj({
  descriptionPublic: Type.Boolean({ description: 'show the reporter\'s text (and address) publicly' }),
  photoIds: Type.Array(Uuid, { maxItems: 20, description: 'the case photos fit for the public (no faces, plates, personal data); the others become private' }),
  reply: Nullable(Type.String({ maxLength: 1000, description: 'the reply to the reporter' })),
})

export const ReporterOfReply = Obj({
  report: Nullable(Obj({
    channel: Type.String(), serviceCode: Type.String(), phone: Nullable(Type.String()), firstName: Nullable(Type.String()), lastName: Nullable(Type.String()),
    email: Nullable(Type.String()), deviceId: Nullable(Type.String()), accountId: Nullable(Type.String()), attributes: Type.Unknown(),
    mediaUrl: Nullable(Type.String()), suspect: Nullable(Type.String()), client: Nullable(Type.String()),
  })),
  ratings: Type.Array(Obj({ rating: RatingValue, comment: Nullable(Type.String()), at: Timestamp, closedAt: Timestamp })),
})
