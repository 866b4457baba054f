// The MQTT side of the device API (ThingsBoard convention). Embedded broker: the device's access token is its MQTT user
// name, checked at CONNECT; a device may publish only to v1/devices/me/telemetry and /attributes, so its identity is
// its connection's, never the topic's or the client id's. External broker (MQTT_URL): the broker authenticates devices
// and puts the token in the topic (devices/<token>/v1/devices/me/…); the server holds one shared subscription.
import type { AuthenticateHandler, AuthorizePublishHandler, AuthorizeSubscribeHandler, Client } from 'aedes'
import type { MqttClient } from 'mqtt'
import type { DeviceRef, DeviceRegistry } from '../registry.js'
import { Rejected } from './payload.js'
import type { MessageKind, TelemetryIngest } from './pipeline.js'

const TOPICS: Record<string, MessageKind> = {
  'v1/devices/me/telemetry': 'telemetry',
  'v1/devices/me/attributes': 'attributes',
}

/** What a ThingsBoard device client subscribes to at start; allowed (nothing is sent there yet), anything else refused. */
const SUBSCRIBABLE = /^v1\/devices\/me\/(attributes(\/response\/\+)?|rpc\/request\/\+)$/

/** The external broker's topics: the token is the second level (EMQX mountpoint `devices/${username}/`). */
export const EXTERNAL_SUBSCRIPTION = '$share/xiuhua/devices/+/v1/devices/me/+'
const EXTERNAL_TOPIC = /^devices\/([^/]+)\/(v1\/devices\/me\/(?:telemetry|attributes))$/

export interface BrokerHooks {
  authenticate: AuthenticateHandler
  authorizePublish: AuthorizePublishHandler
  authorizeSubscribe: AuthorizeSubscribeHandler
  /** Called when a client goes, to forget it. */
  disconnected(client: Client): void
  /** A device's messages are the server's: the broker passes them on to no one (nor to another device). */
  consumes(client: Client): boolean
}

function refusal(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode })
}

/** The embedded broker's checks. Sessions of a device whose token is rotated or revoked are closed. */
export function embeddedHooks(ingest: TelemetryIngest, registry: DeviceRegistry): BrokerHooks {
  const deviceOf = new WeakMap<Client, DeviceRef>()
  const sessions = new Map<string, Set<Client>>()
  registry.onChange((deviceId) => {
    for (const client of sessions.get(deviceId) ?? []) client.close()
    sessions.delete(deviceId)
  })
  return {
    authenticate(client, username, _password, done) {
      registry.byToken(username ?? '').then(
        (device) => {
          if (!device) {
            ingest.refused('telemetry', 'unauthorised')
            return done(refusal('unknown or revoked device token', 5), false)
          }
          deviceOf.set(client, device)
          let set = sessions.get(device.id)
          if (!set) sessions.set(device.id, (set = new Set()))
          set.add(client)
          done(null, true)
        },
        (error: Error) => done(refusal(error.message, 3), false),
      )
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null) // the broker's own messages ($SYS heartbeat)
      const device = deviceOf.get(client)
      const kind = TOPICS[packet.topic]
      if (!device || !kind) {
        ingest.refused(kind ?? 'telemetry', 'bad_topic')
        return done(new Error(`publishing to ${packet.topic} is not allowed`))
      }
      let durable: Promise<void>
      try {
        // QoS 0: nobody waits for the write (a failed batch is counted); QoS 1: the PUBACK does
        durable = ingest.accept(device, kind, packet.payload, { wait: packet.qos > 0 }).durable
      } catch (error) {
        // malformed: counted against the device and dropped; the device stays connected (resending would not help)
        if (error instanceof Rejected) return done(null)
        return done(error as Error)
      }
      if (packet.qos === 0) return done(null)
      // QoS 1: the PUBACK waits for the commit; a failed write closes the connection and the device sends it again
      durable.then(() => done(null), (error: Error) => done(error))
    },
    authorizeSubscribe(client, subscription, done) {
      done(null, client && deviceOf.has(client) && SUBSCRIBABLE.test(subscription.topic) ? subscription : null)
    },
    disconnected(client) {
      const device = deviceOf.get(client)
      if (device) sessions.get(device.id)?.delete(client)
    },
    consumes: (client) => deviceOf.has(client),
  }
}

/**
 * Consumes the devices' messages from an external broker. QoS 1 messages are acknowledged to the broker only once
 * committed (mqtt.js `customHandleAcks`), so the broker redelivers what a crash lost; mqtt.js takes the next message
 * of a connection only after that, so QoS 1 goes one commit at a time per connection: XIUHUA_MQTT_CONNECTIONS adds
 * connections, for brokers whose shared subscription keeps a device's messages on one member (EMQX `hash_topic`;
 * Mosquitto's round robin would let a device's messages overtake each other). A failed write or lookup drops the connection (it comes
 * back by itself) rather than leaving it waiting.
 */
export async function consumeExternal(client: MqttClient, ingest: TelemetryIngest, registry: DeviceRegistry): Promise<void> {
  // not acknowledged: the connection goes and comes back, and the broker sends the message again
  const drop = () => void client.stream.destroy()
  client.options.customHandleAcks = (topic, payload, packet, done) => {
    const match = EXTERNAL_TOPIC.exec(topic)
    const kind = match ? TOPICS[match[2] as string] : undefined
    if (!match || !kind) {
      ingest.refused('telemetry', 'bad_topic')
      return done(0)
    }
    registry.byToken(decodeURIComponent(match[1] as string)).then(
      (device) => {
        if (!device) {
          ingest.refused(kind, 'unauthorised')
          return done(0)
        }
        try {
          const durable = ingest.accept(device, kind, payload, { wait: packet.qos > 0 }).durable
          durable.then(() => done(0), drop)
        } catch (error) {
          if (error instanceof Rejected) done(0)
          else drop()
        }
      },
      drop,
    )
  }
  await client.subscribeAsync(EXTERNAL_SUBSCRIPTION, { qos: 1 })
}
