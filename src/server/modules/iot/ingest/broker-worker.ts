// The broker thread (see broker-thread.ts): the embedded Aedes broker with the devices' sockets. It checks topics and
// sessions itself, asks the event loop who a token is, and hands the devices' messages over in one batch per turn (of
// 500 messages at most).
import { parentPort } from 'node:worker_threads'
import type { AuthenticateHandler, Client } from 'aedes'
import { type Broker, startEmbeddedBroker } from '../../../platform/broker.js'
import { type Batch, type FromBroker, KINDS, type ToBroker } from './broker-protocol.js'
import { TOPICS } from './mqtt.js'

const port = parentPort!
const post = (message: FromBroker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)

/** What a ThingsBoard device client subscribes to at start; allowed (nothing is sent there yet), anything else refused. */
const SUBSCRIBABLE = /^v1\/devices\/me\/(attributes(\/response\/\+)?|rpc\/request\/\+)$/

const refusal = (message: string, returnCode: number) => Object.assign(new Error(message), { returnCode })

const handleOf = new WeakMap<Client, number>()
const sessions = new Map<number, Set<Client>>()
const authWaiting = new Map<number, (handle: number | null, error?: string) => void>()
const ackWaiting = new Map<number, (error?: Error | null) => void>()
let nextAuth = 0
let nextAck = 0
let broker: (Broker & { port: number }) | undefined
const clientsNow = () => broker?.status().clients ?? 0

/** Messages sent to the event loop together at most. */
const MESSAGES_PER_BATCH = 500

/** The messages of this turn, sent together when it ends or when `MESSAGES_PER_BATCH` wait. */
const pending = { handles: [] as number[], kinds: [] as number[], acks: [] as number[], payloads: [] as Buffer[], bytes: 0, scheduled: false }

function enqueue(handle: number, kind: number, payload: Buffer, ack: number): void {
  pending.handles.push(handle)
  pending.kinds.push(kind)
  pending.acks.push(ack)
  pending.payloads.push(payload)
  pending.bytes += payload.length
  // a turn of this thread reads every device socket with data: at tens of thousands of messages a second that is
  // thousands of messages and, on a full machine, 100 ms and more; the first would wait for the last
  if (pending.handles.length >= MESSAGES_PER_BATCH) return flush()
  if (!pending.scheduled) {
    pending.scheduled = true
    setImmediate(flush)
  }
}

function flush(): void {
  pending.scheduled = false
  const n = pending.handles.length
  if (n === 0) return
  const offsets = new Uint32Array(n + 1)
  const bytes = new Uint8Array(pending.bytes)
  let at = 0
  for (let i = 0; i < n; i++) {
    offsets[i] = at
    bytes.set(pending.payloads[i]!, at)
    at += pending.payloads[i]!.length
  }
  offsets[n] = at
  const batch: Batch = {
    type: 'batch', handles: Int32Array.from(pending.handles), kinds: Uint8Array.from(pending.kinds), acks: Int32Array.from(pending.acks),
    offsets, bytes,
  }
  pending.handles = []
  pending.kinds = []
  pending.acks = []
  pending.payloads = []
  pending.bytes = 0
  post(batch, [batch.handles.buffer, batch.kinds.buffer, batch.acks.buffer, offsets.buffer, bytes.buffer] as ArrayBuffer[])
}

const authenticate: AuthenticateHandler = (client, username, _password, done) => {
  const id = nextAuth++
  authWaiting.set(id, (handle, error) => {
    if (error !== undefined) return done(refusal(error, 3), false)
    if (handle === null) {
      post({ type: 'refused', kind: 'telemetry', reason: 'unauthorised' })
      return done(refusal('unknown or revoked device token', 5), false)
    }
    handleOf.set(client, handle)
    let set = sessions.get(handle)
    if (!set) sessions.set(handle, (set = new Set()))
    set.add(client)
    done(null, true)
  })
  post({ type: 'auth', id, token: username ?? '' })
}

async function start(listen: { port: number | 'any'; host: string }): Promise<void> {
  try {
    broker = await startEmbeddedBroker(listen.port, listen.host, {
      authenticate,
      authorizePublish(client, packet, done) {
        if (!client) return done(null) // the broker's own messages ($SYS heartbeat)
        const handle = handleOf.get(client)
        const kind = TOPICS[packet.topic]
        if (handle === undefined || kind === undefined) {
          post({ type: 'refused', kind: kind ?? 'telemetry', reason: 'bad_topic' })
          return done(new Error(`publishing to ${packet.topic} is not allowed`))
        }
        if (packet.qos === 0) {
          // nobody waits for the write: a failed batch is counted by the event loop
          enqueue(handle, KINDS.indexOf(kind), packet.payload as Buffer, -1)
          return done(null)
        }
        // QoS 1: the PUBACK waits for the commit; a failed write closes the connection and the device sends it again
        const ack = nextAck++
        ackWaiting.set(ack, done)
        enqueue(handle, KINDS.indexOf(kind), packet.payload as Buffer, ack)
      },
      authorizeSubscribe(client, subscription, done) {
        done(null, client && handleOf.has(client) && SUBSCRIBABLE.test(subscription.topic) ? subscription : null)
      },
      disconnected(client) {
        const handle = handleOf.get(client)
        if (handle !== undefined) sessions.get(handle)?.delete(client)
      },
      // a device's messages are the server's: the broker passes them on to no one (nor to another device)
      consumes: (client) => handleOf.has(client),
    })
    post({ type: 'listening', port: broker.port })
  } catch (error) {
    post({ type: 'failed', message: (error as Error).message, code: (error as NodeJS.ErrnoException).code })
  }
}

const clientsTimer = setInterval(() => post({ type: 'clients', clients: clientsNow() }), 1_000)
clientsTimer.unref()

port.on('message', (message: ToBroker) => {
  switch (message.type) {
    case 'start':
      void start(message)
      break
    case 'auth':
      authWaiting.get(message.id)?.(message.handle, message.error)
      authWaiting.delete(message.id)
      break
    case 'acks':
      for (const ack of message.done) {
        ackWaiting.get(ack)?.(null)
        ackWaiting.delete(ack)
      }
      for (const ack of message.failed) {
        ackWaiting.get(ack)?.(new Error('the message could not be stored'))
        ackWaiting.delete(ack)
      }
      break
    case 'kick':
      for (const client of sessions.get(message.handle) ?? []) client.close()
      break
    case 'close':
      clearInterval(clientsTimer)
      void (broker?.close() ?? Promise.resolve()).then(() => {
        post({ type: 'closed' })
        port.close()
      })
      break
  }
})
