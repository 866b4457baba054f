// Citizen routes: the public ones under /api/public (no sign-in; nothing personal ever answered), and the staff's
// view of a citizen report (contact, ratings) and publication of a case.
import multipart from '@fastify/multipart'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimits } from '../../config.js'
import { byClient, limiter } from '../../platform/ratelimit.js'
import { principalOf } from '../../platform/auth/plugin.js'
import { AppError } from '../../platform/errors.js'
import { type App, checker, OkReply, parseBbox, readForm, sendStored } from '../../platform/http.js'
import type { CaseService } from '../cases/service.js'
import type { FileService, OpenedFile } from '../files/service.js'
import * as s from './schemas.js'
import { type CitizenService, MAX_CITIZEN_PHOTOS, mobileNumber, type Submission } from './service.js'

/**
 * The anti-abuse throttles (platform/ratelimit.ts; per process): reports per client address and per phone number,
 * one-time codes per address and per number, and a generous ceiling per address on every other public call.
 */
export function citizenLimits(limits: RateLimits) {
  const phoneOf = (request: FastifyRequest) => {
    const phone = (request.body as { phone?: unknown } | undefined)?.phone ?? submittedPhone.get(request)
    return typeof phone === 'string' ? (mobileNumber(phone) ?? phone.slice(0, 20)) : undefined
  }
  return {
    reportByAddress: limiter([{ name: 'ip', max: limits.ipPerMinute, windowMs: 60_000, key: byClient }]),
    reportByPhone: limiter([{ name: 'phone', max: limits.phonePerHour, windowMs: 3600_000, key: phoneOf }]),
    code: limiter([
      { name: 'ip', max: limits.ipPerMinute, windowMs: 60_000, key: byClient },
      { name: 'phone', max: limits.phonePerHour, windowMs: 3600_000, key: phoneOf },
    ]),
    read: limiter([{ name: 'ip', max: limits.ipPerMinute * 30, windowMs: 60_000, key: byClient }]),
  }
}

/** The phone of a multipart report, known only once the handler has read the body. */
const submittedPhone = new WeakMap<FastifyRequest, string>()

const checkFields = checker(s.SubmitFields)
const PHOTO_FIELD = 'photo'
const CACHE = 'public, max-age=86400'

/**
 * A report as multipart (fields + up to three `photo` files) or as JSON without photos. Field values arrive as
 * text; `attributes` is a JSON object in one field.
 */
async function readSubmission(request: FastifyRequest, maxBytes: number): Promise<Submission> {
  if (!request.isMultipart()) {
    if (!request.body || typeof request.body !== 'object') throw new AppError('UNSUPPORTED_MEDIA_TYPE', {}, { expected: ['multipart/form-data', 'application/json'] })
    return checkFields(request.body)
  }
  const { fields: text, files: photos } = await readForm(request, { fileField: PHOTO_FIELD, maxFiles: MAX_CITIZEN_PHOTOS, maxBytes })
  const fields: Record<string, unknown> = text
  if (typeof fields.attributes === 'string') {
    try {
      fields.attributes = JSON.parse(fields.attributes)
    } catch {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': 'attributes 不是合法的 JSON', en: 'attributes is not valid JSON' } })
    }
  }
  return { ...checkFields(fields), photos }
}

export function citizenRoutes(app: App, citizen: CitizenService, cases: CaseService, files: FileService, rateLimits: RateLimits) {
  const limits = citizenLimits(rateLimits)
  const tags = ['public']
  const pub = { public: true } as const
  const read = limits.read

  app.get('/api/public/catalogue', {
    config: pub, preHandler: read,
    schema: { tags, summary: 'The problem types a citizen chooses from, with their extra questions', response: { 200: s.CatalogueReply } },
  }, async () => ({ types: (await citizen.catalogue()).map(({ serviceCode, name, group, attributes }) => ({ serviceCode, name, group, attributes })), maxPhotos: MAX_CITIZEN_PHOTOS }))

  void app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: files.limits.maxPhotoBytes } })
    scope.post('/api/public/reports', {
      config: pub, preHandler: limits.reportByAddress,
      schema: {
        tags,
        summary: 'Report a problem (multipart: the fields below plus up to three "photo" files; or JSON without photos)',
        description: 'Fields: serviceCode, description, lng, lat, crs (wgs84 | gcj02 | bd09), address, phone, clientId, attributes (JSON). Answers the ticket and a secret token that follows and rates the report. Rate limited per address and per phone (429 with Retry-After).',
        consumes: ['multipart/form-data', 'application/json'],
        response: { 201: s.SubmitReply, 200: s.SubmitReply },
      },
    }, async (request, reply) => {
      const submission = await readSubmission(request, files.limits.maxPhotoBytes)
      if (submission.phone) {
        submittedPhone.set(request, submission.phone)
        await limits.reportByPhone(request, reply)
      }
      const { caseId, ...result } = await citizen.submit(submission, { channel: 'web', ip: request.ip })
      return reply.code(result.created ? 201 : 200).send({ ...result, case: await citizen.viewOf(caseId) })
    })
  })

  app.get('/api/public/reports/:ticket', {
    config: pub, preHandler: read,
    schema: { tags, summary: 'Follow a report by its ticket number: its public stage and the reply', params: s.TicketParams, response: { 200: s.PublicCaseReply } },
  }, async (request) => citizen.byTicket(request.params.ticket))

  app.get('/api/public/follow/:token', {
    config: pub, preHandler: read,
    schema: { tags, summary: "The reporter's view of their report (by the token given at once), with their rating", params: s.TokenParams, response: { 200: s.ReporterReply } },
  }, async (request) => {
    const { caseId: _caseId, ...view } = await citizen.byToken(request.params.token)
    return view
  })

  app.post('/api/public/follow/:token/rating', {
    config: pub, preHandler: read,
    schema: { tags, summary: 'Rate the resolution (满意 / 基本满意 / 不满意); unsatisfied sends it to the centre for review', params: s.TokenParams, body: s.RateBody, response: { 200: s.ReporterReply } },
  }, async (request) => citizen.rate(request.params.token, request.body.rating, request.body.comment, request.ip))

  app.post('/api/public/codes', {
    config: pub, preHandler: limits.code,
    schema: { tags, summary: 'Send a one-time code by SMS to follow the reports made with this mobile number', body: s.CodeBody, response: { 200: s.CodeReply } },
  }, async (request) => citizen.requestCode(request.body.phone))

  app.post('/api/public/codes/verify', {
    config: pub, preHandler: limits.code,
    schema: { tags, summary: 'With the code: the reports made with the number, and their tokens', body: s.VerifyBody, response: { 200: s.MyReportsReply } },
  }, async (request) => ({ reports: await citizen.reportsOfPhone(request.body.phone, request.body.code) }))

  app.get('/api/public/map', {
    config: pub, preHandler: read,
    schema: { tags, summary: 'Reports of the last 90 days in a box, for the public map (nothing personal)', querystring: s.MapQuery, response: { 200: s.MapReply } },
  }, async (request) => {
    const items = await citizen.map(parseBbox(request.query.bbox), 2001)
    return { items: items.slice(0, 2000), truncated: items.length > 2000 }
  })

  const send = (file: OpenedFile, reply: FastifyReply) => sendStored(reply, file, CACHE)
  app.get('/api/public/photos/:id', {
    config: pub, preHandler: read,
    schema: { tags, summary: 'A photo staff published (404 for any other)', params: s.PhotoParams },
  }, async (request, reply) => send(await files.openPublic(request.params.id, 'original'), reply))
  app.get('/api/public/photos/:id/thumbnail', {
    config: pub, preHandler: read,
    schema: { tags, summary: "A published photo's thumbnail", params: s.PhotoParams },
  }, async (request, reply) => send(await files.openPublic(request.params.id, 'thumbnail'), reply))

  // staff
  app.get('/api/cases/:id/citizen', {
    config: { permission: 'case:read' },
    schema: { tags: ['cases'], summary: "A citizen report's contact details, channel, suspicion and ratings (staff who see the case)", params: s.PhotoParams, response: { 200: s.ReporterOfReply } },
  }, async (request) => {
    await cases.get(principalOf(request), request.params.id)
    return citizen.reporterOf(request.params.id)
  })

  app.put('/api/cases/:id/publication', {
    config: { permission: 'case:act' },
    schema: { tags: ['cases'], summary: 'Publish the report text and chosen photos, and reply to the reporter (acceptors, shift leaders)', params: s.PhotoParams, body: s.PublicationBody, response: { 200: OkReply } },
  }, async (request) => {
    await cases.setPublication(principalOf(request), request.params.id, request.body)
    return { ok: true }
  })
}
