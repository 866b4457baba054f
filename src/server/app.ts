// Builds the Fastify app without listening: plugins, error shape, auth on every route, the modules' routes, the web app.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyError, type FastifyBaseLogger, type RouteOptions } from 'fastify'
import type { Context } from './context.js'
import { authPlugin } from './platform/auth/plugin.js'
import { AppError, errorBody, pickLocale } from './platform/errors.js'
import { type App, ErrorReply, toAppError, validatorCompiler } from './platform/http.js'
import { analyticsRoutes } from './modules/analytics/routes.js'
import { citizenRoutes } from './modules/citizen/routes.js'
import { matrixRoutes } from './modules/cases/matrix-routes.js'
import { caseRoutes } from './modules/cases/routes.js'
import { calendarRoutes } from './modules/cases/calendar-routes.js'
import { notificationRoutes } from './modules/notifications/routes.js'
import { classRoutes } from './modules/classes/routes.js'
import { evaluationRoutes } from './modules/evaluation/routes.js'
import { fileRoutes } from './modules/files/routes.js'
import { identityRoutes } from './modules/identity/routes.js'
import { iotRoutes } from './modules/iot/routes.js'
import { ruleRoutes } from './modules/iot/rules/routes.js'
import { RuleStore } from './modules/iot/rules/rules.js'
import { liveRoutes } from './modules/live/routes.js'
import { open311Routes } from './modules/open311/routes.js'
import { deviceApiRoutes } from './modules/iot/ingest/routes.js'
import { orgRoutes } from './modules/org/routes.js'
import { systemRoutes } from './modules/system/routes.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const WEB_DIR = path.join(ROOT, 'dist/web')
export const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** Every route of an app as registered, so tests can walk the whole table (auth, bad input). */
export const routeTables = new WeakMap<App, RouteOptions[]>()

function markPublic(route: RouteOptions) {
  route.config = { ...(route.config ?? {}), public: true }
}

let cachedIndex: string | undefined
/** The web app's page, served for every non-API path (client-side routing). */
function indexHtml(): string | undefined {
  if (cachedIndex) return cachedIndex
  const file = path.join(WEB_DIR, 'index.html')
  if (!fs.existsSync(file)) return undefined
  return (cachedIndex = fs.readFileSync(file, 'utf8'))
}

/** Fastify's trustProxy from ours: a hop count believes that many proxies in front of us. */
const trusted = (setting: boolean | number | string[]) => (typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting)

export async function buildApp(context: Context, options: { logger?: FastifyBaseLogger } = {}): Promise<App> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    trustProxy: trusted(context.config.trustProxy),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  const routes: RouteOptions[] = []
  routeTables.set(app, routes)
  app.addHook('onRoute', (route) => void routes.push(route))
  app.addSchema(ErrorReply)

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error)
    if (appError.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error')
    reply.code(appError.status).send(errorBody(appError, pickLocale(request.headers['accept-language'])))
  })

  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '/'
    const isApi = /^\/(api|docs|metrics|open311)(\/|$)/.test(url)
    const page = isApi || request.method !== 'GET' ? undefined : indexHtml()
    if (page) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page)
    return reply.code(404).send(errorBody(new AppError('ROUTE_NOT_FOUND'), pickLocale(request.headers['accept-language'])))
  })

  await app.register(cookie)
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Xiuhua 绣花 API', description: 'Smart city management platform (智慧城管平台). Errors: `{ error: { code, message, messages: { zh-CN, en }, details } }`.', version: VERSION },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'xiuhua_session' }, bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }, { bearer: [] }],
    },
    hideUntagged: false,
  })
  // The docs UI and the web app's files are public: their routes are marked so in their own encapsulated context.
  await app.register(async (docs) => {
    docs.addHook('onRoute', markPublic)
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } })
  })
  await app.register(authPlugin, { authenticate: (token, request) => context.identity.sessions.authenticate(token, request) })

  // Graceful stop: requests in flight finish, and their keep-alive connections close after them.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
    // requests in flight get 10 s; then sockets that never finish (or never sent a request) are cut so the stop completes
    setTimeout(() => app.server.closeAllConnections(), 10_000).unref()
  })
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
    // 等保 baseline headers; a content security policy comes with the web app's final asset list
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'SAMEORIGIN')
    reply.header('referrer-policy', 'same-origin')
  })
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    context.metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) })
    context.metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
  })

  systemRoutes(app, {
    db: context.db,
    broker: () => context.broker,
    jobs: context.jobs,
    metrics: context.metrics,
    config: context.config,
    version: VERSION,
    district: () => context.org.district(),
    gridExtent: () => context.grid.extent(),
  })
  identityRoutes(app, context.identity, { cookieSecure: context.config.cookieSecure })
  orgRoutes(app, context.org, context.grid, context.identity)
  classRoutes(app, context.db)
  caseRoutes(app, context.cases, context.files, context.db.kysely)
  calendarRoutes(app, context.calendar)
  notificationRoutes(app, context.notifications)
  fileRoutes(app, context.files)
  liveRoutes(app, context.events)
  matrixRoutes(app, context.matrix)
  citizenRoutes(app, context.citizen, context.cases, context.files, context.config.rateLimits)
  open311Routes(app, context.open311, context.files)
  deviceApiRoutes(app, context.telemetry, context.devices)
  iotRoutes(app, context.devices, context.db)
  ruleRoutes(app, new RuleStore(context.db, context.events, context.alarms), context.alarms)
  evaluationRoutes(app, context.evaluation)
  analyticsRoutes(app, context.analytics)

  if (fs.existsSync(WEB_DIR)) {
    await app.register(async (web) => {
      web.addHook('onRoute', markPublic)
      await web.register(fastifyStatic, { root: WEB_DIR, prefix: '/', wildcard: false, index: false, decorateReply: false, maxAge: '1h' })
    })
  }
  return app
}
