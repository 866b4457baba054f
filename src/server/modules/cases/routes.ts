// Case routes: report, list, detail, and one workflow step at a time.
import multipart from '@fastify/multipart'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { principalOf } from '../../platform/auth/plugin.js'
import type { Database } from '../../platform/db/database.js'
import { AppError, pickLocale } from '../../platform/errors.js'
import { type App, checker, parseBbox, readForm } from '../../platform/http.js'
import { listClasses } from '../classes/service.js'
import type { FileService } from '../files/service.js'
import { casesCsv, casesWorkbook } from './export.js'
import * as s from './schemas.js'
import type { CaseService, ListFilter } from './service.js'

/** An export larger than this is refused: the user narrows the filters (a year of a district is ~100 k cases). */
export const MAX_EXPORT_ROWS = 200_000

type Filters = Omit<s.CaseQueryType, 'page' | 'pageSize' | 'sort'> & { bbox?: string | undefined }

/** The query string's filters as the service takes them. */
function filterOf({ state, from, to, light, bbox, ...rest }: Filters): ListFilter {
  return { ...rest, states: state, lights: light, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined, bbox: bbox === undefined ? undefined : parseBbox(bbox) }
}

const checkForm = checker(s.ReportFormFields)
const PHOTO_FIELD = 'photo'

export function caseRoutes(app: App, cases: CaseService, files: FileService, db: Kysely<Database>) {
  const tags = ['cases']

  // A report comes as JSON (citing photos uploaded before) or as one multipart form with its photos: one request, one transaction.
  void app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: files.limits.maxPhotoBytes } })
    scope.post('/api/cases', {
      config: { permission: 'case:report' },
      schema: {
        tags,
        summary: 'Report a problem (idempotent by clientId): placed in its grid cell, street and community',
        description: `JSON (the body below; photos uploaded first with POST /api/files and cited as photoIds), or multipart/form-data: the same fields as text plus up to ${s.MAX_REPORT_PHOTOS} "${PHOTO_FIELD}" files (JPEG, PNG or WebP), stored with the case in one step. A retry with the same clientId answers the first case and stores nothing again.`,
        consumes: ['application/json', 'multipart/form-data'],
        body: { content: { 'application/json': { schema: s.ReportBody } } },
        response: { 200: s.ReportReply },
      },
    }, async (request) => {
      const principal = principalOf(request)
      if (!request.isMultipart()) return cases.report(principal, request.body as s.ReportBodyType)
      const form = await readForm(request, { fileField: PHOTO_FIELD, maxFiles: s.MAX_REPORT_PHOTOS, maxBytes: files.limits.maxPhotoBytes })
      return cases.report(principal, checkForm(form.fields), () => files.preparePhotos(form.files, principal.userId))
    })
  })

  app.get('/api/cases', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'Cases in your scope (placed there or dispatched to your unit), with lights', querystring: s.CaseQuery, response: { 200: s.CaseList } },
  }, async (request) => {
    const { page, pageSize, sort, ...filter } = request.query
    return cases.list(principalOf(request), filterOf(filter), page, pageSize, sort)
  })

  /** The cases an export would hold, refused when more than MAX_EXPORT_ROWS match; headings in the Accept-Language. */
  const exporting = async (request: FastifyRequest, query: Filters, reply: FastifyReply, type: string, extension: string) => {
    const principal = principalOf(request)
    const filter = filterOf(query)
    const total = await cases.count(principal, filter)
    if (total > MAX_EXPORT_ROWS) {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `符合条件的案卷有 ${total} 条，超过导出上限 ${MAX_EXPORT_ROWS} 条，请缩小筛选范围`, en: `${total} cases match, more than the export limit of ${MAX_EXPORT_ROWS}; narrow the filters` } }, { total, limit: MAX_EXPORT_ROWS })
    }
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    reply.type(type)
    reply.header('content-disposition', `attachment; filename="cases-${day}.${extension}"`)
    reply.header('x-total-count', String(total))
    return { rows: cases.all(principal, filter), classes: await listClasses(db), locale: pickLocale(request.headers['accept-language']) }
  }

  app.get('/api/cases/export.xlsx', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'The cases the list filters match, as an Excel workbook (headings in the Accept-Language)', querystring: s.ExportQuery },
  }, async (request, reply) => {
    const { rows, classes, locale } = await exporting(request, request.query, reply, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx')
    return reply.send(casesWorkbook(rows, classes, locale))
  })

  app.get('/api/cases/export.csv', {
    config: { permission: 'case:read' },
    schema: {
      tags,
      summary: 'The cases the list filters match, as CSV for Excel (UTF-8 with BOM, CRLF between records; headings in the Accept-Language)',
      description: 'X-Total-Count gives the number of records, so a client shows progress by counting CRLF as the body arrives.',
      querystring: s.ExportQuery,
    },
  }, async (request, reply) => {
    const { rows, classes, locale } = await exporting(request, request.query, reply, 'text/csv; charset=utf-8', 'csv')
    return reply.send(casesCsv(rows, classes, locale))
  })

  app.get('/api/cases/map', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'Open cases for the command map (in a bbox), most pressing first, with lights', querystring: s.MapQuery, response: { 200: s.MapReply } },
  }, async (request, reply) => {
    // 10,000 markers: the database writes the JSON (exactly the documented shape, MapReply), the server passes it on
    const answer = await cases.map(principalOf(request), filterOf(request.query))
    return reply.type('application/json; charset=utf-8').send(answer as never) // bytes (MapReply as JSON): sent as they are, no serializer
  })

  app.get('/api/cases/:id', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'One case with its timeline and the steps you may take now', params: s.IdParams, response: { 200: s.CaseDetail } },
  }, async (request) => cases.get(principalOf(request), request.params.id))

  app.post('/api/cases/:id/actions', {
    config: { permission: 'case:act' },
    schema: { tags, summary: 'Take one workflow step (file, dispatch, dispose, check, close, return, extend, suspend, urge …)', params: s.IdParams, body: s.ActionBody, response: { 200: s.CaseDetail } },
  }, async (request) => {
    const { version, ...action } = request.body
    return cases.act(principalOf(request), request.params.id, version, action)
  })
}
