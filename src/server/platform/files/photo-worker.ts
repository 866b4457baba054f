// The photo thread's side (see photo-thread.ts): checks a photo, hashes it and, when told where, writes it to disk with
// plain synchronous calls, which cost one system call each here instead of a hand-off to libuv's pool and back.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { parentPort } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { inspectPhoto } from './images.js'
import type { PhotoReply, PhotoRequest } from './photo-thread.js'

/** Directories this thread has made or found: a write into one of them skips the mkdir. */
const made = new Set<string>()

/** Written aside and renamed, so a reader never sees half a file and a crash leaves no truncated one. */
function writeWhole(file: string, bytes: Uint8Array): void {
  const dir = path.dirname(file)
  if (!made.has(dir)) {
    fs.mkdirSync(dir, { recursive: true })
    made.add(dir)
  }
  const partial = `${file}.${randomBytes(6).toString('hex')}.partial`
  try {
    fs.writeFileSync(partial, bytes, { flag: 'wx' })
    fs.renameSync(partial, file)
  } catch (error) {
    fs.rmSync(partial, { force: true })
    throw error
  }
}

async function handle({ bytes, writeTo }: PhotoRequest): Promise<PhotoReply> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const photo = await inspectPhoto(buffer)
  const sha256 = createHash('sha256').update(buffer).digest('hex')
  if (writeTo) writeWhole(writeTo, buffer)
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
