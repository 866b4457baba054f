// Walks the whole route table: every private route refuses an anonymous caller, and every schema refuses bad input.
import type { RouteOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routeTables } from '../../src/server/app.js'
import { bearer, createTestApp, type TestApp } from '../helpers.js'

let t: TestApp
let admin: string
let routes: RouteOptions[]
beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
  routes = routeTables.get(t.app)!.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
})
afterAll(() => t?.close())

const methods = (route: RouteOptions) => (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD')
/** A concrete URL for a route: path parameters get a well-formed value. */
const urlOf = (route: RouteOptions) => route.url.replace(/:key/g, 'admin').replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000')

const PUBLIC = [
  '/api/health', '/api/config', '/api/auth/login', '/api/auth/logout', '/metrics',
  // the citizen service: no sign-in, and nothing personal in any answer (test/integration/citizen-privacy.test.ts)
  '/api/public/catalogue', '/api/public/reports', '/api/public/reports/:ticket', '/api/public/follow/:token', '/api/public/follow/:token/rating',
  '/api/public/codes', '/api/public/codes/verify', '/api/public/map', '/api/public/photos/:id', '/api/public/photos/:id/thumbnail',
  // the ThingsBoard device API: the device token in the path is the credential (src/server/modules/iot/ingest/ingest.test.ts)
  '/api/v1/:token/telemetry', '/api/v1/:token/attributes',
  // Open311 GeoReport v2: reading is open, posting needs an api_key (src/server/modules/open311/open311.test.ts)
  ...['json', 'xml'].flatMap((f) => [
    `/open311/v2/discovery.${f}`, `/open311/v2/services.${f}`, `/open311/v2/services/:service_code.${f}`, `/open311/v2/requests.${f}`, `/open311/v2/requests.${f}`,
    `/open311/v2/requests/:service_request_id.${f}`, `/open311/v2/tokens/:token.${f}`,
  ]),
]
/** Open311 answers in the GeoReport v2 shape ([{ code, description }]) and ignores arguments it does not know, as the spec's clients expect. */
const isOpen311 = (url: string) => url.startsWith('/open311/')
const isDocsOrWeb = (url: string) => url.startsWith('/docs') || !/^\/(api|metrics|open311)(\/|$)/.test(url)

describe('authentication on every route', () => {
  it('has the routes we expect, and only the intended ones are public', () => {
    const publicApi = routes.filter((r) => r.config?.public && !isDocsOrWeb(r.url)).map((r) => r.url)
    expect(publicApi.sort()).toEqual([...PUBLIC].sort())
    expect(routes.filter((r) => r.url.startsWith('/api/')).length).toBeGreaterThan(20)
  })

  it('refuses an anonymous call to every private route with 401 UNAUTHENTICATED', async () => {
    const privateRoutes = routes.filter((r) => !r.config?.public)
    expect(privateRoutes.length).toBeGreaterThan(15)
    for (const route of privateRoutes) {
      for (const method of methods(route)) {
        const response = await t.app.inject({ method: method as 'GET', url: urlOf(route), payload: method === 'GET' || method === 'DELETE' ? undefined : {} })
        expect({ route: `${method} ${route.url}`, status: response.statusCode, code: response.json().error?.code }).toEqual({ route: `${method} ${route.url}`, status: 401, code: 'UNAUTHENTICATED' })
      }
    }
  })

  it('refuses a forged or garbage token on every private route', async () => {
    for (const route of routes.filter((r) => !r.config?.public)) {
      for (const method of methods(route)) {
        const response = await t.app.inject({ method: method as 'GET', url: urlOf(route), headers: bearer('forged-token'), cookies: { xiuhua_session: 'also-forged' } })
        expect(response.statusCode, `${method} ${route.url}`).toBe(401)
      }
    }
  })

  it('every /api route appears in the OpenAPI document at /docs/json', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toMatch(/^3\./)
    for (const route of routes.filter((r) => r.url.startsWith('/api/'))) {
      const path = route.url.replace(/:(\w+)/g, '{$1}')
      expect(doc.paths, path).toHaveProperty([path])
    }
  })
})

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; maxLength?: number; anyOf?: Schema[]; items?: Schema; format?: string; minimum?: number }

/** A value of the wrong JSON type for a property. */
function wrongType(schema: Schema): unknown {
  const type = schema.type ?? schema.anyOf?.find((s) => s.type && s.type !== 'null')?.type
  if (type === 'string') return 12345
  if (type === 'integer' || type === 'number') return 'not-a-number'
  if (type === 'boolean') return 'maybe'
  if (type === 'array') return 'not-an-array'
  if (type === 'object') return 'not-an-object'
  return { unexpected: true }
}

function expectBadRequest(response: { statusCode: number; body: string; json: () => unknown }, label: string) {
  expect(response.statusCode, label).toBe(400)
  if (label.includes(' /open311/')) {
    if (label.includes('.xml')) expect(response.body, label).toMatch(/<errors>\s*<error>\s*<code>400<\/code>\s*<description>[^<]+<\/description>/)
    else expect(response.json(), label).toEqual([{ code: 400, description: expect.stringMatching(/./) }])
    return
  }
  const error = (response.json() as { error?: { code?: string; messages?: Record<string, string> } }).error
  expect(error?.code, label).toMatch(/^(VALIDATION_FAILED|INVALID_JSON|INVALID_GEOMETRY|BAD_REQUEST)$/)
  expect(error?.messages?.['zh-CN'], label).toBeTruthy()
  expect(error?.messages?.en, label).toBeTruthy()
}

describe('bad input on every route', () => {
  const withBody = () => routes.filter((r) => (r.schema as { body?: Schema } | undefined)?.body)
  const withQuery = () => routes.filter((r) => (r.schema as { querystring?: Schema } | undefined)?.querystring?.properties)

  it('rejects unknown fields, missing fields, wrong types and over-long strings in every body', async () => {
    expect(withBody().length).toBeGreaterThan(8)
    for (const route of withBody()) {
      const body = (route.schema as { body: Schema }).body
      for (const method of methods(route)) {
        const send = (payload: unknown, label: string) =>
          t.app.inject({ method: method as 'POST', url: urlOf(route), headers: bearer(admin), payload: payload as object }).then((r) => expectBadRequest(r, `${method} ${route.url}: ${label}`))
        await send({ unknownField: 1 }, 'unknown field')
        if (body.required?.length) await send({}, 'missing fields')
        for (const [name, property] of Object.entries(body.properties ?? {})) {
          await send({ [name]: wrongType(property) }, `wrong type of ${name}`)
          if (property.maxLength) await send({ [name]: 'x'.repeat(property.maxLength + 1) }, `over-long ${name}`)
        }
        const raw = await t.app.inject({ method: method as 'POST', url: urlOf(route), headers: { ...bearer(admin), 'content-type': 'application/json' }, payload: '{"broken json' })
        expectBadRequest(raw, `${method} ${route.url}: broken JSON`)
      }
    }
  })

  it('rejects wrong types and unknown parameters in every query string', async () => {
    for (const route of withQuery()) {
      const query = (route.schema as { querystring: Schema }).querystring
      for (const [name, property] of Object.entries(query.properties ?? {})) {
        const type = property.type ?? property.anyOf?.[0]?.type
        const bad = type === 'integer' || type === 'number' ? 'abc' : property.format === 'uuid' ? 'not-a-uuid' : property.maxLength ? 'x'.repeat(property.maxLength + 1) : property.anyOf ? 'no-such-value' : undefined
        if (bad === undefined) continue
        const response = await t.app.inject({ method: 'GET', url: `${urlOf(route)}?${name}=${encodeURIComponent(bad)}`, headers: bearer(admin) })
        expectBadRequest(response, `GET ${route.url}?${name}=${bad}`)
      }
      if (isOpen311(route.url)) continue
      const unknown = await t.app.inject({ method: 'GET', url: `${urlOf(route)}?noSuchParameter=1`, headers: bearer(admin) })
      expectBadRequest(unknown, `GET ${route.url}?noSuchParameter`)
    }
  })

  it('rejects malformed path parameters', async () => {
    for (const route of routes.filter((r) => r.url.includes(':id'))) {
      for (const method of methods(route)) {
        const response = await t.app.inject({ method: method as 'GET', url: route.url.replace(':id', 'not-a-uuid'), headers: bearer(admin), payload: method === 'GET' ? undefined : {} })
        expectBadRequest(response, `${method} ${route.url} with a bad id`)
      }
    }
  })

  it('answers an unknown /api path with ROUTE_NOT_FOUND in the error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/no/such/thing', headers: bearer(admin) })
    expect(response.statusCode).toBe(404)
    expect(response.json().error.code).toBe('ROUTE_NOT_FOUND')
  })
})
