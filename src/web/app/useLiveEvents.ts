// Live updates: one server-sent event stream (/api/events) per browser tab, shared by the pages that listen to it.
import { useEffect, useRef } from 'react'

export interface LiveEvent {
  /**
   * 'notification': something new waits in the signed-in user's notifications; 'alarm.changed': an alarm was raised,
   * acknowledged or cleared; 'device.state': a device came online or went offline.
   */
  type: 'case.changed' | 'case.overdue' | 'notification' | 'alarm.changed' | 'device.state'
  caseId?: string
  alarmId?: string
  deviceId?: string
  /** alarm.changed: the alarm's severity; */
  severity?: string
  /** alarm.changed: the alarm's state (active, acknowledged, cleared); device.state: the device's (online, offline). */
  state?: string
}

type Listener = (event: LiveEvent) => void

const TYPES: ReadonlyArray<LiveEvent['type']> = ['case.changed', 'case.overdue', 'notification', 'alarm.changed', 'device.state']
const listeners = new Set<Listener>()
let source: EventSource | null = null

function connect(): void {
  // The browser reconnects by itself when the stream ends (server restart, lifetime, network).
  source = new EventSource('/api/events', { withCredentials: true })
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      let data: Record<string, unknown> = {}
      try {
        data = JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>
      } catch {
        // not JSON: the type alone still says something changed
      }
      const text = (field: string) => (typeof data[field] === 'string' ? data[field] : undefined)
      const event: LiveEvent = { type, caseId: text('caseId'), alarmId: text('alarmId'), deviceId: text('deviceId'), severity: text('severity'), state: text('state') }
      for (const listener of listeners) listener(event)
    })
  }
}

/** The events a listener hears unless it asks for others: the case events and notifications. */
export const CASE_EVENTS: ReadonlyArray<LiveEvent['type']> = ['case.changed', 'case.overdue', 'notification']
/** The IoT pages' events: alarms and device states. */
export const IOT_EVENTS: ReadonlyArray<LiveEvent['type']> = ['alarm.changed', 'device.state']

/**
 * Calls `listener` for every live event of these `types` the user may see, while the component is mounted (and
 * `enabled`).
 */
export function useLiveEvents(listener: Listener, enabled = true, types: ReadonlyArray<LiveEvent['type']> = CASE_EVENTS): void {
  const ref = useRef(listener)
  const typesRef = useRef(types)
  useEffect(() => {
    ref.current = listener
    typesRef.current = types
  }, [listener, types])
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return
    const relay: Listener = (event) => {
      if (typesRef.current.includes(event.type)) ref.current(event)
    }
    listeners.add(relay)
    if (!source) connect()
    return () => {
      listeners.delete(relay)
      if (listeners.size === 0) {
        source?.close()
        source = null
      }
    }
  }, [enabled])
}

/** A function that runs `fn` once, `ms` after the last of a burst of calls (cancelled on unmount). */
export function useDebounced(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => {
    fnRef.current = fn
  }, [fn])
  useEffect(() => () => clearTimeout(timer.current), [])
  const call = useRef(() => {
    clearTimeout(timer.current)
    timer.current = setTimeout(() => fnRef.current(), ms)
  })
  return call.current
}
