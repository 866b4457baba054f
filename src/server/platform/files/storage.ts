// Where file bytes live: one small interface, so S3-compatible storage can replace the local disk without changing callers.
import path from 'node:path'
import type { Readable } from 'node:stream'
import { LocalDiskStorage } from './local-disk.js'
import { MemoryStorage } from './memory.js'

/** Keys follow keys.ts (a uuid and a suffix). */
export interface FileStorage {
  /** Stores the bytes under the key; the content type is kept where the backend can keep it (S3 object metadata). */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>
  /** The bytes of a stored key; rejects when there are none. Nothing is ever deleted, so there is no delete. */
  get(key: string): Promise<Readable>
  /** Where the bytes go, for logs and the start-up banner. */
  readonly location: string
  /**
   * The file a key's bytes live in, when they live in a local file that another thread may write itself (written
   * aside and renamed, as `put` does). Absent for storage that is not a local file.
   */
  localPath?(key: string): string
}

export interface StorageOptions {
  /** The data directory: files go to `<dataDir>/files/`. Undefined (an in-memory database) → kept in memory too. */
  dataDir: string | undefined
}

export function createFileStorage(options: StorageOptions): FileStorage {
  return options.dataDir ? new LocalDiskStorage(path.join(options.dataDir, 'files')) : new MemoryStorage()
}
