// Alarms (告警): every accepted reading runs through the rules of its device in memory (engine.ts); only a transition
// touches the database — a raise inserts the one open alarm of the device and rule, a clear closes it, repeats are
// counted in memory and written in batches. An alarm of a rule that files cases files one in the case loop, and the
// case gets a note when the alarm clears. People acknowledge and clear alarms by hand in their data scope.
//
// Readings are queued and handled one device at a time, in order; devices run side by side. A manual clear and the
// news of other processes (alarm.changed) go through the same queue, so they never race a reading of that device.
import { randomUUID } from 'node:crypto'
import { type Kysely, type QueryCreator, type RawBuilder, sql } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../../../platform/db/database.js'
import type { Db } from '../../../platform/db/engine.js'
import { type Actor, audit, auditAfter, SYSTEM_ACTOR } from '../../../platform/audit.js'
import { actorOf, inScope, type Principal } from '../../../platform/auth/principal.js'
import { AppError, notFound } from '../../../platform/errors.js'
import type { EventBus } from '../../../platform/events.js'
import type { CaseService } from '../../cases/service.js'
import type { Condition, Severity, TelemetryKey } from '../models.js'
import type { Reading } from '../ingest/pipeline.js'
import type { DeviceRef } from '../registry.js'
import {
  adopted, clearedByHand, clearedElsewhere, effectiveRules, evaluate, initialState, restoredState, type RuleState, tick,
  type Transition,
} from './engine.js'


/** A rule as loaded from iot_rules. */
export interface LoadedRule {
  id: string
  modelKey: string
  deviceId: string | null
  name: string
  nameEn: string
  severity: Severity
  condition: { all: Condition[] }
  createCase: boolean
  classKind: 'component' | 'event' | null
  classCode: string | null
  enabled: boolean
  version: number
}

/** What the rules need of a device model. */
export interface ModelInfo {
  key: string
  intervalMs: number
  classKind: 'component' | 'event' | null
  classCode: string | null
  telemetry: TelemetryKey[]
}

export type AlarmState = 'active' | 'acknowledged' | 'cleared'

/** The domain event of every change of an alarm (forwarded to browsers by live/hub.ts). */
export const ALARM_CHANGED = 'alarm.changed'
/** Published after a rule was created or edited: every process reloads its rules. */
export const RULES_CHANGED = 'iot.rules.changed'

/** A device without an enabled offline rule is marked offline after this many reporting intervals of silence. */
export const DEFAULT_OFFLINE_INTERVALS = 3
/** Repeats are written at most this often. */
const FLUSH_MS = 1_000

const SEVERITY_NAMES: Record<Severity, [string, string]> = { critical: ['紧急', 'critical'], major: ['重要', 'major'], minor: ['次要', 'minor'], warning: ['提示', 'warning'] }

/** The engine state of one rule on one device, with the open alarm it stands for and the repeats not yet written. */
interface Entry {
  rule: LoadedRule
  state: RuleState
  alarmId: string | null
  repeats: number
  lastAt: number
  lastValues: Record<string, unknown> | null
}

/** What this process knows of a (device, rule) before its entry is made: an open alarm, or a clear by hand. */
interface Seed {
  alarmId: string | null
  suppressed: boolean
}

type Task =
  | { kind: 'reading'; reading: Reading }
  | { kind: 'tick'; now: number; lastSeen: number }
  | { kind: 'run'; run: () => Promise<void> }

interface Slot {
  deviceId: string
  device: DeviceRef | undefined
  /** The newest message timestamp seen (ms), 0 before any. */
  lastSeen: number
  entries: Map<string, Entry>
  /** The same entries, in order, for the readings. */
  list: Entry[]
  /** The rules generation and the device's model the entries were built for. */
  generation: number
  modelKey: string
  queue: Task[]
  busy: boolean
}

/** How an alarm is closed. */
interface Closing {
  at: Date
  by: string | null
  reason: string
  repeats: { count: number; lastAt: number; lastValues: Record<string, unknown> | null }
  detail: Record<string, unknown>
}

interface Change {
  alarmId: string
  deviceId: string
  ruleId: string
  severity: Severity
  state: AlarmState
  orgPath: string
  /** Cleared by a person (the condition may still hold). */
  manual?: boolean
}

const key = (deviceId: string, ruleId: string) => `${deviceId}:${ruleId}`

export class AlarmService {
  private modelRules = new Map<string, LoadedRule[]>()
  private deviceRules = new Map<string, LoadedRule[]>()
  private models = new Map<string, ModelInfo>()
  private generation = 0
  private readonly slots = new Map<string, Slot>()
  private readonly seeds = new Map<string, Seed>()
  /** Entries with repeats not yet written. */
  private readonly dirty = new Set<Entry>()
  /** Devices with work queued or running. */
  private busy = 0
  private readonly ready: Slot[] = []
  private scheduled = false
  private waiters: Array<() => void> = []
  private readonly timer: NodeJS.Timeout
  private flushing: Promise<void> | undefined
  /** Tells this process's own alarm.changed events from those of other processes. */
  private readonly origin = randomUUID()

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly cases: CaseService,
    private readonly log: FastifyBaseLogger,
  ) {
    events.on(RULES_CHANGED, () => void this.loadRules().catch((error: unknown) => this.log.error({ err: error }, 'reloading the IoT rules failed')))
    events.on(ALARM_CHANGED, (event) => {
      if (event.origin !== this.origin) this.heard(event as unknown as Change)
    })
    this.timer = setInterval(() => void this.flush(), FLUSH_MS)
    this.timer.unref()
  }

  /** Reads the rules, the models and the open alarms (at start). */
  async load(): Promise<void> {
    await this.loadRules()
    const open = await this.db.kysely.selectFrom('alarms').select(['id', 'device_id', 'rule_id']).where('state', '<>', 'cleared').execute()
    for (const row of open) this.seeds.set(key(row.device_id, row.rule_id), { alarmId: row.id, suppressed: false })
  }

  /** Reads the enabled rules and the models; every device's rules are rebuilt at its next reading. */
  async loadRules(): Promise<void> {
    const [rules, models] = await Promise.all([
      this.db.kysely.selectFrom('iot_rules').selectAll().where('enabled', '=', true).orderBy('created_at').orderBy('id').execute(),
      this.db.kysely.selectFrom('device_models').select(['key', 'interval_seconds', 'class_kind', 'class_code', 'telemetry']).execute(),
    ])
    const modelRules = new Map<string, LoadedRule[]>()
    const deviceRules = new Map<string, LoadedRule[]>()
    for (const r of rules) {
      const rule = ruleOf(r)
      const map = rule.deviceId ? deviceRules : modelRules
      const mapKey = rule.deviceId ?? rule.modelKey
      map.set(mapKey, [...(map.get(mapKey) ?? []), rule])
    }
    this.modelRules = modelRules
    this.deviceRules = deviceRules
    this.models = new Map(models.map((m) => [m.key, { key: m.key, intervalMs: m.interval_seconds * 1000, classKind: m.class_kind, classCode: m.class_code, telemetry: m.telemetry as TelemetryKey[] }]))
    this.generation++
  }

  /** The rules that apply to a device now (enabled; its own replace its model's of the same name). */
  rulesOf(device: Pick<DeviceRef, 'id' | 'modelKey'>): LoadedRule[] {
    const own = (this.deviceRules.get(device.id) ?? []).filter((r) => r.modelKey === device.modelKey)
    return effectiveRules(this.modelRules.get(device.modelKey) ?? [], own)
  }

  /** After how many reporting intervals of silence a device counts as offline: its offline rules' least, else the default. */
  offlineIntervals(device: Pick<DeviceRef, 'id' | 'modelKey'>): number {
    const counts = this.rulesOf(device).flatMap((r) => r.condition.all.flatMap((c) => (c.type === 'offline' ? [c.intervals] : [])))
    return counts.length ? Math.min(...counts) : DEFAULT_OFFLINE_INTERVALS
  }

  /** The least interval count of any offline rule (or the default): no device counts as offline sooner. */
  leastOfflineIntervals(): number {
    let least = DEFAULT_OFFLINE_INTERVALS
    for (const rules of [...this.modelRules.values(), ...this.deviceRules.values()]) {
      for (const rule of rules) for (const c of rule.condition.all) if (c.type === 'offline') least = Math.min(least, c.intervals)
    }
    return least
  }

  /**
   * One accepted message of a device, run through its rules at once when the device has nothing queued (most readings
   * change nothing and are done here); a transition is written in the device's queue, and readings that come meanwhile
   * wait behind it in order. Never waits for the database.
   */
  handle(reading: Reading): void {
    const slot = this.slotOf(reading.device.id)
    slot.device = reading.device
    if (slot.busy) return void slot.queue.push({ kind: 'reading', reading })
    let work: Promise<void> | undefined
    try {
      work = this.read(slot, reading.device, reading)
    } catch (error) {
      this.log.error({ err: error, deviceId: slot.deviceId }, 'alarm rules failed on a message')
    }
    if (work) this.start(slot, work)
  }

  /** The clock for a silent device (the offline job): `lastSeen` is its newest message as stored (ms). */
  tick(device: DeviceRef, now: number, lastSeen: number): void {
    const slot = this.slotOf(device.id)
    slot.device ??= device
    this.push(slot, { kind: 'tick', now, lastSeen })
  }

  /** Resolves once every queued reading and tick is handled and the repeats are written (tests, a graceful stop). */
  async idle(): Promise<void> {
    while (this.busy > 0) await new Promise<void>((resolve) => this.waiters.push(resolve))
    await this.flush()
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.idle()
  }

  private slotOf(deviceId: string): Slot {
    let slot = this.slots.get(deviceId)
    if (!slot) this.slots.set(deviceId, (slot = { deviceId, device: undefined, lastSeen: 0, entries: new Map(), list: [], generation: -1, modelKey: '', queue: [], busy: false }))
    return slot
  }

  private push(slot: Slot, task: Task): void {
    slot.queue.push(task)
    if (slot.busy) return
    this.start(slot, undefined)
  }

  /** Marks the device busy and runs its queue: at once, after `first` when a transition is being written. */
  private start(slot: Slot, first: Promise<void> | undefined): void {
    slot.busy = true
    this.busy++
    if (first) return void this.drain(slot, first)
    this.ready.push(slot)
    if (this.scheduled) return
    this.scheduled = true
    // a task queued from outside a reading (a tick, a clear by hand) runs one turn of the event loop later
    setImmediate(() => {
      this.scheduled = false
      for (const ready of this.ready.splice(0)) void this.drain(ready, undefined)
    })
  }

  /** Runs a device's queue in order; a failure is logged and the queue goes on. */
  private async drain(slot: Slot, first: Promise<void> | undefined): Promise<void> {
    try {
      if (first) await first.catch((error: unknown) => this.log.error({ err: error, deviceId: slot.deviceId }, 'alarm rules failed on a message'))
      while (slot.queue.length) {
        const tasks = slot.queue
        slot.queue = []
        for (const task of tasks) {
          try {
            const work = this.step(slot, task)
            if (work) await work
          } catch (error) {
            this.log.error({ err: error, deviceId: slot.deviceId }, 'alarm rules failed on a message')
          }
        }
      }
    } finally {
      slot.busy = false
      if (--this.busy === 0) {
        const waiters = this.waiters
        this.waiters = []
        for (const resolve of waiters) resolve()
      }
    }
  }

  /** One task; the returned promise only when the database must be touched. */
  private step(slot: Slot, task: Task): Promise<void> | undefined {
    if (task.kind === 'run') return task.run()
    const device = slot.device
    if (!device) return undefined
    if (task.kind === 'reading') return this.read(slot, device, task.reading)
    const lastSeen = Math.max(slot.lastSeen, task.lastSeen)
    const intervalMs = this.models.get(device.modelKey)?.intervalMs
    if (!intervalMs) return undefined
    const changes: Array<{ entry: Entry; transition: Transition }> = []
    for (const entry of this.entriesOf(slot, device)) {
      const out = tick(entry.state, task.now, lastSeen, intervalMs)
      entry.state = out.state
      if (out.transition === 'raise' || out.transition === 'clear') changes.push({ entry, transition: out.transition })
    }
    return changes.length ? this.transitions(slot, device, changes, task.now, { lastSeen: new Date(lastSeen).toISOString() }) : undefined
  }

  /** A reading through the device's rules; the returned promise only when a transition must be written. */
  private read(slot: Slot, device: DeviceRef, reading: Reading): Promise<void> | undefined {
    slot.lastSeen = Math.max(slot.lastSeen, reading.ts)
    let changes: Array<{ entry: Entry; transition: Transition }> | undefined
    for (const entry of this.entriesOf(slot, device)) {
      const out = evaluate(entry.state, reading)
      entry.state = out.state
      if (out.transition === 'repeat') this.repeat(entry, reading.ts, reading.values)
      else if (out.transition !== 'none') (changes ??= []).push({ entry, transition: out.transition })
    }
    return changes ? this.transitions(slot, device, changes, reading.ts, { values: reading.values, ts: new Date(reading.ts).toISOString(), ...flagsOf(reading) }) : undefined
  }

  /** The entries of the rules that apply to a device, rebuilt after the rules changed (an unchanged rule keeps its state). */
  private entriesOf(slot: Slot, device: DeviceRef): readonly Entry[] {
    if (slot.generation === this.generation && slot.modelKey === device.modelKey) return slot.list
    const entries = new Map<string, Entry>()
    for (const rule of this.rulesOf(device)) {
      const old = slot.entries.get(rule.id)
      if (old && JSON.stringify(old.rule.condition) === JSON.stringify(rule.condition)) {
        old.rule = rule
        entries.set(rule.id, old)
        continue
      }
      // a changed condition starts anew (its open alarms were retired by the edit); else what is known of it
      const seed = old ? undefined : this.seeds.get(key(device.id, rule.id))
      this.seeds.delete(key(device.id, rule.id))
      const state = seed?.alarmId ? restoredState(rule.condition) : seed?.suppressed ? clearedByHand(initialState(rule.condition)) : initialState(rule.condition)
      entries.set(rule.id, { rule, state, alarmId: seed?.alarmId ?? null, repeats: 0, lastAt: 0, lastValues: null })
    }
    for (const old of slot.entries.values()) if (!entries.has(old.rule.id)) this.dirty.delete(old)
    slot.entries = entries
    slot.list = [...entries.values()]
    slot.generation = this.generation
    slot.modelKey = device.modelKey
    return slot.list
  }

  private repeat(entry: Entry, ts: number, values: Record<string, unknown>): void {
    if (!entry.alarmId) return
    entry.repeats++
    entry.lastAt = Math.max(entry.lastAt, ts)
    entry.lastValues = values
    this.dirty.add(entry)
  }

  private async transitions(slot: Slot, device: DeviceRef, changes: Array<{ entry: Entry; transition: Transition }>, ts: number, detail: Record<string, unknown>): Promise<void> {
    for (const { entry, transition } of changes) {
      try {
        if (transition === 'raise') await this.raise(device, entry, ts, detail)
        else if (transition === 'clear') await this.clearAuto(device, entry, ts, detail)
      } catch (error) {
        this.log.error({ err: error, deviceId: slot.deviceId, ruleId: entry.rule.id, transition }, 'writing an alarm transition failed')
      }
    }
  }

  /** Raises the rule's alarm: one statement writes the alarm (unless one is open), its audit entry and its notice. */
  private async raise(device: DeviceRef, entry: Entry, ts: number, detail: Record<string, unknown>): Promise<void> {
    const rule = entry.rule
    const at = new Date(ts)
    const id = randomUUID()
    const raised = await this.db.kysely
      .with('raised', (q) => q.insertInto('alarms')
        .values({ id, device_id: device.id, rule_id: rule.id, severity: rule.severity, state: 'active', raised_at: at, last_at: at, detail: JSON.stringify({ raised: detail }) })
        .onConflict((oc) => oc.columns(['device_id', 'rule_id']).where(sql<boolean>`state <> 'cleared'`).doNothing())
        .returning('id'))
      .with('audited', () => auditAfter('raised', SYSTEM_ACTOR, { action: 'alarm.raise', entityType: 'alarm', entityId: id, details: { deviceId: device.id, deviceCode: device.code, ruleId: rule.id, rule: rule.name, severity: rule.severity } }))
      .selectFrom('raised')
      .select(['id', this.notice({ alarmId: id, deviceId: device.id, ruleId: rule.id, severity: rule.severity, state: 'active', orgPath: device.orgPath }).as('notified')])
      .executeTakeFirst()
    if (!raised) {
      // another process raised it first: this is a repeat of that alarm
      const open = await this.db.kysely.selectFrom('alarms').select('id').where('device_id', '=', device.id).where('rule_id', '=', rule.id).where('state', '<>', 'cleared').executeTakeFirst()
      entry.alarmId = open?.id ?? null
      this.repeat(entry, ts, (detail.values as Record<string, unknown> | undefined) ?? detail)
      return
    }
    entry.alarmId = id
    if (rule.createCase) await this.fileCase(device, rule, id, detail)
  }

  /** Files the alarm's case (idempotent by the alarm's id) and links it; why not, in the alarm's detail, when it cannot. */
  private async fileCase(device: DeviceRef, rule: LoadedRule, alarmId: string, detail: Record<string, unknown>): Promise<void> {
    const model = this.models.get(device.modelKey)
    const classKind = rule.classKind ?? model?.classKind ?? null
    const classCode = rule.classCode ?? model?.classCode ?? null
    const skip = (why: Record<string, unknown>) => this.db.kysely.updateTable('alarms').set({ detail: sql`detail || ${JSON.stringify({ case: why })}::jsonb` }).where('id', '=', alarmId).execute()
    if (!classKind || !classCode) return void (await skip({ skipped: 'no_class' }))
    if (device.lng === null || device.lat === null) return void (await skip({ skipped: 'no_position' }))
    try {
      await this.cases.intakeLean(SYSTEM_ACTOR, {
        clientId: `alarm:${alarmId}`, source: 'sensor', classKind, classCode, lng: device.lng, lat: device.lat,
        description: this.describe(device, rule, alarmId, detail),
      }, async (trx, caseId) => void (await trx.updateTable('alarms').set({ case_id: caseId }).where('id', '=', alarmId).execute()), false)
    } catch (error) {
      this.log.warn({ err: error, alarmId }, 'an alarm could not file its case')
      await skip({ error: error instanceof AppError ? error.code : 'INTERNAL', message: (error as Error).message.slice(0, 300) })
    }
  }

  /** The case's description: the alarm, the device, the values that raised it. */
  private describe(device: DeviceRef, rule: LoadedRule, alarmId: string, detail: Record<string, unknown>): string {
    const telemetry = this.models.get(device.modelKey)?.telemetry ?? []
    const values = Object.entries((detail.values as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => {
      const known = telemetry.find((t) => t.key === k)
      const shown = typeof v === 'boolean' ? (v ? '是' : '否') : String(v)
      return `${known?.name ?? k} ${shown}${known?.unit ?? ''}`
    })
    const silent = typeof detail.lastSeen === 'string' ? `，最后上报 ${detail.lastSeen}` : ''
    return `物联感知告警「${rule.name}」（${SEVERITY_NAMES[rule.severity][0]}）：设备 ${device.code} ${device.name}${values.length ? `，${values.join('，')}` : ''}${silent}。告警编号 ${alarmId}`
  }

  /**
   * The condition ended: the alarm clears (unless a person cleared it meanwhile) — one statement closes it and writes its
   * audit entry and notice — and its case gets a note.
   */
  private async clearAuto(device: DeviceRef, entry: Entry, ts: number, detail: Record<string, unknown>): Promise<void> {
    const alarmId = entry.alarmId
    entry.alarmId = null
    const repeats = this.takeRepeats(entry)
    if (!alarmId) return
    const row = await this.db.kysely
      .with('closed', (q) => this.closing(q, alarmId, { at: new Date(ts), by: null, reason: 'auto', repeats, detail: { cleared: detail } }))
      .with('audited', () => auditAfter('closed', SYSTEM_ACTOR, { action: 'alarm.clear', entityType: 'alarm', entityId: alarmId, details: { deviceId: device.id, ruleId: entry.rule.id, reason: 'auto' } }))
      .selectFrom('closed')
      .select(['severity', 'case_id', this.notice({ alarmId, deviceId: device.id, ruleId: entry.rule.id, state: 'cleared', orgPath: device.orgPath, manual: false }, sql`jsonb_build_object('severity', closed.severity)`).as('notified')])
      .executeTakeFirst()
    if (row?.case_id) await this.noteCase(SYSTEM_ACTOR, row.case_id, alarmId, entry.rule.name, 'auto', null, 'sensor')
  }

  private takeRepeats(entry: Entry): { count: number; lastAt: number; lastValues: Record<string, unknown> | null } {
    const taken = { count: entry.repeats, lastAt: entry.lastAt, lastValues: entry.lastValues }
    entry.repeats = 0
    entry.lastValues = null
    this.dirty.delete(entry)
    return taken
  }

  /** Closes an open alarm (with the repeats not yet written); undefined when it was closed already. */
  private closeAlarm(trx: Kysely<Database>, alarmId: string, c: Closing) {
    return this.closing(trx, alarmId, c).executeTakeFirst()
  }

  /** The statement that closes an open alarm, answering its severity and case (no row when it was closed already). */
  private closing(db: QueryCreator<Database>, alarmId: string, c: Closing) {
    const extra = { ...c.detail, ...(c.repeats.lastValues ? { last: { values: c.repeats.lastValues, ts: new Date(c.repeats.lastAt).toISOString() } } : {}) }
    return db.updateTable('alarms')
      .set({
        state: 'cleared', cleared_at: c.at, cleared_by: c.by, clear_reason: c.reason,
        repeats: sql`repeats + ${c.repeats.count}`,
        last_at: c.repeats.count ? sql`greatest(last_at, ${new Date(c.repeats.lastAt)})` : sql`last_at`,
        detail: sql`detail || ${JSON.stringify(extra)}::jsonb`,
      })
      .where('id', '=', alarmId).where('state', '<>', 'cleared')
      .returning(['severity', 'case_id'])
  }

  private async noteCase(actor: Actor, caseId: string, alarmId: string, ruleName: string, reason: 'auto' | 'manual' | 'rule_changed', comment: string | null, role: string): Promise<void> {
    const text = {
      auto: `物联感知告警「${ruleName}」已自动解除：数值已恢复正常`,
      manual: `物联感知告警「${ruleName}」已人工解除${comment ? `：${comment}` : ''}`,
      rule_changed: `物联感知告警「${ruleName}」因规则修改而解除`,
    }[reason]
    try {
      await this.cases.note(actor, caseId, text, { alarmId, alarmCleared: reason }, role)
    } catch (error) {
      this.log.warn({ err: error, alarmId, caseId }, 'the note of a cleared alarm could not be written')
    }
  }

  /** Writes the repeats counted since the last time, in one statement. */
  flush(): Promise<void> {
    this.flushing ??= this.flushDirty().finally(() => (this.flushing = undefined))
    return this.flushing
  }

  private async flushDirty(): Promise<void> {
    while (this.dirty.size) {
      const batch = [...this.dirty].slice(0, 500).flatMap((entry) => {
        const alarmId = entry.alarmId
        const taken = this.takeRepeats(entry)
        return alarmId && taken.count ? [{ alarmId, ...taken }] : []
      })
      if (!batch.length) continue
      const rows = sql.join(batch.map((b) => sql`(${b.alarmId}::uuid, ${b.count}::int, ${new Date(b.lastAt)}::timestamptz, ${JSON.stringify({ values: b.lastValues, ts: new Date(b.lastAt).toISOString() })}::jsonb)`))
      try {
        await sql`update alarms a set repeats = a.repeats + v.n, last_at = greatest(a.last_at, v.at), detail = a.detail || jsonb_build_object('last', v.last)
          from (values ${rows}) as v(id, n, at, last) where a.id = v.id and a.state <> 'cleared'`.execute(this.db.kysely)
      } catch (error) {
        this.log.error({ err: error }, 'writing alarm repeats failed')
      }
    }
  }

  private async publish(change: Change): Promise<void> {
    await this.events.publish({ type: ALARM_CHANGED, ...change, origin: this.origin })
  }

  /** The notice of a change, selected in the statement that makes it; `computed` adds what the statement knows. */
  private notice(change: Omit<Change, 'severity'> & { severity?: Severity }, computed?: RawBuilder<unknown>): RawBuilder<unknown> {
    return this.events.notifying({ type: ALARM_CHANGED, ...change, origin: this.origin }, computed)
  }

  /** Another process raised or cleared an alarm: the state here follows, in the device's queue. */
  private heard(change: Change): void {
    if (typeof change.deviceId !== 'string' || typeof change.ruleId !== 'string' || typeof change.alarmId !== 'string') return
    const slot = this.slots.get(change.deviceId)
    const seedKey = key(change.deviceId, change.ruleId)
    const follow = async () => {
      const entry = slot?.entries.get(change.ruleId)
      if (!entry) {
        if (change.state === 'active') this.seeds.set(seedKey, { alarmId: change.alarmId, suppressed: false })
        else if (change.state === 'cleared' && this.seeds.get(seedKey)?.alarmId === change.alarmId) {
          if (change.manual) this.seeds.set(seedKey, { alarmId: null, suppressed: true })
          else this.seeds.delete(seedKey)
        }
        if (slot) slot.generation = -1 // rebuilt from the seeds at the next reading
        return
      }
      if (change.state === 'active' && entry.alarmId !== change.alarmId) {
        entry.state = adopted(entry.state)
        entry.alarmId = change.alarmId
      } else if (change.state === 'cleared' && entry.alarmId === change.alarmId) {
        entry.state = change.manual ? clearedByHand(entry.state) : clearedElsewhere(entry.state)
        entry.alarmId = null
        this.takeRepeats(entry)
      }
    }
    if (slot) this.push(slot, { kind: 'run', run: follow })
    else void follow()
  }

  // ---- people: list, acknowledge, clear ----------------------------------------------------------------------------

  /** An alarm the principal may see (its device placed or owned in their scope). */
  private async scoped(principal: Principal, id: string) {
    const row = await this.db.kysely.selectFrom('alarms').innerJoin('devices', 'devices.id', 'alarms.device_id').innerJoin('iot_rules', 'iot_rules.id', 'alarms.rule_id')
      .select(['alarms.id', 'alarms.state', 'alarms.severity', 'alarms.device_id', 'alarms.rule_id', 'devices.org_path', 'devices.owner_unit_path', 'iot_rules.name as rule_name'])
      .where('alarms.id', '=', id).executeTakeFirst()
    if (!row) throw notFound('告警', 'alarm')
    if (!inScope(principal, row.org_path) && !(row.owner_unit_path && inScope(principal, row.owner_unit_path))) throw new AppError('OUT_OF_SCOPE')
    return row
  }

  /** active → acknowledged: someone is on it. */
  async acknowledge(principal: Principal, id: string): Promise<AlarmItem> {
    const alarm = await this.scoped(principal, id)
    if (alarm.state !== 'active') throw alarmConflict(alarm.state)
    const done = await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx.updateTable('alarms').set({ state: 'acknowledged', acknowledged_at: new Date(), acknowledged_by: principal.userId })
        .where('id', '=', id).where('state', '=', 'active').returning('id').executeTakeFirst()
      if (row) await audit(trx, actorOf(principal), { action: 'alarm.acknowledge', entityType: 'alarm', entityId: id, details: { deviceId: alarm.device_id, ruleId: alarm.rule_id } })
      return Boolean(row)
    })
    if (!done) throw alarmConflict('cleared')
    await this.publish({ alarmId: id, deviceId: alarm.device_id, ruleId: alarm.rule_id, severity: alarm.severity, state: 'acknowledged', orgPath: alarm.org_path })
    return this.item(id)
  }

  /**
   * Cleared by a person, with why. Should the condition still hold, the rule raises no new alarm until the value has
   * gone back to normal and crossed the line again (engine.ts). The alarm's case gets a note.
   */
  async clear(principal: Principal, id: string, comment: string): Promise<AlarmItem> {
    const alarm = await this.scoped(principal, id)
    if (alarm.state === 'cleared') throw alarmConflict('cleared')
    const slot = this.slotOf(alarm.device_id)
    const caseId = await new Promise<string | null>((resolve, reject) => {
      this.push(slot, { kind: 'run', run: () => this.clearByHand(principal, slot, alarm, comment).then(resolve, reject) })
    })
    if (caseId) await this.noteCase(actorOf(principal), caseId, id, alarm.rule_name, 'manual', comment, principal.roles[0] ?? 'system')
    return this.item(id)
  }

  /** In the device's queue: closes the alarm and holds the rule back while the condition lasts; answers the alarm's case. */
  private async clearByHand(principal: Principal, slot: Slot, alarm: { id: string; device_id: string; rule_id: string; severity: Severity; org_path: string }, comment: string): Promise<string | null> {
    const entry = slot.entries.get(alarm.rule_id)
    const mine = entry?.alarmId === alarm.id ? entry : undefined
    const repeats = mine ? this.takeRepeats(mine) : { count: 0, lastAt: 0, lastValues: null }
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const row = await this.closeAlarm(trx, alarm.id, { at: new Date(), by: principal.userId, reason: 'manual', repeats, detail: { comment } })
      if (row) await audit(trx, actorOf(principal), { action: 'alarm.clear', entityType: 'alarm', entityId: alarm.id, details: { deviceId: alarm.device_id, ruleId: alarm.rule_id, reason: 'manual', comment } })
      return row
    })
    if (!row) throw alarmConflict('cleared')
    if (mine) {
      mine.state = clearedByHand(mine.state)
      mine.alarmId = null
    } else if (!entry) {
      this.seeds.set(key(alarm.device_id, alarm.rule_id), { alarmId: null, suppressed: true })
      slot.generation = -1
    }
    await this.publish({ alarmId: alarm.id, deviceId: alarm.device_id, ruleId: alarm.rule_id, severity: alarm.severity, state: 'cleared', orgPath: alarm.org_path, manual: true })
    return row.case_id
  }

  /**
   * The open alarms of a rule that was edited (its condition) or switched off, or that a device's own rule now
   * replaces: they are cleared, their cases noted, and the rule starts anew.
   */
  async retire(actor: Actor, ruleId: string, deviceId?: string): Promise<number> {
    let query = this.db.kysely.selectFrom('alarms').innerJoin('devices', 'devices.id', 'alarms.device_id').innerJoin('iot_rules', 'iot_rules.id', 'alarms.rule_id')
      .select(['alarms.id', 'alarms.device_id', 'alarms.severity', 'devices.org_path', 'iot_rules.name']).where('alarms.rule_id', '=', ruleId).where('alarms.state', '<>', 'cleared')
    if (deviceId) query = query.where('alarms.device_id', '=', deviceId)
    let retired = 0
    for (const alarm of await query.execute()) {
      const slot = this.slots.get(alarm.device_id)
      const entry = slot?.entries.get(ruleId)
      const repeats = entry?.alarmId === alarm.id ? this.takeRepeats(entry) : { count: 0, lastAt: 0, lastValues: null }
      const row = await this.db.kysely.transaction().execute(async (trx) => {
        const row = await this.closeAlarm(trx, alarm.id, { at: new Date(), by: actor.userId, reason: 'rule_changed', repeats, detail: {} })
        if (row) await audit(trx, actor, { action: 'alarm.clear', entityType: 'alarm', entityId: alarm.id, details: { deviceId: alarm.device_id, ruleId, reason: 'rule_changed' } })
        return row
      })
      if (!row) continue
      retired++
      if (entry?.alarmId === alarm.id) {
        entry.alarmId = null
        entry.state = clearedElsewhere(entry.state)
      }
      this.seeds.delete(key(alarm.device_id, ruleId))
      await this.publish({ alarmId: alarm.id, deviceId: alarm.device_id, ruleId, severity: alarm.severity, state: 'cleared', orgPath: alarm.org_path, manual: false })
      if (row.case_id) await this.noteCase(actor, row.case_id, alarm.id, alarm.name, 'rule_changed', null, 'system')
    }
    return retired
  }

  /** Alarms in the principal's scope, newest first, with the open ones counted by severity. */
  async list(principal: Principal, filter: AlarmFilter, page: number, pageSize: number): Promise<{ items: AlarmItem[]; total: number; counts: Record<Severity, number> }> {
    const base = () => {
      let q = this.db.kysely.selectFrom('alarms').innerJoin('devices', 'devices.id', 'alarms.device_id')
        .where((eb) => eb.or([eb('devices.org_path', 'like', `${principal.scopePath}%`), eb('devices.owner_unit_path', 'like', `${principal.scopePath}%`)]))
      if (filter.model) q = q.where('devices.model_key', '=', filter.model)
      if (filter.deviceId) q = q.where('alarms.device_id', '=', filter.deviceId)
      if (filter.streetId) q = q.where('devices.street_id', '=', filter.streetId)
      return q
    }
    let listed = base()
    if (filter.state === 'open') listed = listed.where('alarms.state', '<>', 'cleared')
    else if (filter.state) listed = listed.where('alarms.state', '=', filter.state)
    if (filter.severity) listed = listed.where('alarms.severity', '=', filter.severity)
    const [ids, total, counted] = await Promise.all([
      listed.select('alarms.id').orderBy('alarms.raised_at', 'desc').orderBy('alarms.id').limit(pageSize).offset((page - 1) * pageSize).execute(),
      listed.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      base().where('alarms.state', '<>', 'cleared').select(['alarms.severity', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('alarms.severity').execute(),
    ])
    const counts: Record<Severity, number> = { critical: 0, major: 0, minor: 0, warning: 0 }
    for (const c of counted) counts[c.severity] = Number(c.n)
    return { items: await this.items(ids.map((r) => r.id)), total: Number(total.n), counts }
  }

  async item(id: string): Promise<AlarmItem> {
    const [item] = await this.items([id])
    if (!item) throw notFound('告警', 'alarm')
    return item
  }

  private async items(ids: string[]): Promise<AlarmItem[]> {
    if (!ids.length) return []
    const rows = await this.db.kysely.selectFrom('alarms')
      .innerJoin('devices', 'devices.id', 'alarms.device_id')
      .innerJoin('iot_rules', 'iot_rules.id', 'alarms.rule_id')
      .leftJoin('cases', 'cases.id', 'alarms.case_id')
      .leftJoin('users as ack', 'ack.id', 'alarms.acknowledged_by')
      .leftJoin('users as clr', 'clr.id', 'alarms.cleared_by')
      .select([
        'alarms.id', 'alarms.severity', 'alarms.state', 'alarms.raised_at', 'alarms.last_at', 'alarms.repeats', 'alarms.detail', 'alarms.acknowledged_at',
        'alarms.cleared_at', 'alarms.clear_reason', 'alarms.case_id', 'alarms.rule_id', 'alarms.device_id',
        'devices.code', 'devices.name as device_name', 'devices.model_key', 'devices.lng', 'devices.lat', 'devices.street_id', 'devices.address',
        'iot_rules.name as rule_name', 'iot_rules.name_en as rule_name_en', 'cases.ticket', 'ack.display_name as ack_name', 'clr.display_name as clr_name',
      ])
      .where('alarms.id', 'in', ids).execute()
    const byId = new Map(rows.map((r) => [r.id, r]))
    return ids.flatMap((id) => {
      const r = byId.get(id)
      if (!r) return []
      return [{
        id: r.id,
        severity: r.severity,
        state: r.state,
        raisedAt: r.raised_at.toISOString(),
        lastAt: r.last_at.toISOString(),
        repeats: r.repeats,
        detail: r.detail,
        acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
        acknowledgedBy: r.ack_name,
        clearedAt: r.cleared_at?.toISOString() ?? null,
        clearedBy: r.clr_name,
        clearReason: r.clear_reason,
        device: { id: r.device_id, code: r.code, name: r.device_name, modelKey: r.model_key, position: r.lng === null || r.lat === null ? null : [r.lng, r.lat] as [number, number], streetId: r.street_id, address: r.address },
        rule: { id: r.rule_id, name: r.rule_name, nameEn: r.rule_name_en },
        caseId: r.case_id,
        caseTicket: r.ticket,
      }]
    })
  }
}

export interface AlarmFilter {
  state?: 'open' | AlarmState | undefined
  severity?: Severity | undefined
  model?: string | undefined
  deviceId?: string | undefined
  streetId?: string | undefined
}

/** An alarm as the API shows it. */
export interface AlarmItem {
  id: string
  severity: Severity
  state: AlarmState
  raisedAt: string
  lastAt: string
  repeats: number
  detail: Record<string, unknown>
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  clearedAt: string | null
  clearedBy: string | null
  /** 'auto' (the value went back to normal), 'manual', 'rule_changed' */
  clearReason: string | null
  device: { id: string; code: string; name: string; modelKey: string; position: [number, number] | null; streetId: string | null; address: string | null }
  rule: { id: string; name: string; nameEn: string }
  caseId: string | null
  caseTicket: string | null
}

function ruleOf(r: { id: string; model_key: string; device_id: string | null; name: string; name_en: string; severity: Severity; condition: unknown; create_case: boolean; class_kind: 'component' | 'event' | null; class_code: string | null; enabled: boolean; version: number }): LoadedRule {
  return {
    id: r.id, modelKey: r.model_key, deviceId: r.device_id, name: r.name, nameEn: r.name_en, severity: r.severity, condition: r.condition as { all: Condition[] },
    createCase: r.create_case, classKind: r.class_kind, classCode: r.class_code, enabled: r.enabled, version: r.version,
  }
}

function flagsOf(reading: Reading): Record<string, unknown> {
  return reading.flags?.outOfRange?.length ? { outOfRange: reading.flags.outOfRange } : {}
}

const STATE_NAMES: Record<AlarmState, [string, string]> = { active: ['未确认', 'active'], acknowledged: ['已确认', 'acknowledged'], cleared: ['已解除', 'cleared'] }

const alarmConflict = (state: AlarmState) =>
  new AppError('CONFLICT', { reason: { 'zh-CN': `告警${STATE_NAMES[state][0]}`, en: `the alarm is ${STATE_NAMES[state][1]}` } }, { state })
