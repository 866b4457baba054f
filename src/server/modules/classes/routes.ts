// Class table routes: the component/event classes every case is filed under.
import { Type } from 'typebox'
import type { Db } from '../../platform/db/engine.js'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf } from '../../platform/auth/principal.js'
import { audit } from '../../platform/audit.js'
import { AppError } from '../../platform/errors.js'
import { type App, Obj } from '../../platform/http.js'
import { CaseClass } from './schemas.js'
import { ClassTableError, listClasses, parseClassCsv, upsertClasses } from './service.js'


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

  app.post('/api/classes/import', {
    config: { permission: 'class:write' },
    bodyLimit: 4 * 1024 * 1024,
    schema: {
      tags: ['classes'],
      summary: "Load the district's class table from CSV (upsert by kind and small code); all rows or none",
      body: Obj({ csv: Type.String({ minLength: 1, maxLength: 2_000_000 }) }),
      response: { 200: Obj({ imported: Type.Integer() }) },
    },
  }, async (request) => {
    let rows
    try {
      rows = parseClassCsv(request.body.csv)
    } catch (error) {
      if (!(error instanceof ClassTableError)) throw error
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `第 ${error.line} 行：${error.zh}`, en: `line ${error.line}: ${error.en}` } }, { line: error.line })
    }
    const imported = await db.kysely.transaction().execute(async (trx) => {
      const count = await upsertClasses(trx, rows)
      await audit(trx, actorOf(principalOf(request)), { action: 'classes.import', entityType: 'case_class', details: { rows: count } })
      return count
    })
    return { imported }
  })
}
