// File routes: upload a photo (multipart, one field `file`), and read it or its thumbnail back.
import multipart from '@fastify/multipart'
import type { FastifyReply } from 'fastify'
import { principalOf } from '../../platform/auth/plugin.js'
import { type App, readOneFile, sendStored } from '../../platform/http.js'
import * as s from './schemas.js'
import type { FileService, OpenedFile } from './service.js'

/** Files never change under their id, so a browser may keep them; `private` keeps them out of shared caches. */
const CACHE = 'private, max-age=31536000, immutable'

export function fileRoutes(app: App, files: FileService) {
  const tags = ['files']

  // Multipart parsing only here: every other route still refuses a multipart body with 415.
  void app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: files.limits.maxPhotoBytes } })

    scope.post('/api/files', {
      schema: {
        tags,
        summary: 'Upload a photo: multipart/form-data with one field "file"; JPEG, PNG or WebP recognised from the bytes (415 otherwise), size limited (413)',
        description: `Any user who may report or act on cases. The original is kept as uploaded; the thumbnail carries no EXIF/GPS metadata. The same bytes uploaded again by the same user, before a case uses them, answer with the first copy.`,
        consumes: ['multipart/form-data'],
        response: { 200: s.UploadReply },
      },
    }, async (request) => files.upload(principalOf(request), async () => (await readOneFile(request, files.limits.maxPhotoBytes)).bytes))

    const send = (file: OpenedFile, reply: FastifyReply) => sendStored(reply, file, CACHE)

    scope.get('/api/files/:id', {
      config: { permission: 'case:read' },
      schema: { tags, summary: 'A photo exactly as uploaded, with the type recognised at upload', params: s.IdParams, response: { 200: s.PhotoBytes } },
    }, async (request, reply) => send(await files.open(principalOf(request), request.params.id, 'original'), reply))

    scope.get('/api/files/:id/thumbnail', {
      config: { permission: 'case:read' },
      schema: { tags, summary: 'The thumbnail of a photo (WebP, no metadata)', params: s.IdParams, response: { 200: s.ThumbnailBytes } },
    }, async (request, reply) => send(await files.open(principalOf(request), request.params.id, 'thumbnail'), reply))
  })
}
