// One device message checked against its model (pure, no I/O). The ThingsBoard payload forms: `{"key": value, …}`,
// `{"ts": <ms>, "values": {…}}`, or an array of those. Unknown keys are kept and flagged, out-of-range values are kept
// and marked; a malformed message is refused whole, with a stable reason, and nothing of it is stored.
import type { TelemetryKey } from '../models.js'

export type Value = number | boolean | string

export interface Point {
  ts: number
  values: Record<string, Value>
  flags?: { unknown?: string[]; outOfRange?: string[] }
  /**
   * The JSON text of `values` when it is the message as sent (a flat object whose every value was kept as it came), so
   * the writer stores that text rather than writing the values out again.
   */
  json?: string
}

export type RejectCode = 'NOT_JSON' | 'BAD_SHAPE' | 'EMPTY' | 'TOO_LARGE' | 'TOO_MANY_KEYS' | 'TOO_MANY_POINTS' | 'BAD_TS' | 'WRONG_TYPE' | 'BAD_VALUE'

export class Rejected extends Error {
  constructor(
    readonly code: RejectCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`)
  }
}

export interface Limits {
  /** Bytes of one message. */
  maxBytes: number
  /** Keys of one point. */
  maxKeys: number
  /** Points of one array message. */
  maxPoints: number
  /** How far a device's clock may run ahead of ours. */
  maxFutureMs: number
  /** How old a timestamped point may be (the retention). */
  maxAgeMs: number
  /** Characters of a string value. */
  maxStringLength: number
}

export const DEFAULT_LIMITS: Limits = {
  maxBytes: 64 * 1024,
  maxKeys: 100,
  maxPoints: 1000,
  maxFutureMs: 10 * 60_000,
  maxAgeMs: 90 * 86_400_000,
  maxStringLength: 256,
}

/** A model's keys, prepared once for fast checks. */
export type KeyIndex = ReadonlyMap<string, TelemetryKey>
export const indexKeys = (keys: readonly TelemetryKey[]): KeyIndex => new Map(keys.map((k) => [k.key, k]))

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A message parsed: its body, and its text when it came as text (MQTT, the raw HTTP body). */
export interface Decoded {
  body: unknown
  text: string | undefined
}

/** Parses the raw bytes (MQTT) or text; a parsed body (HTTP) passes through. */
export function decode(payload: Buffer | string | unknown, limits: Limits = DEFAULT_LIMITS): Decoded {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    if (payload.length > limits.maxBytes) throw new Rejected('TOO_LARGE', `${payload.length} bytes`)
    const text = typeof payload === 'string' ? payload : payload.toString('utf8')
    try {
      return { body: JSON.parse(text), text }
    } catch {
      throw new Rejected('NOT_JSON', 'the payload is not JSON')
    }
  }
  return { body: payload, text: undefined }
}

/** The telemetry points of a message, checked against the model's keys; `text`: the message's JSON text, when known. */
export function telemetryPoints(body: unknown, keys: KeyIndex, now: number, limits: Limits = DEFAULT_LIMITS, text?: string): Point[] {
  const items = Array.isArray(body) ? body : [body]
  if (items.length === 0) throw new Rejected('EMPTY', 'an empty array')
  if (items.length > limits.maxPoints) throw new Rejected('TOO_MANY_POINTS', `${items.length} points`)
  return items.map((item) => point(item, keys, now, limits, items.length === 1 && item === body ? text : undefined))
}

function point(item: unknown, keys: KeyIndex, now: number, limits: Limits, text: string | undefined): Point {
  if (!isObject(item)) throw new Rejected('BAD_SHAPE', 'a point must be a JSON object')
  let ts = now
  let raw: Record<string, unknown> = item
  if ('values' in item && isObject(item.values) && Object.keys(item).every((k) => k === 'ts' || k === 'values')) {
    raw = item.values
    text = undefined // the text is the wrapper's, not the values'
    if ('ts' in item) {
      if (typeof item.ts !== 'number' || !Number.isFinite(item.ts)) throw new Rejected('BAD_TS', 'ts must be milliseconds since 1970')
      if (item.ts > now + limits.maxFutureMs || item.ts < now - limits.maxAgeMs) throw new Rejected('BAD_TS', `ts ${item.ts} is outside the accepted window`)
      ts = Math.round(item.ts)
    }
  }
  const names = Object.keys(raw)
  if (names.length === 0) throw new Rejected('EMPTY', 'no values')
  if (names.length > limits.maxKeys) throw new Rejected('TOO_MANY_KEYS', `${names.length} keys`)
  const values: Record<string, Value> = {}
  let unknown: string[] | undefined
  let outOfRange: string[] | undefined
  let asSent = text !== undefined
  for (const name of names) {
    if (!KEY.test(name)) throw new Rejected('BAD_SHAPE', `key ${JSON.stringify(name.slice(0, 70))}`)
    const value = raw[name]
    const spec = keys.get(name)
    if (!spec) {
      values[name] = scalar(name, value, limits)
      ;(unknown ??= []).push(name)
      continue
    }
    const checked = typed(name, value, spec, limits)
    values[name] = checked
    if (checked !== value) asSent = false
    if (typeof checked === 'number' && ((spec.min !== undefined && checked < spec.min) || (spec.max !== undefined && checked > spec.max))) (outOfRange ??= []).push(name)
  }
  const out: Point = unknown || outOfRange ? { ts, values, flags: { ...(unknown ? { unknown } : {}), ...(outOfRange ? { outOfRange } : {}) } } : { ts, values }
  if (asSent) out.json = text
  return out
}

/** A known key's value in its model's type: numbers may come as numeric strings, booleans as 0/1 or "true"/"false". */
function typed(name: string, value: unknown, spec: TelemetryKey, limits: Limits): Value {
  switch (spec.type) {
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
      if (typeof value !== 'number' && typeof value !== 'string') throw new Rejected('WRONG_TYPE', `${name}: a number`)
      if (!Number.isFinite(number)) throw new Rejected('BAD_VALUE', `${name}: not a number`)
      return number
    }
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (value === 0 || value === 1) return value === 1
      if (value === 'true' || value === 'false') return value === 'true'
      throw new Rejected('WRONG_TYPE', `${name}: true or false`)
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Rejected('WRONG_TYPE', `${name}: a string`)
      return storable(name, String(value), limits)
  }
}

/** A value of a key the model does not know, or of an attribute: a number, a boolean or a storable string, kept as it came. */
function scalar(name: string, value: unknown, limits: Limits): Value {
  if (typeof value === 'string') return storable(name, value, limits)
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value
  throw new Rejected(typeof value === 'number' ? 'BAD_VALUE' : 'WRONG_TYPE', `${name}: only numbers, booleans and strings`)
}

/** A UTF-16 surrogate without its pair (a valid JSON escape, `"\ud800"`). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * A string as PostgreSQL's jsonb can hold it: not too long, without U+0000 or a lone surrogate. One such value would
 * fail the whole batch it is written with, every device's points in it.
 */
function storable(name: string, value: string, limits: Limits): string {
  if (value.length > limits.maxStringLength) throw new Rejected('BAD_VALUE', `${name}: string too long`)
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) throw new Rejected('BAD_VALUE', `${name}: a NUL character or a broken surrogate pair`)
  return value
}

/** Client attributes (firmware, SIM …): a flat object of scalars. */
export function attributes(body: unknown, limits: Limits = DEFAULT_LIMITS): Record<string, Value> {
  if (!isObject(body)) throw new Rejected('BAD_SHAPE', 'attributes must be a JSON object')
  const names = Object.keys(body)
  if (names.length === 0) throw new Rejected('EMPTY', 'no attributes')
  if (names.length > limits.maxKeys) throw new Rejected('TOO_MANY_KEYS', `${names.length} keys`)
  const out: Record<string, Value> = {}
  for (const name of names) {
    if (!KEY.test(name)) throw new Rejected('BAD_SHAPE', `key ${JSON.stringify(name.slice(0, 70))}`)
    out[name] = scalar(name, body[name], limits)
  }
  return out
}
