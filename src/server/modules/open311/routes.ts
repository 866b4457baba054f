// Open311 GeoReport v2 under /open311/v2 (each method as .json and .xml, errors in the spec's array shape, no sign-in;
// posting needs an api_key), and the administrators' key routes under /api/open311/keys.
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyError, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { actorOf } from '../../platform/auth/principal.js'
import { principalOf } from '../../platform/auth/plugin.js'
import { AppError, formatMessage, type Locale, pickLocale } from '../../platform/errors.js'
import { type App, checker, toAppError } from '../../platform/http.js'
import { MAX_CITIZEN_PHOTOS } from '../citizen/service.js'
import type { FileService } from '../files/service.js'
import { perKeyWindow, type PerKeyLimit } from './keys.js'
import * as s from './schemas.js'
import type { Open311Service, PostedRequest } from './service.js'
import { CONTENT_TYPE, type Format, render } from './xml.js'

export interface Open311Limits {
  /** Counts a request creation against its key's per-minute limit (default: per process, perKeyWindow). */
  perKey?: PerKeyLimit
  /** Before every Open311 call (e.g. per address). */
  perIp?: preHandlerHookHandler[]
}

const FORMATS: Format[] = ['json', 'xml']
/** The file field of a multipart request (mySociety's Open311 extension calls it media). */
const MEDIA_FIELD = 'media'
const checkPosted = checker(s.PostFields)

const formatOf = (url: string): Format => (/\.xml(\?|$)/.test(url) ? 'xml' : 'json')

function localeOf(request: FastifyRequest): Locale {
  const asked = (request.query as { locale?: unknown } | undefined)?.locale
  if (typeof asked === 'string' && asked.trim()) return asked.trim().toLowerCase().startsWith('en') ? 'en' : 'zh-CN'
  return pickLocale(request.headers['accept-language'])
}

const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`

/** The spec's status codes: 404 unknown, 403 key, 429 rate, 5xx server, 400 for every other refusal. */
const specStatus = (status: number) => ([400, 403, 404, 429].includes(status) || status >= 500 ? status : 400)

/** What went wrong, for a person: the message and, for a refused field, which one. */
function describe(error: AppError, locale: Locale): string {
  const message = formatMessage(error.code, locale, error.params)
  if (error.code !== 'VALIDATION_FAILED') return message
  type Problem = { in?: string; path: string; message?: string }
  const details = error.details as Problem[] | { errors: Problem[] } | undefined
  const problems: Problem[] = Array.isArray(details) ? details : (details?.errors ?? [])
  const named = problems.map((p) => `${p.path.replace(/^\//, '') || (p.in ?? 'request')} ${p.message ?? ''}`.trim()).join('; ')
  return named ? `${message}: ${named}` : message
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const status = specStatus(error.status)
  const retryAfter = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds
  if (status === 429 && retryAfter && !reply.hasHeader('retry-after')) reply.header('retry-after', String(retryAfter))
  const format = formatOf(request.url)
  return reply.code(status).type(CONTENT_TYPE[format]).send(render(format, 'errors', [{ code: status, description: describe(error, localeOf(request)) }]))
}

/**
 * A posted request's fields from a form (as 311 clients send it), a multipart form (with up to three media files)
 * or JSON. attribute[code]=v and attribute[code][]=v (a multivaluelist) become one `attribute` object; empty fields
 * are dropped, as the spec treats them as absent.
 */
async function readPosted(request: FastifyRequest, maxBytes: number): Promise<{ fields: PostedRequest; photos: Buffer[] }> {
  const raw: Record<string, unknown> = {}
  const photos: Buffer[] = []
  if (request.isMultipart()) {
    try {
      for await (const part of request.parts({ limits: { fileSize: maxBytes, files: MAX_CITIZEN_PHOTOS, fields: 60, fieldSize: 8192, parts: 64 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== MEDIA_FIELD) {
            part.file.resume()
            throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `文件字段应为 ${MEDIA_FIELD}`, en: `files go in the "${MEDIA_FIELD}" field` } })
          }
          photos.push(await part.toBuffer())
        } else {
          const known = raw[part.fieldname]
          raw[part.fieldname] = known === undefined ? part.value : [...(Array.isArray(known) ? known : [known]), part.value]
        }
      }
    } catch (error) {
      if (error instanceof AppError) throw error
      const code = (error as { code?: string }).code
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('PAYLOAD_TOO_LARGE', {}, { maxBytes })
      if (code === 'FST_FILES_LIMIT') throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `最多 ${MAX_CITIZEN_PHOTOS} 张照片`, en: `at most ${MAX_CITIZEN_PHOTOS} media files` } })
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '无法解析 multipart 请求体', en: 'the multipart body cannot be parsed' } })
    }
  } else if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) {
    Object.assign(raw, request.body)
  } else {
    throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '请以表单（application/x-www-form-urlencoded）提交', en: 'send the request as application/x-www-form-urlencoded' } })
  }
  const fields: Record<string, unknown> = {}
  const attribute: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(raw)) {
    const named = /^attribute\[([^\]]+)\](\[\])?$/.exec(key)
    if (named) {
      const values = (Array.isArray(value) ? value : [value]).map(String)
      attribute[named[1]!] = named[2] || values.length > 1 ? values : values[0]!
    } else if (key === 'attribute' && value && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(attribute, value)
    } else if (value !== '' && value !== null && value !== undefined) {
      fields[key] = value
    }
  }
  if (Object.keys(attribute).length) fields.attribute = attribute
  return { fields: checkPosted(fields), photos }
}

export function open311Routes(app: App, open311: Open311Service, files: FileService, limits: Open311Limits = {}) {
  const perKey = limits.perKey ?? perKeyWindow()
  const preHandler = limits.perIp ?? []

  void app.register(async (scope: App) => {
    await scope.register(formbody)
    await scope.register(multipart, { limits: { fileSize: files.limits.maxPhotoBytes } })
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = toAppError(error)
      if (appError.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error')
      return sendError(request, reply, appError)
    })
    scope.setNotFoundHandler((request, reply) => sendError(request, reply, new AppError('ROUTE_NOT_FOUND')))
    // "Optional arguments": an empty one is the same as none
    scope.addHook('preValidation', async (request) => {
      const query = request.query as Record<string, unknown> | undefined
      if (query) for (const [key, value] of Object.entries(query)) if (value === '') delete query[key]
    })
    scope.addHook('preHandler', async (request) => {
      const query = request.query as { jurisdiction_id?: string } | undefined
      const body = request.body as { jurisdiction_id?: unknown } | undefined
      open311.checkJurisdiction(query?.jurisdiction_id || (typeof body?.jurisdiction_id === 'string' ? body.jurisdiction_id : undefined))
    })

    const tags = ['open311']
    const config = { public: true } as const
    for (const format of FORMATS) {
      const send = (reply: FastifyReply, root: string, value: Parameters<typeof render>[2]) => reply.type(CONTENT_TYPE[format]).send(render(format, root, value))

      scope.get(`/discovery.${format}`, {
        config, preHandler,
        schema: { tags, summary: `Service discovery (${format})`, querystring: s.CommonQuery },
      }, async (request, reply) => send(reply, 'discovery', await open311.discovery(baseUrl(request), localeOf(request))))

      scope.get(`/services.${format}`, {
        config, preHandler,
        schema: { tags, summary: `GET Service List (${format}): the problem types a request may be about`, querystring: s.CommonQuery },
      }, async (request, reply) => send(reply, 'services', await open311.services(localeOf(request))))

      scope.get(`/services/:service_code.${format}`, {
        config, preHandler,
        schema: { tags, summary: `GET Service Definition (${format}): the attributes (extra questions) of a service`, params: s.ServiceCodeParams, querystring: s.CommonQuery },
      }, async (request, reply) => send(reply, 'service_definition', await open311.definition(request.params.service_code, localeOf(request))))

      scope.post(`/requests.${format}`, {
        config, preHandler,
        schema: {
          tags,
          summary: `POST Service Request (${format}): report a problem with an api_key`,
          description: 'application/x-www-form-urlencoded as the spec has it (attribute[code]=value, attribute[code][]=value for a multivaluelist), multipart/form-data with up to three "media" photos, or JSON. Needs lat and long (WGS84): an address alone is refused, as there is no geocoder. 403 for a missing, unknown or revoked key; 429 with Retry-After over the key\'s per-minute limit.',
          consumes: ['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'],
        },
      }, async (request, reply) => {
        const { fields, photos } = await readPosted(request, files.limits.maxPhotoBytes)
        return send(reply, 'service_requests', await open311.create(fields, { ip: request.ip, locale: localeOf(request), photos, perKey }))
      })

      scope.get(`/requests.${format}`, {
        config, preHandler,
        schema: { tags, summary: `GET Service Requests (${format}): search by ids, service codes, dates (90 days, 1000 requests at most) and status`, querystring: s.RequestsQuery },
      }, async (request, reply) => send(reply, 'service_requests', await open311.search(request.query, localeOf(request), baseUrl(request))))

      scope.get(`/requests/:service_request_id.${format}`, {
        config, preHandler,
        schema: { tags, summary: `GET Service Request (${format})`, params: s.RequestIdParams, querystring: s.CommonQuery },
      }, async (request, reply) => send(reply, 'service_requests', await open311.byId(request.params.service_request_id, localeOf(request), baseUrl(request))))

      scope.get(`/tokens/:token.${format}`, {
        config, preHandler,
        schema: { tags, summary: `GET service_request_id from a token (${format})`, params: s.TokenParams, querystring: s.CommonQuery },
      }, async (request, reply) => send(reply, 'service_requests', await open311.token(request.params.token)))
    }
  }, { prefix: '/open311/v2' })

  // administrators
  const keyTags = ['open311']
  app.get('/api/open311/keys', {
    config: { permission: 'case:configure' },
    schema: { tags: keyTags, summary: 'The Open311 API keys (no secrets)', response: { 200: s.KeyListReply } },
  }, async () => ({ items: await open311.keys.list() }))

  app.post('/api/open311/keys', {
    config: { permission: 'case:configure' },
    schema: { tags: keyTags, summary: 'Issue an Open311 API key: the key (and webhook secret) are answered this once (audited)', body: s.CreateKeyBody, response: { 200: s.CreatedKeyReply } },
  }, async (request) => open311.keys.create(actorOf(principalOf(request)), request.body))

  app.post('/api/open311/keys/:id/revoke', {
    config: { permission: 'case:configure' },
    schema: { tags: keyTags, summary: 'Revoke an Open311 API key at once (audited)', params: s.KeyIdParams, response: { 200: s.KeyReply } },
  }, async (request) => open311.keys.revoke(actorOf(principalOf(request)), request.params.id))
}
