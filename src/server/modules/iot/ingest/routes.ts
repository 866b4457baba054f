// The HTTP side of the device API (ThingsBoard-compatible): POST /api/v1/{token}/telemetry and /attributes. The token
// in the path is the device's credential; the answer comes once the message is committed.
import { Type } from 'typebox'
import { AppError } from '../../../platform/errors.js'
import type { App } from '../../../platform/http.js'
import type { DeviceRegistry } from '../registry.js'
import { Rejected } from './payload.js'
import { type MessageKind, TelemetryIngest } from './pipeline.js'
import { Overloaded } from './writer.js'

const Params = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) })
const Accepted = Type.Object({ points: Type.Integer({ description: 'points stored (0 for attributes)' }) })

export function deviceApiRoutes(app: App, ingest: TelemetryIngest, registry: DeviceRegistry) {
  const handle = (kind: MessageKind) => async (request: { params: { token: string }; body: unknown }) => {
    const device = await registry.byToken(request.params.token)
    if (!device) {
      ingest.refused(kind, 'unauthorised')
      throw new AppError('INVALID_DEVICE_TOKEN')
    }
    try {
      const accepted = ingest.accept(device, kind, request.body ?? '')
      await accepted.durable
      return { points: accepted.points }
    } catch (error) {
      if (error instanceof Rejected) throw new AppError('TELEMETRY_REJECTED', { reason: error.code }, { reason: error.code, detail: error.detail })
      if (error instanceof Overloaded) throw new AppError('UNAVAILABLE', { reason: 'telemetry backlog' })
      throw error
    }
  }
  for (const kind of ['telemetry', 'attributes'] as const) {
    app.post(`/api/v1/:token/${kind}`, {
      schema: {
        tags: ['device API'],
        summary: kind === 'telemetry' ? 'Device telemetry (ThingsBoard-compatible): {"key": value}, {"ts", "values"} or an array of those' : 'Device client attributes (ThingsBoard-compatible)',
        // no body schema: the device's payload is checked against its model (ingest/payload.ts), and refused as counted
        params: Params,
        response: { 200: Accepted, 400: { $ref: 'ErrorReply#' }, 401: { $ref: 'ErrorReply#' } },
      },
      config: { public: true },
      bodyLimit: 64 * 1024,
    }, handle(kind))
  }
}
