// The rule evaluator (pure, no I/O): the state of one rule on one device, and what one reading or one tick of the clock
// does to it — raise an alarm, repeat it, clear it, or nothing. The alarm service keeps these states in memory and
// touches the database only on the transitions.
//
// A rule is a list of parts that must all hold (models.ts `Condition`):
// - threshold: the value is above/below `value`; once holding, it lets go only when the value is back at or past
//   `clear` (hysteresis; `clear` defaults to `value`), so a value hovering at the line does not flap.
// - sustained: the value stayed beyond `value` in every reading for `seconds` (by the readings' timestamps); a reading
//   not beyond the line is a break and starts the wait anew. Once holding, it lets go at `clear` as a threshold does.
// - rate: the value differs by at least `change` from a reading of the last `seconds` (either way). Once holding, it
//   lets go when the value has stayed within half of `change` of every reading of the last `seconds`, and not before a
//   whole window of readings was seen (after a restart the window is empty).
// - offline: no message for `intervals` times the model's reporting interval (judged by a tick with the time); any
//   message lets go.
// Booleans compare as 0 and 1; strings and keys a reading lacks leave a part as it was.
//
// A rule raises when all its parts hold. It clears when a part that measures a level (threshold, sustained, offline)
// lets go — a rate of change starts an alarm, the level it reached ends it — or, in a rule of rates only, when a rate
// lets go. An alarm cleared by hand while the condition still holds is raised again only after the condition has ended
// (the value went back past the clear line) and is met anew.
import type { Condition } from '../models.js'

/** What a reading or a tick did to a rule. */
export type Transition = 'raise' | 'repeat' | 'clear' | 'none'

/** The state of one part of a rule's condition. */
export type PartState =
  | { type: 'threshold'; on: boolean; hit: boolean }
  | { type: 'sustained'; on: boolean; hit: boolean; since: number | null }
  | { type: 'rate'; on: boolean; hit: boolean; samples: ReadonlyArray<readonly [number, number]>; firstTs: number | null }
  | { type: 'offline'; on: boolean; hit: boolean }

/** The state of one rule on one device. */
export interface RuleState {
  readonly condition: { readonly all: readonly Condition[] }
  readonly parts: readonly PartState[]
  /** An alarm of this rule is open. */
  readonly firing: boolean
  /** Cleared by hand while the condition held: not raised again until the condition has ended. */
  readonly suppressed: boolean
}

export interface EngineReading {
  /** The message's timestamp (ms). */
  ts: number
  values: Readonly<Record<string, number | boolean | string>>
}

export interface Outcome {
  state: RuleState
  transition: Transition
}

/** A rate part keeps at most this many readings of its window (a device sending far faster than it should). */
export const MAX_RATE_SAMPLES = 1000

/** A rule seen for the first time: nothing holds. */
export function initialState(condition: { all: readonly Condition[] }): RuleState {
  return { condition, parts: condition.all.map((c) => emptyPart(c, false)), firing: false, suppressed: false }
}

/**
 * A rule whose alarm is open (read back after a restart or told by another process): every part holds until a reading
 * shows otherwise, so a value inside the hysteresis band keeps the alarm.
 */
export function restoredState(condition: { all: readonly Condition[] }): RuleState {
  return { condition, parts: condition.all.map((c) => emptyPart(c, true)), firing: true, suppressed: false }
}

function emptyPart(condition: Condition, on: boolean): PartState {
  switch (condition.type) {
    case 'threshold':
      return { type: 'threshold', on, hit: false }
    case 'sustained':
      return { type: 'sustained', on, hit: false, since: null }
    case 'rate':
      return { type: 'rate', on, hit: false, samples: [], firstTs: null }
    case 'offline':
      return { type: 'offline', on, hit: false }
  }
}

/** A value as the rules compare it: numbers as they are, booleans as 0/1; anything else is no value. */
export function numeric(value: number | boolean | string | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'boolean') return value ? 1 : 0
  return undefined
}

const beyond = (op: 'above' | 'below', x: number, line: number) => (op === 'above' ? x > line : x < line)

/**
 * One reading through a rule. A part the reading leaves as it was is the same object, and a rule the reading leaves as
 * it was answers the same state: most readings change nothing, and at tens of thousands a second that is no garbage.
 */
export function evaluate(state: RuleState, reading: EngineReading): Outcome {
  const all = state.condition.all
  let parts: PartState[] | undefined
  // a repeat is a reading that met the rule's line again; a reading of other keys is none
  let touched = false
  for (let i = 0; i < all.length; i++) {
    const condition = all[i]!
    const before = state.parts[i]!
    let after: PartState
    if (condition.type === 'offline') after = before.on || before.hit ? { ...before, on: false, hit: false } : before
    else {
      const x = numeric(reading.values[condition.key])
      if (x === undefined) continue
      touched = true
      after = stepPart(condition, before, reading.ts, x)
    }
    if (after !== before) (parts ??= state.parts.slice())[i] = after
  }
  return decide(state, parts ?? state.parts, touched)
}

/** The clock through a rule: offline parts hold once `lastSeen` (ms) lies `intervals` × `intervalMs` before `now`. */
export function tick(state: RuleState, now: number, lastSeen: number, intervalMs: number): Outcome {
  let changed = false
  const parts = state.parts.map((part, i) => {
    const condition = state.condition.all[i]!
    if (condition.type !== 'offline') return part
    const on = now - lastSeen >= condition.intervals * intervalMs
    if (on === part.on) return part
    changed = true
    return { ...part, on, hit: on }
  })
  return changed ? decide(state, parts, false) : { state, transition: 'none' }
}

/** The alarm was cleared by hand: no alarm is open, and none is raised until the condition has ended. */
export function clearedByHand(state: RuleState): RuleState {
  return { ...state, firing: false, suppressed: true }
}

/** The alarm was cleared elsewhere (another process saw the condition end): no alarm is open. */
export function clearedElsewhere(state: RuleState): RuleState {
  return { ...state, firing: false }
}

/** The rule's alarm is open (raised by another process): as after a restart, unless this state already knows it. */
export function adopted(state: RuleState): RuleState {
  return state.firing ? state : restoredState(state.condition)
}

/** A part of a value's key through one reading of the value (the same part when nothing changed). */
function stepPart(condition: Exclude<Condition, { type: 'offline' }>, part: PartState, ts: number, x: number): PartState {
  switch (condition.type) {
    case 'threshold': {
      const hit = beyond(condition.op, x, condition.value)
      const on = part.on ? beyond(condition.op, x, condition.clear ?? condition.value) : hit
      return on === part.on && hit === part.hit ? part : { type: 'threshold', on, hit }
    }
    case 'sustained': {
      const p = part as Extract<PartState, { type: 'sustained' }>
      const over = beyond(condition.op, x, condition.value)
      let on: boolean
      let hit: boolean
      let since: number | null
      if (p.on) {
        on = beyond(condition.op, x, condition.clear ?? condition.value)
        hit = over
        since = on ? p.since : null
      } else if (!over) {
        on = hit = false
        since = null
      } else {
        since = p.since ?? ts
        on = hit = ts - since >= condition.seconds * 1000
      }
      return on === p.on && hit === p.hit && since === p.since ? part : { type: 'sustained', on, hit, since }
    }
    case 'rate': {
      const p = part as Extract<PartState, { type: 'rate' }>
      const from = ts - condition.seconds * 1000
      const kept = p.samples.filter(([at]) => at >= from && at <= ts)
      let delta = 0
      for (const [, v] of kept) delta = Math.max(delta, Math.abs(x - v))
      const firstTs = p.firstTs ?? ts
      const hit = delta >= condition.change
      const on = p.on ? !(delta < condition.change / 2 && ts - firstTs >= condition.seconds * 1000) : hit
      kept.push([ts, x])
      if (kept.length > MAX_RATE_SAMPLES) kept.splice(0, kept.length - MAX_RATE_SAMPLES)
      return { type: 'rate', on, hit, samples: kept, firstTs }
    }
  }
}

/** A part that measures a level (threshold, sustained, offline): its letting go ends an alarm. */
const isLevel = (part: PartState) => part.type !== 'rate'

function decide(state: RuleState, parts: readonly PartState[], touched: boolean): Outcome {
  let holds = true
  let hits = true
  let hasLevel = false
  for (const p of parts) {
    holds &&= p.on
    hits &&= p.hit
    hasLevel ||= isLevel(p)
  }
  let ended = false
  for (const p of parts) ended ||= !p.on && (!hasLevel || isLevel(p))
  const same = parts === state.parts
  if (state.firing) {
    if (ended) return { state: { ...state, parts, firing: false }, transition: 'clear' }
    return { state: same ? state : { ...state, parts }, transition: touched && holds && hits ? 'repeat' : 'none' }
  }
  if (state.suppressed) return { state: same && ended === false ? state : { ...state, parts, suppressed: !ended }, transition: 'none' }
  if (holds) return { state: { ...state, parts, firing: true }, transition: 'raise' }
  return { state: same ? state : { ...state, parts }, transition: 'none' }
}

/** A rule as it applies to devices: a model's (deviceId null) or one device's. */
export interface NamedRule {
  name: string
  deviceId: string | null
}

/** The rules that apply to a device: its model's, except those its own rules of the same name replace, and its own. */
export function effectiveRules<R extends NamedRule>(modelRules: readonly R[], deviceRules: readonly R[]): R[] {
  const own = new Set(deviceRules.map((r) => r.name))
  return [...modelRules.filter((r) => !own.has(r.name)), ...deviceRules]
}
