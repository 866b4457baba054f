// The files module's SQL: the facts of each stored file (the bytes are in storage).
import type { Insertable, Kysely } from 'kysely'
import type { Database } from '../../platform/db/database.js'

type Q = Kysely<Database>

const fileColumns = ['id', 'kind', 'content_type', 'size_bytes', 'sha256', 'storage_key', 'width', 'height', 'thumbnail_key', 'uploaded_by', 'uploaded_at', 'case_id', 'public'] as const

export function findFile(db: Q, id: string) {
  return db.selectFrom('files').select(fileColumns).where('id', '=', id).executeTakeFirst()
}

export type FileRow = NonNullable<Awaited<ReturnType<typeof findFile>>>

/** The same bytes uploaded before by the same person and not yet used by a case: a retried upload. */
export function findUnusedCopy(db: Q, uploadedBy: string, sha256: string) {
  return db.selectFrom('files').select(fileColumns)
    .where('uploaded_by', '=', uploadedBy).where('sha256', '=', sha256).where('kind', '=', 'photo').where('case_id', 'is', null)
    .orderBy('uploaded_at').limit(1).executeTakeFirst()
}

export function insertFile(db: Q, file: Insertable<Database['files']>) {
  return db.insertInto('files').values(file).execute()
}

export function insertFiles(db: Q, files: ReadonlyArray<Insertable<Database['files']>>) {
  return db.insertInto('files').values([...files]).execute()
}

export function filesByIds(db: Q, ids: readonly string[]) {
  if (!ids.length) return Promise.resolve([])
  return db.selectFrom('files').select(['id', 'kind', 'uploaded_by', 'case_id']).where('id', 'in', [...ids]).execute()
}

/** Links files to a case where they are free or already its own; returns the ids it linked. */
export async function linkToCase(db: Q, ids: readonly string[], caseId: string): Promise<string[]> {
  if (!ids.length) return []
  const rows = await db.updateTable('files').set({ case_id: caseId })
    .where('id', 'in', [...ids]).where((eb) => eb.or([eb('case_id', 'is', null), eb('case_id', '=', caseId)]))
    .returning('id').execute()
  return rows.map((row) => row.id)
}

/** Marks which of a case's photos the public may see (the others become private again). */
export async function setPublicPhotos(db: Q, caseId: string, publicIds: readonly string[]): Promise<string[]> {
  await db.updateTable('files').set({ public: false }).where('case_id', '=', caseId).where('public', '=', true).execute()
  if (!publicIds.length) return []
  const rows = await db.updateTable('files').set({ public: true }).where('case_id', '=', caseId).where('id', 'in', [...publicIds]).returning('id').execute()
  return rows.map((r) => r.id)
}

/** The public photos of some cases. */
export function publicPhotosOf(db: Q, caseIds: readonly string[]) {
  if (!caseIds.length) return Promise.resolve([])
  return db.selectFrom('files').select(['id', 'case_id']).where('case_id', 'in', [...caseIds]).where('public', '=', true).orderBy('uploaded_at').execute()
}
