// Chart series of one telemetry key of one device, from the day-partitioned history: the raw points while they are
// few, else downsampled on the server with date_bin into at most `points` buckets, each with its average, minimum and
// maximum. Numbers only; a boolean counts as 0 or 1.
import { sql } from 'kysely'
import type { Db } from '../../platform/db/engine.js'
import { AppError } from '../../platform/errors.js'
import type { DeviceModel } from './registry.js'

export const DEFAULT_POINTS = 500
export const MAX_POINTS = 5_000
/** The longest range one series may span. */
export const MAX_RANGE_DAYS = 400
/** The range when none is asked for: the last day. */
const DEFAULT_RANGE_MS = 86_400_000

/** Bucket widths a chart reads easily; a bucket is the smallest of these that keeps within `points`. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

export interface SeriesQuery {
  key: string
  /** ISO timestamps; `to` defaults to now, `from` to a day before `to`. */
  from?: string | undefined
  to?: string | undefined
  points?: number | undefined
}

export interface Series {
  key: string
  unit: string | null
  /** The width of a bucket; 0 when the points are the raw readings (then avg = min = max). */
  bucketSeconds: number
  /** [ms, avg, min, max], oldest first; ms is the reading's time or the bucket's start. */
  points: Array<[number, number, number, number]>
}

/**
 * The smallest bucket width (in seconds) that cuts `rangeMs` into at most `points` buckets counted from its start:
 * a reading at the very end of the range still falls in bucket `points - 1`.
 */
export function bucketSecondsFor(rangeMs: number, points: number): number {
  const least = Math.floor(rangeMs / 1000 / points) + 1
  return STEPS.find((step) => step >= least) ?? Math.ceil(least / 86400) * 86400
}

function instant(text: string | undefined, fallback: number, name: 'from' | 'to'): number {
  if (text === undefined) return fallback
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new AppError('TELEMETRY_RANGE_INVALID', { reason: { 'zh-CN': `${name} 不是有效的时间`, en: `${name} is not a valid timestamp` } })
  return ms
}

/** The series of one key of a device of this model. */
export async function telemetrySeries(db: Db, deviceId: string, model: DeviceModel, query: SeriesQuery, now = Date.now()): Promise<Series> {
  const spec = model.telemetry.find((k) => k.key === query.key)
  if (!spec || spec.type === 'string') throw new AppError('TELEMETRY_KEY_UNKNOWN', { model: model.key, key: query.key })
  const to = instant(query.to, now, 'to')
  const from = instant(query.from, to - DEFAULT_RANGE_MS, 'from')
  if (from >= to) throw new AppError('TELEMETRY_RANGE_INVALID', { reason: { 'zh-CN': 'from 须早于 to', en: 'from must be before to' } })
  if (to - from > MAX_RANGE_DAYS * 86_400_000) {
    throw new AppError('TELEMETRY_RANGE_INVALID', { reason: { 'zh-CN': `最长 ${MAX_RANGE_DAYS} 天`, en: `at most ${MAX_RANGE_DAYS} days` } })
  }
  const points = query.points ?? DEFAULT_POINTS
  const fromDate = new Date(from)
  const toDate = new Date(to)
  const value = sql<number | null>`case jsonb_typeof("values" -> ${query.key})
    when 'number' then ("values" ->> ${query.key})::float8
    when 'boolean' then case when ("values" -> ${query.key})::boolean then 1 else 0 end end`
  const readings = db.kysely.selectFrom('telemetry').select(['ts', value.as('v')])
    .where('device_id', '=', deviceId).where('ts', '>=', fromDate).where('ts', '<=', toDate)
  const unit = spec.unit ?? null

  // one more than fits tells whether the raw points are few enough
  const raw = await db.kysely.selectFrom(readings.as('r')).select(['ts', 'v']).where('v', 'is not', null).orderBy('ts').limit(points + 1).execute()
  if (raw.length <= points) return { key: query.key, unit, bucketSeconds: 0, points: raw.map((r) => [r.ts.getTime(), Number(r.v), Number(r.v), Number(r.v)]) }

  const bucketSeconds = bucketSecondsFor(to - from, points)
  const bucket = sql<Date>`date_bin(make_interval(secs => ${bucketSeconds}), ts, ${fromDate}::timestamptz)`
  const rows = await db.kysely.selectFrom(readings.as('r'))
    .select([bucket.as('bucket'), sql<number>`avg(v)`.as('avg'), sql<number>`min(v)`.as('min'), sql<number>`max(v)`.as('max')])
    .where('v', 'is not', null).groupBy(sql`1`).orderBy(sql`1`).execute()
  return { key: query.key, unit, bucketSeconds, points: rows.map((r) => [new Date(r.bucket).getTime(), Number(r.avg), Number(r.min), Number(r.max)]) }
}
