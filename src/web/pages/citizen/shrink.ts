// Photos from a phone's camera are often 4000 px and 5 MB: before upload a big one is drawn onto a canvas at most
// 1600 px on its long side and sent as JPEG, which is plenty to see a problem and quick on a mobile network.
const MAX_SIDE = 1600
const SMALL_BYTES = 600 * 1024

export interface ShrunkPhoto {
  blob: Blob
  name: string
}

/** The photo to upload: the file itself when small, else a ≤1600 px JPEG (the original when the browser cannot). */
export async function shrinkPhoto(file: File, index: number): Promise<ShrunkPhoto> {
  const name = file.name || `photo-${index + 1}.jpg`
  if (file.size <= SMALL_BYTES || typeof createImageBitmap !== 'function') return { blob: file, name }
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(bitmap.width * scale)
    canvas.height = Math.round(bitmap.height * scale)
    const context = canvas.getContext('2d')
    if (!context) return { blob: file, name }
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    bitmap.close()
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85))
    if (!blob || blob.size >= file.size) return { blob: file, name }
    return { blob, name: name.replace(/\.[A-Za-z0-9]+$/, '') + '.jpg' }
  } catch {
    return { blob: file, name }
  }
}
