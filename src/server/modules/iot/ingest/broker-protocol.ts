// The messages between the server's event loop and the broker thread (broker-thread.ts, broker-worker.ts).
import type { MessageKind } from './pipeline.js'

/** The kinds as numbers in a batch. */
export const KINDS: readonly MessageKind[] = ['telemetry', 'attributes']

/** Messages of devices taken in one turn of the broker thread: message i is bytes[offsets[i]..offsets[i+1]). */
export interface Batch {
  type: 'batch'
  /** The device of each message, by the handle the event loop gave it at CONNECT. */
  handles: Int32Array
  /** Index into KINDS. */
  kinds: Uint8Array
  /** QoS 1: the id the PUBACK waits under; -1 for QoS 0. */
  acks: Int32Array
  offsets: Uint32Array
  bytes: Uint8Array
}

export type FromBroker =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string; code: string | undefined }
  | { type: 'auth'; id: number; token: string }
  | { type: 'refused'; kind: MessageKind; reason: 'unauthorised' | 'bad_topic' }
  /** Devices connected now (every second). */
  | { type: 'clients'; clients: number }
  | Batch
  | { type: 'closed' }

export type ToBroker =
  | { type: 'start'; port: number | 'any'; host: string }
  /** The answer to an 'auth': the device's handle, or null (unknown or revoked token), or an error (lookup failed). */
  | { type: 'auth'; id: number; handle: number | null; error?: string }
  /** PUBACKs: the QoS 1 messages committed, and those whose write failed (their connection is closed). */
  | { type: 'acks'; done: Int32Array; failed: Int32Array }
  /** The device's token changed or was revoked: its sessions are closed. */
  | { type: 'kick'; handle: number }
  | { type: 'close' }
