// Chart series from the telemetry history: raw readings while few, buckets (date_bin) when many, with avg/min/max
// checked against hand-made rows; booleans as 0/1; other devices, other keys and text values left out; bad queries refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp } from '../../../../test/helpers.js'
import { dayOf, Partitions } from './ingest/partitions.js'
import { bucketSecondsFor } from './telemetry-query.js'

let t: TestApp
let admin: string
let bin: string
let other: string
let smoke: string

const T0 = Date.UTC(2026, 0, 10, 0, 0, 0)
const MINUTE = 60_000
const READINGS = 2000
/** The hand-made readings of the bin: one a minute, fill 0…99 over and over, temperature 20…26. */
const fillAt = (i: number) => (i * 7) % 100
const tempAt = (i: number) => 20 + (i % 7)

type Series = { key: string; unit: string | null; bucketSeconds: number; points: Array<[number, number, number, number]> }

async function series(device: string, query: string, token = admin): Promise<Series> {
  const response = await t.app.inject({ method: 'GET', url: `/api/iot/devices/${device}/telemetry?${query}`, headers: bearer(token) })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Series
}

async function refused(device: string, query: string, status: number, code: string) {
  const response = await t.app.inject({ method: 'GET', url: `/api/iot/devices/${device}/telemetry?${query}`, headers: bearer(admin) })
  expect(response.statusCode, response.body).toBe(status)
  expect(response.json().error.code).toBe(code)
}

async function create(code: string, modelKey: string): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/api/iot/devices', headers: bearer(admin), payload: { code, name: code, modelKey } })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().device.id as string
}

async function insert(rows: Array<{ device: string; ms: number; values: Record<string, unknown> }>) {
  await new Partitions(t.db).ensureDays(new Set(rows.map((r) => dayOf(r.ms))))
  for (let i = 0; i < rows.length; i += 500) {
    await t.db.kysely.insertInto('telemetry').values(rows.slice(i, i + 500).map((r) => ({ device_id: r.device, ts: new Date(r.ms), values: JSON.stringify(r.values), flags: null }))).execute()
  }
}

const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString())

beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
  bin = await create(`TQ-BIN-${process.pid}`, 'bin_fill')
  other = await create(`TQ-OTHER-${process.pid}`, 'bin_fill')
  smoke = await create(`TQ-SMOKE-${process.pid}`, 'smoke_detector')
  await insert([
    ...Array.from({ length: READINGS }, (_, i) => ({ device: bin, ms: T0 + i * MINUTE, values: { fill: fillAt(i), temperature: tempAt(i) } })),
    // not numbers, or not this key: left out of the fill series
    { device: bin, ms: T0 + 30_000, values: { fill: 'n/a' } },
    { device: bin, ms: T0 + 90_000, values: { temperature: 99 } },
    // another device's readings never show
    ...Array.from({ length: 50 }, (_, i) => ({ device: other, ms: T0 + i * MINUTE + 1000, values: { fill: 1000 } })),
    ...Array.from({ length: 600 }, (_, i) => ({ device: smoke, ms: T0 + i * MINUTE, values: { smoke: i % 4 === 0, obscuration: 0.5 } })),
  ])
})
afterAll(() => t?.close())

describe('telemetry series', () => {
  it('answers the raw readings while they are few', async () => {
    const s = await series(bin, `key=fill&from=${iso(T0)}&to=${iso(T0 + 9 * MINUTE)}`)
    expect(s).toMatchObject({ key: 'fill', unit: '%', bucketSeconds: 0 })
    expect(s.points).toEqual(Array.from({ length: 10 }, (_, i) => [T0 + i * MINUTE, fillAt(i), fillAt(i), fillAt(i)]))
  })

  it('downsamples a long range into at most `points` buckets with the right average, minimum and maximum', async () => {
    const to = T0 + (READINGS - 1) * MINUTE
    for (const points of [2, 7, 50, 100, 333, 1999]) {
      const s = await series(bin, `key=temperature&from=${iso(T0)}&to=${iso(to)}&points=${points}`)
      expect(s.bucketSeconds).toBeGreaterThan(0)
      expect(s.points.length).toBeLessThanOrEqual(points)
      // every reading is in some bucket: the extremes of the buckets are the extremes of the readings (99 is in range)
      expect(Math.max(...s.points.map((p) => p[3]))).toBe(99)
      expect(Math.min(...s.points.map((p) => p[2]))).toBe(20)
    }

    const s = await series(bin, `key=fill&from=${iso(T0)}&to=${iso(to)}&points=100`)
    expect(s.bucketSeconds).toBe(1800)
    const buckets = new Map<number, number[]>()
    for (let i = 0; i < READINGS; i++) {
      const start = T0 + Math.floor((i * MINUTE) / (s.bucketSeconds * 1000)) * s.bucketSeconds * 1000
      buckets.set(start, [...(buckets.get(start) ?? []), fillAt(i)])
    }
    expect(s.points.map((p) => p[0])).toEqual([...buckets.keys()])
    for (const [ms, avg, min, max] of s.points) {
      const values = buckets.get(ms)!
      expect(avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9)
      expect(min).toBe(Math.min(...values))
      expect(max).toBe(Math.max(...values))
    }
  })

  it('counts booleans as 0 and 1', async () => {
    const raw = await series(smoke, `key=smoke&from=${iso(T0)}&to=${iso(T0 + 3 * MINUTE)}`)
    expect(raw.points.map((p) => p[1])).toEqual([1, 0, 0, 0])
    const hourly = await series(smoke, `key=smoke&from=${iso(T0)}&to=${iso(T0 + 599 * MINUTE)}&points=10`)
    expect(hourly.bucketSeconds).toBe(3600)
    expect(hourly.points).toHaveLength(10)
    for (const [, avg, min, max] of hourly.points) expect([avg, min, max]).toEqual([0.25, 0, 1])
  })

  it('covers the last day when no range is given', async () => {
    const now = Date.now()
    await insert([{ device: other, ms: now - 3600_000, values: { fill: 42 } }, { device: other, ms: now - 3 * 86_400_000, values: { fill: 7 } }])
    const s = await series(other, 'key=fill')
    expect(s.points.map((p) => p[1])).toEqual([42])
  })

  it('refuses keys the model has not, bad ranges and bad point counts', async () => {
    await refused(bin, 'key=tilt', 400, 'TELEMETRY_KEY_UNKNOWN')
    await refused(bin, `key=fill&from=${iso(T0)}&to=${iso(T0 + 401 * 86_400_000)}`, 400, 'TELEMETRY_RANGE_INVALID')
    await refused(bin, `key=fill&from=${iso(T0)}&to=${iso(T0)}`, 400, 'TELEMETRY_RANGE_INVALID')
    await refused(bin, 'key=fill&from=yesterday', 400, 'VALIDATION_FAILED')
    await refused(bin, 'key=fill&points=1', 400, 'VALIDATION_FAILED')
    await refused(bin, 'key=fill&points=5001', 400, 'VALIDATION_FAILED')
    await refused(bin, '', 400, 'VALIDATION_FAILED')
    await refused('00000000-0000-4000-8000-000000000000', 'key=fill', 404, 'NOT_FOUND')
  })
})

describe('bucket width', () => {
  it('keeps a reading at the very end of any range inside the last of `points` buckets', () => {
    for (const rangeMs of [1, 999, 60_000, 3_600_000, 86_400_000, 7 * 86_400_000 + 1, 400 * 86_400_000]) {
      for (const points of [2, 3, 10, 500, 5000]) {
        const bucket = bucketSecondsFor(rangeMs, points)
        expect(Math.floor(rangeMs / 1000 / bucket), `${rangeMs} ms in ${points} points`).toBeLessThanOrEqual(points - 1)
      }
    }
  })
})
