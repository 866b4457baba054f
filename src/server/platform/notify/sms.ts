// Text messages (短信) to citizens: written to the log by default, or POSTed signed to a generic HTTP SMS gateway.
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../config.js'
import { postSigned } from './webhook.js'

export interface SmsMessage {
  to: string
  text: string
  /** Stable id of this message (a uuid), the same on every retry, so a gateway can drop duplicates. */
  id?: string
}

export interface SmsSender {
  readonly kind: 'log' | 'http'
  /** Resolves once the message is handed over; throws when it was not (the delivery job retries). */
  send(message: SmsMessage): Promise<void>
}

/** 13812345678 → 138****5678; anything short is starred out but for its last two characters. */
export function maskPhone(phone: string): string {
  if (phone.length >= 11) return `${phone.slice(0, phone.length - 8)}****${phone.slice(-4)}`
  return `${'*'.repeat(Math.max(0, phone.length - 2))}${phone.slice(-2)}`
}

const KEEP = 100

/**
 * The default when no gateway is configured: each message goes to the log (number masked, text in full, since
 * the demo reads its one-time codes from there) and the last 100 stay readable through recent().
 */
export class LogSms implements SmsSender {
  readonly kind = 'log' as const
  private readonly kept: Array<SmsMessage & { sentAt: Date }> = []

  constructor(private readonly log: FastifyBaseLogger) {}

  async send(message: SmsMessage): Promise<void> {
    this.kept.push({ ...message, sentAt: new Date() })
    if (this.kept.length > KEEP) this.kept.splice(0, this.kept.length - KEEP)
    this.log.info({ sms: { to: maskPhone(message.to), text: message.text, id: message.id } }, 'text message (no SMS gateway configured)')
  }

  /** The messages kept, oldest first; only those to `to` when given. */
  recent(to?: string): Array<SmsMessage & { sentAt: Date }> {
    return this.kept.filter((m) => to === undefined || m.to === to).map((m) => ({ ...m }))
  }
}

/**
 * A generic HTTP gateway (docs/notifications.md): POST `{ "to", "text", "id" }` as JSON with X-Xiuhua-Timestamp
 * and X-Xiuhua-Signature (HMAC-SHA256 of "<timestamp>.<body>" with the shared secret); any 2xx is success.
 */
export class HttpSms implements SmsSender {
  readonly kind = 'http' as const

  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  send(message: SmsMessage): Promise<void> {
    const body = JSON.stringify({ to: message.to, text: message.text, id: message.id ?? randomUUID() })
    return postSigned(this.url, this.secret, body)
  }
}

export function smsFromConfig(config: Pick<Config, 'smsGatewayUrl' | 'smsGatewaySecret' | 'production'>, log: FastifyBaseLogger): SmsSender {
  if (config.smsGatewayUrl && config.smsGatewaySecret) return new HttpSms(config.smsGatewayUrl, config.smsGatewaySecret)
  if (config.production) log.warn('SMS_GATEWAY_URL is not set: text messages to citizens (one-time codes included) go to the log only')
  return new LogSms(log)
}
