// The photo thread: the same answers and refusals as checking on the event loop, the file written whole or not at all,
// the bytes handed over rather than copied, and a thread that stops is started again for the next photo.
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { PhotoThread } from './photo-thread.js'

let root: string
const thread = new PhotoThread()
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-photo-thread-'))
})
afterAll(async () => {
  await thread.close()
  await fs.rm(root, { recursive: true, force: true })
})

const jpeg = () => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 90, b: 40 } } }).jpeg().toBuffer()

describe('photo thread', () => {
  it('answers the type, size and SHA-256 of a photo, and writes it whole where it is told', async () => {
    const bytes = Buffer.alloc((await jpeg()).length, await jpeg()) // bytes that own their memory, as a request's are
    const expected = { sha256: createHash('sha256').update(bytes).digest('hex'), copy: Buffer.from(bytes) }
    const file = path.join(root, 'ab', 'cd', 'photo')
    const reply = await thread.check(bytes, file)
    expect(reply).toEqual({ photo: { contentType: 'image/jpeg', width: 64, height: 48 }, sha256: expected.sha256 })
    expect(await fs.readFile(file)).toEqual(expected.copy)
    expect(await fs.readdir(path.dirname(file))).toEqual(['photo']) // no partial file left beside it
    expect(bytes.length).toBe(0) // handed to the thread, not copied
  })

  it('checks without writing when it is told nowhere, and leaves the caller its bytes', async () => {
    const bytes = await jpeg()
    const reply = await thread.check(bytes)
    expect(reply.photo.contentType).toBe('image/jpeg')
    expect(bytes.length).toBeGreaterThan(0)
  })

  it('refuses what is not a photo, or a photo cut short, with the checks’ own errors, and writes nothing', async () => {
    const file = path.join(root, 'refused', 'photo')
    const text = thread.check(Buffer.from('not a photo at all, only text'), file)
    await expect(text).rejects.toBeInstanceOf(AppError)
    await expect(text).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 })
    const whole = await jpeg()
    await expect(thread.check(whole.subarray(0, whole.length - 40), file)).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 400 })
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('answers photos sent together, each with its own answer', async () => {
    const photos = await Promise.all([10, 20, 30, 40].map((width) => sharp({ create: { width, height: 10, channels: 3, background: '#336699' } }).png().toBuffer()))
    const replies = await Promise.all(photos.map((bytes, i) => thread.check(bytes, path.join(root, 'many', String(i)))))
    expect(replies.map((r) => r.photo.width)).toEqual([10, 20, 30, 40])
  })

  it('refuses the photos in flight when it stops, and starts again for the next one', async () => {
    const refused = expect(thread.check(await jpeg())).rejects.toThrow(/stopped/) // handled before it is refused
    await thread.close()
    await refused
    expect((await thread.check(await jpeg())).photo.width).toBe(64)
  })
})
