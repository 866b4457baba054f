// The field side of the case bench, run in a forked process so it does not share the server's event loop: supervisors,
// each on their own keep-alive connection, report cases (POST /api/cases) with or without first uploading a photo
// (POST /api/files, a ~200 KB JPEG made here with sharp, a few bytes different each time so no upload is a repeat).
// Closed loop: each supervisor reports again as soon as answered (how fast can it go). Open loop: reports arrive at a
// fixed rate and each one's latency counts from when it was due, so a server falling behind shows in p99.
import { fork, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { latencyFigures, type LatencyFigures } from './lib.js'

export interface FlowSetup {
  host: string
  port: number
  /** One bearer token per supervisor (one connection each). */
  tokens: string[]
  /** Where reports are made: points inside the demo's grid cells. */
  points: Array<[number, number]>
  classes: Array<{ kind: 'component' | 'event'; code: string }>
}

export interface FlowRun {
  /**
   * create: POST /api/cases only; upload+create: POST /api/files then POST /api/cases citing the photo; create+photo:
   * one multipart POST /api/cases with the fields and the photo.
   */
  mode: 'create' | 'upload+create' | 'create+photo'
  /** undefined: closed loop; a number: reports per second offered (open loop). */
  rate: number | undefined
  durationMs: number
}

/** Per request kind (upload, create, flow = both): figures over the run's window. */
export interface FlowResult {
  figures: Record<string, LatencyFigures>
  statuses: Record<string, number>
  errors: number
  /** The first non-2xx answer, to say what went wrong. */
  firstError: string | undefined
  /** Open loop: reports due in the window that were never started because every supervisor was busy until its end. */
  missed: number
}

// ---------------------------------------------------------------------------------------------------------------
// The photo

/** A 1600 × 1200 street-like picture (sky, textured ground, sensor noise) as a JPEG of about 200 KB. */
export async function streetPhoto(): Promise<Buffer> {
  const width = 1600
  const height = 1200
  const raw = Buffer.alloc(width * height * 3)
  let seed = 1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      const noise = ((seed >> 16) % 14) - 7
      const i = (y * width + x) * 3
      const sky = y < height * 0.4
      raw[i] = clamp((sky ? 120 + y / 20 : 90 + 40 * Math.sin(x / 37) + 30 * Math.sin((x + y) / 11)) + noise)
      raw[i + 1] = clamp((sky ? 160 + y / 25 : 100 + 30 * Math.sin(y / 23)) + noise)
      raw[i + 2] = clamp((sky ? 220 : 80 + 20 * Math.cos(x / 53)) + noise)
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer()
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)))

/** Width of the tag that makes each photo's bytes new (padded, so a body can be reused with its tag rewritten in place). */
const TAG_WIDTH = 48

/**
 * The same picture with a JPEG comment segment (FF FE) after the start marker naming `n`: new bytes, same image.
 * `into`: a body made before for this supervisor (one report in flight each), whose tag at `at` is rewritten in place
 * instead of making 200 KB anew per report — the load generator shares the server's two cores.
 */
function uniquePhoto(base: Buffer, n: string): Buffer {
  const segment = Buffer.alloc(4 + TAG_WIDTH)
  segment.writeUInt16BE(0xfffe, 0)
  segment.writeUInt16BE(TAG_WIDTH + 2, 2)
  segment.write(tagOf(n), 4, 'latin1')
  return Buffer.concat([base.subarray(0, 2), segment, base.subarray(2)])
}

const tagOf = (n: string) => `xiuhua bench ${n}`.padEnd(TAG_WIDTH).slice(0, TAG_WIDTH)

/** Rewrites the tag of a body holding a uniquePhoto whose tag starts at `at`. */
function retag(body: Buffer, at: number, n: string): Buffer {
  body.write(tagOf(n), at, 'latin1')
  return body
}

const BOUNDARY = '----xiuhua-bench-7d3f9a'
const multipartHead = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)
const multipartTail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`)

const photoHead = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)
/** Where the tag of uniquePhoto sits in a body that starts with `head`: after the start marker and the segment's header. */
const tagAt = (head: Buffer) => head.length + 2 + 4

/** A report as one multipart form: its fields as text parts (a small new buffer), then the photo part (reused, retagged). */
const reportFields = (fields: Record<string, unknown>) =>
  Buffer.from(Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`).join(''))

// ---------------------------------------------------------------------------------------------------------------
// The loops

interface Answer {
  status: number
  body: string
}

function send(agent: http.Agent, setup: FlowSetup, token: string, path: string, type: string, ...body: Buffer[]): Promise<Answer> {
  const length = body.reduce((sum, chunk) => sum + chunk.length, 0)
  return new Promise((resolve) => {
    const request = http.request(
      { host: setup.host, port: setup.port, path, method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': length, accept: 'application/json' } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        response.on('error', () => resolve({ status: 0, body: 'response error' }))
      },
    )
    request.on('error', (error) => resolve({ status: 0, body: String(error) }))
    for (const chunk of body.slice(0, -1)) request.write(chunk)
    request.end(body.at(-1))
  })
}

const ok = (status: number) => status >= 200 && status < 300

export async function runFlows(setup: FlowSetup, run: FlowRun, photo: Buffer): Promise<FlowResult> {
  const latencies: Record<string, number[]> = { flow: [], create: [], ...(run.mode === 'upload+create' ? { upload: [] } : {}) }
  const statuses: Record<string, number> = {}
  let errors = 0
  let firstError: string | undefined
  let counter = 0
  const tag = `${process.pid}-${Date.now().toString(36)}`
  const agents = setup.tokens.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }))
  // one body per supervisor (one report in flight each), its photo's tag rewritten per report
  const uploads = setup.tokens.map((_, i) => Buffer.concat([multipartHead, uniquePhoto(photo, `${tag}-u${i}`), multipartTail]))
  const photoParts = setup.tokens.map((_, i) => Buffer.concat([photoHead, uniquePhoto(photo, `${tag}-p${i}`), multipartTail]))
  const start = performance.now()
  const deadline = start + run.durationMs
  const interval = run.rate ? 1000 / run.rate : 0
  let slot = 0
  let started = 0

  const note = (answer: Answer, what: string) => {
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1
    if (ok(answer.status)) return true
    errors++
    firstError ??= `${what}: ${answer.status} ${answer.body.slice(0, 300)}`
    return false
  }

  /** One report by one supervisor; the latencies count from `due` (open loop) or from the start (closed loop). */
  const report = async (supervisor: number, due: number) => {
    const agent = agents[supervisor]!
    const token = setup.tokens[supervisor]!
    const n = counter++
    let photoId: string | undefined
    const began = performance.now()
    const timed: Record<string, number> = {}
    if (run.mode === 'upload+create') {
      const body = retag(uploads[supervisor]!, tagAt(multipartHead), `${tag}-${n}`)
      const answer = await send(agent, setup, token, '/api/files', `multipart/form-data; boundary=${BOUNDARY}`, body)
      timed.upload = performance.now() - Math.min(began, due)
      if (!note(answer, 'POST /api/files')) return
      photoId = (JSON.parse(answer.body) as { id: string }).id
    }
    const [lng, lat] = setup.points[n % setup.points.length]!
    const cls = setup.classes[(n * 7919) % setup.classes.length]!
    const createBegan = performance.now()
    const body = {
      clientId: `bench-${tag}-${n}`,
      source: 'supervisor',
      classKind: cls.kind,
      classCode: cls.code,
      description: `巡查发现问题，请尽快处理（bench ${n}）`,
      address: `新洲区第 ${1 + (n % 300)} 号附近`,
      lng,
      lat,
      ...(photoId ? { photoIds: [photoId] } : {}),
    }
    const answer = run.mode === 'create+photo'
      ? await send(agent, setup, token, '/api/cases', `multipart/form-data; boundary=${BOUNDARY}`, reportFields(body), retag(photoParts[supervisor]!, tagAt(photoHead), `${tag}-${n}`))
      : await send(agent, setup, token, '/api/cases', 'application/json', Buffer.from(JSON.stringify(body)))
    const end = performance.now()
    if (!note(answer, 'POST /api/cases')) return
    if (end > deadline) return
    // create alone counts from its own start (plus any lateness when it is the whole report)
    timed.create = end - (run.mode === 'create' ? Math.min(began, due) : createBegan)
    timed.flow = end - Math.min(began, due)
    for (const [key, value] of Object.entries(timed)) latencies[key]!.push(value)
  }

  const loops = setup.tokens.map(async (_, supervisor) => {
    while (performance.now() < deadline) {
      if (!run.rate) {
        await report(supervisor, Infinity)
        continue
      }
      const due = start + slot++ * interval
      if (due >= deadline) return
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      started++
      await report(supervisor, due)
    }
  })
  await Promise.all(loops)
  const missed = run.rate ? Math.max(0, Math.ceil(run.durationMs / interval) - started) : 0
  agents.forEach((agent) => agent.destroy())
  const figures = Object.fromEntries(Object.entries(latencies).map(([key, values]) => [key, latencyFigures(values, run.durationMs)]))
  return { figures, statuses, errors, firstError, missed }
}

// ---------------------------------------------------------------------------------------------------------------
// The forked process and its handle

const FLAG = 'XIUHUA_BENCH_FLOW_CLIENT'

type Call = { id: number; run: FlowRun } | { id: number; setup: FlowSetup }
interface Reply {
  id: number
  value?: FlowResult
  error?: string
}

/** The field side in a forked Node process (same tsx loader): one setup, then runs on request. */
export class FlowClient {
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (value: FlowResult | undefined) => void; reject: (e: Error) => void }>()

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: Reply) => {
      const waiter = this.pending.get(message.id)
      this.pending.delete(message.id)
      if (message.error === undefined) waiter?.resolve(message.value)
      else waiter?.reject(new Error(message.error ?? 'no answer'))
    })
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`flow client exited (${code})`))
      this.pending.clear()
    })
  }

  static async start(setup: FlowSetup): Promise<FlowClient> {
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [FLAG]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve()) // "ready", once the photo is made
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`flow client exited (${code})`)))
    })
    const client = new FlowClient(child)
    await client.call({ id: client.nextId++, setup })
    return client
  }

  private call(call: Call): Promise<FlowResult | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.set(call.id, { resolve, reject })
      this.child.send(call)
    })
  }

  async run(run: FlowRun): Promise<FlowResult> {
    const result = await this.call({ id: this.nextId++, run })
    if (!result) throw new Error('flow client: no result')
    return result
  }

  async close(): Promise<void> {
    const child = this.child
    if (child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.disconnect()
    const timer = setTimeout(() => child.kill(), 2_000)
    await exited
    clearTimeout(timer)
  }
}

// In the forked process: make the photo, take the setup, then run what the parent asks until it disconnects.
if (process.env[FLAG] === '1' && process.send) {
  let setup: FlowSetup | undefined
  const photo = await streetPhoto()
  process.on('message', (call: Call) => {
    if ('setup' in call) {
      setup = call.setup
      process.send!({ id: call.id } satisfies Reply)
      return
    }
    runFlows(setup!, call.run, photo).then(
      (value) => process.send!({ id: call.id, value } satisfies Reply),
      (error: unknown) => process.send!({ id: call.id, error: String(error) } satisfies Reply),
    )
  })
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: true, photoBytes: photo.length })
}
