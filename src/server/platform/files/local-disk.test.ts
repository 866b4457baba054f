// The local-disk storage: bytes back as stored, sharded directories, no partial files, no key that reaches outside the root.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { text } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalDiskStorage } from './local-disk.js'
import type { FileStorage } from './storage.js'

let root: string
let storage: FileStorage
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-storage-'))
  storage = new LocalDiskStorage(path.join(root, 'files'))
})
afterAll(() => fs.rm(root, { recursive: true, force: true }))

describe('local-disk storage', () => {
  it('gives back the bytes it stored, under directories sharded by the key’s first characters', async () => {
    const key = '1cd5e6a9-bd2b-4139-88cc-ee93096ea27b'
    await storage.put(key, Buffer.from('photo bytes'), 'image/jpeg')
    expect(await text(await storage.get(key))).toBe('photo bytes')
    expect(await fs.readdir(path.join(root, 'files', '1c', 'd5'))).toEqual([key])
  })

  it('rejects reading a key that was never stored', async () => {
    await expect(storage.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses keys that are paths', async () => {
    for (const key of ['../../etc/passwd', 'a/b/c', '..abc', 'ABC-upper', '']) {
      await expect(storage.put(key, Buffer.from('x'), 'text/plain'), key).rejects.toThrow(/invalid storage key/)
    }
  })
})
