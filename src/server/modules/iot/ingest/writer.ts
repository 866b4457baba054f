// Batched writes of telemetry. Points wait a few milliseconds to be written together (COPY on native PostgreSQL, one
// multi-row INSERT on PGlite); the promise of a point settles when its batch is committed (QoS 1 acknowledges then).
// A point is kept as its row of COPY text from the moment it is queued: under load a batch waits hundreds of
// milliseconds, and one string a point costs the garbage collector far less than the point's objects would. Latest values, last-seen times,
// attributes and reject counters are coalesced per device in memory and written about once a second.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { type RawBuilder, sql } from 'kysely'
import type { Db } from '../../../platform/db/engine.js'
import { dayOf, type Partitions } from './partitions.js'
import type { Point, Value } from './payload.js'

export interface WriterOptions {
  /** A batch starts at once when this many points wait; fewer wait `lingerMs` for others. */
  fullBatch: number
  /**
   * Points in one batch at most. A batch takes everything waiting up to this: under load the event loop's turns grow
   * long and only `parallel` batches can start in one, so batches of `fullBatch` alone would fall behind the intake.
   */
  maxBatch: number
  /** How long the first point of a batch waits for others. */
  lingerMs: number
  /** Batches in flight at once (PGlite has one connection: 1). */
  parallel: number
  /** Points waiting at most; beyond, new points are refused (OVERLOAD) rather than growing memory. */
  maxPending: number
  /** How often latest values, last-seen times and counters are written. */
  stateEveryMs: number
  /** A device's last-seen time is written at least this often while it reports (offline checks read it). */
  seenEveryMs: number
}

export const DEFAULT_WRITER: WriterOptions = { fullBatch: 4000, maxBatch: 40_000, lingerMs: 10, parallel: 2, maxPending: 200_000, stateEveryMs: 1000, seenEveryMs: 30_000 }

export class Overloaded extends Error {
  constructor() {
    super('telemetry writer overloaded')
  }
}

/** One write's points may land in two batches: it settles when the last of them is committed, failed if any failed. */
interface Ticket {
  remaining: number
  error: Error | undefined
  resolve: () => void
  reject: (error: Error) => void
}

/** Points waiting, in order: each as its COPY row, with its ticket (absent for QoS 0: a failed batch only counts it) and its time. */
interface Waiting {
  rows: string[]
  tickets: Array<Ticket | undefined>
  times: number[]
}

const nothingWaiting = (): Waiting => ({ rows: [], tickets: [], times: [] })

interface Waiter {
  resolve: () => void
  reject: (error: Error) => void
}

/** A device's newest point of each key since the last state write (the points themselves: nothing is copied per message). */
interface Latest {
  ts: number
  points: Record<string, Point>
}

interface DeviceState {
  seen: number
  rejected: number
  flagged: number
  lastReject: string | null
  attributes: Record<string, Value> | undefined
  waiters: Waiter[]
}

export interface WriterStats {
  points: number
  batches: number
  failedBatches: number
  pending: number
  overloaded: number
}

/** Called with the devices that came online (were 'never' or 'offline') and their org paths. */
export type OnlineListener = (devices: Array<{ id: string; orgPath: string }>) => Promise<void> | void

export class TelemetryWriter {
  private queue: Waiting = nothingWaiting()
  private timer: NodeJS.Timeout | undefined
  private inFlight = 0
  private readonly flushing = new Set<Promise<void>>()
  private latest = new Map<string, Latest>()
  private states = new Map<string, DeviceState>()
  /** When each device's last-seen was last written by this process. */
  private readonly seenWritten = new Map<string, number>()
  private stateTimer: NodeJS.Timeout | undefined
  private stateRun: Promise<void> | undefined
  private closed = false
  readonly stats: WriterStats = { points: 0, batches: 0, failedBatches: 0, pending: 0, overloaded: 0 }
  private readonly options: WriterOptions

  constructor(
    private readonly db: Db,
    private readonly partitions: Partitions,
    options: Partial<WriterOptions> = {},
    private readonly onOnline: OnlineListener = () => {},
  ) {
    this.options = { ...DEFAULT_WRITER, ...(db.engine === 'embedded' ? { parallel: 1 } : {}), ...options }
    this.stateTimer = setInterval(() => void this.flushState(), this.options.stateEveryMs)
    this.stateTimer.unref()
  }

  /** Queues a device's points; settles when they are committed (rejects when the batch failed or the writer is full). */
  write(deviceId: string, points: readonly Point[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('telemetry writer closed'))
    if (this.queue.rows.length + points.length > this.options.maxPending) {
      this.stats.overloaded += points.length
      return Promise.reject(new Overloaded())
    }
    if (points.length === 0) return Promise.resolve()
    const done = new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: points.length, error: undefined, resolve, reject }
      for (const point of points) this.enqueue(deviceId, point, ticket)
    })
    this.stats.pending = this.queue.rows.length
    this.schedule()
    return done
  }

  /** Queues points nobody waits for (QoS 0); false when the writer is full and they were dropped (counted). */
  push(deviceId: string, points: readonly Point[]): boolean {
    if (this.closed || this.queue.rows.length + points.length > this.options.maxPending) {
      this.stats.overloaded += points.length
      return false
    }
    for (const point of points) this.enqueue(deviceId, point, undefined)
    this.stats.pending = this.queue.rows.length
    this.schedule()
    return true
  }

  /** Counts a refused message against the device (written with the next state flush). */
  rejected(deviceId: string, reason: string): void {
    const state = this.stateOf(deviceId)
    state.rejected += 1
    state.lastReject = reason.slice(0, 200)
  }

  /** Merges client attributes into the device; settles once written. */
  attributes(deviceId: string, values: Record<string, Value>): Promise<void> {
    const state = this.stateOf(deviceId)
    state.attributes = { ...state.attributes, ...values }
    state.seen = Math.max(state.seen, Date.now())
    return new Promise<void>((resolve, reject) => state.waiters.push({ resolve, reject }))
  }

  private stateOf(deviceId: string): DeviceState {
    let state = this.states.get(deviceId)
    if (!state) this.states.set(deviceId, (state = { seen: 0, rejected: 0, flagged: 0, lastReject: null, attributes: undefined, waiters: [] }))
    return state
  }

  private enqueue(deviceId: string, point: Point, ticket: Ticket | undefined) {
    this.queue.rows.push(copyRow(deviceId, point))
    this.queue.tickets.push(ticket)
    this.queue.times.push(point.ts)
    this.remember(deviceId, point)
  }

  private remember(deviceId: string, point: Point) {
    const state = this.stateOf(deviceId)
    state.seen = Math.max(state.seen, Date.now())
    if (point.flags) state.flagged += 1
    let latest = this.latest.get(deviceId)
    if (!latest) this.latest.set(deviceId, (latest = { ts: point.ts, points: {} }))
    latest.ts = Math.max(latest.ts, point.ts)
    for (const key in point.values) {
      const before = latest.points[key]
      if (!before || before.ts <= point.ts) latest.points[key] = point
    }
  }

  private schedule() {
    if (this.queue.rows.length >= this.options.fullBatch) {
      if (this.inFlight < this.options.parallel) this.startBatch()
      return
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      if (this.inFlight < this.options.parallel) this.startBatch()
    }, this.options.lingerMs)
  }

  private startBatch() {
    const waiting = this.queue
    if (waiting.rows.length === 0) return
    const n = Math.min(waiting.rows.length, this.options.maxBatch)
    let batch = waiting
    if (n === waiting.rows.length) this.queue = nothingWaiting()
    else {
      batch = { rows: waiting.rows.slice(0, n), tickets: waiting.tickets.slice(0, n), times: waiting.times.slice(0, n) }
      this.queue = { rows: waiting.rows.slice(n), tickets: waiting.tickets.slice(n), times: waiting.times.slice(n) }
    }
    this.stats.pending = this.queue.rows.length
    this.inFlight += 1
    const settle = (error: Error | undefined) => {
      for (const ticket of batch.tickets) {
        if (!ticket) continue
        if (error) ticket.error = error
        if (--ticket.remaining === 0) {
          if (ticket.error) ticket.reject(ticket.error)
          else ticket.resolve()
        }
      }
    }
    const run = this.insert(batch).then(
      () => {
        this.stats.points += batch.rows.length
        this.stats.batches += 1
        settle(undefined)
      },
      (error: unknown) => {
        this.stats.failedBatches += 1
        settle(error as Error)
      },
    ).finally(() => {
      this.inFlight -= 1
      this.flushing.delete(run)
      if (this.queue.rows.length >= this.options.fullBatch) this.startBatch()
      else if (this.queue.rows.length) this.schedule()
    })
    this.flushing.add(run)
  }

  private async insert(batch: Waiting): Promise<void> {
    const write = this.db.copyFrom ? () => this.db.copyFrom!('COPY telemetry (device_id, ts, values, flags) FROM STDIN', batch.rows.join('')) : () => this.unnest(batch.rows)
    try {
      await write()
    } catch (error) {
      if (!/no partition of relation/.test((error as Error).message)) throw error
      // a day without its partition yet (an old buffered point, or the first write of a day): make it and try again
      await this.partitions.ensureDays(new Set(batch.times.map(dayOf)))
      await write()
    }
  }

  /** PGlite: one multi-row INSERT over arrays, read back from the rows. */
  private async unnest(rows: readonly string[]): Promise<void> {
    const ids: string[] = []
    const times: string[] = []
    const values: string[] = []
    const flags: Array<string | null> = []
    for (const row of rows) {
      const [id, ts, json, flagged] = row.slice(0, -1).split('\t') as [string, string, string, string]
      ids.push(id)
      times.push(ts)
      values.push(fromCopyText(json))
      flags.push(flagged === '\\N' ? null : fromCopyText(flagged))
    }
    await sql`INSERT INTO telemetry (device_id, ts, values, flags)
      SELECT * FROM unnest(${ids}::uuid[], ${times}::timestamptz[], ${values}::jsonb[], ${flags}::jsonb[])`.execute(this.db.kysely)
  }

  /**
   * Writes latest values, last-seen times, attributes and counters gathered since the last time. A key's stored latest
   * value gives way only to a newer one: a late reading (held back by the device, sent after a newer one was written) is
   * no latest value.
   */
  flushState(): Promise<void> {
    this.stateRun ??= this.writeState().finally(() => (this.stateRun = undefined))
    return this.stateRun
  }

  private async writeState(): Promise<void> {
    const latest = this.latest
    const states = this.states
    if (latest.size === 0 && states.size === 0) return
    this.latest = new Map()
    this.states = new Map()
    const now = Date.now()
    const waiters: Waiter[] = []
    try {
      if (latest.size) {
        // one JSON text for every device (arrays of 10,000 JSON strings cost the server ~200 ms a flush to escape into
        // array literals, this ~30 ms), taken as jsonb (as json, PostgreSQL took ~25 % longer: 190 against 150 ms for
        // 10,000 devices); a device whose stored values are all older than its new ones (the usual case) takes them by a
        // plain merge, the rest key by key, the newer value of each key winning
        await sql`WITH r AS (SELECT * FROM jsonb_to_recordset(${await latestJson(latest)}::jsonb) AS r(d uuid, hi timestamptz, lo timestamptz, v jsonb)),
          up AS (UPDATE device_latest l SET ts = GREATEST(l.ts, r.hi),
              values = CASE WHEN l.ts <= r.lo THEN l.values || r.v ELSE l.values || ${newerKeys(sql.raw('l'), sql.raw('r.v'))} END
            FROM r WHERE l.device_id = r.d RETURNING l.device_id)
          INSERT INTO device_latest (device_id, ts, values) SELECT r.d, r.hi, r.v FROM r WHERE r.d NOT IN (SELECT device_id FROM up)
          ON CONFLICT (device_id) DO UPDATE SET ts = GREATEST(device_latest.ts, excluded.ts),
            values = device_latest.values || ${newerKeys(sql.raw('device_latest'), sql.raw('excluded.values'))}`.execute(this.db.kysely)
      }
      // last seen only when it is due, when a counter moved or attributes came: most flushes write few devices
      const due = [...states].filter(([id, s]) => s.rejected || s.flagged || s.attributes || now - (this.seenWritten.get(id) ?? 0) >= this.options.seenEveryMs)
      if (due.length) {
        const ids = due.map(([id]) => id)
        const came = await sql<{ id: string; org_path: string }>`UPDATE devices SET state = 'online' WHERE id = ANY(${ids}::uuid[]) AND state <> 'online' RETURNING id, org_path`.execute(this.db.kysely)
        await sql`UPDATE devices d SET
            last_seen = GREATEST(d.last_seen, u.seen),
            rejected_count = d.rejected_count + u.rejected,
            flagged_count = d.flagged_count + u.flagged,
            last_reject = COALESCE(u.last_reject, d.last_reject),
            attributes = CASE WHEN u.attrs IS NULL THEN d.attributes ELSE d.attributes || u.attrs END
          FROM unnest(${ids}::uuid[], ${due.map(([, s]) => (s.seen ? new Date(s.seen).toISOString() : null))}::timestamptz[],
            ${due.map(([, s]) => s.rejected)}::int[], ${due.map(([, s]) => s.flagged)}::int[], ${due.map(([, s]) => s.lastReject)}::text[],
            ${due.map(([, s]) => (s.attributes ? JSON.stringify(s.attributes) : null))}::jsonb[]) AS u(id, seen, rejected, flagged, last_reject, attrs)
          WHERE d.id = u.id`.execute(this.db.kysely)
        for (const [id, s] of due) {
          if (s.seen) this.seenWritten.set(id, now)
          waiters.push(...s.waiters)
        }
        if (came.rows.length) await this.onOnline(came.rows.map((r) => ({ id: r.id, orgPath: r.org_path })))
      }
      // a device not yet due keeps its waiters (attributes always make it due, so none are left)
      for (const waiter of waiters) waiter.resolve()
    } catch (error) {
      for (const s of states.values()) for (const waiter of s.waiters) waiter.reject(error as Error)
      // counters and attributes are kept for the next try; latest values will come again with the next message
      for (const [id, s] of states) {
        const now = this.stateOf(id)
        now.rejected += s.rejected
        now.flagged += s.flagged
        now.seen = Math.max(now.seen, s.seen)
        if (s.attributes) now.attributes = { ...s.attributes, ...now.attributes }
        now.lastReject ??= s.lastReject
      }
    }
  }

  /** Writes everything waiting: the points, then the state. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    while (this.queue.rows.length || this.flushing.size) {
      if (this.queue.rows.length && this.inFlight < this.options.parallel) this.startBatch()
      await Promise.race(this.flushing)
    }
    await this.flushState()
    if (this.states.size) await this.flushState()
  }

  async close(): Promise<void> {
    await this.flush()
    this.closed = true
    if (this.stateTimer) clearInterval(this.stateTimer)
  }
}

/** The `device_latest.values` of a device's newest points: each key's value, time and quality (0 good, 1 out of range, 2 unknown key). */
function latestValues(latest: Latest): { values: Record<string, { v: Value; ts: number; q: number }>; oldest: number } {
  const values: Record<string, { v: Value; ts: number; q: number }> = {}
  let oldest = Infinity
  for (const key in latest.points) {
    const point = latest.points[key]!
    values[key] = { v: point.values[key]!, ts: point.ts, q: point.flags?.unknown?.includes(key) ? 2 : point.flags?.outOfRange?.includes(key) ? 1 : 0 }
    oldest = Math.min(oldest, point.ts)
  }
  return { values, oldest }
}

/** Devices whose latest values are put into JSON in one turn of the event loop (~10 ms). */
const LATEST_PER_TURN = 2000

/**
 * Each device's newest values as one JSON array: id, newest and oldest time of its values, and the values. Made
 * `LATEST_PER_TURN` devices a turn: for 10,000 devices the whole text (~3 MB) held the event loop 40–60 ms under load.
 */
async function latestJson(latest: Map<string, Latest>): Promise<string> {
  const parts: string[] = []
  let rows: Array<{ d: string; hi: string; lo: string; v: Record<string, unknown> }> = []
  for (const [d, device] of latest) {
    const { values, oldest } = latestValues(device)
    rows.push({ d, hi: new Date(device.ts).toISOString(), lo: new Date(oldest).toISOString(), v: values })
    if (rows.length === LATEST_PER_TURN) {
      parts.push(JSON.stringify(rows).slice(1, -1))
      rows = []
      await nextTurn()
    }
  }
  if (rows.length) parts.push(JSON.stringify(rows).slice(1, -1))
  return `[${parts.join(',')}]`
}

/** The keys of `incoming` that are new to the stored row or newer than its value of them. */
const newerKeys = (stored: RawBuilder<unknown>, incoming: RawBuilder<unknown>) =>
  sql`(SELECT coalesce(jsonb_object_agg(n.key, n.value), '{}'::jsonb) FROM jsonb_each(${incoming}) n
    WHERE NOT (${stored}.values ? n.key) OR (n.value->>'ts')::float8 >= (${stored}.values->n.key->>'ts')::float8)`

/** The last time written out, and its text: a batch's points mostly share their millisecond with the one before. */
let isoMs = Number.NaN
let iso = ''
function isoOf(ts: number): string {
  if (ts !== isoMs) {
    isoMs = ts
    iso = new Date(ts).toISOString()
  }
  return iso
}

/**
 * JSON as a field of COPY text: its backslashes doubled; tabs and line breaks, which JSON allows only as white space
 * between tokens (inside strings they are escaped), become spaces.
 */
const toCopyText = (json: string) => (/[\\\n\r\t]/.test(json) ? json.replace(/\\/g, '\\\\').replace(/[\n\r\t]/g, ' ') : json)
const fromCopyText = (text: string) => (text.includes('\\') ? text.replace(/\\\\/g, '\\') : text)

/** A point's row of COPY text (device_id, ts, values, flags); its values as sent when the message was kept as it came. */
export function copyRow(deviceId: string, point: Point): string {
  const flags = point.flags ? toCopyText(JSON.stringify(point.flags)) : '\\N'
  return `${deviceId}\t${isoOf(point.ts)}\t${toCopyText(point.json ?? JSON.stringify(point.values))}\t${flags}\n`
}
