// Shared HTTP pieces: the typed Fastify instance, schema helpers and the validators every route uses.
import type { Readable } from 'node:stream'
import { Ajv, type Options as AjvOptions } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { type Static, Type, type TProperties, type TSchema } from 'typebox'
import { AppError } from './errors.js'

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

/** An object schema that refuses unknown fields (bad input gets a 400, never silently dropped). */
export const Obj = <P extends TProperties>(properties: P, options: { description?: string; title?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options })

export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time' })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Page = Obj({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
})

export const OkReply = Obj({ ok: Type.Boolean() })

export const ErrorReply = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      messages: Type.Object({ 'zh-CN': Type.String(), en: Type.String() }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorReply', description: 'The one error shape: a stable code and messages in zh-CN and en' },
)

const base: AjvOptions = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false }
// Bodies are typed JSON: a string where a number belongs is a 400, not coerced.
const bodyAjv = addFormats.default(new Ajv({ ...base, coerceTypes: false }))
// Query strings and path params arrive as text, so they are coerced to the declared types.
const textAjv = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }))

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)

/**
 * A check for input that does not arrive as a route's body (multipart fields, form-encoded 311 bodies): text coerced
 * to the schema's types, refused with VALIDATION_FAILED in the one error shape.
 */
export function checker<T extends TSchema>(schema: T): (value: unknown) => Static<T> {
  const validate = textAjv.compile(schema)
  return (value) => {
    if (validate(value)) return value as Static<T>
    const errors = (validate.errors ?? []).map((e: { instancePath: string; message?: string | undefined; params: unknown }) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid', params: e.params }))
    throw new AppError('VALIDATION_FAILED', {}, { errors })
  }
}

/** Maps framework errors (validation, body parsing, limits) onto the one error shape. */
export function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error
  if (error.validation) {
    const details = error.validation.map((v) => ({ in: error.validationContext, path: v.instancePath || '/', message: v.message, params: v.params }))
    return new AppError('VALIDATION_FAILED', {}, details)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('INVALID_JSON')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', { reason: 'content-length' })
    // PostgreSQL refused a character of the client's text (U+0000, a lone surrogate), whichever route carried it there
    case '22021': // character_not_in_repertoire
    case '22P05': // untranslatable_character
      return new AppError('BAD_REQUEST', { reason: { 'zh-CN': '文本含有无法保存的字符（如 U+0000）', en: 'the text holds a character that cannot be stored (such as U+0000)' } })
  }
  if (error instanceof SyntaxError) return new AppError('INVALID_JSON')
  if (error.statusCode === 429) return new AppError('RATE_LIMITED')
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return new AppError('BAD_REQUEST', { reason: error.message })
  return new AppError('INTERNAL')
}

export type Bbox = [west: number, south: number, east: number, north: number]

/** A `bbox` query parameter (west,south,east,north in WGS84 degrees); BAD_REQUEST unless it is four numbers in order. */
export function parseBbox(text: string): Bbox {
  const box = text.split(',').map(Number)
  const [w, s, e, n] = box as Bbox
  if (box.length !== 4 || !box.every(Number.isFinite) || w > e || s > n || w < -180 || e > 180 || s < -90 || n > 90) {
    throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': 'bbox 应为 最小经度,最小纬度,最大经度,最大纬度', en: 'bbox must be minLng,minLat,maxLng,maxLat' } }, { bbox: text })
  }
  return [w, s, e, n]
}

/** Streams stored bytes (a photo, a thumbnail) with their type, length when known, and caching rule. */
export function sendStored(reply: FastifyReply, file: { contentType: string; sizeBytes: number | undefined; body: Readable }, cacheControl: string) {
  reply.type(file.contentType).header('cache-control', cacheControl)
  if (file.sizeBytes !== undefined) reply.header('content-length', file.sizeBytes)
  return reply.send(file.body)
}

const FILE_FIELD = 'file'
const noFile = () => new AppError('BAD_REQUEST', { reason: { 'zh-CN': `缺少文件字段 ${FILE_FIELD}`, en: `no file field "${FILE_FIELD}"` } })

/**
 * Reads the one file of a multipart body (field `file`), at most maxBytes, mapping the parser's refusals onto the error
 * shape. The route's scope must have registered @fastify/multipart.
 */
export async function readOneFile(request: FastifyRequest, maxBytes: number): Promise<{ bytes: Buffer; filename: string }> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', {}, { expected: 'multipart/form-data' })
  try {
    const part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 11 } })
    if (!part) throw noFile()
    if (part.fieldname !== FILE_FIELD) {
      part.file.resume()
      throw noFile()
    }
    return { bytes: await part.toBuffer(), filename: part.filename }
  } catch (error) {
    if (error instanceof AppError) throw error
    const code = (error as { code?: string }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('PAYLOAD_TOO_LARGE', {}, { maxBytes })
    if (code === 'FST_FILES_LIMIT') throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '每次只能上传一个文件', en: 'one file per upload' } })
    throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '无法解析 multipart 请求体', en: 'the multipart body cannot be parsed' } }, { code: code ?? null })
  }
}

/** A multipart form as read: its text fields by name, and its files of the one file field, in order. */
export interface ReadForm {
  fields: Record<string, string>
  files: Buffer[]
}

/**
 * Reads a whole multipart form of text fields and up to `maxFiles` files in the field `fileField`, each at most
 * maxBytes, mapping the parser's refusals onto the error shape. The route's scope must have registered @fastify/multipart.
 */
export async function readForm(request: FastifyRequest, { fileField, maxFiles, maxBytes }: { fileField: string; maxFiles: number; maxBytes: number }): Promise<ReadForm> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', {}, { expected: 'multipart/form-data' })
  const fields: Record<string, string> = {}
  const files: Buffer[] = []
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: maxFiles, fields: 20, fieldSize: 4096, parts: maxFiles + 20 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== fileField) {
          part.file.resume()
          throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `文件字段应为 ${fileField}`, en: `files go in the "${fileField}" field` } })
        }
        files.push(await part.toBuffer())
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error
    const code = (error as { code?: string }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('PAYLOAD_TOO_LARGE', {}, { maxBytes })
    if (code === 'FST_FILES_LIMIT') throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `最多 ${maxFiles} 张照片`, en: `at most ${maxFiles} photos` } }, { maxFiles })
    throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '无法解析 multipart 请求体', en: 'the multipart body cannot be parsed' } }, { code: code ?? null })
  }
  return { fields, files }
}
