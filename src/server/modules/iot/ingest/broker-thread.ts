// The embedded broker in a worker thread (docs/decisions/0004-broker-thread.md). With the devices' 10,000 sockets on
// the event loop, a reply from PostgreSQL waited behind every device socket with data (libuv sweeps up to 48 × 1,024
// ready sockets in one poll): at 28,000 messages/s an alarm's statement ran seconds after its message. The thread holds
// the sockets, MQTT and the session checks; the event loop gets the messages in batches (one per turn of the thread, of
// 500 at most) and takes 500 a turn of its own, answers who a token is at CONNECT, and sends back the PUBACKs of QoS 1
// messages once they are committed.
import type { Worker } from 'node:worker_threads'
import type { Broker } from '../../../platform/broker.js'
import { typeScriptWorker } from '../../../platform/threads.js'
import type { DeviceRef, DeviceRegistry } from '../registry.js'
import { type Batch, type FromBroker, KINDS, type ToBroker } from './broker-protocol.js'
import { Rejected } from './payload.js'
import type { TelemetryIngest } from './pipeline.js'

/** Device messages handled in one turn of the event loop at most (~10–15 ms of work under load). */
const MESSAGES_PER_TURN = 500

/**
 * A feed of batches handled item by item, in order, at most `perTurn` items a turn of the event loop: the first items
 * at once, the rest in the turns after. Between turns the loop sends what the items began (an alarm's statement) and
 * reads PostgreSQL's answers, so batches of thousands (a fleet's first messages after a restart, a full machine's
 * backlog) do not hold them for their whole length.
 */
export function inTurns<B>(length: (batch: B) => number, each: (batch: B, index: number) => void, perTurn: number): (batch: B) => void {
  const waiting: B[] = []
  let cursor = 0
  /** Items taken in this turn. */
  let used = 0
  let turnEnds = false
  const run = () => {
    while (waiting.length && used < perTurn) {
      const batch = waiting[0]!
      const end = Math.min(length(batch), cursor + perTurn - used)
      for (let i = cursor; i < end; i++) each(batch, i)
      used += end - cursor
      cursor = end
      if (cursor === length(batch)) {
        waiting.shift()
        cursor = 0
      }
    }
    if (turnEnds) return
    turnEnds = true
    setImmediate(() => {
      turnEnds = false
      used = 0
      if (waiting.length) run()
    })
  }
  return (batch) => {
    waiting.push(batch)
    run()
  }
}

/** The wait before the broker thread is started again after it died, doubling while it keeps dying; at most 30 s. */
export const RESTART_FIRST_MS = 500
const RESTART_MAX_MS = 30_000
/** A thread up this long has its next restart wait reset to the first. */
const RESTART_RESET_MS = 60_000

export interface BrokerThreadOptions {
  /** Told when the thread died and is started again, and when a start failed (the next is tried later). */
  onRestart?: (event: { error: Error; restarts: number; inMs: number }) => void
}

export interface BrokerThread extends Broker {
  port: number
  /** The current thread (tests stop it to see the broker come back). */
  thread(): Worker
}

/**
 * Starts the embedded broker's thread on `port` (0 = off; 'any' = a free port, for tests) and feeds its messages to
 * `ingest`. A taken port rejects with the listen error (code EADDRINUSE), for the caller to name the variable.
 * A thread that dies later (an error in the broker) is started again on the same port: health says the broker is down
 * until it listens, the devices reconnect by themselves, and a QoS 1 message whose PUBACK the old thread never sent is
 * sent again by its device.
 */
export async function startBrokerThread(port: number | 'any', host: string, ingest: TelemetryIngest, registry: DeviceRegistry, options: BrokerThreadOptions = {}): Promise<BrokerThread> {
  if (port === 0) {
    const off = { port: 0, status: () => ({ mode: 'off' as const, up: true, detail: 'MQTT_PORT=0' }), close: async () => {} }
    return { ...off, thread: () => { throw new Error('MQTT_PORT=0: no broker thread') } }
  }
  let worker: Worker
  /** Which thread: PUBACK ids and the clients count belong to the thread that gave them. */
  let generation = 0
  const send = (message: ToBroker, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer)

  // devices by handle: the thread names a device by a number, given at its CONNECT (kept across threads)
  const devices: DeviceRef[] = []
  const handles = new Map<string, number>()
  const handleFor = (device: DeviceRef) => {
    let handle = handles.get(device.id)
    if (handle === undefined) handles.set(device.id, (handle = devices.length))
    devices[handle] = device // the latest (a model may have changed since the last CONNECT)
    return handle
  }
  const forget = registry.onChange((deviceId) => {
    const handle = handles.get(deviceId)
    if (handle !== undefined && up) send({ type: 'kick', handle })
  })

  let clients = 0
  let up = false
  let closing = false
  let stopped: (() => void) | undefined
  const acks = { done: [] as number[], failed: [] as number[], scheduled: false }
  const acknowledge = (of: number, ack: number, ok: boolean) => {
    if (of !== generation) return // the thread that waits for it has died; its device sends the message again
    ;(ok ? acks.done : acks.failed).push(ack)
    if (acks.scheduled) return
    acks.scheduled = true
    setImmediate(() => {
      acks.scheduled = false
      const done = Int32Array.from(acks.done)
      const failed = Int32Array.from(acks.failed)
      acks.done = []
      acks.failed = []
      if (up) send({ type: 'acks', done, failed }, [done.buffer, failed.buffer])
    })
  }

  /** One message of a batch into the pipeline. */
  const takeOne = (batch: Batch, buffer: Buffer, i: number, of: number) => {
    const device = devices[batch.handles[i]!]!
    const kind = KINDS[batch.kinds[i]!]!
    const ack = batch.acks[i]!
    const payload = buffer.subarray(batch.offsets[i]!, batch.offsets[i + 1]!)
    try {
      const { durable } = ingest.accept(device, kind, payload, { wait: ack >= 0 })
      if (ack >= 0) durable.then(() => acknowledge(of, ack, true), () => acknowledge(of, ack, false))
    } catch (error) {
      // malformed: counted against the device and dropped (acknowledged: resending would not help); the device stays
      // connected. Any other failure closes its sessions, QoS 0 or not, as a refused PUBACK does.
      if (ack >= 0) acknowledge(of, ack, error instanceof Rejected)
      else if (!(error instanceof Rejected) && of === generation) send({ type: 'kick', handle: batch.handles[i]! })
    }
  }

  type Fed = { batch: Batch; buffer: Buffer; of: number }
  const feed = inTurns((b: Fed) => b.batch.handles.length, (b, i) => takeOne(b.batch, b.buffer, i, b.of), MESSAGES_PER_TURN)

  /** Starts a thread listening on `on`; resolves with its port once it listens. Its death after that calls `died`. */
  const spawn = (on: number | 'any', died: (error: Error) => void) => new Promise<number>((resolve, reject) => {
    const thread = typeScriptWorker(new URL('./broker-worker.ts', import.meta.url))
    const of = ++generation
    worker = thread
    clients = 0
    let listening = false
    const ended = (error: Error) => {
      if (of !== generation) return
      up = false
      clients = 0
      if (closing) return stopped?.()
      if (listening) died(error)
      else reject(error)
    }
    thread.on('message', (message: FromBroker) => {
      if (of !== generation) return
      switch (message.type) {
        case 'batch':
          feed({ batch: message, buffer: Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength), of })
          break
        case 'auth':
          registry.byToken(message.token).then(
            (device) => of === generation && send({ type: 'auth', id: message.id, handle: device ? handleFor(device) : null }),
            (error: Error) => of === generation && send({ type: 'auth', id: message.id, handle: null, error: error.message }),
          )
          break
        case 'refused':
          ingest.refused(message.kind, message.reason)
          break
        case 'clients':
          clients = message.clients
          break
        case 'listening':
          up = true
          listening = true
          resolve(message.port)
          break
        case 'failed':
          reject(Object.assign(new Error(message.message), { code: message.code }))
          break
        case 'closed':
          up = false
          stopped?.()
          break
      }
    })
    thread.on('error', ended)
    thread.on('exit', (code) => ended(new Error(`the broker thread stopped (exit code ${code})`)))
    send({ type: 'start', port: on, host })
  })

  let bound: number
  let restarts = 0
  let wait = RESTART_FIRST_MS
  let since = Date.now()
  let timer: NodeJS.Timeout | undefined
  const died = (error: Error) => {
    if (Date.now() - since > RESTART_RESET_MS) wait = RESTART_FIRST_MS
    const inMs = wait
    wait = Math.min(wait * 2, RESTART_MAX_MS)
    restarts += 1
    options.onRestart?.({ error, restarts, inMs })
    timer = setTimeout(() => {
      timer = undefined
      if (closing) return
      void worker.terminate() // a thread that failed to start may still run
      since = Date.now()
      spawn(bound, died).catch((failed: Error) => died(failed))
    }, inMs)
  }
  try {
    bound = await spawn(port, died)
  } catch (error) {
    forget()
    await worker!.terminate()
    throw error
  }
  return {
    port: bound,
    thread: () => worker,
    status: () => ({ mode: 'embedded', up, detail: `mqtt://${host}:${bound}${restarts ? ` (restarted ${restarts}×)` : ''}`, clients }),
    async close() {
      closing = true
      forget()
      clearTimeout(timer)
      if (!up) return void (await worker.terminate())
      await new Promise<void>((resolve) => {
        stopped = resolve
        send({ type: 'close' })
      })
      await worker.terminate()
    },
  }
}
