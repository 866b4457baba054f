// Photo intake off the event loop. Every photo a report brings is checked (type sniffed, whole, size in pixels),
// hashed and written to disk; on the event loop those are a hash of ~200 KB and six hand-offs to libuv's pool (mkdir,
// open, write, close, rename, the image header), ~1.2 ms of the loop per photo, most of it waking pool threads. One
// worker thread does them instead, its file flushes in libuv's pool: the loop sends the bytes and gets the answer in
// one round trip (bench/cases.ts, report with its photo, closed loop: 283–324/s → see docs/decisions/0003-photo-thread.md).
import type { Worker } from 'node:worker_threads'
import { AppError, type ErrorCode, type ErrorParams } from '../errors.js'
import { typeScriptWorker } from '../threads.js'
import type { Photo } from './images.js'

export interface PhotoRequest {
  bytes: Uint8Array
  /** The file to write the bytes to once they pass (local disk storage); none: check and hash only. */
  writeTo: string | undefined
}

export interface PhotoReply {
  photo: Photo
  sha256: string
}

interface Answer {
  id: number
  reply?: PhotoReply
  /** An AppError of the checks (a 4xx for the client). */
  refused?: { code: ErrorCode; params: ErrorParams; details: unknown }
  failure?: { message: string; code?: string | undefined }
}

export class PhotoThread {
  private worker: Worker | undefined
  private nextId = 0
  private readonly waiting = new Map<number, { resolve: (reply: PhotoReply) => void; reject: (error: Error) => void }>()

  /**
   * The photo's type and displayed size and its SHA-256; with `writeTo`, the bytes written there (whole or not at all)
   * once they pass. Refusals are the same AppErrors as `inspectPhoto`'s. With `writeTo`, bytes that own their memory
   * are handed to the thread rather than copied: the caller's Buffer is left empty.
   */
  check(bytes: Buffer, writeTo?: string): Promise<PhotoReply> {
    const worker = this.started()
    const id = this.nextId++
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    return new Promise<PhotoReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      worker.ref() // a photo in flight keeps the process up; an idle thread does not
      const message = { id, request: { bytes, writeTo } satisfies PhotoRequest }
      try {
        worker.postMessage(message, writeTo && own ? [bytes.buffer] : [])
      } catch {
        worker.postMessage(message) // memory that cannot be handed over (a native library's) is copied
      }
    })
  }

  /** Stops the thread; photos in flight are refused. */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.failAll(new Error('the photo thread has stopped'))
    if (worker) await worker.terminate()
  }

  private started(): Worker {
    if (this.worker) return this.worker
    const worker = typeScriptWorker(new URL('./photo-worker.ts', import.meta.url))
    worker.unref()
    worker.on('message', (answer: Answer) => this.settle(answer))
    // a crashed thread refuses its photos in flight and is started again on the next photo; one stopped by close()
    // has refused them already, and must not refuse those of the thread started after it
    const crashed = (error: Error) => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.failAll(error)
    }
    worker.on('error', crashed)
    worker.on('exit', (code) => crashed(new Error(`the photo thread stopped (exit code ${code})`)))
    this.worker = worker
    return worker
  }

  private settle(answer: Answer): void {
    const waiter = this.waiting.get(answer.id)
    this.waiting.delete(answer.id)
    if (this.waiting.size === 0) this.worker?.unref()
    if (!waiter) return
    if (answer.reply) waiter.resolve(answer.reply)
    else if (answer.refused) waiter.reject(new AppError(answer.refused.code, answer.refused.params, answer.refused.details))
    else waiter.reject(Object.assign(new Error(answer.failure?.message ?? 'the photo thread failed'), { code: answer.failure?.code }))
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error)
    this.waiting.clear()
  }
}
