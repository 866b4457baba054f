// Small helpers shared by the bench scripts: percentiles, printing a table, a scratch database and clean-up on any exit,
// and a bounded keep-alive HTTP load loop run in phases (in this process or in a forked client process, so the client
// does not compete with the server's event loop).
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

// ---------------------------------------------------------------------------------------------------------------
// Figures and printing

/** Nearest-rank percentile (p in 0..1) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil(p * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!
}

/** The middle value (the lower middle for an even count). */
export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5)
}

export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
export const int = (n: number) => Math.round(n).toLocaleString('en')
export const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—')

/** Prints rows as left-aligned columns (numbers are pre-formatted strings); the first row is the header. */
export function printTable(rows: string[][], out: (line: string) => void = console.log) {
  const columns = Math.max(...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  for (const row of rows) out(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())
}

/** Latency figures of a run: count, rate over the window, nearest-rank percentiles and the maximum (ms). */
export interface LatencyFigures {
  completed: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
}

export function latencyFigures(latencies: ArrayLike<number>, elapsedMs: number): LatencyFigures {
  const sorted = Float64Array.from(latencies).sort()
  return {
    completed: sorted.length,
    rps: elapsedMs ? (sorted.length / elapsedMs) * 1000 : 0,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  }
}

// ---------------------------------------------------------------------------------------------------------------
/**
 * Watches this process while a run goes on, for where a slow request's time may have gone: how late its event loop
 * ran (p99, max) and its GC pauses. `stop()` ends the watch and says what it saw, in one line.
 */
export function watchStalls(): { stop: () => string } {
  const loop = monitorEventLoopDelay({ resolution: 1 })
  const pauses: number[] = []
  const gc = new PerformanceObserver((list) => pauses.push(...list.getEntries().map((e) => e.duration)))
  gc.observe({ entryTypes: ['gc'] })
  loop.enable()
  return {
    stop: () => {
      loop.disable()
      gc.disconnect()
      return `event loop delay p99 ${ms(loop.percentile(99) / 1e6)} ms, max ${ms(loop.max / 1e6)} ms; ` +
        `GC ${pauses.length} pauses, ${ms(pauses.reduce((a, b) => a + b, 0))} ms in all, longest ${ms(Math.max(0, ...pauses))} ms`
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Run scaffolding

/** A positive number from the environment, or the fallback. */
export function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** Resources released in reverse order whatever happens: error, Ctrl-C, or the run's time limit. */
export class Cleanups {
  private readonly steps: Array<() => Promise<void>> = []
  private running: Promise<void> | undefined

  push(step: () => Promise<void>) {
    this.steps.push(step)
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) await step().catch((error: unknown) => console.error('cleanup:', error))
    })()
    return this.running
  }

  /** Cleans up and exits 1 on SIGINT, SIGTERM, or once `limitMs` has passed. */
  guard(limitMs: number) {
    const abort = (why: string) => {
      console.error(`\n✖ ${why}: stopping and cleaning up`)
      void this.run().finally(() => process.exit(1))
    }
    process.once('SIGINT', () => abort('interrupted'))
    process.once('SIGTERM', () => abort('terminated'))
    setTimeout(() => abort(`time limit of ${limitMs / 1000} s reached`), limitMs).unref()
  }
}

/** A scratch database created from `url` (never the one it names), dropped at clean-up unless `keep`; its URL. */
export async function scratchDatabase(url: string, cleanups: Cleanups, keep = false, template?: string): Promise<string> {
  const name = `xiuhua_bench_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(template ? `create database ${name} template ${pg.escapeIdentifier(template)} strategy file_copy` : `create database ${name}`)
  cleanups.push(async () => {
    if (keep) console.log(`kept the scratch database ${name} (drop it by hand: drop database ${name})`)
    else await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  })
  const scratch = new URL(url)
  scratch.pathname = `/${name}`
  return scratch.toString()
}

// ---------------------------------------------------------------------------------------------------------------
// Load loop: closed loops over keep-alive connections, run in phases (e.g. 1 s of route A, 1 s of route B, …) whose
// latencies are pooled by key, so two routes can be interleaved finely and see the same background noise.

export type ClientKind = 'raw' | 'http'

export interface Target {
  host: string
  port: number
  headers: Record<string, string>
  connections: number
  /** raw: a minimal keep-alive HTTP/1.1 client on net sockets (cheapest); http: node:http with a keep-alive Agent. */
  client: ClientKind
}

export interface Phase {
  /** The pool this phase's latencies join (one per route). */
  key: string
  /** Request paths, used in turn (e.g. the same route over several ids). */
  paths: string[]
  durationMs: number
}

export interface PhaseResult {
  /** Responses (any status) completed inside the phase's window. */
  completed: number
  /** Non-200 responses and socket errors inside the window. */
  errors: number
  /** Every response of the phase, the ones drained after its window included (what the server did). */
  answered: number
}

export interface LoadResult extends LatencyFigures {
  errors: number
  statuses: Record<string, number>
  elapsedMs: number
  /** CPU time of the process running the loops during the key's phases, in ms (includes the server when in the same process). */
  loopCpuMs: number
}

type Done = (status: number) => void

/** One connection of the raw client: one request at a time, Content-Length or chunked responses. */
class RawConnection {
  private socket: net.Socket | undefined
  private buffer: Buffer = Buffer.alloc(0)
  private done: Done | undefined

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private open(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true })
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
      this.parse()
    })
    const fail = () => {
      if (this.socket !== socket) return
      this.socket = undefined
      this.buffer = Buffer.alloc(0)
      const done = this.done
      this.done = undefined
      done?.(0)
    }
    socket.on('error', fail)
    socket.on('close', fail)
    return socket
  }

  private parse() {
    const end = this.buffer.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.buffer.subarray(0, end).toString('latin1')
    const status = Number(head.slice(9, 12))
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    let total: number
    if (length) {
      total = end + 4 + Number(length[1])
      if (this.buffer.length < total) return
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.buffer.indexOf('\r\n0\r\n\r\n', end + 2)
      if (last < 0) return
      total = last + 7
    } else {
      total = end + 4
    }
    this.buffer = this.buffer.length > total ? this.buffer.subarray(total) : Buffer.alloc(0)
    const done = this.done
    this.done = undefined
    done?.(status)
  }

  send(request: Buffer, done: Done) {
    this.socket ??= this.open()
    this.done = done
    this.socket.write(request)
  }

  close() {
    const socket = this.socket
    this.socket = undefined
    socket?.destroy()
  }
}

interface Pooled {
  latencies: number[]
  statuses: Record<string, number>
  errors: number
  elapsedMs: number
  cpuMicros: number
}

/** Where the loops run: keeps the connections open across phases and pools each key's latencies until collected. */
export class LoadRunner {
  private readonly raw: RawConnection[]
  private readonly agent: http.Agent | undefined
  private readonly requests = new Map<string, Buffer>()
  private readonly pools = new Map<string, Pooled>()

  constructor(private readonly target: Target) {
    this.raw = target.client === 'raw' ? Array.from({ length: target.connections }, () => new RawConnection(target.host, target.port)) : []
    this.agent = target.client === 'http' ? new http.Agent({ keepAlive: true, maxSockets: target.connections }) : undefined
  }

  private request(path: string): Buffer {
    let request = this.requests.get(path)
    if (!request) {
      const { host, port, headers } = this.target
      const lines = Object.entries({ host: `${host}:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('')
      request = Buffer.from(`GET ${path} HTTP/1.1\r\n${lines}\r\n`, 'latin1')
      this.requests.set(path, request)
    }
    return request
  }

  private viaAgent(path: string): Promise<number> {
    return new Promise<number>((resolve) => {
      const request = http.get({ host: this.target.host, port: this.target.port, path, headers: this.target.headers, agent: this.agent }, (response) => {
        response.on('data', () => {})
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', () => resolve(0))
      })
      request.on('error', () => resolve(0))
    })
  }

  /** Runs every connection's closed loop for the phase; responses finishing after its window are not counted. */
  async phase({ key, paths, durationMs }: Phase): Promise<PhaseResult> {
    const pool = this.pools.get(key) ?? { latencies: [], statuses: {}, errors: 0, elapsedMs: 0, cpuMicros: 0 }
    this.pools.set(key, pool)
    let next = 0
    let completed = 0
    let errors = 0
    let answered = 0
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    const deadline = start + durationMs
    const send = (connection: number, path: string): Promise<number> =>
      this.agent ? this.viaAgent(path) : new Promise<number>((resolve) => this.raw[connection]!.send(this.request(path), resolve))
    const loops = Array.from({ length: this.target.connections }, async (_, connection) => {
      while (performance.now() < deadline) {
        const began = performance.now()
        const status = await send(connection, paths[next++ % paths.length]!)
        const now = performance.now()
        answered++
        if (now > deadline) break
        pool.latencies.push(now - began)
        pool.statuses[status] = (pool.statuses[status] ?? 0) + 1
        completed++
        if (status !== 200) errors++
      }
    })
    // Bounded: a request that never answers does not hold the run past the window + 5 s (its socket is dropped).
    let timer: NodeJS.Timeout | undefined
    const stuck = await Promise.race([Promise.all(loops).then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), durationMs + 5_000)))])
    clearTimeout(timer)
    if (stuck) this.raw.forEach((c) => c.close())
    const cpu = process.cpuUsage(cpu0)
    pool.errors += errors
    pool.elapsedMs += durationMs
    pool.cpuMicros += cpu.user + cpu.system
    return { completed, errors, answered }
  }

  /** The pooled figures of a key (and forgets them). */
  collect(key: string): LoadResult {
    const pool = this.pools.get(key) ?? { latencies: [], statuses: {}, errors: 0, elapsedMs: 0, cpuMicros: 0 }
    this.pools.delete(key)
    return {
      ...latencyFigures(pool.latencies, pool.elapsedMs),
      errors: pool.errors,
      statuses: pool.statuses,
      elapsedMs: pool.elapsedMs,
      loopCpuMs: pool.cpuMicros / 1000,
    }
  }

  close() {
    this.raw.forEach((c) => c.close())
    this.agent?.destroy()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The loops in a second process

const CLIENT_FLAG = 'XIUHUA_BENCH_LOAD_CLIENT'

type Call = { op: 'init'; target: Target } | { op: 'phase'; phase: Phase } | { op: 'collect'; key: string }
type Request = Call & { id: number }
interface Reply {
  id: number
  value?: unknown
  error?: string
}

/** Drives a LoadRunner in a forked Node process (same tsx loader), or in this one when not forked. */
export class LoadClient {
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>()

  private constructor(
    private readonly child: ChildProcess | undefined,
    private readonly local: LoadRunner | undefined,
  ) {
    child?.on('message', (message: Reply) => {
      const waiter = this.pending.get(message.id)
      this.pending.delete(message.id)
      if (message.error === undefined) waiter?.resolve(message.value)
      else waiter?.reject(new Error(message.error))
    })
    child?.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load client exited (${code})`))
      this.pending.clear()
    })
  }

  /** forked: the loops run in a second process; otherwise on this process's event loop (next to the server). */
  static async start(target: Target, forked: boolean): Promise<LoadClient> {
    if (!forked) return new LoadClient(undefined, new LoadRunner(target))
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CLIENT_FLAG]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve()) // "ready"
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`load client exited (${code})`)))
    })
    const client = new LoadClient(child, undefined)
    await client.call({ op: 'init', target })
    return client
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  private call(request: Call): Promise<unknown> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child!.send({ ...request, id } satisfies Request)
    })
  }

  async phase(phase: Phase): Promise<PhaseResult> {
    return this.local ? this.local.phase(phase) : ((await this.call({ op: 'phase', phase })) as PhaseResult)
  }

  async collect(key: string): Promise<LoadResult> {
    return this.local ? this.local.collect(key) : ((await this.call({ op: 'collect', key })) as LoadResult)
  }

  async close(): Promise<void> {
    this.local?.close()
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.disconnect()
    const timer = setTimeout(() => child.kill(), 2_000)
    await exited
    clearTimeout(timer)
  }
}

// In the forked process: serve the parent's requests until it disconnects.
if (process.env[CLIENT_FLAG] === '1' && process.send) {
  let runner: LoadRunner | undefined
  const reply = (message: Reply) => process.send!(message)
  process.on('message', (request: Request) => {
    void (async () => {
      switch (request.op) {
        case 'init':
          runner = new LoadRunner(request.target)
          return undefined
        case 'phase':
          return runner!.phase(request.phase)
        case 'collect':
          return runner!.collect(request.key)
      }
    })().then(
      (value) => reply({ id: request.id, value: value ?? null }),
      (error: unknown) => reply({ id: request.id, error: String(error) }),
    )
  })
  process.on('disconnect', () => {
    runner?.close()
    process.exit(0)
  })
  process.send('ready')
}
