// The photo thread's side (see photo-thread.ts): checks a photo, hashes it and, when told where, writes it to disk and
// flushes it (local-disk.ts `writeWholeDurably`); the photos whose flushes are under way wait together.
import { createHash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { inspectPhoto } from './images.js'
import { writeWholeDurably } from './local-disk.js'
import type { PhotoReply, PhotoRequest } from './photo-thread.js'

/** Directories this thread has made or found: a write into one of them skips the mkdir. */
const made = new Set<string>()

async function handle({ bytes, writeTo }: PhotoRequest): Promise<PhotoReply> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const photo = await inspectPhoto(buffer)
  const sha256 = createHash('sha256').update(buffer).digest('hex')
  if (writeTo) await writeWholeDurably(writeTo, buffer, made)
  return { photo, sha256 }
}

parentPort?.on('message', ({ id, request }: { id: number; request: PhotoRequest }) => {
  handle(request).then(
    (reply) => parentPort?.postMessage({ id, reply }),
    (error: unknown) => {
      const refused = error instanceof AppError ? { code: error.code, params: error.params, details: error.details } : undefined
      const failure = error instanceof Error ? { message: error.message, code: (error as NodeJS.ErrnoException).code } : { message: String(error) }
      parentPort?.postMessage({ id, refused, failure })
    },
  )
})
