// File storage on the local disk under <dataDir>/files/, sharded by the key's first characters so no directory grows huge.
import { randomBytes } from 'node:crypto'
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { assertKey } from './keys.js'
import type { FileStorage } from './storage.js'

/** Where a file is written before it is renamed into place: a reader never sees half a file, a crash leaves no truncated one. */
const partialOf = (file: string) => `${file}.${randomBytes(6).toString('hex')}.partial`

/**
 * `put`'s write with synchronous calls, for a worker thread (the photo thread), where a system call costs less than a
 * hand-off to libuv's pool and back. `made` holds the directories the caller has made or found.
 */
export function writeWholeSync(file: string, bytes: Uint8Array, made: Set<string>): void {
  const dir = path.dirname(file)
  if (!made.has(dir)) {
    fsSync.mkdirSync(dir, { recursive: true })
    made.add(dir)
  }
  const partial = partialOf(file)
  try {
    fsSync.writeFileSync(partial, bytes, { flag: 'wx' })
    fsSync.renameSync(partial, file)
  } catch (error) {
    fsSync.rmSync(partial, { force: true })
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
    const file = this.localPath(key)
    const dir = path.dirname(file)
    if (!this.made.has(dir)) {
      await fs.mkdir(dir, { recursive: true })
      this.made.add(dir)
    }
    const partial = partialOf(file)
    try {
      await fs.writeFile(partial, bytes, { flag: 'wx' })
      await fs.rename(partial, file)
    } catch (error) {
      await fs.rm(partial, { force: true })
      throw error
    }
  }

  async get(key: string): Promise<Readable> {
    const handle = await fs.open(this.localPath(key), 'r')
    return handle.createReadStream()
  }
}
