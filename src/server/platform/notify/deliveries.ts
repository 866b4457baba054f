// Durable delivery of text messages and webhooks: each is a job row, so it survives a restart and retries with backoff.
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Jobs } from '../jobs.js'
import type { SmsSender } from './sms.js'
import { PermanentDeliveryError, postWebhook } from './webhook.js'

export const SMS_JOB = 'notify.sms'
export const WEBHOOK_JOB = 'notify.webhook'

/** Where a subscriber's events go; undefined once the subscriber is revoked (or never existed). */
export type WebhookResolver = (subscriberId: string) => Promise<{ url: string; secret: string } | undefined>

interface SmsPayload {
  id: string
  to: string
  text: string
}

interface WebhookPayload {
  id: string
  subscriberId: string
  type: string
  body: unknown
}

/**
 * Enqueue now, send from the jobs loop. A failed send throws, so the jobs table retries it with its backoff
 * (jobs.ts: 10 s, 20 s, 40 s … up to max_attempts); the delivery id is chosen at enqueue time and stays the same
 * on every retry. Webhook secrets are looked up at send time and never written to the job row.
 */
export class Deliveries {
  constructor(
    private readonly jobs: Jobs,
    private readonly sender: SmsSender,
    private readonly resolveWebhook: WebhookResolver,
    private readonly log: FastifyBaseLogger,
  ) {}

  register(): void {
    this.jobs.register(SMS_JOB, (payload) => this.sendSms(payload as unknown as SmsPayload))
    this.jobs.register(WEBHOOK_JOB, (payload) => this.sendWebhook(payload as unknown as WebhookPayload))
  }

  /** Queues a text message; returns its delivery id. */
  async sms(to: string, text: string): Promise<string> {
    const payload: SmsPayload = { id: randomUUID(), to, text }
    await this.jobs.enqueue(SMS_JOB, { ...payload })
    this.kick()
    return payload.id
  }

  /** Queues one event for one subscriber; returns its delivery id. */
  async webhook(subscriberId: string, type: string, body: unknown): Promise<string> {
    const payload: WebhookPayload = { id: randomUUID(), subscriberId, type, body }
    await this.jobs.enqueue(WEBHOOK_JOB, { ...payload })
    this.kick()
    return payload.id
  }

  /** A running jobs loop sends right away instead of at its next poll (a citizen is waiting for the code). */
  private kick(): void {
    if (this.jobs.status().running) void this.jobs.tick()
  }

  private async sendSms(payload: SmsPayload): Promise<void> {
    await this.sender.send({ to: payload.to, text: payload.text, id: payload.id })
  }

  private async sendWebhook(payload: WebhookPayload): Promise<void> {
    const target = await this.resolveWebhook(payload.subscriberId)
    if (!target) {
      this.log.info({ delivery: payload.id, subscriber: payload.subscriberId, event: payload.type }, 'webhook dropped: subscriber revoked')
      return
    }
    try {
      await postWebhook(target.url, target.secret, { type: payload.type, id: payload.id, body: payload.body })
    } catch (error) {
      if (!(error instanceof PermanentDeliveryError)) throw error
      // retrying cannot help a malformed address; the job ends and says why
      this.log.warn({ delivery: payload.id, subscriber: payload.subscriberId, event: payload.type, reason: error.message }, 'webhook dropped: unusable URL')
    }
  }
}
