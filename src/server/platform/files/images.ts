// Photos: the type is sniffed from the bytes (never the client's claim), checked whole, its size read from the header,
// and thumbnailed without metadata (on first read of the thumbnail: decoding is what costs, ~12 ms of CPU a photo).
import { crc32 } from 'node:zlib'
import { fileTypeFromBuffer } from 'file-type'
import { imageSize } from 'image-size'
import sharp from 'sharp'
import { AppError } from '../errors.js'

/**
 * What a phone or a camera sends and every browser shows. HEIC is not among them: the prebuilt image library cannot
 * decode HEVC, and phones' browsers convert HEIC to JPEG when a page asks for an image.
 */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]

export const THUMBNAIL_TYPE = 'image/webp'
/** Longest edge of a thumbnail: crisp in a list on a high-density phone screen. */
const THUMBNAIL_EDGE = 480
/** A decompression bomb (a small file of huge dimensions) is refused before it is decoded: 100 megapixels. */
const MAX_PIXELS = 100_000_000

export interface Photo {
  contentType: PhotoType
  /** As displayed, with the EXIF orientation applied. */
  width: number
  height: number
}

const isPhotoType = (mime: string | undefined): mime is PhotoType => PHOTO_TYPES.includes(mime as PhotoType)

const unreadable = () =>
  new AppError('BAD_REQUEST', { reason: { 'zh-CN': '图片无法读取（文件损坏或不完整）', en: 'the image cannot be read (damaged or incomplete)' } })

const image = (bytes: Buffer) => sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' })

/**
 * The photo's real type and displayed size; 415 for anything that is not a photo we take, whatever the client said,
 * 400 for one cut short or with a broken structure. Reads headers only, never the pixels.
 */
export async function inspectPhoto(bytes: Buffer): Promise<Photo> {
  const sniffed = (await fileTypeFromBuffer(bytes))?.mime
  if (!isPhotoType(sniffed)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', {}, { detected: sniffed ?? null, accepted: PHOTO_TYPES })
  if (!COMPLETE[sniffed](bytes)) throw unreadable()
  const { width, height } = sniffed === 'image/webp' ? await libraryReadSize(bytes) : headerSize(bytes)
  if (!width || !height) throw unreadable()
  if (width * height > MAX_PIXELS) throw new AppError('PAYLOAD_TOO_LARGE', {}, { width, height, maxPixels: MAX_PIXELS })
  return { contentType: sniffed, width, height }
}

/** A size as a header gives it: either side may be missing (an unreadable header). */
interface HeaderSize { width: number | undefined; height: number | undefined }

/** EXIF orientations 5–8 turn the picture a quarter: it is shown with its width and height swapped. */
const turnsAQuarter = (orientation: number | undefined) => orientation !== undefined && orientation >= 5 && orientation <= 8

/**
 * A JPEG's or PNG's displayed size from its header (SOF segment or IHDR, and the EXIF orientation), read by image-size
 * in a few microseconds; the image library's own read took ~0.34 ms of CPU for a phone's JPEG, a tenth of a report's.
 */
function headerSize(bytes: Buffer): HeaderSize {
  try {
    const { width, height, orientation } = imageSize(bytes)
    return turnsAQuarter(orientation) ? { width: height, height: width } : { width, height }
  } catch {
    throw unreadable()
  }
}

/** A WebP's displayed size by the image library (image-size reads no orientation in WebP's EXIF). */
async function libraryReadSize(bytes: Buffer): Promise<HeaderSize> {
  try {
    return (await image(bytes).metadata()).autoOrient
  } catch {
    throw unreadable()
  }
}

/** A small WebP, turned upright, with no EXIF, GPS, XMP or ICC data (sharp writes none unless asked). */
export async function thumbnail(bytes: Buffer): Promise<{ bytes: Buffer; width: number; height: number }> {
  try {
    const { data, info } = await image(bytes)
      .autoOrient()
      .resize({ width: THUMBNAIL_EDGE, height: THUMBNAIL_EDGE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75, effort: 1 }) // effort 1: half the CPU of the default for a few percent more bytes (bench/case-flows.ts)
      .toBuffer({ resolveWithObject: true })
    return { bytes: data, width: info.width, height: info.height }
  } catch {
    throw unreadable()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Whole files: each format's structure walked to its end, without decoding a pixel. A photo cut short by a dropped
// connection or a full phone lacks its end; a PNG's chunks carry checksums, so damage inside one is found too.

const COMPLETE: Record<PhotoType, (bytes: Buffer) => boolean> = { 'image/jpeg': jpegComplete, 'image/png': pngComplete, 'image/webp': webpComplete }

/** Segments from SOI to EOI; the entropy-coded data after each SOS is skipped to its next marker. Data after EOI (a phone's motion-photo video) is left alone. */
export function jpegComplete(b: Buffer): boolean {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false
  let i = 2
  while (i < b.length) {
    if (b[i] !== 0xff) return false
    while (b[i] === 0xff) i++ // fill bytes
    if (i >= b.length) return false
    const marker = b[i++]!
    if (marker === 0xd9) return true // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue // TEM, RSTn: no length
    if (marker === 0x00 || marker === 0xd8 || i + 2 > b.length) return false
    const length = b.readUInt16BE(i)
    if (length < 2 || i + length > b.length) return false
    i += length
    if (marker !== 0xda) continue
    // SOS: entropy-coded data up to the next 0xFF that is neither a stuffed 0xFF00 nor a restart marker
    for (;;) {
      const ff = b.indexOf(0xff, i)
      if (ff < 0 || ff + 1 >= b.length) return false
      const next = b[ff + 1]!
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        i = ff + 2
        continue
      }
      i = ff
      break
    }
  }
  return false
}

/** Chunks from IHDR to IEND, each within the file and matching its CRC. */
export function pngComplete(b: Buffer): boolean {
  let i = 8 // the signature, matched by the sniffer
  let first = true
  while (i + 12 <= b.length) {
    const length = b.readUInt32BE(i)
    const type = b.toString('latin1', i + 4, i + 8)
    const end = i + 12 + length
    if (end > b.length || (first && type !== 'IHDR')) return false
    if (crc32(b.subarray(i + 4, end - 4)) !== b.readUInt32BE(end - 4)) return false
    if (type === 'IEND') return true
    first = false
    i = end
  }
  return false
}

/** The RIFF container as long as it says, its chunks within it, and an image among them. */
export function webpComplete(b: Buffer): boolean {
  if (b.length < 20) return false
  const riffEnd = 8 + b.readUInt32LE(4)
  if (riffEnd > b.length) return false
  let i = 12
  let image = false
  while (i + 8 <= riffEnd) {
    const type = b.toString('latin1', i, i + 4)
    const size = b.readUInt32LE(i + 4)
    if (i + 8 + size > riffEnd) return false
    if (type === 'VP8 ' || type === 'VP8L' || type === 'ANMF') image = true
    i += 8 + size + (size & 1)
  }
  return image
}
