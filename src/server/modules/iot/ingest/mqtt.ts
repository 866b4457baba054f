// The MQTT side of the device API (ThingsBoard convention) with an external broker (MQTT_URL): the broker authenticates
// devices and puts the token in the topic (devices/<token>/v1/devices/me/…); the server holds one shared subscription.
// The embedded broker (broker-thread.ts, broker-worker.ts) checks the token, the device's MQTT user name, at CONNECT;
// a device may publish only to v1/devices/me/telemetry and /attributes, so its identity is its connection's, never
// the topic's or the client id's.
import type { MqttClient } from 'mqtt'
import type { DeviceRegistry } from '../registry.js'
import { Rejected } from './payload.js'
import type { MessageKind, TelemetryIngest } from './pipeline.js'

/** The device API's topics (ThingsBoard's), and the kind of message each carries. */
export const TOPICS: Record<string, MessageKind> = {
  'v1/devices/me/telemetry': 'telemetry',
  'v1/devices/me/attributes': 'attributes',
}

/** The external broker's topics: the token is the second level (EMQX mountpoint `devices/${username}/`). */
export const EXTERNAL_SUBSCRIPTION = '$share/xiuhua/devices/+/v1/devices/me/+'
const EXTERNAL_TOPIC = /^devices\/([^/]+)\/(v1\/devices\/me\/(?:telemetry|attributes))$/

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
