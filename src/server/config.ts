// Every environment variable Xiuhua reads, validated once at start; nothing else reads process.env.
import path from 'node:path'

export type BaseMap = 'none' | 'osm' | 'tianditu'

export interface Config {
  port: number
  host: string
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For): false (none: the socket's address), a hop
   * count, or addresses/CIDRs. Per-address limits and the audit log's IP depend on it.
   */
  trustProxy: boolean | number | string[]
  dataDir: string
  /** Unset: embedded PGlite in dataDir. 'memory://': embedded PGlite in memory (tests). */
  databaseUrl: string | undefined
  mqttUrl: string | undefined
  mqttPort: number
  jt808Port: number
  production: boolean
  demo: boolean
  demoPassword: string | undefined
  logLevel: string
  sessionTtlMinutes: number
  sessionIdleMinutes: number
  lockoutThreshold: number
  lockoutMinutes: number
  cookieSecure: boolean
  baseMap: BaseMap
  tiandituKey: string | undefined
  /** Duplicate detection: same class within this distance (m) and time (h) of an open case. */
  duplicateMetres: number
  duplicateHours: number
  /** Minimum password length of the password policy. */
  passwordMinLength: number
  /** Largest photo accepted for upload, in MiB. */
  maxPhotoMb: number
  /** Generic HTTP SMS gateway (docs/notifications.md); unset: text messages go to the log. */
  smsGatewayUrl: string | undefined
  /** Shared secret the gateway calls are signed with; set whenever smsGatewayUrl is. */
  smsGatewaySecret: string | undefined
  /** Per-process request limits of the public (citizen, Open311) write routes; see docs/notifications.md. */
  rateLimits: RateLimits
  /** Days of telemetry history kept; older day partitions are dropped (docs/iot.md). */
  telemetryRetentionDays: number
  /** Connections to the external broker (one shared subscription); QoS 1 messages handled at once (docs/iot.md). */
  mqttConnections: number
}

export interface RateLimits {
  /** Report submissions from one client address per minute. */
  ipPerMinute: number
  /** Reports and one-time codes for one phone number per hour. */
  phonePerHour: number
  /** Open311 writes with one API key per minute. */
  apiKeyPerMinute: number
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

function trustProxy(raw: string | undefined): boolean | number | string[] {
  const value = raw?.trim()
  if (!value || value === 'false' || value === 'off') return false
  if (value === 'true' || value === 'on') return true
  if (/^[0-9]{1,2}$/.test(value)) return Number(value)
  const list = value.split(',').map((v) => v.trim()).filter(Boolean)
  if (!list.every((v) => /^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(v) || ['loopback', 'linklocal', 'uniquelocal'].includes(v))) {
    throw new ConfigError('XIUHUA_TRUST_PROXY', `must be false, true, a hop count or proxy addresses (CIDR, loopback …), got "${value}"`)
  }
  return list
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true
  if (['0', 'false', 'off', 'no'].includes(raw)) return false
  throw new ConfigError(name, `must be on/off (or true/false, 1/0), got "${env[name]}"`)
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim()
  if (!raw) return undefined
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(name, `is not a valid URL: "${raw}"`)
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${parsed.protocol}//"`)
  }
  return raw
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production'
  const baseMap = (env.XIUHUA_BASEMAP?.trim() || 'none') as BaseMap
  if (!['none', 'osm', 'tianditu'].includes(baseMap)) {
    throw new ConfigError('XIUHUA_BASEMAP', `must be none, osm or tianditu, got "${env.XIUHUA_BASEMAP}"`)
  }
  const tiandituKey = env.TIANDITU_KEY?.trim() || undefined
  if (baseMap === 'tianditu' && !tiandituKey) {
    throw new ConfigError('TIANDITU_KEY', 'is required when XIUHUA_BASEMAP=tianditu')
  }
  const demo = bool(env, 'XIUHUA_DEMO', !production)
  if (production && demo) throw new ConfigError('XIUHUA_DEMO', 'the demo data set cannot be seeded in production mode (NODE_ENV=production)')
  const demoPassword = env.XIUHUA_DEMO_PASSWORD?.trim() || undefined
  const passwordMinLength = int(env, 'XIUHUA_PASSWORD_MIN_LENGTH', 10, 8, 128)
  const databaseUrl = env.DATABASE_URL?.trim() === 'memory://' ? 'memory://' : url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])
  const host = env.HOST?.trim() || '127.0.0.1'
  const smsGatewayUrl = url(env, 'SMS_GATEWAY_URL', ['http:', 'https:'])
  const smsGatewaySecret = env.SMS_GATEWAY_SECRET?.trim() || undefined
  if (smsGatewayUrl && !smsGatewaySecret) throw new ConfigError('SMS_GATEWAY_SECRET', 'is required when SMS_GATEWAY_URL is set')
  if (smsGatewayUrl && smsGatewaySecret && smsGatewaySecret.length < 16) throw new ConfigError('SMS_GATEWAY_SECRET', 'must be at least 16 characters long')
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host,
    trustProxy: trustProxy(env.XIUHUA_TRUST_PROXY),
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl,
    mqttUrl: url(env, 'MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
    mqttPort: int(env, 'MQTT_PORT', 1883, 0, 65535),
    jt808Port: int(env, 'JT808_PORT', 7808, 0, 65535),
    production,
    demo,
    demoPassword,
    logLevel: env.LOG_LEVEL?.trim() || (production ? 'info' : 'info'),
    sessionTtlMinutes: int(env, 'XIUHUA_SESSION_TTL_MINUTES', 12 * 60, 1, 30 * 24 * 60),
    sessionIdleMinutes: int(env, 'XIUHUA_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    lockoutThreshold: int(env, 'XIUHUA_LOCKOUT_THRESHOLD', 5, 1, 100),
    lockoutMinutes: int(env, 'XIUHUA_LOCKOUT_MINUTES', 15, 1, 24 * 60),
    cookieSecure: bool(env, 'XIUHUA_COOKIE_SECURE', production),
    baseMap,
    tiandituKey,
    passwordMinLength,
    maxPhotoMb: int(env, 'XIUHUA_MAX_PHOTO_MB', 10, 1, 100),
    duplicateMetres: int(env, 'XIUHUA_DUPLICATE_METRES', 50, 0, 10_000),
    duplicateHours: int(env, 'XIUHUA_DUPLICATE_HOURS', 72, 0, 24 * 365),
    smsGatewayUrl,
    smsGatewaySecret: smsGatewayUrl ? smsGatewaySecret : undefined,
    rateLimits: {
      ipPerMinute: int(env, 'XIUHUA_RATE_IP_PER_MINUTE', 20, 1, 1_000_000),
      phonePerHour: int(env, 'XIUHUA_RATE_PHONE_PER_HOUR', 10, 1, 1_000_000),
      apiKeyPerMinute: int(env, 'XIUHUA_RATE_API_KEY_PER_MINUTE', 600, 1, 1_000_000),
    },
    telemetryRetentionDays: int(env, 'XIUHUA_TELEMETRY_RETENTION_DAYS', 180, 1, 3650),
    mqttConnections: int(env, 'XIUHUA_MQTT_CONNECTIONS', 1, 1, 64),
  }
}
