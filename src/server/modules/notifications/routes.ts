// Notification routes: a signed-in person reads their own notifications and marks them read; nobody reads another's.
import { Type } from 'typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { type App, Nullable, Obj } from '../../platform/http.js'
import type { NotificationService } from './service.js'

const Notification = Obj({
  id: Type.String(),
  kind: Type.String({ description: "'case.overdue': a step the reader holds ran out of time" }),
  caseId: Nullable(Type.String()),
  payload: Type.Unknown(),
  createdAt: Type.String(),
  readAt: Nullable(Type.String()),
})

export function notificationRoutes(app: App, notifications: NotificationService) {
  const tags = ['notifications']
  app.get('/api/notifications', {
    config: {},
    schema: {
      tags, summary: 'My notifications, newest first, with the number unread',
      querystring: Obj({ unread: Type.Optional(Type.Boolean()), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }),
      response: { 200: Obj({ unread: Type.Integer(), items: Type.Array(Notification) }) },
    },
  }, async (request) => notifications.list(principalOf(request), request.query))

  app.post('/api/notifications/read', {
    config: {},
    schema: {
      tags, summary: 'Mark my notifications read: the ids given, or all when no ids are given',
      body: Obj({ ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,18}$' }), { maxItems: 500 })) }),
      response: { 200: Obj({ changed: Type.Integer() }) },
    },
  }, async (request) => ({ changed: await notifications.markRead(principalOf(request), request.body.ids) }))
}
