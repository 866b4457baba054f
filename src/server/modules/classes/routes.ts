// Class table routes: the component/event classes every case is filed under.
import { Type } from 'typebox'
import type { Db } from '../../platform/db/engine.js'
import { type App, Nullable, Obj } from '../../platform/http.js'
import { listClasses } from './service.js'

const CaseClass = Obj({
  kind: Type.String(),
  bigCode: Type.String(),
  bigName: Type.String(),
  bigNameEn: Nullable(Type.String()),
  smallCode: Type.String(),
  smallName: Type.String(),
  smallNameEn: Nullable(Type.String()),
  defaultUrgency: Type.String(),
  citizenChoice: Nullable(Type.String()),
  status: Type.String(),
  active: Type.Boolean(),
})

export function classRoutes(app: App, db: Db) {
  app.get('/api/classes', {
    config: { permission: 'class:read' },
    schema: {
      tags: ['classes'],
      summary: 'Component and event classes (部件/事件)',
      querystring: Obj({ kind: Type.Optional(Type.Union([Type.Literal('component'), Type.Literal('event')])) }),
      response: { 200: Obj({ items: Type.Array(CaseClass) }) },
    },
  }, async (request) => ({ items: await listClasses(db.kysely, request.query.kind) }))
}
