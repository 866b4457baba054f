// The device registry (设备台账): devices, their access tokens, and the lookups ingestion makes on every connection
// and message (cached, dropped on 'device.changed' from any process).
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../../platform/db/engine.js'
import type { EventBus } from '../../platform/events.js'

/** What ingestion and the rules need of a device. */
export interface DeviceRef {
  id: string
  code: string
  name: string
  modelKey: string
  lng: number | null
  lat: number | null
  orgPath: string
  streetId: string | null
  enabled: boolean
}

export const DEVICE_CHANGED = 'device.changed'

/** How long a lookup is trusted without an event (a missed NOTIFY heals after this). */
const CACHE_MS = 60_000
const CACHE_SIZE = 50_000

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')
/** A new access token: 20 random bytes, URL-safe (ThingsBoard tokens are 20 characters; ours are 27). */
export const newToken = () => randomBytes(20).toString('base64url')
export const TOKEN_HINT_LENGTH = 4

const COLUMNS = ['id', 'code', 'name', 'model_key', 'lng', 'lat', 'org_path', 'street_id', 'enabled'] as const
type RefRow = { id: string; code: string; name: string; model_key: string; lng: number | null; lat: number | null; org_path: string; street_id: string | null; enabled: boolean }
const refOf = (r: RefRow): DeviceRef => ({ id: r.id, code: r.code, name: r.name, modelKey: r.model_key, lng: r.lng, lat: r.lat, orgPath: r.org_path, streetId: r.street_id, enabled: r.enabled })

interface Cached {
  ref: DeviceRef | undefined
  at: number
}

export class DeviceRegistry {
  private readonly byTokenCache = new Map<string, Cached>()
  private readonly byIdCache = new Map<string, Cached>()
  private readonly changeListeners = new Set<(deviceId: string) => void>()

  constructor(
    protected readonly db: Db,
    protected readonly events: EventBus,
  ) {
    events.on(DEVICE_CHANGED, (event) => {
      if (typeof event.deviceId === 'string') this.forget(event.deviceId)
    })
  }

  /** Told (in every process) when a device changed: its token was rotated or revoked, it moved, it was disabled. */
  onChange(listener: (deviceId: string) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** The device holding this token; undefined when the token is unknown or revoked, or the device disabled. */
  async byToken(token: string): Promise<DeviceRef | undefined> {
    if (!token || token.length > 200) return undefined
    const hash = tokenHash(token)
    const cached = this.byTokenCache.get(hash)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.ref
    const row = await this.db.kysely.selectFrom('devices').select(COLUMNS).where('token_sha256', '=', hash).executeTakeFirst()
    const ref = row && row.enabled ? refOf(row) : undefined
    remember(this.byTokenCache, hash, ref)
    if (ref) remember(this.byIdCache, ref.id, ref)
    return ref
  }

  async byId(id: string): Promise<DeviceRef | undefined> {
    const cached = this.byIdCache.get(id)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.ref
    const row = await this.db.kysely.selectFrom('devices').select(COLUMNS).where('id', '=', id).executeTakeFirst()
    const ref = row ? refOf(row) : undefined
    remember(this.byIdCache, id, ref)
    return ref
  }

  /** Drops what is cached of a device (its token lookups too) and tells the listeners. */
  protected forget(deviceId: string): void {
    this.byIdCache.delete(deviceId)
    for (const [hash, cached] of this.byTokenCache) if (!cached.ref || cached.ref.id === deviceId) this.byTokenCache.delete(hash)
    for (const listener of this.changeListeners) listener(deviceId)
  }

  /** Call after a committed change of a device: every process drops it from its caches. */
  protected async changed(deviceId: string): Promise<void> {
    this.forget(deviceId)
    await this.events.publish({ type: DEVICE_CHANGED, deviceId })
  }
}

function remember(cache: Map<string, Cached>, key: string, ref: DeviceRef | undefined) {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string)
  cache.set(key, { ref, at: Date.now() })
}
