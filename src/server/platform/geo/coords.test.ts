// Specifies the edge conversions to WGS84 with fixed values and round trips.
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { distanceMetres, fromWgs84, isCrs, isValidLngLat, toWgs84 } from './coords.js'

// Wuhan, near Hankou. The GCJ-02 value was computed apart from gcoord, with the published offset formula
// (the one eviltransform and most SDK ports use), so these pin the conversion, not just gcoord's output.
const WUHAN_WGS84: [number, number] = [114.305, 30.593]
const WUHAN_GCJ02: [number, number] = [114.3104442169199, 30.590589784646276]

describe('toWgs84', () => {
  it('returns WGS84 positions unchanged', () => {
    expect(toWgs84(114.8, 30.84, 'wgs84')).toEqual([114.8, 30.84])
  })

  it('moves a GCJ-02 position in Wuhan back by a few hundred metres to the WGS84 one', () => {
    const [lng, lat] = toWgs84(WUHAN_GCJ02[0], WUHAN_GCJ02[1], 'gcj02')
    expect(distanceMetres([lng, lat], WUHAN_WGS84)).toBeLessThan(0.5)
    const offset = distanceMetres(WUHAN_GCJ02, WUHAN_WGS84)
    expect(offset).toBeGreaterThan(300)
    expect(offset).toBeLessThan(800)
  })

  it('converts the forward direction to the published GCJ-02 value', () => {
    const [lng, lat] = fromWgs84(WUHAN_WGS84[0], WUHAN_WGS84[1], 'gcj02')
    expect(lng).toBeCloseTo(WUHAN_GCJ02[0], 9)
    expect(lat).toBeCloseTo(WUHAN_GCJ02[1], 9)
  })

  it('round-trips GCJ-02 and BD-09 within 1 m across the Xinzhou district', () => {
    for (const crs of ['gcj02', 'bd09'] as const) {
      for (const [lng, lat] of [
        [114.5, 30.6],
        [114.8, 30.84],
        [115.1, 31.2],
        [114.56, 30.68],
      ] as const) {
        const shown = fromWgs84(lng, lat, crs)
        expect(distanceMetres(shown, [lng, lat])).toBeGreaterThan(100)
        expect(distanceMetres(toWgs84(shown[0], shown[1], crs), [lng, lat])).toBeLessThan(1)
      }
    }
  })

  it('puts BD-09 further from WGS84 than GCJ-02 (Baidu offsets GCJ-02 again)', () => {
    const [lng, lat] = WUHAN_WGS84
    const gcj = fromWgs84(lng, lat, 'gcj02')
    const bd = fromWgs84(lng, lat, 'bd09')
    expect(distanceMetres(bd, gcj)).toBeGreaterThan(500)
    expect(distanceMetres(toWgs84(bd[0], bd[1], 'bd09'), [lng, lat])).toBeLessThan(1)
  })

  it('leaves GCJ-02 positions outside China unchanged (the offset applies only inside)', () => {
    expect(toWgs84(2.3522, 48.8566, 'gcj02')).toEqual([2.3522, 48.8566])
    expect(toWgs84(-74.006, 40.7128, 'gcj02')).toEqual([-74.006, 40.7128])
  })

  it('refuses coordinates that are not a position, as a bad request', () => {
    for (const [lng, lat] of [
      [181, 30],
      [114, -91],
      [Number.NaN, 30],
      [114, Number.POSITIVE_INFINITY],
    ] as const) {
      expect(() => toWgs84(lng, lat, 'gcj02')).toThrow(AppError)
    }
    try {
      toWgs84(200, 0, 'wgs84')
    } catch (error) {
      expect((error as AppError).code).toBe('BAD_REQUEST')
    }
  })
})

describe('isValidLngLat', () => {
  it('accepts the corners of the valid range and rejects anything else', () => {
    expect(isValidLngLat(-180, -90)).toBe(true)
    expect(isValidLngLat(180, 90)).toBe(true)
    expect(isValidLngLat(0, 0)).toBe(true)
    expect(isValidLngLat(180.0001, 0)).toBe(false)
    expect(isValidLngLat(0, -90.0001)).toBe(false)
    expect(isValidLngLat('114', 30)).toBe(false)
    expect(isValidLngLat(114, null)).toBe(false)
    expect(isValidLngLat(Number.NaN, 0)).toBe(false)
  })
})

describe('isCrs', () => {
  it('knows the three systems and nothing else', () => {
    expect(['wgs84', 'gcj02', 'bd09'].every(isCrs)).toBe(true)
    expect(isCrs('WGS84')).toBe(false)
    expect(isCrs('bd09mc')).toBe(false)
    expect(isCrs(4326)).toBe(false)
  })
})

describe('distanceMetres', () => {
  it('measures one degree of latitude as about 111 km', () => {
    expect(distanceMetres([114, 30], [114, 31])).toBeCloseTo(111_195, -1)
  })
})
