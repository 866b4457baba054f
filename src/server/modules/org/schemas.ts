// TypeBox schemas of the organisation and grid routes.
import { Type } from 'typebox'
import { Nullable, Obj, Uuid } from '../../platform/http.js'

export const Kind = Type.Union([Type.Literal('district'), Type.Literal('street'), Type.Literal('zone'), Type.Literal('community'), Type.Literal('department'), Type.Literal('sub_unit')])

export const Unit = Obj({
  id: Uuid,
  parentId: Nullable(Uuid),
  kind: Kind,
  code: Type.String(),
  name: Type.String(),
  nameEn: Nullable(Type.String()),
  path: Type.String(),
  sort: Type.Integer(),
  active: Type.Boolean(),
  demo: Type.Boolean(),
  version: Type.Integer(),
})

export const UnitQuery = Obj({ kind: Type.Optional(Kind), parentId: Type.Optional(Uuid), q: Type.Optional(Type.String({ maxLength: 60 })) })
export const UnitList = Obj({ items: Type.Array(Unit), total: Type.Integer() })
export const IdParams = Obj({ id: Uuid })

const Name = Type.String({ minLength: 1, maxLength: 60 })
export const CreateUnitBody = Obj({
  parentId: Uuid,
  kind: Kind,
  code: Type.String({ minLength: 2, maxLength: 32 }),
  name: Name,
  nameEn: Type.Optional(Type.String({ maxLength: 120 })),
  sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
})
export const UpdateUnitBody = Obj({
  version: Type.Integer({ minimum: 1 }),
  name: Type.Optional(Name),
  nameEn: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
  sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  active: Type.Optional(Type.Boolean()),
})

export const Duty = Type.Union([Type.Literal('supervisor'), Type.Literal('grid_worker'), Type.Literal('responsible')])

export const Cell = Obj({
  id: Uuid,
  code: Type.String(),
  name: Nullable(Type.String()),
  communityId: Uuid,
  communityName: Type.String(),
  streetId: Type.String(),
  streetName: Type.String(),
  areaM2: Type.Number(),
  people: Type.Array(Obj({ userId: Uuid, displayName: Type.String(), duty: Duty })),
  demo: Type.Boolean(),
  version: Type.Integer(),
})

export const CellQuery = Obj({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  streetId: Type.Optional(Uuid),
  communityId: Type.Optional(Uuid),
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
})
export const CellList = Obj({ items: Type.Array(Cell), total: Type.Integer() })

const Longitude = Type.Number({ minimum: -180, maximum: 180 })
const Latitude = Type.Number({ minimum: -90, maximum: 90 })

export const GeoJsonQuery = Obj({
  bbox: Type.Optional(Type.String({ pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', maxLength: 100, description: 'minLng,minLat,maxLng,maxLat (WGS84)' })),
  limit: Type.Integer({ minimum: 1, maximum: 20_000, default: 5_000 }),
})

export const ExportQuery = Obj({ streetId: Type.Optional(Uuid) })

export const LookupQuery = Obj({
  lng: Longitude,
  lat: Latitude,
  crs: Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')], { default: 'wgs84', description: 'coordinate system of the point; GCJ-02 and BD-09 are converted to WGS84' }),
})

const UnitRef = Nullable(Obj({ id: Uuid, code: Type.String(), name: Type.String() }))
export const LookupReply = Obj({
  point: Type.Tuple([Type.Number(), Type.Number()]),
  cell: Nullable(Obj({ id: Uuid, code: Type.String(), name: Nullable(Type.String()) })),
  community: UnitRef,
  street: UnitRef,
  district: UnitRef,
  people: Type.Array(Obj({ userId: Uuid, displayName: Type.String(), phone: Nullable(Type.String()), duty: Duty })),
})

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 })
const Ring = Type.Array(Position, { minItems: 4, maxItems: 100_000 })
const Polygon = Obj({ type: Type.Literal('Polygon'), coordinates: Type.Array(Ring, { minItems: 1, maxItems: 1000 }) })
const MultiPolygon = Obj({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(Type.Array(Ring, { minItems: 1, maxItems: 1000 }), { minItems: 1, maxItems: 1000 }) })

export const ImportBody = Obj({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      geometry: Type.Union([Polygon, MultiPolygon]),
      properties: Type.Object({ code: Type.String({ pattern: '^[0-9]{15}$' }), name: Type.Optional(Nullable(Type.String({ maxLength: 60 }))) }),
    }),
    { minItems: 1, maxItems: 20_000 },
  ),
})

export const ImportReply = Obj({
  created: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Array(Obj({ index: Type.Integer(), code: Type.Optional(Type.String()), message: Type.String(), messages: Type.Optional(Obj({ 'zh-CN': Type.String(), en: Type.String() })) })),
})

export const FeatureCollection = Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) })

/** Properties of each feature of /api/grid/cells.geojson and of the export. */
export const CellFeatureProps = Obj({
  code: Type.String(),
  name: Nullable(Type.String()),
  communityCode: Type.String(),
  communityName: Type.String(),
  streetCode: Type.String(),
  streetName: Type.String(),
  areaM2: Type.Number(),
  demo: Type.Boolean(),
})

export const CellPeopleBody = Obj({
  people: Type.Array(Obj({ userId: Uuid, duty: Duty }), { maxItems: 50 }),
})

export const ExtentReply = Obj({ bbox: Nullable(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])) })
