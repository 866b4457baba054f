// Schemas of the Open311 routes: the GeoReport v2 arguments (unknown arguments are tolerated, as 311 clients send
// vendor extras), the fields of a posted request, and the administrators' key routes.
import { Type } from 'typebox'
import { Nullable, Obj, Timestamp, Uuid } from '../../platform/http.js'

/** Arguments every GeoReport v2 method takes; anything else a client adds is ignored. */
const common = {
  jurisdiction_id: Type.Optional(Type.String({ maxLength: 100, description: "the district's code; only one jurisdiction is served" })),
  locale: Type.Optional(Type.String({ maxLength: 20, description: 'en for English names and messages (also from Accept-Language); zh-CN by default' })),
}
const tolerant = { additionalProperties: true }

export const CommonQuery = Type.Object(common, tolerant)

export const RequestsQuery = Type.Object({
  ...common,
  service_request_id: Type.Optional(Type.String({ maxLength: 20_000, description: 'comma-delimited ids; overrides every other argument' })),
  service_code: Type.Optional(Type.String({ maxLength: 2000, description: 'comma-delimited service codes' })),
  start_date: Type.Optional(Type.String({ maxLength: 40, description: 'earliest requested_datetime (W3C), e.g. 2026-01-01T00:00:00Z' })),
  end_date: Type.Optional(Type.String({ maxLength: 40, description: 'latest requested_datetime (W3C); with start_date at most 90 days apart' })),
  status: Type.Optional(Type.String({ maxLength: 40, description: 'comma-delimited: open, closed' })),
}, tolerant)

export const ServiceCodeParams = Obj({ service_code: Type.String({ minLength: 1, maxLength: 60 }) })
export const RequestIdParams = Obj({ service_request_id: Type.String({ minLength: 1, maxLength: 60 }) })
export const TokenParams = Obj({ token: Type.String({ minLength: 1, maxLength: 100 }) })

/**
 * A posted request after its form fields are gathered (attribute[code]=v and attribute[code][]=v become `attribute`).
 * Empty fields count as absent (the spec's "optional arguments").
 */
export const PostFields = Type.Object({
  ...common,
  api_key: Type.Optional(Type.String({ maxLength: 200 })),
  service_code: Type.Optional(Type.String({ maxLength: 60 })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  long: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  address_string: Type.Optional(Type.String({ maxLength: 500 })),
  address_id: Type.Optional(Type.String({ maxLength: 100 })),
  email: Type.Optional(Type.String({ maxLength: 200 })),
  device_id: Type.Optional(Type.String({ maxLength: 200 })),
  account_id: Type.Optional(Type.String({ maxLength: 200 })),
  first_name: Type.Optional(Type.String({ maxLength: 100 })),
  last_name: Type.Optional(Type.String({ maxLength: 100 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  media_url: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://' })),
  attribute: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.Union([Type.String({ maxLength: 500 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })]))),
}, tolerant)

// administrators' key routes
export const CreateKeyBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'who the client is (an app, an integrator)' }),
  requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'requests the key may create per minute (default 600)' })),
  webhookUrl: Type.Optional(Type.String({ maxLength: 500, pattern: '^https?://', description: 'told (signed) when a request made with this key changes stage' })),
})

export const KeyReply = Obj({
  id: Uuid,
  name: Type.String(),
  keyHint: Type.String({ description: 'the first characters of the key, to tell keys apart' }),
  requestsPerMinute: Type.Integer(),
  webhookUrl: Nullable(Type.String()),
  createdAt: Timestamp,
  revokedAt: Nullable(Timestamp),
})

export const CreatedKeyReply = Type.Intersect([KeyReply, Obj({
  key: Type.String({ description: 'the api_key: shown this once, only its SHA-256 is kept' }),
  webhookSecret: Nullable(Type.String({ description: 'signs the webhook calls: shown this once' })),
})])

export const KeyListReply = Obj({ items: Type.Array(KeyReply) })
export const KeyIdParams = Obj({ id: Uuid })
