// Coordinate systems at the platform's edge: positions are stored in WGS84 and converted once, where they come in or go out.
import gcoord from 'gcoord'
import { AppError } from '../errors.js'

/**
 * The coordinate reference systems (坐标系) clients send.
 * - `wgs84`: GPS receivers and CGCS2000 (国家2000坐标系); the two differ by centimetres, far below what a
 *   street case needs, so WGS84 is the storage system (SRID 4326).
 * - `gcj02`: the officially offset system (国测局坐标, "火星坐标") of AMap, Tencent Maps and WeChat's
 *   `wx.getLocation({ type: 'gcj02' })`; a few hundred metres off WGS84.
 * - `bd09`: Baidu Maps (百度坐标), GCJ-02 offset again.
 */
export type Crs = 'wgs84' | 'gcj02' | 'bd09'

export const CRS_LIST: readonly Crs[] = ['wgs84', 'gcj02', 'bd09']

export function isCrs(value: unknown): value is Crs {
  return typeof value === 'string' && (CRS_LIST as readonly string[]).includes(value)
}

const GCOORD_CRS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const

/** A finite longitude in [-180, 180] and latitude in [-90, 90]. */
export function isValidLngLat(lng: unknown, lat: unknown): boolean {
  return (
    typeof lng === 'number' &&
    typeof lat === 'number' &&
    Number.isFinite(lng) &&
    Number.isFinite(lat) &&
    lng >= -180 &&
    lng <= 180 &&
    lat >= -90 &&
    lat <= 90
  )
}

function assertLngLat(lng: number, lat: number): void {
  if (!isValidLngLat(lng, lat)) {
    throw new AppError('BAD_REQUEST', {
      reason: { 'zh-CN': `坐标无效（经度 ${lng}，纬度 ${lat}）`, en: `invalid coordinates (lng ${lng}, lat ${lat})` },
    })
  }
}

/**
 * Converts a client position to WGS84. gcoord leaves GCJ-02 positions outside China's bounding box
 * unchanged (the offset only applies inside), and inverts GCJ-02 iteratively to about 0.1 m.
 */
export function toWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  assertLngLat(lng, lat)
  if (crs === 'wgs84') return [lng, lat]
  const [x, y] = gcoord.transform<[number, number]>([lng, lat], GCOORD_CRS[crs], gcoord.WGS84)
  return [x, y]
}

/** Converts a stored WGS84 position for a client drawing on a GCJ-02 or BD-09 base map. */
export function fromWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  assertLngLat(lng, lat)
  if (crs === 'wgs84') return [lng, lat]
  const [x, y] = gcoord.transform<[number, number]>([lng, lat], gcoord.WGS84, GCOORD_CRS[crs])
  return [x, y]
}

/** Great-circle distance in metres (haversine on the WGS84 mean radius); enough for offsets and tests. */
export function distanceMetres(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLng = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)))
}
