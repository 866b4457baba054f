// Request limits per client address, phone number or API key: a sliding window per key, several limits per route.
import { isIPv6 } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from './errors.js'

/*
 * Why not @fastify/rate-limit: its hooks mark a request as "limited already" after the first one, so a second
 * limit on the same route (per phone after per address) silently does nothing; its window is fixed, not
 * sliding; and its 429 is its own error. This is the small part we need, in memory.
 *
 * The counts live in this process. Behind a load balancer with N processes a client can make up to N times
 * `max` requests per window; divide the limits by N, or pin clients to a process, if that matters.
 */

export interface Limit {
  /** Named in the 429's details (`limit`), e.g. 'ip', 'phone', 'apiKey'. */
  name: string
  /** Requests allowed per window and key. */
  max: number
  windowMs: number
  /** The key a request counts against; undefined: this limit does not apply to the request. */
  key: (request: FastifyRequest) => string | undefined
}

export interface LimiterOptions {
  /** Keys remembered per limit; past it the least recently seen key is forgotten (bounded memory). */
  maxKeys?: number
  /** Clock in ms, for tests. */
  now?: () => number
}

export const DEFAULT_MAX_KEYS = 10_000

/** The accepted requests of each key inside the window, oldest first; a Map in least-recently-used order. */
class SlidingLog {
  private readonly hits = new Map<string, number[]>()

  constructor(
    readonly limit: Limit,
    private readonly maxKeys: number,
  ) {}

  /** Milliseconds until `key` may make one more request; 0 when it may now. */
  wait(key: string, now: number): number {
    const hits = this.hits.get(key)
    if (!hits) return 0
    const cutoff = now - this.limit.windowMs
    let expired = 0
    while (expired < hits.length && hits[expired]! <= cutoff) expired++
    if (expired > 0) hits.splice(0, expired)
    if (hits.length < this.limit.max) return 0
    return hits[hits.length - this.limit.max]! + this.limit.windowMs - now
  }

  record(key: string, now: number): void {
    const hits = this.hits.get(key) ?? []
    this.hits.delete(key)
    hits.push(now)
    this.hits.set(key, hits)
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!)
  }

  get size(): number {
    return this.hits.size
  }
}

export type LimitHook = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & { readonly keys: () => Record<string, number> }

/**
 * A preHandler hook (the body is parsed by then, so a key may come from it) that counts the request against
 * every limit that applies. Over any of them: 429 RATE_LIMITED with a Retry-After header and
 * `details: { limit, retryAfterSeconds }`, and the request counts against none of them, so a client that
 * waits as told gets through.
 */
export function limiter(limits: Limit[], options: LimiterOptions = {}): LimitHook {
  for (const limit of limits) {
    if (!Number.isInteger(limit.max) || limit.max < 1) throw new Error(`limit ${limit.name}: max must be a whole number of at least 1`)
    if (!(limit.windowMs > 0)) throw new Error(`limit ${limit.name}: windowMs must be positive`)
  }
  const now = options.now ?? Date.now
  const logs = limits.map((limit) => new SlidingLog(limit, options.maxKeys ?? DEFAULT_MAX_KEYS))
  const hook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const at = now()
    const applicable: Array<{ log: SlidingLog; key: string }> = []
    let worst: { name: string; waitMs: number } | undefined
    for (const log of logs) {
      const key = log.limit.key(request)
      if (key === undefined) continue
      applicable.push({ log, key })
      const waitMs = log.wait(key, at)
      if (waitMs > 0 && (!worst || waitMs > worst.waitMs)) worst = { name: log.limit.name, waitMs }
    }
    if (worst) {
      const retryAfterSeconds = Math.max(1, Math.ceil(worst.waitMs / 1000))
      reply.header('retry-after', String(retryAfterSeconds))
      throw new AppError('RATE_LIMITED', {}, { limit: worst.name, retryAfterSeconds })
    }
    for (const { log, key } of applicable) log.record(key, at)
  }
  return Object.assign(hook, { keys: () => Object.fromEntries(logs.map((log) => [log.limit.name, log.size])) })
}

/**
 * The client's address as a limit key: IPv4 as is, IPv6 by its /64 network (one subscriber usually holds a
 * whole /64, so per-address limits would be trivial to step around).
 */
export function clientKey(ip: string): string {
  const address = ip.split('%')[0] ?? ip
  if (!isIPv6(address)) return address
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  if (mapped) return mapped[1]!
  const [head = '', tail] = address.split('::')
  const groups = (part: string) => (part ? part.split(':') : []).flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g]))
  const left = groups(head)
  const right = tail === undefined ? [] : groups(tail)
  const full = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`
}

function ipv4Groups(dotted: string): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number)
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)]
}

/** Per client address (request.ip, which honours the app's trustProxy setting). */
export const byClient = (request: FastifyRequest): string => clientKey(request.ip)
