// Responsibility matrix routes: list the rules, set a rule for a class in an area, remove one.
import { Type } from 'typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { type App, Nullable, Obj, OkReply, Uuid } from '../../platform/http.js'
import type { DispatchMatrix } from './matrix-service.js'

const Rule = Obj({
  id: Uuid,
  classKind: Type.Union([Type.Literal('component'), Type.Literal('event')]),
  bigCode: Type.String(),
  smallCode: Nullable(Type.String()),
  areaUnitId: Uuid,
  unitId: Uuid,
  auto: Type.Boolean(),
})

const RuleBody = Obj({
  classKind: Type.Union([Type.Literal('component'), Type.Literal('event')]),
  bigCode: Type.String({ pattern: '^[0-9]{2}$' }),
  smallCode: Nullable(Type.String({ pattern: '^[0-9]{4,6}$' })),
  areaUnitId: Uuid,
  unitId: Uuid,
  auto: Type.Boolean({ description: 'dispatch by itself once the case is filed' }),
})

export function matrixRoutes(app: App, matrix: DispatchMatrix) {
  const tags = ['cases']
  app.get('/api/dispatch-rules', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'The responsibility matrix (class × area → disposal unit)', response: { 200: Obj({ items: Type.Array(Rule) }) } },
  }, async () => ({ items: matrix.list() }))

  app.post('/api/dispatch-rules', {
    config: { permission: 'case:configure' },
    schema: { tags, summary: 'Set the disposal unit of a class (small or whole big class) in an area; replaces that rule', body: RuleBody, response: { 200: Rule } },
  }, async (request) => matrix.put(principalOf(request), request.body))

  app.delete('/api/dispatch-rules/:id', {
    config: { permission: 'case:configure' },
    schema: { tags, summary: 'Remove a rule (audited)', params: Obj({ id: Uuid }), response: { 200: OkReply } },
  }, async (request) => {
    await matrix.remove(principalOf(request), request.params.id)
    return { ok: true }
  })
}
