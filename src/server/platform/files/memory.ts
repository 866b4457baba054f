// File storage in memory, for an in-memory database (tests): the files go with the process, as the data does.
import { Readable } from 'node:stream'
import { assertKey } from './keys.js'
import type { FileStorage } from './storage.js'

export class MemoryStorage implements FileStorage {
  readonly location = 'memory'
  private readonly files = new Map<string, Buffer>()

  async put(key: string, bytes: Buffer): Promise<void> {
    assertKey(key)
    this.files.set(key, Buffer.from(bytes))
  }

  async get(key: string): Promise<Readable> {
    const bytes = this.files.get(key)
    if (!bytes) throw Object.assign(new Error(`no file stored under "${key}"`), { code: 'ENOENT' })
    return Readable.from([bytes])
  }
}
