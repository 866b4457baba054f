// File storage on the local disk under <dataDir>/files/, sharded by the key's first characters so no directory grows huge.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { assertKey } from './keys.js'
import type { FileStorage } from './storage.js'

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
    // written aside and renamed, so a reader never sees half a file and a crash leaves no truncated one
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`
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
