// Signed HTTP calls out of Xiuhua (webhooks, the SMS gateway): HMAC-SHA256 over "<timestamp>.<body>", one scheme for both.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-xiuhua-signature'
export const TIMESTAMP_HEADER = 'x-xiuhua-timestamp'
export const EVENT_HEADER = 'x-xiuhua-event'
export const DELIVERY_HEADER = 'x-xiuhua-delivery'

/** How long one call may take before it counts as failed (and its job is retried). */
export const SEND_TIMEOUT_MS = 5_000

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"); timestamp in Unix seconds. */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * What a receiver runs: the signature matches (timing-safe) and the timestamp is within `toleranceSec` of now,
 * so a captured request cannot be replayed later.
 */
export function verifyWebhook(
  secret: string,
  header: string | undefined,
  timestamp: number | string | undefined,
  body: string,
  toleranceSec = 300,
  nowMs = Date.now(),
): boolean {
  if (!header || timestamp === undefined || !/^\d{1,12}$/.test(String(timestamp))) return false
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSec) return false
  const expected = Buffer.from(signWebhook(secret, timestamp, body))
  const given = Buffer.from(header)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** A call that can never succeed (a malformed or non-HTTP address): its job ends instead of retrying. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PermanentDeliveryError'
  }
}

function httpUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new PermanentDeliveryError('not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PermanentDeliveryError(`only http and https URLs are allowed, got ${url.protocol}`)
  return url
}

/**
 * POSTs a JSON body signed with `secret`. Throws on a network error, after SEND_TIMEOUT_MS, and on any answer
 * other than 2xx (redirects are not followed: a signed call goes where it was registered or fails).
 * Error messages name the origin only, never the path or query, which may hold a receiver's token.
 */
export async function postSigned(rawUrl: string, secret: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const url = httpUrl(rawUrl)
  const timestamp = Math.floor(Date.now() / 1000)
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Xiuhua-Notify/1',
        ...headers,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
      },
      body,
    })
  } catch (error) {
    throw new Error(`POST ${url.origin} failed: ${failureReason(error)}`, { cause: error })
  }
  // the answer's body is not used; release the connection
  await response.body?.cancel().catch(() => {})
  if (response.status < 200 || response.status > 299) throw new Error(`POST ${url.origin} answered ${response.status}`)
}

/** fetch's own message is "fetch failed"; the reason (refused, reset, unknown host) is in its cause. */
function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  if (error.name === 'TimeoutError') return `no answer within ${SEND_TIMEOUT_MS / 1000} s`
  return error.cause instanceof Error ? error.cause.message : error.message
}

export interface WebhookEvent {
  /** Event type, e.g. `request.updated`; sent as X-Xiuhua-Event. */
  type: string
  /** Delivery id (a uuid), the same on every retry, so receivers can de-duplicate; sent as X-Xiuhua-Delivery. */
  id: string
  body: unknown
}

/** Sends one webhook event to a subscriber's URL, signed with the subscriber's secret. */
export function postWebhook(url: string, secret: string, event: WebhookEvent): Promise<void> {
  return postSigned(url, secret, JSON.stringify(event.body), { [EVENT_HEADER]: event.type, [DELIVERY_HEADER]: event.id })
}
