// The MQTT side of the platform: an embedded Aedes broker on MQTT_PORT, or a client of an external broker at MQTT_URL.
import net from 'node:net'
import { Aedes, type AedesOptions, type Client, type PublishPacket } from 'aedes'
import mqtt, { type MqttClient } from 'mqtt'

export interface BrokerStatus {
  mode: 'embedded' | 'external' | 'off'
  up: boolean
  detail: string
  clients?: number
}

export interface Broker {
  status(): BrokerStatus
  close(): Promise<void>
}

/**
 * What the devices' side decides: who may connect, publish and subscribe; and which published messages are the server's
 * alone (`consumes`: taken in authorizePublish, passed on to no subscriber).
 */
export type EmbeddedHooks = Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> & {
  disconnected?(client: Client): void
  consumes?(client: Client, packet: PublishPacket): boolean
}

type Publish = (packet: PublishPacket, client?: Client | null | ((error?: Error) => void), done?: (error?: Error) => void) => void

/**
 * Starts the embedded broker on `port` (0 = off; 'any' = a free port, for tests). A taken port is reported by the caller
 * with the variable's name.
 */
export async function startEmbeddedBroker(port: number | 'any', host: string, hooks: EmbeddedHooks = {}): Promise<Broker & { port: number }> {
  if (port === 0) return { port: 0, status: () => ({ mode: 'off', up: true, detail: 'MQTT_PORT=0' }), close: async () => {} }
  const { disconnected, consumes, ...checks } = hooks
  // device client ids (IMEIs, serial numbers, ThingsBoard's generated ids) are often longer than MQTT 3.1's 23 characters
  const aedes = await Aedes.createBroker({ ...checks, maxClientsIdLength: 256 })
  if (disconnected) aedes.on('clientDisconnect', disconnected)
  if (consumes) {
    // a message the server consumes skips the broker's routing (retained store, topic match, delivery, the publish
    // hooks): at tens of thousands of messages a second that is a fifth of the broker's time. Aedes has no option for
    // it; its handlers call broker.publish(packet, client, done) once authorizePublish has let a message through.
    const route = aedes.publish.bind(aedes) as Publish
    const publish: Publish = (packet, client, done) => (client && typeof client !== 'function' && consumes(client, packet) ? done?.() : route(packet, client, done))
    Object.assign(aedes, { publish })
  }
  const server = net.createServer(aedes.handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port === 'any' ? 0 : port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : 0
  return {
    port: bound,
    status: () => ({ mode: 'embedded', up: server.listening && !aedes.closed, detail: `mqtt://${host}:${bound}`, clients: aedes.connectedClients }),
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Connects to an external broker; reconnects by itself, and health shows whether it is connected. `consume` sets up
 * the subscriptions of each connection once connected (and again after each reconnect that lost the session); with
 * `connections` > 1 the server holds that many, so messages that wait for their commit before the acknowledgement
 * (QoS 1) are handled that many at a time (members of one shared subscription share the load).
 */
export async function connectExternalBroker(url: string, consume?: (client: MqttClient) => Promise<void>, connections = 1): Promise<Broker> {
  let lastError = ''
  const prefix = `xiuhua-${process.pid}-${Math.random().toString(16).slice(2, 8)}`
  const clients = Array.from({ length: Math.max(1, connections) }, (_, i) => {
    const client = mqtt.connect(url, { clientId: `${prefix}-${i}`, reconnectPeriod: 2_000, connectTimeout: 5_000 })
    if (consume) client.on('connect', (connack) => void (connack.sessionPresent ? undefined : consume(client).catch((error: Error) => (lastError = error.message))))
    client.on('error', (error) => (lastError = error.message))
    return client
  })
  await Promise.all(clients.map((client) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5_000) // start anyway; health reports the broker down
    client.once('connect', () => {
      clearTimeout(timer)
      resolve()
    })
  })))
  const safe = new URL(url)
  if (safe.password) safe.password = '***'
  return {
    status: () => {
      const up = clients.filter((c) => c.connected).length
      return { mode: 'external', up: up === clients.length, detail: up === clients.length ? safe.toString() : `${safe.toString()} ${up}/${clients.length} connected ${lastError}`.trim() }
    },
    async close() {
      await Promise.all(clients.map((client) => client.endAsync(true)))
    },
  }
}
