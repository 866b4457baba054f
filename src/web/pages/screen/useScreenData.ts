// The command screen's data: the summary (live: reloaded shortly after any case changes, and every minute as lights
// turn), the 30-day trend and hot spots (every 10 minutes), the month's rankings, and alarms and devices when the user
// may see them (live on their events). A failed reload keeps the last figures on the wall.
import { useCallback, useEffect, useState } from 'react'
import {
  analyticsHotspots, analyticsSummary, analyticsTrends, deviceMap, evaluationRankings, listAlarms,
  type AlarmList, type AnalyticsSummary, type DeviceState, type EvaluationRanking, type Hotspots, type Trends,
} from '../../api/client'
import { useAuth } from '../../app/auth'
import { IOT_EVENTS, useDebounced, useLiveEvents } from '../../app/useLiveEvents'

const LIVE_DEBOUNCE_MS = 700
const SUMMARY_EVERY_MS = 60_000
const SLOW_EVERY_MS = 10 * 60_000

export interface DeviceCounts { total: number; states: Record<DeviceState, number>; alarmed: number }

export interface ScreenData {
  summary: AnalyticsSummary | null
  trends: Trends | null
  hotspots: Hotspots | null
  rankings: { streets: EvaluationRanking | null; units: EvaluationRanking | null } | null
  alarms: AlarmList | null
  devices: DeviceCounts | null
  /** When the summary was last loaded (ms), and whether the last try failed. */
  updatedAt: number | null
  stale: boolean
}

/** The local date `days` days before today. */
const daysAgo = (days: number) => new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10)

function every(fn: () => void, ms: number) {
  fn()
  const timer = setInterval(fn, ms)
  return () => clearInterval(timer)
}

export function useScreenData(): ScreenData & { canAlarms: boolean; canDevices: boolean } {
  const { can } = useAuth()
  const canAlarms = can('alarm:read')
  const canDevices = can('device:read')
  const [summary, setSummary] = useState<AnalyticsSummary | null>(null)
  const [updatedAt, setUpdatedAt] = useState<number | null>(null)
  const [stale, setStale] = useState(false)
  const [trends, setTrends] = useState<Trends | null>(null)
  const [hotspots, setHotspots] = useState<Hotspots | null>(null)
  const [rankings, setRankings] = useState<ScreenData['rankings']>(null)
  const [alarms, setAlarms] = useState<AlarmList | null>(null)
  const [devices, setDevices] = useState<DeviceCounts | null>(null)

  const loadSummary = useCallback(() => {
    analyticsSummary().then((s) => {
      setSummary(s)
      setUpdatedAt(Date.now())
      setStale(false)
    }, () => setStale(true))
  }, [])
  const loadSlow = useCallback(() => {
    analyticsTrends({ by: 'source', interval: 'day', limit: 3 }).then(setTrends, () => undefined)
    analyticsHotspots({ limit: 8, from: daysAgo(29) }).then(setHotspots, () => undefined)
    Promise.all([evaluationRankings('streets'), evaluationRankings('units')]).then(([streets, units]) => setRankings({ streets, units }), () => setRankings({ streets: null, units: null }))
  }, [])
  const loadIot = useCallback(() => {
    if (canAlarms) listAlarms({ state: 'open', pageSize: 8 }).then(setAlarms, () => undefined)
    if (canDevices) {
      deviceMap().then((reply) => {
        const states: Record<DeviceState, number> = { online: 0, offline: 0, never: 0 }
        let alarmed = 0
        for (const f of reply.features) {
          states[f.properties.state] += 1
          if (f.properties.alarms > 0) alarmed++
        }
        setDevices({ total: reply.features.length, states, alarmed })
      }, () => undefined)
    }
  }, [canAlarms, canDevices])

  useEffect(() => every(loadSummary, SUMMARY_EVERY_MS), [loadSummary])
  useEffect(() => every(loadSlow, SLOW_EVERY_MS), [loadSlow])
  useEffect(() => every(loadIot, SLOW_EVERY_MS), [loadIot])

  const onCase = useDebounced(loadSummary, LIVE_DEBOUNCE_MS)
  useLiveEvents(onCase)
  const onIot = useDebounced(loadIot, LIVE_DEBOUNCE_MS)
  useLiveEvents(onIot, canAlarms || canDevices, IOT_EVENTS)

  return { summary, trends, hotspots, rankings, alarms, devices, updatedAt, stale, canAlarms, canDevices }
}
