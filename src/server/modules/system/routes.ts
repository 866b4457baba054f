// Operations routes: health, Prometheus metrics, the public client configuration and the audit log.
import { Type } from 'typebox'
import type { Db } from '../../platform/db/engine.js'
import type { Broker } from '../../platform/broker.js'
import type { Config } from '../../config.js'
import type { Jobs } from '../../platform/jobs.js'
import { type App, Obj } from '../../platform/http.js'
import type { Metrics } from '../../platform/metrics.js'
import { verifyAuditChain } from '../../platform/audit.js'
import { listAudit } from './audit-query.js'
import * as s from './schemas.js'

const Component = Obj({ up: Type.Boolean(), detail: Type.String() })

export interface SystemDeps {
  db: Db
  broker: () => Broker | undefined
  jobs: Jobs
  metrics: Metrics
  config: Config
  version: string
  district: () => { name: string; nameEn: string | null; code: string } | undefined
  gridExtent: () => [number, number, number, number] | undefined
}

export function systemRoutes(app: App, deps: SystemDeps) {
  app.get('/api/health', {
    config: { public: true },
    schema: {
      tags: ['system'],
      summary: 'Status of database, broker and jobs; 503 when one is down',
      response: {
        200: Obj({ status: Type.String(), version: Type.String(), database: Component, broker: Component, jobs: Component }),
        503: Obj({ status: Type.String(), version: Type.String(), database: Component, broker: Component, jobs: Component }),
      },
    },
  }, async (_request, reply) => {
    let database: { up: boolean; detail: string } = { up: true, detail: deps.db.engine }
    try {
      await deps.db.ping()
    } catch (error) {
      database = { up: false, detail: `${deps.db.engine}: ${error instanceof Error ? error.message : String(error)}` }
    }
    const b = deps.broker()?.status() ?? { up: false, detail: 'not started' }
    const broker = { up: b.up, detail: b.detail }
    const j = deps.jobs.status()
    const jobs = { up: j.running && !j.lastError, detail: j.lastError ?? `handled ${j.handled}, failed ${j.failed}, last round ${j.lastTickAt ?? 'never'}` }
    const up = database.up && broker.up && jobs.up
    reply.code(up ? 200 : 503)
    return { status: up ? 'ok' : 'down', version: deps.version, database, broker, jobs }
  })

  app.get('/metrics', {
    config: { public: true },
    schema: { tags: ['system'], summary: 'Prometheus metrics (text format)', hide: false },
  }, async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType)
    return deps.metrics.registry.metrics()
  })

  app.get('/api/config', {
    config: { public: true },
    schema: {
      tags: ['system'],
      summary: 'What the web app needs before sign-in: district, base map, demo mode',
      response: {
        200: s.AppConfig,
      },
    },
  }, async () => {
    const district = deps.district()
    const bbox = deps.gridExtent() ?? CHINA
    return {
      districtName: district?.name ?? '',
      districtNameEn: district?.nameEn ?? null,
      districtCode: district?.code ?? '',
      centre: [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2] as [number, number],
      bbox,
      baseMap: deps.config.baseMap,
      ...(deps.config.tiandituKey ? { tiandituKey: deps.config.tiandituKey } : {}),
      demo: deps.config.demo,
      passwordMinLength: deps.config.passwordMinLength,
      version: deps.version,
    }
  })

  app.get('/api/audit', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['system'],
      summary: 'The audit log: who did what, when, from where',
      querystring: Obj({
        action: Type.Optional(Type.String({ maxLength: 60 })),
        actorId: Type.Optional(Type.String({ format: 'uuid' })),
        entityType: Type.Optional(Type.String({ maxLength: 40 })),
        entityId: Type.Optional(Type.String({ maxLength: 80 })),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
        pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
      }),
      response: { 200: Obj({ total: Type.Integer(), items: Type.Array(s.AuditEntry) }) },
    },
  }, async (request) => listAudit(deps.db.kysely, request.query))

  app.get('/api/audit/verify', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['system'],
      summary: 'Seal the pending entries into the audit log’s hash chain, then recompute it: shows whether any entry was edited or removed',
      response: { 200: s.ChainCheck },
    },
  }, async () => verifyAuditChain(deps.db.kysely))
}

/** Shown before any grid cell exists: the map then opens on the whole country. */
const CHINA: [number, number, number, number] = [73.5, 18, 135, 53.5]
