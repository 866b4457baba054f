// Photos: the type is sniffed from the bytes (never the client's claim), decoded to learn its size, and thumbnailed without metadata.
import { fileTypeFromBuffer } from 'file-type'
import sharp, { type Metadata } from 'sharp'
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

/** The photo's real type and displayed size; 415 for anything that is not a photo we take, whatever the client said. */
export async function inspectPhoto(bytes: Buffer): Promise<Photo> {
  const sniffed = (await fileTypeFromBuffer(bytes))?.mime
  if (!isPhotoType(sniffed)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', {}, { detected: sniffed ?? null, accepted: PHOTO_TYPES })
  let meta: Metadata
  try {
    meta = await image(bytes).metadata()
  } catch {
    throw unreadable()
  }
  const { width, height } = meta.autoOrient
  if (!width || !height) throw unreadable()
  if (width * height > MAX_PIXELS) throw new AppError('PAYLOAD_TOO_LARGE', {}, { width, height, maxPixels: MAX_PIXELS })
  return { contentType: sniffed, width, height }
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
