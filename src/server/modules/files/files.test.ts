// Photos through the API: type sniffed from the bytes, size limited, thumbnailed without metadata, read back unchanged;
// and the checks a case step runs on the photos it cites.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type FormPart, multipart, type TestApp } from '../../../../test/helpers.js'
import type { Principal } from '../../platform/auth/principal.js'
import { AppError } from '../../platform/errors.js'
import { uploadBatching } from './repository.js'
import { assertPhotos, attachToCase, FileService } from './service.js'
import { LocalDiskStorage } from '../../platform/files/local-disk.js'

let t: TestApp
let dataDir: string
const tokens: Record<string, string> = {}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-files-test-'))
  // a 1 MiB limit keeps the oversized upload small
  t = await createTestApp({ DATA_DIR: dataDir, XIUHUA_MAX_PHOTO_MB: '1' })
  for (const user of ['supervisor', 'zhucheng', 'acceptor', 'dept']) tokens[user] = await t.login(user)
})
afterAll(async () => {
  await t?.close()
  await fs.rm(dataDir, { recursive: true, force: true })
})

type Part = FormPart
const form = multipart

const upload = (user: string | null, parts: Part[]) => {
  const body = form(parts)
  return t.app.inject({ method: 'POST', url: '/api/files', headers: { ...body.headers, ...(user ? bearer(tokens[user]!) : {}) }, payload: body.payload })
}
const photoPart = (data: Buffer, filename = 'photo.jpg', type = 'image/jpeg'): Part => ({ name: 'file', filename, type, data })
const userId = (username: string) => t.db.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow().then((r) => r.id)
/** The files under a directory (partial files included), by path. */
const filesUnder = async (dir: string) => (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort()
const get = (user: string | null, url: string) => t.app.inject({ method: 'GET', url, headers: user ? bearer(tokens[user]!) : {} })

/** A phone photo: 1200×800 pixels stored sideways (EXIF orientation 6, so shown 800×1200), with GPS in its EXIF. */
const phoneJpeg = () =>
  sharp({ create: { width: 1200, height: 800, channels: 3, background: '#4a7' } })
    .composite([{ input: { create: { width: 300, height: 200, channels: 3, background: '#c33' } }, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'Xiuhua test camera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 50/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '114/1 48/1 0/1' } })
    .toBuffer()

/** The same picture with a comment segment after the start marker: new bytes, so never a retried upload. */
const uniqueJpeg = (jpeg: Buffer) => {
  const text = Buffer.from(randomBytes(8).toString('hex'), 'latin1')
  const segment = Buffer.alloc(4 + text.length)
  segment.writeUInt16BE(0xfffe, 0)
  segment.writeUInt16BE(text.length + 2, 2)
  text.copy(segment, 4)
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)])
}

/** The GPS IFD pointer (tag 0x8825) in an EXIF block of either byte order. */
const hasGps = (exif: Buffer | undefined) => Boolean(exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]))))

function expectError(response: { statusCode: number; json: () => { error?: { code?: string; messages?: Record<string, string> } } }, status: number, code: string) {
  expect(response.statusCode, JSON.stringify(response.json())).toBe(status)
  const error = response.json().error
  expect(error?.code).toBe(code)
  expect(error?.messages?.['zh-CN']).toBeTruthy()
  expect(error?.messages?.en).toBeTruthy()
}

describe('uploading a photo', () => {
  it('keeps a JPEG exactly as uploaded and makes an upright, smaller thumbnail without EXIF or GPS', async () => {
    const jpeg = await phoneJpeg()
    expect(hasGps((await sharp(jpeg).metadata()).exif)).toBe(true)
    const response = await upload('supervisor', [photoPart(jpeg)])
    expect(response.statusCode, response.body).toBe(200)
    const file = response.json()
    expect(file).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), contentType: 'image/jpeg', sizeBytes: jpeg.length, width: 800, height: 1200,
      url: `/api/files/${file.id}`, thumbnailUrl: `/api/files/${file.id}/thumbnail`,
    })

    const original = await get('supervisor', file.url)
    expect(original.statusCode).toBe(200)
    expect(original.headers['content-type']).toBe('image/jpeg')
    expect(original.headers['cache-control']).toMatch(/^private\b/)
    expect(original.headers['x-content-type-options']).toBe('nosniff')
    expect(original.rawPayload.equals(jpeg)).toBe(true)

    const thumb = await get('supervisor', file.thumbnailUrl)
    expect(thumb.statusCode).toBe(200)
    expect(thumb.headers['content-type']).toBe('image/webp')
    expect(thumb.headers['cache-control']).toMatch(/^private\b/)
    expect(thumb.rawPayload.length).toBeLessThan(jpeg.length)
    const meta = await sharp(thumb.rawPayload).metadata()
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 480 })
    expect(meta.exif).toBeUndefined()
    expect(meta.orientation).toBeUndefined()
  })

  it('takes a PNG (with transparency) and answers its dimensions', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer()
    const response = await upload('zhucheng', [photoPart(png, 'after.png', 'image/png')])
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toMatchObject({ contentType: 'image/png', width: 300, height: 200, sizeBytes: png.length })
    const original = await get('zhucheng', response.json().url)
    expect(original.headers['content-type']).toBe('image/png')
    expect(original.rawPayload.equals(png)).toBe(true)
    const thumb = await sharp((await get('zhucheng', response.json().thumbnailUrl)).rawPayload).metadata()
    expect(thumb).toMatchObject({ format: 'webp', width: 300, height: 200, hasAlpha: true })
  })

  it('answers a retried upload of the same bytes by the same person with the first copy', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).png().toBuffer()
    const first = (await upload('supervisor', [photoPart(png, 'a.png', 'image/png')])).json()
    const again = (await upload('supervisor', [photoPart(png, 'a.png', 'image/png')])).json()
    expect(again.id).toBe(first.id)
    const byOther = (await upload('acceptor', [photoPart(png, 'a.png', 'image/png')])).json()
    expect(byOther.id).not.toBe(first.id)
  })

  it('keeps no second copy of a retried upload’s bytes on disk, and one row and one audit entry', async () => {
    // the test app keeps files in memory (its database is in memory): this service stores them on disk
    const store = path.join(dataDir, 'disk')
    const service = new FileService(t.db, new LocalDiskStorage(store), { maxPhotoBytes: 1024 * 1024 })
    try {
      const png = await sharp({ create: { width: 48, height: 48, channels: 3, background: '#654321' } }).png().toBuffer()
      const actor = { actor: { userId: await userId('supervisor'), username: 'supervisor' } }
      const first = await service.storePhoto(Buffer.from(png), actor.actor.userId, actor)
      const before = await filesUnder(store)
      expect(before).toEqual([path.join(store, first.id.slice(0, 2), first.id.slice(2, 4), first.id)])
      const again = await service.storePhoto(Buffer.from(png), actor.actor.userId, actor)
      expect(again.id).toBe(first.id)
      expect(await filesUnder(store)).toEqual(before)
      expect(await fs.readFile(before[0]!)).toEqual(png)
      const sha = (await t.db.kysely.selectFrom('files').select('sha256').where('id', '=', first.id).executeTakeFirstOrThrow()).sha256
      expect(await t.db.kysely.selectFrom('files').select('id').where('sha256', '=', sha).execute()).toEqual([{ id: first.id }])
      expect(await t.db.kysely.selectFrom('audit_log').select('action').where('entity_id', '=', first.id).execute()).toEqual([{ action: 'file.upload' }])
    } finally {
      await service.close()
    }
  })

  it('stores uploads sent together in batches, each with its row and audit entry, a retry among them answered with its copy', async () => {
    const earlier = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#0a0b0c' } }).png().toBuffer()
    const earlierId = (await upload('zhucheng', [photoPart(earlier, 'e.png', 'image/png')])).json().id
    const batchesBefore = uploadBatching(t.db.kysely)?.batches ?? 0
    const photos = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      sharp({ create: { width: 20 + i, height: 20, channels: 3, background: { r: i * 20, g: 100, b: 50 } } }).png().toBuffer()))
    const sent = [
      ...photos.map((png, i) => ({ user: i % 2 ? 'supervisor' : 'zhucheng', png })),
      { user: 'zhucheng', png: earlier },
    ]
    const answers = await Promise.all(sent.map(async ({ user, png }) => {
      const response = await upload(user, [photoPart(png, 'p.png', 'image/png')])
      expect(response.statusCode, response.body).toBe(200)
      return response.json() as { id: string; width: number }
    }))
    expect(answers.at(-1)!.id).toBe(earlierId)
    const fresh = answers.slice(0, -1)
    expect(new Set(fresh.map((a) => a.id)).size).toBe(12)
    expect(fresh.map((a) => a.width)).toEqual(photos.map((_, i) => 20 + i))
    const rows = await t.db.kysely.selectFrom('files').select(['id', 'uploaded_by', 'width']).where('id', 'in', fresh.map((a) => a.id)).execute()
    const users = { zhucheng: await userId('zhucheng'), supervisor: await userId('supervisor') }
    expect(rows.sort((a, b) => (a.width ?? 0) - (b.width ?? 0)).map((r) => r.uploaded_by)).toEqual(sent.slice(0, -1).map((s) => users[s.user as keyof typeof users]))
    const audited = await t.db.kysely.selectFrom('audit_log').select(['entity_id', 'actor_name']).where('action', '=', 'file.upload').where('entity_id', 'in', answers.map((a) => a.id)).execute()
    expect(audited.filter((a) => a.entity_id !== earlierId).map((a) => a.entity_id).sort()).toEqual(fresh.map((a) => a.id).sort())
    expect(audited.filter((a) => a.entity_id === earlierId)).toHaveLength(1)
    // the uploads arrived together, so they went in fewer statements than uploads
    const stats = uploadBatching(t.db.kysely)!
    expect(stats.batches - batchesBefore).toBeLessThan(sent.length)
    expect(stats.failed).toBe(0)
  })

  it('records the upload in the audit log', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#abcdef' } }).png().toBuffer()
    const id = (await upload('supervisor', [photoPart(png, 'x.png', 'image/png')])).json().id
    const entry = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_name']).where('entity_id', '=', id).executeTakeFirst()
    expect(entry).toEqual({ action: 'file.upload', actor_name: 'supervisor' })
  })
})

describe('thumbnails made on first read', () => {
  it('makes the thumbnail once for reads that arrive together, and answers later reads with the same bytes', async () => {
    const jpeg = await phoneJpeg()
    const file = (await upload('supervisor', [photoPart(uniqueJpeg(jpeg))])).json()
    const together = await Promise.all(Array.from({ length: 5 }, () => get('supervisor', file.thumbnailUrl)))
    for (const r of together) expect(r.statusCode).toBe(200)
    const later = await get('supervisor', file.thumbnailUrl)
    expect(later.headers['content-type']).toBe('image/webp')
    for (const r of together) expect(r.rawPayload.equals(later.rawPayload)).toBe(true)
    expect(await sharp(later.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 320, height: 480 })
  })

  it('stores a photo for a caller that names the uploader itself, audited as the actor it is given', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#0a0b0c' } }).png().toBuffer()
    const supervisor = await userId('supervisor')
    const file = await t.context.files.storePhoto(png, supervisor, { actor: { userId: supervisor, username: 'supervisor' } })
    expect(file).toMatchObject({ contentType: 'image/png', width: 40, height: 30, sizeBytes: png.length })
    expect((await get('supervisor', file.thumbnailUrl)).statusCode).toBe(200)
    const entry = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_name']).where('entity_id', '=', file.id).executeTakeFirst()
    expect(entry).toEqual({ action: 'file.upload', actor_name: 'supervisor' })
  })
})

describe('over a real connection', () => {
  it('uploads with a browser’s FormData, streams the photo back, and answers an oversized upload with 413 without hanging', async () => {
    // closed with the app in afterAll
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' })
    const jpeg = await phoneJpeg()
    const sendForm = (bytes: Buffer) => {
      const body = new FormData()
      body.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg')
      return fetch(`${address}/api/files`, { method: 'POST', headers: bearer(tokens.supervisor!), body })
    }
    const uploaded = await sendForm(jpeg)
    expect(uploaded.status).toBe(200)
    const { url } = (await uploaded.json()) as { url: string }
    const back = await fetch(`${address}${url}`, { headers: bearer(tokens.supervisor!) })
    expect(back.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await back.arrayBuffer()).equals(jpeg)).toBe(true)

    const tooBig = await sendForm(randomBytes(3 * 1024 * 1024))
    expect(tooBig.status).toBe(413)
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE')
  })
})

describe('refusals', () => {
  it('refuses a text file named .jpg and declared image/jpeg with 415, whatever the client claims', async () => {
    const response = await upload('supervisor', [photoPart(Buffer.from('this is not a photo, just text\n'.repeat(20)), 'photo.jpg', 'image/jpeg')])
    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
    expect(response.json().error.details).toMatchObject({ detected: null, accepted: ['image/jpeg', 'image/png', 'image/webp'] })
  })

  it('refuses a real image of a type it does not take (GIF) with 415', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer()
    const response = await upload('supervisor', [photoPart(gif, 'photo.jpg', 'image/jpeg')])
    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
    expect(response.json().error.details.detected).toBe('image/gif')
  })

  it('refuses a photo cut short, or damaged inside a PNG, with 400 and stores nothing', async () => {
    const jpeg = await phoneJpeg()
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#3a6' } }).png().toBuffer()
    const damaged = Buffer.from(png)
    damaged[damaged.length - 20] = 0xff - damaged[damaged.length - 20]! // inside the image data: its chunk's checksum no longer matches
    const webp = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#963' } }).webp().toBuffer()
    const before = await t.db.kysely.selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    for (const [bytes, name, type] of [
      [jpeg.subarray(0, Math.floor(jpeg.length * 0.8)), 'cut.jpg', 'image/jpeg'],
      [jpeg.subarray(0, jpeg.length - 2), 'no-end.jpg', 'image/jpeg'],
      [png.subarray(0, png.length - 30), 'cut.png', 'image/png'],
      [damaged, 'damaged.png', 'image/png'],
      [webp.subarray(0, webp.length - 10), 'cut.webp', 'image/webp'],
    ] as const) {
      const response = await upload('supervisor', [photoPart(bytes, name, type)])
      expectError(response, 400, 'BAD_REQUEST')
      expect(response.json().error.messages.en, name).toContain('damaged or incomplete')
    }
    const after = await t.db.kysely.selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('takes a JPEG with data after its end (a phone’s motion photo) and a WebP', async () => {
    const jpeg = await phoneJpeg()
    const motion = Buffer.concat([jpeg, Buffer.from('....ftypmp42 a short video would follow here')])
    expect((await upload('supervisor', [photoPart(motion)])).statusCode).toBe(200)
    const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#369' } }).webp().toBuffer()
    expect((await upload('supervisor', [photoPart(webp, 'p.webp', 'image/webp')])).json()).toMatchObject({ contentType: 'image/webp', width: 64, height: 48 })
  })

  it('refuses a file over XIUHUA_MAX_PHOTO_MB with 413 in the error shape', async () => {
    const noisy = await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 100 }).toBuffer()
    expect(noisy.length).toBeGreaterThan(1024 * 1024)
    const response = await upload('supervisor', [photoPart(noisy)])
    expectError(response, 413, 'PAYLOAD_TOO_LARGE')
    expect(response.json().error.details).toEqual({ maxBytes: 1024 * 1024 })
  })

  it('refuses a multipart body without the file field, or with none at all, with 400', async () => {
    expectError(await upload('supervisor', [{ name: 'comment', data: 'no photo here' }]), 400, 'BAD_REQUEST')
    expectError(await upload('supervisor', [{ name: 'picture', filename: 'p.jpg', type: 'image/jpeg', data: await phoneJpeg() }]), 400, 'BAD_REQUEST')
    expectError(await upload('supervisor', []), 400, 'BAD_REQUEST')
  })

  it('refuses a JSON body with 415 and broken JSON with 400, in the error shape', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/api/files', headers: bearer(tokens.supervisor!), payload: { file: 'aGVsbG8=' } })
    expectError(json, 415, 'UNSUPPORTED_MEDIA_TYPE')
    const broken = await t.app.inject({ method: 'POST', url: '/api/files', headers: { ...bearer(tokens.supervisor!), 'content-type': 'application/json' }, payload: '{"broken' })
    expectError(broken, 400, 'INVALID_JSON')
  })

  it('refuses anonymous uploads and reads with 401', async () => {
    expectError(await upload(null, [photoPart(await phoneJpeg())]), 401, 'UNAUTHENTICATED')
    const id = (await upload('supervisor', [photoPart(await phoneJpeg())])).json().id
    expectError(await get(null, `/api/files/${id}`), 401, 'UNAUTHENTICATED')
    expectError(await get(null, `/api/files/${id}/thumbnail`), 401, 'UNAUTHENTICATED')
  })

  it('answers an unknown file with 404 and a malformed id with 400', async () => {
    expectError(await get('supervisor', '/api/files/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND')
    expectError(await get('supervisor', '/api/files/not-a-uuid'), 400, 'VALIDATION_FAILED')
    expectError(await get('supervisor', '/api/files/not-a-uuid/thumbnail'), 400, 'VALIDATION_FAILED')
  })

  it('never reads the body of someone who may neither report nor act on cases', async () => {
    const reader: Principal = {
      userId: await userId('supervisor'), username: 'reader', displayName: '只读', unitId: '', unitName: '', scopePath: '/', roles: ['reader'],
      permissions: new Set(['case:read']), sessionKind: 'bearer', mustChangePassword: false, tokenHash: '', ip: null, userAgent: null,
    }
    let read = false
    const attempt = t.context.files.upload(reader, async () => {
      read = true
      return Buffer.alloc(0)
    })
    await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(read).toBe(false)
  })
})

describe('photos cited by a case step', () => {
  const photo = async (user: string) => {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: randomBytes(1)[0]!, g: randomBytes(1)[0]!, b: randomBytes(1)[0]! } } }).png().toBuffer()
    return (await upload(user, [photoPart(png, 'p.png', 'image/png')])).json().id as string
  }
  const newCase = async () => {
    const response = await t.app.inject({
      method: 'POST', url: '/api/cases', headers: bearer(tokens.supervisor!),
      payload: { clientId: `files-${Date.now()}-${randomBytes(3).toString('hex')}`, source: 'supervisor', classKind: 'component', classCode: '0103', description: '井盖缺失', lng: 114.8, lat: 30.84 },
    })
    expect(response.statusCode, response.body).toBe(200)
    return response.json().case.id as string
  }

  it('accepts the user’s own photos and names the unknown and other people’s', async () => {
    const mine = await photo('supervisor')
    const theirs = await photo('zhucheng')
    const supervisor = await userId('supervisor')
    await expect(assertPhotos(t.db.kysely, [mine, mine], supervisor)).resolves.toBeUndefined()
    await expect(assertPhotos(t.db.kysely, [], supervisor)).resolves.toBeUndefined()
    const unknown = '00000000-0000-4000-8000-000000000000'
    const refused = await assertPhotos(t.db.kysely, [mine, theirs, unknown, 'after-1'], supervisor).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', details: { missing: [unknown, 'after-1'], notYours: [theirs] } })
    expect((refused as AppError).message).toContain(theirs)
  })

  it('links photos to the case of the step, and never to a second case', async () => {
    const [first, second] = [await newCase(), await newCase()]
    const id = await photo('supervisor')
    await t.db.kysely.transaction().execute((trx) => attachToCase(trx, [id], first))
    await t.db.kysely.transaction().execute((trx) => attachToCase(trx, [id], first)) // a later step of the same case
    expect((await t.db.kysely.selectFrom('files').select('case_id').where('id', '=', id).executeTakeFirstOrThrow()).case_id).toBe(first)
    const refused = t.db.kysely.transaction().execute((trx) => attachToCase(trx, [id], second))
    await expect(refused).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { taken: [id] } })
  })

  const reportCiting = (photoIds: string[]) => t.app.inject({
    method: 'POST', url: '/api/cases', headers: bearer(tokens.supervisor!),
    payload: { clientId: `cite-${Date.now()}-${randomBytes(3).toString('hex')}`, source: 'supervisor', classKind: 'component', classCode: '0103', description: '井盖缺失（先传照片）', lng: 114.8, lat: 30.84, photoIds },
  })
  const caseCount = async () => Number((await t.db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

  it('links the photos a report cites to its case, and answers a repeat in the list once', async () => {
    const [a, b] = [await photo('supervisor'), await photo('supervisor')]
    const response = await reportCiting([a, b, a])
    expect(response.statusCode, response.body).toBe(200)
    const c = response.json().case
    expect(c.timeline[0].photoIds).toEqual([a, b])
    const linked = await t.db.kysely.selectFrom('files').select('id').where('case_id', '=', c.id).execute()
    expect(linked.map((f) => f.id).sort()).toEqual([a, b].sort())
  })

  it('gives a photo cited by two reports at once to one of them: the other is refused with 400 and stores nothing', async () => {
    const id = await photo('supervisor')
    const before = await caseCount()
    const answers = await Promise.all([reportCiting([id]), reportCiting([id])])
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 400])
    const refused = answers.find((r) => r.statusCode === 400)!
    expectError(refused, 400, 'BAD_REQUEST')
    expect(refused.json().error.messages.en).toContain(id)
    const won = answers.find((r) => r.statusCode === 200)!.json().case.id
    expect((await t.db.kysely.selectFrom('files').select('case_id').where('id', '=', id).executeTakeFirstOrThrow()).case_id).toBe(won)
    expect(await caseCount()).toBe(before + 1)
  })

  it('refuses a report citing a photo another case has, or someone else’s, and stores no case', async () => {
    const taken = await photo('supervisor')
    expect((await reportCiting([taken])).statusCode).toBe(200)
    const theirs = await photo('zhucheng')
    const before = await caseCount()
    expectError(await reportCiting([await photo('supervisor'), taken]), 400, 'BAD_REQUEST')
    expectError(await reportCiting([theirs]), 400, 'BAD_REQUEST')
    expect(await caseCount()).toBe(before)
  })

  it('shows a photo to whoever took it and to those who see its case, and to nobody else', async () => {
    const caseId = await newCase()
    const loose = await photo('supervisor')
    expect((await get('supervisor', `/api/files/${loose}`)).statusCode).toBe(200)
    // not yet part of a case: only its author sees it
    expect((await get('acceptor', `/api/files/${loose}`)).statusCode).toBe(404)
    await t.db.kysely.transaction().execute((trx) => attachToCase(trx, [loose], caseId))
    expect((await get('acceptor', `/api/files/${loose}`)).statusCode).toBe(200)
    expect((await get('acceptor', `/api/files/${loose}/thumbnail`)).statusCode).toBe(200)
    // the case lies in 邾城街道: its staff see the photo, the water bureau (not dispatched to) does not
    expect((await get('zhucheng', `/api/files/${loose}`)).statusCode).toBe(200)
    expect((await get('dept', `/api/files/${loose}`)).statusCode).toBe(404)
    expect((await get('dept', `/api/files/${loose}/thumbnail`)).statusCode).toBe(404)
  })
})

describe('a report with its photos in one request (multipart POST /api/cases)', () => {
  const fields = (clientId: string, extra: Record<string, string> = {}): Part[] =>
    Object.entries({ clientId, source: 'supervisor', classKind: 'component', classCode: '0103', description: '井盖缺失（带照片）', address: '邾城街道问津路', lng: '114.8', lat: '30.84', ...extra })
      .map(([name, data]) => ({ name, data }))
  const photoOf = (data: Buffer): Part => ({ name: 'photo', filename: 'photo.jpg', type: 'image/jpeg', data })
  const report = (user: string | null, parts: Part[]) => {
    const body = form(parts)
    return t.app.inject({ method: 'POST', url: '/api/cases', headers: { ...body.headers, ...(user ? bearer(tokens[user]!) : {}) }, payload: body.payload })
  }
  const clientId = () => `form-${Date.now()}-${randomBytes(3).toString('hex')}`
  const filesOf = (caseId: string) => t.db.kysely.selectFrom('files').select(['id', 'uploaded_by', 'sha256']).where('case_id', '=', caseId).execute()
  const fileCount = async () => Number((await t.db.kysely.selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

  it('stores the case and its photos together, the photos readable by the reporter and by the centre', async () => {
    const jpegs = [uniqueJpeg(await phoneJpeg()), uniqueJpeg(await phoneJpeg())]
    const response = await report('supervisor', [...fields(clientId()), ...jpegs.map(photoOf)])
    expect(response.statusCode, response.body).toBe(200)
    const { created, case: c } = response.json()
    expect(created).toBe(true)
    expect(c.state).toBe('reported')
    expect(c.timeline).toHaveLength(1)
    expect(c.timeline[0]).toMatchObject({ kind: 'reported', actorName: expect.any(String), photoIds: [expect.any(String), expect.any(String)] })
    const stored = await filesOf(c.id)
    expect(stored.map((f) => f.id).sort()).toEqual([...c.timeline[0].photoIds].sort())
    expect(stored.every((f) => f.uploaded_by !== null)).toBe(true)
    // what came in is what is kept, and the centre sees it with the case
    const original = await get('acceptor', `/api/files/${c.timeline[0].photoIds[0]}`)
    expect(original.statusCode).toBe(200)
    expect(original.rawPayload.equals(jpegs[0]!)).toBe(true)
    expect((await get('supervisor', `/api/files/${c.timeline[0].photoIds[1]}/thumbnail`)).headers['content-type']).toBe('image/webp')
    // the detail read later says the same as the answer
    const detail = (await get('supervisor', `/api/cases/${c.id}`)).json()
    expect(detail.timeline).toEqual(c.timeline)
    // one audit entry names the report and the photos stored with it
    const entry = await t.db.kysely.selectFrom('audit_log').select(['action', 'details']).where('entity_id', '=', c.id).where('action', '=', 'case.report').executeTakeFirstOrThrow()
    expect((entry.details as { photos: Array<{ id: string; sha256: string }> }).photos.map((p) => p.id).sort()).toEqual(stored.map((f) => f.id).sort())
  })

  it('answers a retried report with the first case and stores its photos once', async () => {
    const id = clientId()
    const jpeg = uniqueJpeg(await phoneJpeg())
    const first = await report('supervisor', [...fields(id), photoOf(jpeg)])
    expect(first.statusCode, first.body).toBe(200)
    const before = await fileCount()
    const again = await report('supervisor', [...fields(id), photoOf(jpeg)])
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ created: false, case: { id: first.json().case.id } })
    expect(await fileCount()).toBe(before)
    expect(await filesOf(first.json().case.id)).toHaveLength(1)
  })

  it('refuses what is not a photo, too many photos, a wrong field or bad values, and stores nothing', async () => {
    const before = await fileCount()
    const cases = async () => Number((await t.db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const casesBefore = await cases()
    const pdf = await report('supervisor', [...fields(clientId()), { name: 'photo', filename: 'x.jpg', type: 'image/jpeg', data: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n') }])
    expect(pdf.statusCode).toBe(415)
    expect(pdf.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', messages: { 'zh-CN': expect.any(String), en: expect.any(String) } })
    const jpeg = await phoneJpeg()
    const many = await report('supervisor', [...fields(clientId()), ...Array.from({ length: 10 }, () => photoOf(uniqueJpeg(jpeg)))])
    expect(many.statusCode).toBe(400)
    expect(many.json().error.details).toMatchObject({ maxFiles: 9 })
    const wrongField = await report('supervisor', [...fields(clientId()), { name: 'file', filename: 'p.jpg', type: 'image/jpeg', data: jpeg }])
    expect(wrongField.statusCode).toBe(400)
    const badValue = await report('supervisor', [...fields(clientId(), { lng: 'east' }), photoOf(jpeg)])
    expect(badValue.statusCode).toBe(400)
    expect(badValue.json().error.code).toBe('VALIDATION_FAILED')
    const unknownField = await report('supervisor', [...fields(clientId(), { colour: 'red' }), photoOf(jpeg)])
    expect(unknownField.json().error.code).toBe('VALIDATION_FAILED')
    const tooLarge = await report('supervisor', [...fields(clientId()), photoOf(Buffer.concat([jpeg, randomBytes(1024 * 1024)]))])
    expect(tooLarge.statusCode).toBe(413)
    expect(await fileCount()).toBe(before)
    expect(await cases()).toBe(casesBefore)
  })

  it('refuses a user who may not report, or not from that channel, before storing anything', async () => {
    const before = await fileCount()
    const jpeg = uniqueJpeg(await phoneJpeg())
    const unit = await report('zhucheng', [...fields(clientId()), photoOf(jpeg)])
    expect(unit.statusCode).toBe(403)
    const channel = await report('supervisor', [...fields(clientId(), { source: 'hotline' }), photoOf(jpeg)])
    expect(channel.statusCode).toBe(403)
    expect(channel.json().error.details).toMatchObject({ source: 'hotline' })
    expect((await report(null, [...fields(clientId()), photoOf(jpeg)])).statusCode).toBe(401)
    expect(await fileCount()).toBe(before)
  })

  it('still checks a JSON report against its schema', async () => {
    const response = await t.app.inject({
      method: 'POST', url: '/api/cases', headers: bearer(tokens.supervisor!),
      payload: { clientId: clientId(), source: 'supervisor', classKind: 'component', classCode: '0103', description: 'x', lng: '114.8', lat: 30.84 },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('VALIDATION_FAILED')
  })
})
