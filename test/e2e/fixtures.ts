// Shared browser-test fixtures: small PNG photos made here (no fixture files) and a point inside the demo supervisor's grid.
import { deflateSync } from 'node:zlib'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { pageFetch } from './harness.js'

// A small PNG made here (no fixture files): a colour gradient, so thumbnails show something.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(data: Buffer): number {
  let c = 0xffffffff
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}
export function png(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0 // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colour(x, y)
      raw.set([r, g, b], y * (width * 3 + 1) + 1 + x * 3)
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
export const BEFORE_PHOTO = png(160, 120, (x, y) => [180 + (x >> 2), 90 + (y >> 1), 40])
export const AFTER_PHOTO = png(160, 120, (x, y) => [40 + x, 140 + (y >> 1), 60])
export const CHECK_PHOTO = png(160, 120, (x, y) => [60, 100 + (y >> 1), 120 + (x >> 1)])

// ---------------------------------------------------------------------------------------------------------------

interface Feature { properties: { code: string; communityCode: string }; geometry: { type: string; coordinates: unknown } }
interface Lookup { cell: { code: string } | null; people: Array<{ displayName: string; duty: string }> }

/** A point inside a cell of community 420117001001, for which the demo supervisor is responsible. */
export async function pointInSupervisorCell(page: Page): Promise<[number, number]> {
  const extent = await pageFetch<{ bbox: [number, number, number, number] | null }>(page, '/api/grid/extent')
  expect(extent.body.bbox).not.toBeNull()
  const cells = await pageFetch<{ features: Feature[] }>(page, `/api/grid/cells.geojson?bbox=${extent.body.bbox!.join(',')}&limit=20000`)
  const mine = cells.body.features.filter((f) => f.properties.communityCode === '420117001001')
  expect(mine.length).toBeGreaterThan(0)
  for (const feature of mine.slice(0, 20)) {
    const polygon = (feature.geometry.type === 'MultiPolygon' ? (feature.geometry.coordinates as number[][][][])[0]! : feature.geometry.coordinates as number[][][])
    const ring = polygon[0]!.slice(0, -1)
    const point: [number, number] = [ring.reduce((s, p) => s + p[0]!, 0) / ring.length, ring.reduce((s, p) => s + p[1]!, 0) / ring.length]
    const found = await pageFetch<Lookup>(page, `/api/grid/lookup?lng=${point[0].toFixed(7)}&lat=${point[1].toFixed(7)}`)
    if (found.body.cell?.code === feature.properties.code && found.body.people.some((p) => p.displayName === '刘监督员' && p.duty === 'supervisor')) return point
  }
  throw new Error('no point found inside a cell of the supervisor')
}
