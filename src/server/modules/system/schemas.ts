// TypeBox schemas of the operations routes: client configuration and the audit log.
import { Type } from 'typebox'
import { Nullable, Obj } from '../../platform/http.js'

const Bbox = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])

export const AppConfig = Obj({
  districtName: Type.String(),
  districtNameEn: Nullable(Type.String()),
  districtCode: Type.String(),
  centre: Type.Tuple([Type.Number(), Type.Number()]),
  bbox: Bbox,
  baseMap: Type.Union([Type.Literal('none'), Type.Literal('osm'), Type.Literal('tianditu')]),
  tiandituKey: Type.Optional(Type.String()),
  demo: Type.Boolean(),
  passwordMinLength: Type.Integer(),
  version: Type.String(),
})

export const AuditEntry = Obj({
  id: Type.Integer(),
  at: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  action: Type.String(),
  entityType: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')]),
  ip: Nullable(Type.String()),
  details: Type.Unknown(),
})

export const ChainCheck = Obj({ ok: Type.Boolean(), checked: Type.Integer(), firstBrokenId: Nullable(Type.Integer()), unsealed: Type.Integer() })
