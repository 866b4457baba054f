// The files module's SQL: the facts of each stored file (the bytes are in storage).
import { type Insertable, type Kysely, sql } from 'kysely'
import { AUDIT_COLUMNS, type auditRecord } from '../../platform/audit.js'
import { batchedByHandle } from '../../platform/db/batcher.js'
import type { Database } from '../../platform/db/database.js'
import { columns, precompiled } from '../../platform/db/precompiled.js'

type Q = Kysely<Database>

const fileColumns = ['id', 'kind', 'content_type', 'size_bytes', 'sha256', 'storage_key', 'width', 'height', 'thumbnail_key', 'uploaded_by', 'uploaded_at', 'case_id', 'public'] as const

export function findFile(db: Q, id: string) {
  return db.selectFrom('files').select(fileColumns).where('id', '=', id).executeTakeFirst()
}

export type FileRow = NonNullable<Awaited<ReturnType<typeof findFile>>>

/** The columns a new photo's row is written with (the rest: the case, when it is linked; the time and `public` by default). */
export const NEW_FILE_COLUMNS = ['id', 'kind', 'content_type', 'size_bytes', 'sha256', 'storage_key', 'width', 'height', 'thumbnail_key', 'uploaded_by'] as const

/** A photo whose bytes are stored, to be recorded with its audit entry (the entry's entity id is the file's). */
export interface Upload {
  file: Omit<Insertable<Database['files']>, 'case_id' | 'uploaded_at' | 'public'> & { uploaded_by: string }
  audit: ReturnType<typeof auditRecord>
}

/**
 * Uploads, each recorded with its audit entry unless its uploader has an unused copy of the same bytes (a retried
 * upload): then that copy is the answer and nothing is written. One statement for all the uploads waiting, atomic on
 * its own, as intake's (cases/repository.ts); the uploads ride as one JSON array, each row typed by its table.
 */
const uploadStatement = precompiled((_db: Q, v: { items: string }) => sql<FileRow & { n: string; copied: boolean }>`
  with i as (
    select x.n, x.item->'audit' as audit, r.*
    from jsonb_array_elements(${v.items}::jsonb) with ordinality as x(item, n)
    cross join lateral jsonb_populate_record(null::files, x.item->'file') r),
  earlier as (
    select distinct on (i.n) i.n, ${columns(fileColumns, 'f')}
    from i join files f on f.uploaded_by = i.uploaded_by and f.sha256 = i.sha256 and f.kind = 'photo' and f.case_id is null
    order by i.n, f.uploaded_at),
  stored as (
    insert into files (${columns(NEW_FILE_COLUMNS)})
    select ${columns(NEW_FILE_COLUMNS, 'i')} from i where not exists (select from earlier where earlier.n = i.n) order by i.n
    returning ${columns(fileColumns)}),
  a as (
    insert into audit_log (entity_id, ${columns(AUDIT_COLUMNS)})
    select stored.id::text, ${columns(AUDIT_COLUMNS, 'r')}
    from stored join i on i.id = stored.id cross join lateral jsonb_populate_record(null::audit_log, i.audit) r)
  select earlier.*, true as copied from earlier
  union all
  select i.n, ${columns(fileColumns, 'stored')}, false from stored join i on i.id = stored.id`)

async function runUploads(db: Q, items: readonly Upload[]): Promise<Array<{ row: FileRow; copied: boolean }>> {
  const rows = await uploadStatement(db, { items: JSON.stringify(items) })
  const byN = new Map(rows.map(({ n, copied, ...row }) => [Number(n), { row, copied }]))
  return items.map((_, index) => {
    const answer = byN.get(index + 1)
    if (!answer) throw new Error(`upload ${index + 1} of ${items.length} has no answer`)
    return answer
  })
}

const uploadBatches = batchedByHandle(runUploads)

/** Records an upload (see `uploadStatement`): the row stored, or the uploader's unused copy of the same bytes (`copied`). */
export function recordUpload(db: Q, upload: Upload): Promise<{ row: FileRow; copied: boolean }> {
  return uploadBatches.submit(db, upload)
}

/** How uploads' batches went on this handle (tests: uploads sent together are stored together). */
export const uploadBatching = (db: Q) => uploadBatches.stats(db)

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
