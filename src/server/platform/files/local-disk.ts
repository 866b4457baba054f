// File storage on the local disk under <dataDir>/files/, sharded by the key's first characters so no directory grows huge.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { assertKey } from './keys.js'
import type { FileStorage } from './storage.js'

/** Where a file is written before it is renamed into place: a reader never sees half a file, a crash leaves no truncated one. */
const partialOf = (file: string) => `${file}.${randomBytes(6).toString('hex')}.partial`

/**
 * Writes a file whole and durably before anyone is told it exists: the bytes go to a partial file, which is flushed
 * to disk (fdatasync), renamed into place, and the rename flushed with its directory (fsync). A report names its
 * photo in a row that PostgreSQL has flushed by the time the report is answered; without these flushes the photo
 * stayed only in the page cache for up to 30 s, so a power cut could leave the row without its photo, and its bytes
 * reached the disk in bursts of a gigabyte and more that held up PostgreSQL's own flushes. The calls run in libuv's
 * pool, off the calling thread's loop, so the flushes of files written together are made at once. `made` holds the
 * directories the caller has made or found.
 */
export async function writeWholeDurably(file: string, bytes: Uint8Array, made: Set<string>): Promise<void> {
  const dir = path.dirname(file)
  if (!made.has(dir)) {
    await fs.mkdir(dir, { recursive: true })
    made.add(dir)
  }
  const partial = partialOf(file)
  try {
    const handle = await fs.open(partial, 'wx')
    try {
      await handle.writeFile(bytes)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await fs.rename(partial, file)
    const directory = await fs.open(dir, 'r')
    try {
      await directory.sync()
    } finally {
      await directory.close()
    }
  } catch (error) {
    await fs.rm(partial, { force: true })
    throw error
  }
}

export class LocalDiskStorage implements FileStorage {
  constructor(readonly location: string) {}

  /** Shard directories this process has made or seen: a put into one of them skips the mkdir (a system call each). */
  private readonly made = new Set<string>()

  /** ab12…-… → <root>/ab/12/ab12…-… */
  localPath(key: string): string {
    assertKey(key)
    return path.join(this.location, key.slice(0, 2), key.slice(2, 4), key)
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    await writeWholeDurably(this.localPath(key), bytes, this.made)
  }

  async get(key: string): Promise<Readable> {
    const handle = await fs.open(this.localPath(key), 'r')
    return handle.createReadStream()
  }
}
