// The MQTT side of the platform: an embedded Aedes broker on MQTT_PORT, or a client of an external broker at MQTT_URL.
import net from 'node:net'
import { Aedes } from 'aedes'
import mqtt from 'mqtt'

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

/** Starts the embedded broker on `port` (0 = off). A taken port is reported by the caller with the variable's name. */
export async function startEmbeddedBroker(port: number, host: string): Promise<Broker & { port: number }> {
  if (port === 0) return { port: 0, status: () => ({ mode: 'off', up: true, detail: 'MQTT_PORT=0' }), close: async () => {} }
  const aedes = await Aedes.createBroker()
  const server = net.createServer(aedes.handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  return {
    port: bound,
    status: () => ({ mode: 'embedded', up: server.listening && !aedes.closed, detail: `mqtt://${host}:${bound}`, clients: aedes.connectedClients }),
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Connects to an external broker; reconnects by itself, and health shows whether it is connected. */
export async function connectExternalBroker(url: string): Promise<Broker> {
  const client = mqtt.connect(url, { clientId: `xiuhua-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 2_000, connectTimeout: 5_000 })
  let lastError = ''
  client.on('error', (error) => (lastError = error.message))
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5_000) // start anyway; health reports the broker down
    client.once('connect', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  const safe = new URL(url)
  if (safe.password) safe.password = '***'
  return {
    status: () => ({ mode: 'external', up: client.connected, detail: client.connected ? safe.toString() : `${safe.toString()} ${lastError || 'not connected'}` }),
    async close() {
      await client.endAsync(true)
    },
  }
}
