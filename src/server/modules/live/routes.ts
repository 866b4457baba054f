// The live route: GET /api/events, a server-sent event stream of the changes the signed-in user may see.
import { Type } from 'typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import type { EventBus } from '../../platform/events.js'
import type { App } from '../../platform/http.js'
import { LiveHub, type LiveOptions } from './hub.js'

export function liveRoutes(app: App, events: EventBus, options: LiveOptions = {}): LiveHub {
  const hub = new LiveHub(events, options)
  // Open streams never finish by themselves: end them before the server waits for its requests, so a stop is prompt.
  app.addHook('preClose', async () => hub.close())
  app.addHook('onClose', async () => hub.close())

  app.get('/api/events', {
    config: { permission: 'case:read' },
    schema: {
      tags: ['live'],
      summary: 'Server-sent events: `case.changed` and `case.overdue` with `{ caseId }` for the cases in your scope; a comment line every 25 s',
      response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.Unknown({ description: 'lines of `event: case.changed` and `data: {"caseId": "…"}`' }) } } } },
    },
  }, async (request, reply) => {
    const stream = hub.open(principalOf(request))
    return reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      // nginx and similar proxies pass each event on at once instead of buffering the response
      .header('x-accel-buffering', 'no')
      // one stream per connection: when it ends (stop, lifetime) the socket goes too and the browser reconnects
      .header('connection', 'close')
      .send(stream)
  })
  return hub
}
