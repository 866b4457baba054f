// Class table routes: the component/event classes every case is filed under.
import { Type } from 'typebox'
import type { Db } from '../../platform/db/engine.js'
import { type App, Obj } from '../../platform/http.js'
import { CaseClass } from './schemas.js'
import { listClasses } from './service.js'


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
