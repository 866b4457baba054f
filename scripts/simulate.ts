// `npm run simulate`: keeps the demo alive. Drives every demo device of a running Xiuhua over real MQTT with the
// ThingsBoard device API (token `demo-<code>` as user name), sending what such a device would: toilets whose ammonia
// climbs at the morning peak, bins filling until they are emptied, covers knocked askew, a gas leak now and then,
// water in the underpasses in a shower, lamps on at night with the odd one out, devices that fall silent for a while,
// and a malformed message from time to time. Prints what it did every ten seconds; Ctrl-C stops it.
// Env: XIUHUA_URL (http://127.0.0.1:3000), XIUHUA_USER (admin), XIUHUA_DEMO_PASSWORD (Xiuhua@2026),
//      SIM_MQTT_URL (the server's embedded broker, from /api/health), SIM_SPEED (1: each device reports every
//      5–30 s; 10 reports ten times as often), SIM_FAULTS (1: how often things go wrong).
import mqtt, { type MqttClient } from 'mqtt'

const base = (process.env.XIUHUA_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '')
const speed = Math.max(0.1, Number(process.env.SIM_SPEED ?? 1))
const faults = Math.max(0, Number(process.env.SIM_FAULTS ?? 1))

interface Device {
  id: string
  code: string
  name: string
  modelKey: string
}

interface Sim {
  device: Device
  client: MqttClient | undefined
  /** The device's own state, carried from one message to the next. */
  state: Record<string, number>
  /** Silent (simulated power or network loss) until this time. */
  silentUntil: number
}

const totals = { sent: 0, malformed: 0, crossings: 0, silences: 0, errors: 0 }

async function api<T>(path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

async function demoDevices(): Promise<Device[]> {
  const { token } = await api<{ token: string }>('/api/auth/login', undefined, { username: process.env.XIUHUA_USER ?? 'admin', password: process.env.XIUHUA_DEMO_PASSWORD ?? 'Xiuhua@2026' })
  const devices: Device[] = []
  for (let page = 1; ; page++) {
    const { items, total } = await api<{ items: Device[]; total: number }>(`/api/iot/devices?page=${page}&pageSize=500`, token)
    devices.push(...items)
    if (devices.length >= total || items.length === 0) break
  }
  return devices
}

async function brokerUrl(): Promise<string> {
  if (process.env.SIM_MQTT_URL) return process.env.SIM_MQTT_URL
  const health = await (await fetch(`${base}/api/health`)).json() as { broker?: { detail?: string } }
  const detail = health.broker?.detail ?? ''
  if (!detail.startsWith('mqtt://')) throw new Error(`the server has no embedded broker (${detail || 'unknown'}); set SIM_MQTT_URL`)
  return detail.replace('0.0.0.0', '127.0.0.1')
}

const chance = (p: number) => Math.random() < p * faults
const around = (value: number, spread: number) => value + (Math.random() * 2 - 1) * spread
const round = (value: number, digits = 1) => Number(value.toFixed(digits))
/** Starts a fault that will cross a rule's threshold (a leak, a tilt, a blockage), counted. */
function cross(state: Record<string, number>, key: string, value: number) {
  state[key] = value
  totals.crossings += 1
}
const hour = () => new Date().getHours() + new Date().getMinutes() / 60

/** The next reading of a device, by model; `state` carries what persists (fill level, a leak, a tilted cover). */
function reading(sim: Sim): Record<string, number | boolean> {
  const s = sim.state
  switch (sim.device.modelKey) {
    case 'toilet_air': {
      // busier at the morning and evening peaks; a blocked drain now and then keeps ammonia high for a while
      const peak = Math.exp(-((hour() - 8) ** 2) / 2) + Math.exp(-((hour() - 18) ** 2) / 3)
      if (!s.blocked && chance(0.003)) cross(s, 'blocked', 40)
      if (s.blocked) s.blocked -= 1
      const nh3 = s.blocked ? around(8, 1.5) : around(0.8 + peak * 2, 0.4)
      return { nh3: round(Math.max(0, nh3), 2), h2s: round(Math.max(0, nh3 / 9 + around(0, 0.03)), 3), temperature: round(around(20, 2)), humidity: round(around(65, 8)), occupancy: Math.round(Math.max(0, around(peak * 4, 1))) }
    }
    case 'bin_fill': {
      s.fill = (s.fill ?? Math.random() * 60) + Math.random() * 3
      if (s.fill >= 100 || (s.fill > 60 && chance(0.02))) s.fill = 5 // emptied by the round
      if (s.fill > 90) totals.crossings += 1
      return { fill: round(Math.min(100, s.fill)), temperature: round(around(22, 2)) }
    }
    case 'manhole_cover': {
      if (!s.tilt && chance(0.002)) cross(s, 'tilt', 25)
      else if (s.tilt && chance(0.05)) s.tilt = 0 // set back by the maintenance crew
      s.battery = Math.max(5, (s.battery ?? around(80, 15)) - 0.01)
      return { tilt: round(s.tilt ? around(s.tilt, 3) : Math.abs(around(0.5, 0.5))), open: Boolean(s.tilt && s.tilt > 20), water_level: round(Math.max(0, around(40, 10))), battery: round(s.battery) }
    }
    case 'gas_detector': {
      if (!s.leak && chance(0.001)) cross(s, 'leak', 20)
      if (s.leak) s.leak -= 1
      return { lel: round(s.leak ? around(35, 5) : Math.max(0, around(1, 1))) }
    }
    case 'underpass_water': {
      if (!s.rain && chance(0.002)) s.rain = 60
      if (s.rain) s.rain -= 1
      s.level = Math.max(0, (s.level ?? 0) + (s.rain ? Math.random() * 1.5 : -Math.random() * 2))
      if (s.level > 15) totals.crossings += 1
      return { water_level: round(s.level) }
    }
    case 'streetlight': {
      const night = hour() >= 18.5 || hour() < 6
      if (!s.broken && chance(0.001)) cross(s, 'broken', 1)
      else if (s.broken && chance(0.01)) s.broken = 0
      return { on: night, power: round(night ? (s.broken ? around(1, 0.5) : around(120, 5)) : 0) }
    }
    case 'smoke_detector': {
      if (!s.smoke && chance(0.0005)) cross(s, 'smoke', 10)
      if (s.smoke) s.smoke -= 1
      s.battery = Math.max(5, (s.battery ?? around(90, 8)) - 0.005)
      return { smoke: Boolean(s.smoke), obscuration: round(s.smoke ? around(6, 1) : Math.abs(around(0.2, 0.1)), 2), temperature: round(around(24, 2)), battery: round(s.battery) }
    }
    default:
      return { value: round(Math.random() * 100) }
  }
}

function tick(sim: Sim) {
  const client = sim.client
  if (!client?.connected) return
  const now = Date.now()
  if (now < sim.silentUntil) return
  if (chance(0.0005)) {
    // the device falls silent (battery, network) for a few minutes: the offline rule sees it
    sim.silentUntil = now + (3 + Math.random() * 7) * 60_000 / speed
    totals.silences += 1
    return
  }
  if (chance(0.002)) {
    client.publish('v1/devices/me/telemetry', '{"nh3": "?', { qos: 0 })
    totals.malformed += 1
    return
  }
  client.publish('v1/devices/me/telemetry', JSON.stringify(reading(sim)), { qos: 1 }, (error) => {
    if (error) totals.errors += 1
  })
  totals.sent += 1
}

async function main() {
  const [devices, url] = await Promise.all([demoDevices(), brokerUrl()])
  if (devices.length === 0) throw new Error('no devices: start the server with the demo (npm start on an empty data directory)')
  console.log(`Simulating ${devices.length} demo devices against ${base} over ${url} (speed ×${speed}, faults ×${faults}). Ctrl-C stops.`)
  const sims: Sim[] = devices.map((device) => ({ device, client: undefined, state: {}, silentUntil: 0 }))
  for (const sim of sims) {
    sim.client = mqtt.connect(url, { username: `demo-${sim.device.code}`, clientId: `sim-${sim.device.code}`.slice(0, 64), reconnectPeriod: 5000 })
    sim.client.on('error', (error) => {
      totals.errors += 1
      if (/authori[sz]ed/i.test(error.message)) console.warn(`${sim.device.code}: ${error.message} (token revoked or changed? the simulator knows only the demo tokens)`)
    })
    // each device keeps its own rhythm: 5–30 s, faster with SIM_SPEED
    const every = ((5 + Math.random() * 25) * 1000) / speed
    setTimeout(() => setInterval(() => tick(sim), every), Math.random() * every)
  }
  setInterval(() => {
    const connected = sims.filter((s) => s.client?.connected).length
    console.log(`${new Date().toLocaleTimeString()}  connected ${connected}/${sims.length}  sent ${totals.sent}  threshold crossings ${totals.crossings}  silences ${totals.silences}  malformed ${totals.malformed}  errors ${totals.errors}`)
  }, 10_000)
  const stop = () => {
    for (const sim of sims) sim.client?.end(true)
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(`✖ ${(error as Error).message}`)
  process.exit(1)
})
