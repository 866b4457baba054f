// The offline job (离线检测): devices silent for longer than their offline rule allows (intervals × the model's
// reporting interval) are marked offline, told to every process ('device.state'), and their offline rules get the
// clock; the rules raise the offline alarms. A device that speaks again is set online by ingestion, and the alarm
// clears on that reading (alarms.ts).
import { sql } from 'kysely'
import type { Db } from '../../../platform/db/engine.js'
import type { EventBus } from '../../../platform/events.js'
import type { DeviceRef } from '../registry.js'
import { announceStates } from '../ingest/pipeline.js'
import type { AlarmService } from './alarms.js'

export const OFFLINE_JOB = 'iot.offline'
export const OFFLINE_EVERY_MS = 30_000

interface Silent {
  id: string
  code: string
  name: string
  model_key: string
  lng: number | null
  lat: number | null
  org_path: string
  street_id: string | null
  enabled: boolean
  state: 'never' | 'online' | 'offline'
  last_seen: Date
  interval_seconds: number
}

/**
 * One round at `now`: every enabled device silent for at least the least offline allowance of any rule is looked at;
 * those past their own allowance and still 'online' are marked 'offline' (only while still silent, so a device that
 * spoke meanwhile stays online), and every one of them ticks its rules. Answers the ids marked offline.
 */
export async function markOffline(db: Db, events: EventBus, alarms: AlarmService, now = new Date()): Promise<string[]> {
  const least = alarms.leastOfflineIntervals()
  const { rows } = await sql<Silent>`
    select d.id, d.code, d.name, d.model_key, d.lng, d.lat, d.org_path, d.street_id, d.enabled, d.state, d.last_seen, m.interval_seconds
    from devices d join device_models m on m.key = d.model_key
    where d.enabled and d.last_seen is not null
      and d.last_seen <= ${now}::timestamptz - make_interval(secs => m.interval_seconds * ${least})`.execute(db.kysely)
  const marked: Array<{ id: string; orgPath: string }> = []
  for (const row of rows) {
    const device: DeviceRef = { id: row.id, code: row.code, name: row.name, modelKey: row.model_key, lng: row.lng, lat: row.lat, orgPath: row.org_path, streetId: row.street_id, enabled: row.enabled }
    const lastSeen = new Date(row.last_seen).getTime()
    const allowed = alarms.offlineIntervals(device) * row.interval_seconds * 1000
    if (now.getTime() - lastSeen < allowed) continue
    if (row.state === 'online') {
      const updated = await db.kysely.updateTable('devices').set({ state: 'offline' })
        .where('id', '=', row.id).where('state', '=', 'online').where('last_seen', '<=', new Date(now.getTime() - allowed)).executeTakeFirst()
      if (Number(updated.numUpdatedRows) > 0) {
        marked.push({ id: row.id, orgPath: row.org_path })
      }
    }
    alarms.tick(device, now.getTime(), lastSeen)
  }
  await announceStates(events, 'offline', marked)
  return marked.map((m) => m.id)
}

/** The handler Jobs.register takes: `jobs.register(OFFLINE_JOB, offlineJob(db, events, alarms), OFFLINE_EVERY_MS)`. */
export function offlineJob(db: Db, events: EventBus, alarms: AlarmService): () => Promise<void> {
  return async () => {
    await markOffline(db, events, alarms)
  }
}
