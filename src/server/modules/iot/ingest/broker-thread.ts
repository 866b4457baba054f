// The embedded broker in a worker thread (docs/decisions/0004-broker-thread.md). With the devices' 10,000 sockets on
// the event loop, a reply from PostgreSQL waited behind every device socket with data (libuv sweeps up to 48 × 1,024
// ready sockets in one poll): at 28,000 messages/s an alarm's statement ran seconds after its message. The thread holds
// the sockets, MQTT and the session checks; the event loop gets the messages in batches (one per turn of the thread, of
// 500 at most) and takes 500 a turn of its own, answers who a token is at CONNECT, and sends back the PUBACKs of QoS 1
// messages once they are committed.
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

/**
 * Starts the embedded broker's thread on `port` (0 = off; 'any' = a free port, for tests) and feeds its messages to
 * `ingest`. A taken port rejects with the listen error (code EADDRINUSE), for the caller to name the variable.
 */
export async function startBrokerThread(port: number | 'any', host: string, ingest: TelemetryIngest, registry: DeviceRegistry): Promise<Broker & { port: number }> {
  if (port === 0) return { port: 0, status: () => ({ mode: 'off', up: true, detail: 'MQTT_PORT=0' }), close: async () => {} }
  const worker = typeScriptWorker(new URL('./broker-worker.ts', import.meta.url))
  const send = (message: ToBroker, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer)

  // devices by handle: the thread names a device by a number, given at its CONNECT
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
    if (handle !== undefined) send({ type: 'kick', handle })
  })

  let clients = 0
  let up = false
  let stopped: (() => void) | undefined
  const acks = { done: [] as number[], failed: [] as number[], scheduled: false }
  const acknowledge = (ack: number, ok: boolean) => {
    ;(ok ? acks.done : acks.failed).push(ack)
    if (acks.scheduled) return
    acks.scheduled = true
    setImmediate(() => {
      acks.scheduled = false
      const done = Int32Array.from(acks.done)
      const failed = Int32Array.from(acks.failed)
      acks.done = []
      acks.failed = []
      send({ type: 'acks', done, failed }, [done.buffer, failed.buffer])
    })
  }

  /** One message of a batch into the pipeline. */
  const takeOne = (batch: Batch, buffer: Buffer, i: number) => {
    const device = devices[batch.handles[i]!]!
    const kind = KINDS[batch.kinds[i]!]!
    const ack = batch.acks[i]!
    const payload = buffer.subarray(batch.offsets[i]!, batch.offsets[i + 1]!)
    try {
      const { durable } = ingest.accept(device, kind, payload, { wait: ack >= 0 })
      if (ack >= 0) durable.then(() => acknowledge(ack, true), () => acknowledge(ack, false))
    } catch (error) {
      // malformed: counted against the device and dropped (acknowledged: resending would not help); the device stays
      // connected. Any other failure closes its sessions, QoS 0 or not, as a refused PUBACK does.
      if (ack >= 0) acknowledge(ack, error instanceof Rejected)
      else if (!(error instanceof Rejected)) send({ type: 'kick', handle: batch.handles[i]! })
    }
  }

  const feed = inTurns((b: { batch: Batch; buffer: Buffer }) => b.batch.handles.length, (b, i) => takeOne(b.batch, b.buffer, i), MESSAGES_PER_TURN)
  const take = (batch: Batch) => feed({ batch, buffer: Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength) })

  const listening = new Promise<number>((resolve, reject) => {
    worker.on('message', (message: FromBroker) => {
      switch (message.type) {
        case 'batch':
          take(message)
          break
        case 'auth':
          registry.byToken(message.token).then(
            (device) => send({ type: 'auth', id: message.id, handle: device ? handleFor(device) : null }),
            (error: Error) => send({ type: 'auth', id: message.id, handle: null, error: error.message }),
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
    worker.on('error', (error) => {
      up = false
      reject(error)
    })
    worker.on('exit', () => {
      up = false
      stopped?.()
    })
  })
  send({ type: 'start', port, host })
  let bound: number
  try {
    bound = await listening
  } catch (error) {
    forget()
    await worker.terminate()
    throw error
  }
  return {
    port: bound,
    status: () => ({ mode: 'embedded', up, detail: `mqtt://${host}:${bound}`, clients }),
    async close() {
      forget()
      if (!up) return void (await worker.terminate())
      await new Promise<void>((resolve) => {
        stopped = resolve
        send({ type: 'close' })
      })
      await worker.terminate()
    },
  }
}
