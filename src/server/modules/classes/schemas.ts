// TypeBox schema of a component/event class as the API shows it.
import { Type } from 'typebox'
import { Nullable, Obj } from '../../platform/http.js'

export const CaseClass = Obj({
  kind: Type.Union([Type.Literal('component'), Type.Literal('event')]),
  bigCode: Type.String(),
  bigName: Type.String(),
  bigNameEn: Nullable(Type.String()),
  smallCode: Type.String(),
  smallName: Type.String(),
  smallNameEn: Nullable(Type.String()),
  defaultUrgency: Type.Union([Type.Literal('urgent'), Type.Literal('important'), Type.Literal('normal'), Type.Literal('complex')]),
  citizenChoice: Nullable(Type.String()),
  status: Type.Union([Type.Literal('provisional'), Type.Literal('official'), Type.Literal('local')]),
  active: Type.Boolean(),
})
