// File use cases: upload a photo (sniffed, size-limited, stored, audited; thumbnailed on first read), read it back, and the checks
// the cases module runs when a step cites photos. Nothing is ever deleted.
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import type { Kysely } from 'kysely'
import { type Actor, auditRecord } from '../../platform/audit.js'
import { actorOf, can, type Principal } from '../../platform/auth/principal.js'
import type { Database } from '../../platform/db/database.js'
import type { Db } from '../../platform/db/engine.js'
import { AppError, notFound } from '../../platform/errors.js'
import { type Photo, type PhotoType, thumbnail, THUMBNAIL_TYPE } from '../../platform/files/images.js'
import { PhotoThread } from '../../platform/files/photo-thread.js'
import type { FileStorage } from '../../platform/files/storage.js'
import * as repo from './repository.js'
import type { FileRow } from './repository.js'

/** Who may do what with files. */
export const filePolicy = {
  /** Photos are evidence of a report or a step: whoever may report or act on cases may upload. */
  upload: (principal: Principal) => can(principal, 'case:report') || can(principal, 'case:act'),
  read: (principal: Principal) => can(principal, 'case:read'),
}

export interface FileLimits {
  maxPhotoBytes: number
}

export interface OpenedFile {
  id: string
  contentType: string
  /** Known for the original; a thumbnail's is left to the transfer. */
  sizeBytes: number | undefined
  body: Readable
}

const present = (row: Pick<FileRow, 'id' | 'content_type' | 'size_bytes' | 'width' | 'height'>) => ({
  id: row.id,
  contentType: row.content_type as PhotoType,
  sizeBytes: row.size_bytes,
  width: row.width ?? 0,
  height: row.height ?? 0,
  url: `/api/files/${row.id}`,
  thumbnailUrl: `/api/files/${row.id}/thumbnail`,
})

export type UploadedFile = ReturnType<typeof present>

/** A checked photo whose bytes are stored and whose row is not written yet. */
export interface NewPhoto {
  id: string
  kind: 'photo'
  content_type: PhotoType
  size_bytes: number
  sha256: string
  storage_key: string
  width: number
  height: number
  thumbnail_key: string
  uploaded_by: string | null
  case_id: string | null
}

/** What the audit log says of a stored photo. */
export const uploadDetails = (row: NewPhoto) => ({ kind: row.kind, contentType: row.content_type, sizeBytes: row.size_bytes, sha256: row.sha256 })

const rowOf = (id: string, size: number, photo: Photo, sha256: string, uploadedBy: string | null): NewPhoto => ({
  id, kind: 'photo', content_type: photo.contentType, size_bytes: size, sha256, storage_key: id,
  width: photo.width, height: photo.height, thumbnail_key: `${id}.thumb`, uploaded_by: uploadedBy, case_id: null,
})

export class FileService {
  /** Checks, hashes and writes photos off the event loop. */
  private readonly photos = new PhotoThread()

  constructor(
    private readonly db: Db,
    private readonly storage: FileStorage,
    readonly limits: FileLimits,
  ) {}

  close(): Promise<void> {
    return this.photos.close()
  }

  /**
   * Stores one photo. `read` is called only once the caller may upload, so a refused request's body is never read;
   * it must refuse more than `limits.maxPhotoBytes` itself (the multipart reader stops there).
   * The same bytes sent again by the same person (an offline queue's retry) answer with the first copy.
   */
  async upload(principal: Principal, read: () => Promise<Buffer>): Promise<UploadedFile> {
    if (!filePolicy.upload(principal)) throw new AppError('FORBIDDEN', {}, { permission: ['case:report', 'case:act'] })
    return this.storePhoto(await read(), principal.userId, { actor: actorOf(principal) })
  }

  /**
   * Checks a photo (see `check`), stores it and records it for the uploader, audited as `audited.actor`. The same
   * bytes sent again by the same person before a case uses them answer the first copy. The thumbnail is made on its
   * first read (see `open`); its key is set now. The caller has checked who may upload.
   */
  async storePhoto(bytes: Buffer, uploadedBy: string, audited: { actor: Actor }): Promise<UploadedFile> {
    const { row, writeTo } = await this.keep(bytes, uploadedBy)
    // bytes first, row second: a failure leaves at worst bytes no row names, never a row without its bytes
    const stored = await repo.recordUpload(this.db.kysely, {
      file: { ...row, uploaded_by: uploadedBy },
      audit: auditRecord(audited.actor, { action: 'file.upload', entityType: 'file', details: uploadDetails(row) }),
    })
    // a retry: its bytes were written again under an id no row names; on local disk they are removed (a store that
    // cannot delete keeps them, unreferenced, as does a removal that fails: the answer is the first copy either way)
    if (stored.copied && writeTo) await rm(writeTo, { force: true }).catch(() => undefined)
    return present(stored.row)
  }

  /**
   * Checks photos that arrive with the report they belong to and stores their bytes; their rows are written inside
   * the statement that stores the case (cases' `insertIntake`), so a photo never exists without its case nor a case without its photos.
   */
  async preparePhotos(photos: readonly Buffer[], uploadedBy: string | null): Promise<NewPhoto[]> {
    // a refused report may leave another of its photos' bytes unreferenced, never a row without its bytes
    return Promise.all(photos.map(async (bytes) => (await this.keep(bytes, uploadedBy)).row))
  }

  /**
   * Checks a photo and stores its bytes under a new id; the row that will record them, and the local file they went
   * to (none: storage that is not a local file). On local disk the photo thread writes the bytes as soon as they
   * pass: one round trip.
   */
  private async keep(bytes: Buffer, uploadedBy: string | null): Promise<{ row: NewPhoto; writeTo: string | undefined }> {
    const id = randomUUID()
    const writeTo = this.storage.localPath?.(id)
    const size = bytes.length // the thread may take the bytes
    const { photo, sha256 } = await this.check(bytes, writeTo)
    const row = rowOf(id, size, photo, sha256, uploadedBy)
    if (!writeTo) await this.storage.put(row.storage_key, bytes, photo.contentType)
    return { row, writeTo }
  }

  /**
   * Not empty, within the size limit, a whole JPEG, PNG or WebP recognised from its bytes; and its hash. With
   * `writeTo`, the bytes are written there once they pass.
   */
  private async check(bytes: Buffer, writeTo?: string): Promise<{ photo: Photo; sha256: string }> {
    if (bytes.length === 0) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '文件为空', en: 'the file is empty' } })
    if (bytes.length > this.limits.maxPhotoBytes) throw tooLarge(this.limits.maxPhotoBytes)
    return this.photos.check(bytes, writeTo)
  }

  /** The bytes of a file (as uploaded) or of its thumbnail. */
  async open(principal: Principal, id: string, variant: 'original' | 'thumbnail'): Promise<OpenedFile> {
    if (!filePolicy.read(principal)) throw new AppError('FORBIDDEN', {}, { permission: 'case:read' })
    const row = await repo.findFile(this.db.kysely, id)
    // a photo is seen by whoever took it and by those who see its case; to anyone else it does not exist
    if (!row || !(row.uploaded_by === principal.userId || (row.case_id && (await this.caseVisible(principal, row.case_id))))) throw notFound('文件', 'file')
    if (variant === 'thumbnail') {
      if (!row.thumbnail_key) throw notFound('缩略图', 'thumbnail')
      return { id, contentType: THUMBNAIL_TYPE, sizeBytes: undefined, body: await this.thumbnailOf(row, row.thumbnail_key) }
    }
    return { id, contentType: row.content_type, sizeBytes: row.size_bytes, body: await this.storage.get(row.storage_key) }
  }

  /** A photo staff have marked public (a citizen page, the public map): to anyone else, and for any other photo, 404. */
  async openPublic(id: string, variant: 'original' | 'thumbnail'): Promise<OpenedFile> {
    const row = UUID.test(id) ? await repo.findFile(this.db.kysely, id) : undefined
    if (!row?.public || !row.case_id) throw notFound('文件', 'file')
    if (variant === 'thumbnail') {
      if (!row.thumbnail_key) throw notFound('缩略图', 'thumbnail')
      return { id, contentType: THUMBNAIL_TYPE, sizeBytes: undefined, body: await this.thumbnailOf(row, row.thumbnail_key) }
    }
    return { id, contentType: row.content_type, sizeBytes: row.size_bytes, body: await this.storage.get(row.storage_key) }
  }

  /**
   * The stored thumbnail, or one made now from the original and stored for the next reads. Reads at once of a photo
   * without one share the making in this process; across processes each makes the same bytes and the storage's
   * atomic put keeps one.
   */
  private async thumbnailOf(row: FileRow, key: string): Promise<Readable> {
    try {
      return await this.storage.get(key)
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error
    }
    let making = this.making.get(key)
    if (!making) {
      making = this.makeThumbnail(row, key).finally(() => this.making.delete(key))
      this.making.set(key, making)
    }
    return Readable.from([await making])
  }

  private readonly making = new Map<string, Promise<Buffer>>()

  private async makeThumbnail(row: FileRow, key: string): Promise<Buffer> {
    const original = await buffer(await this.storage.get(row.storage_key))
    // the upload checked the structure, not every pixel: a photo whose data is damaged inside has no thumbnail
    const small = await thumbnail(original).catch(() => undefined)
    if (!small) throw notFound('缩略图', 'thumbnail')
    await this.storage.put(key, small.bytes, THUMBNAIL_TYPE)
    return small.bytes
  }

  /** The case lies in the principal's scope, or is held by their unit (or one under it), as in the case lists. */
  private async caseVisible(principal: Principal, caseId: string): Promise<boolean> {
    const c = await this.db.kysely.selectFrom('cases').select(['org_path', 'assigned_unit_path']).where('id', '=', caseId).executeTakeFirst()
    return Boolean(c && (c.org_path.startsWith(principal.scopePath) || c.assigned_unit_path?.startsWith(principal.scopePath)))
  }
}

export const tooLarge = (maxBytes: number) => new AppError('PAYLOAD_TOO_LARGE', {}, { maxBytes })

/**
 * For a step that cites photos: every id is a photo that this user uploaded. Refuses with BAD_REQUEST naming the
 * ids that are unknown, not photos, or someone else's. Call it before the step's transaction.
 */
export async function assertPhotos(db: Kysely<Database>, ids: readonly string[], userId: string): Promise<void> {
  const unique = [...new Set(ids)]
  const wellFormed = unique.filter((id) => UUID.test(id))
  const found = new Map((await repo.filesByIds(db, wellFormed)).map((row) => [row.id, row]))
  const missing = unique.filter((id) => found.get(id)?.kind !== 'photo')
  const notYours = unique.filter((id) => found.get(id)?.kind === 'photo' && found.get(id)?.uploaded_by !== userId)
  if (!missing.length && !notYours.length) return
  const named = [...missing, ...notYours].join(', ')
  throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `照片无效：${named}`, en: `invalid photos: ${named}` } }, { missing, notYours })
}

/**
 * Links the photos to the case, inside the step's transaction. A photo already linked to another case is refused,
 * so one picture is never the evidence of two cases.
 */
export async function attachToCase(trx: Kysely<Database>, ids: readonly string[], caseId: string): Promise<void> {
  const unique = [...new Set(ids)]
  const linked = new Set(await repo.linkToCase(trx, unique, caseId))
  const taken = unique.filter((id) => !linked.has(id))
  if (taken.length) throw photosTaken(taken)
}

const photosTaken = (taken: readonly string[]) => {
  const named = taken.join(', ')
  return new AppError('BAD_REQUEST', { reason: { 'zh-CN': `照片不存在或已属于其他案卷：${named}`, en: `photos unknown or already part of another case: ${named}` } }, { taken })
}

/**
 * Runs a statement that links cited photos itself (cases' intake) and answers its refusal (`xiuhua_refuse`, 0020:
 * a photo not the reporter's or taken by another case meanwhile, the whole statement undone) as `attachToCase` does.
 */
export async function photosTakenRefused<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; detail?: unknown }
    if (e.code === 'XH001' && e.message === 'PHOTOS_TAKEN') throw photosTaken(typeof e.detail === 'string' ? e.detail.split(', ') : [])
    throw error
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Which of a case's photos the public may see, for the citizen module (staff decide; faces and plates stay private). */
export const publicPhotos = { set: repo.setPublicPhotos, of: repo.publicPhotosOf }
