// The one way in for device messages, whatever carried them (embedded broker, external broker, HTTP): check the message
// against the device's model, queue it for the batched write, and hand each point to the rules at once. A malformed
// message is counted against its device and refused; it never stops the pipeline.
import { Counter, type Registry } from 'prom-client'
import type { Db } from '../../../platform/db/engine.js'
import type { EventBus } from '../../../platform/events.js'
import type { TelemetryKey } from '../models.js'
import { type DeviceRef, MODEL_CHANGED } from '../registry.js'
import { attributes, decode, DEFAULT_LIMITS, indexKeys, type KeyIndex, type Limits, type Point, Rejected, telemetryPoints, type Value } from './payload.js'
import { Partitions } from './partitions.js'
import { TelemetryWriter, type WriterOptions } from './writer.js'

/** A checked point of one device, as the rules see it. */
export interface Reading {
  device: DeviceRef
  ts: number
  values: Record<string, Value>
  flags?: { unknown?: string[]; outOfRange?: string[] }
}

export type MessageKind = 'telemetry' | 'attributes'

export interface Accepted {
  points: number
  /** Settles when the message is committed (QoS 1 acknowledges, HTTP answers); resolved at once for QoS 0. */
  durable: Promise<void>
}

const DONE = Promise.resolve()
/** The keys of a model not (yet) loaded: every key counts as unknown. */
const NO_KEYS: KeyIndex = new Map()

export const DEVICE_STATE = 'device.state'

/** Device ids in one 'device.state' event at most (a NOTIFY payload holds 8,000 bytes). */
const IDS_PER_EVENT = 100

/**
 * Tells every process (and the pages) that devices went online or offline: one event per place and hundred devices,
 * not one per device, so a fleet coming back after an outage costs a few notices. `deviceId` names the first.
 */
export async function announceStates(events: EventBus, state: 'online' | 'offline', devices: ReadonlyArray<{ id: string; orgPath: string }>): Promise<void> {
  const byPlace = new Map<string, string[]>()
  for (const device of devices) {
    let ids = byPlace.get(device.orgPath)
    if (!ids) byPlace.set(device.orgPath, (ids = []))
    ids.push(device.id)
  }
  for (const [orgPath, ids] of byPlace) {
    for (let i = 0; i < ids.length; i += IDS_PER_EVENT) {
      const deviceIds = ids.slice(i, i + IDS_PER_EVENT)
      await events.publish({ type: DEVICE_STATE, state, orgPath, deviceId: deviceIds[0], deviceIds })
    }
  }
}

export interface IngestOptions {
  limits?: Partial<Limits>
  writer?: Partial<WriterOptions>
  /** Days of history kept; older day partitions are dropped by the retention job. */
  retentionDays?: number
}

export class TelemetryIngest {
  private models = new Map<string, KeyIndex>()
  private readonly listeners = new Set<(reading: Reading) => void>()
  readonly partitions: Partitions
  readonly writer: TelemetryWriter
  private readonly limits: Limits
  readonly counters = { accepted: 0, values: 0, rejected: 0, overloaded: 0 }
  private reloadTimer: NodeJS.Timeout | undefined
  /**
   * Prometheus counters, bound to their labels once (a labelled inc hashes its labels on every call). Accepted telemetry
   * messages and values, counted for every message, are handed over from `counters` when the metrics are read.
   */
  private readonly metric: { accepted: Record<MessageKind, Counter.Internal>; rejected: Record<MessageKind, Counter.Internal>; failed: Counter.Internal; refused: Record<'unauthorised' | 'bad_topic', Record<MessageKind, Counter.Internal>> } | undefined

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    options: IngestOptions = {},
    registry?: Registry,
  ) {
    const counters = this.counters
    this.limits = { ...DEFAULT_LIMITS, ...(options.retentionDays ? { maxAgeMs: options.retentionDays * 86_400_000 } : {}), ...options.limits }
    this.partitions = new Partitions(db)
    // a lost notice only delays a page's refresh: it never fails the state write
    this.writer = new TelemetryWriter(db, this.partitions, options.writer, (devices) => announceStates(events, 'online', devices).catch(() => undefined))
    if (registry) {
      // what was handed over to Prometheus so far
      const counted = { accepted: 0, values: 0 }
      const messages = new Counter({
        name: 'xiuhua_iot_messages_total', help: 'Device messages by kind and result', labelNames: ['kind', 'result'], registers: [registry],
        collect: () => {
          accepted.telemetry.inc(counters.accepted - counted.accepted)
          counted.accepted = counters.accepted
        },
      })
      const byKind = (result: string) => ({ telemetry: messages.labels('telemetry', result), attributes: messages.labels('attributes', result) })
      const accepted = byKind('accepted')
      const values = new Counter({
        name: 'xiuhua_iot_values_total', help: 'Telemetry values accepted', registers: [registry],
        collect: () => {
          values.inc(counters.values - counted.values)
          counted.values = counters.values
        },
      })
      this.metric = {
        accepted, rejected: byKind('rejected'), failed: messages.labels('telemetry', 'failed'),
        refused: { unauthorised: byKind('unauthorised'), bad_topic: byKind('bad_topic') },
      }
    }
    events.on(MODEL_CHANGED, () => void this.loadModels().catch(() => undefined))
  }

  /** Reads the models and makes today's partitions; call before accepting messages. */
  async start(): Promise<void> {
    await this.loadModels()
    // a model change missed (NOTIFY lost, a reload that failed) heals within a minute
    this.reloadTimer = setInterval(() => void this.loadModels().catch(() => undefined), 60_000)
    this.reloadTimer.unref()
    await this.partitions.ensureAhead()
  }

  async loadModels(): Promise<void> {
    const rows = await this.db.kysely.selectFrom('device_models').select(['key', 'telemetry']).execute()
    this.models = new Map(rows.map((r) => [r.key, indexKeys(r.telemetry as TelemetryKey[])]))
  }

  /** Each accepted point, at once (before its write commits): the rules listen here. */
  onReading(listener: (reading: Reading) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Checks and queues one message of a device. Throws `Rejected` (counted against the device) when it is malformed;
   * answers how many points it held and a promise of their commit.
   */
  accept(device: DeviceRef, kind: MessageKind, payload: unknown, options: { wait?: boolean; now?: number } = {}): Accepted {
    const { wait = true, now = Date.now() } = options
    try {
      const { body, text } = decode(payload, this.limits)
      if (kind === 'attributes') {
        const values = attributes(body, this.limits)
        this.metric?.accepted[kind].inc()
        return { points: 0, durable: this.writer.attributes(device.id, values) }
      }
      const points = telemetryPoints(body, this.models.get(device.modelKey) ?? NO_KEYS, now, this.limits, text)
      return this.queue(device, points, wait)
    } catch (error) {
      if (error instanceof Rejected) {
        this.counters.rejected += 1
        this.metric?.rejected[kind].inc()
        this.writer.rejected(device.id, error.message)
      }
      throw error
    }
  }

  private queue(device: DeviceRef, points: Point[], wait: boolean): Accepted {
    let durable = DONE
    if (wait) {
      durable = this.writer.write(device.id, points)
      durable.catch(() => {
        this.counters.overloaded += 1
        this.metric?.failed.inc()
      })
    } else if (!this.writer.push(device.id, points)) {
      this.counters.overloaded += 1
      this.metric?.failed.inc()
    }
    let values = 0
    for (const point of points) {
      for (const _ in point.values) values++
      const reading: Reading = point.flags ? { device, ts: point.ts, values: point.values, flags: point.flags } : { device, ts: point.ts, values: point.values }
      for (const listener of this.listeners) listener(reading)
    }
    this.counters.accepted += 1
    this.counters.values += values
    return { points: points.length, durable }
  }

  /** Counts a message refused before it reached a device (bad token, wrong topic). */
  refused(kind: MessageKind, result: 'unauthorised' | 'bad_topic'): void {
    this.counters.rejected += 1
    this.metric?.refused[result][kind].inc()
  }

  async close(): Promise<void> {
    if (this.reloadTimer) clearInterval(this.reloadTimer)
    await this.writer.close()
  }
}
