// A photo's checks read its size from the header: turned by its EXIF orientation in each format, refused when the
// header says it is empty or too large to decode, whatever the bytes after it hold.
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { inspectPhoto } from './images.js'

/** 120 × 80 pixels stored sideways (EXIF orientation 6): shown 80 × 120. */
const sideways = (format: 'jpeg' | 'png' | 'webp') =>
  sharp({ create: { width: 120, height: 80, channels: 3, background: '#4a7' } })[format]().withMetadata({ orientation: 6 }).toBuffer()

/** The JPEG with the height and width of its frame header (SOF0) replaced: the rest of the file is untouched. */
function withFrameSize(jpeg: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(jpeg)
  const sof = copy.indexOf(Buffer.from([0xff, 0xc0]))
  expect(sof).toBeGreaterThan(0)
  copy.writeUInt16BE(height, sof + 5)
  copy.writeUInt16BE(width, sof + 7)
  return copy
}

describe('a photo’s size', () => {
  it.each(['jpeg', 'png', 'webp'] as const)('is the size it is shown at: a %s stored sideways is turned', async (format) => {
    expect(await inspectPhoto(await sideways(format))).toEqual({ contentType: `image/${format}`, width: 80, height: 120 })
  })

  it('is the stored size when no orientation turns it', async () => {
    const jpeg = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#4a7' } }).jpeg().toBuffer()
    expect(await inspectPhoto(jpeg)).toEqual({ contentType: 'image/jpeg', width: 120, height: 80 })
  })

  it('refuses a header of a picture too large to decode (a decompression bomb) with 413, before decoding it', async () => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#000' } }).jpeg().toBuffer()
    await expect(inspectPhoto(withFrameSize(jpeg, 20_000, 20_000))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE', details: { width: 20_000, height: 20_000, maxPixels: 100_000_000 },
    })
  })

  it('refuses a header with no width as unreadable (400)', async () => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#000' } }).jpeg().toBuffer()
    await expect(inspectPhoto(withFrameSize(jpeg, 0, 16))).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})
