// Durable delivery on the real jobs table: signed webhooks reach a real receiver, failures retry with the same id.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { cloneDatabase } from '../../../../test/helpers.js'
import type { Db } from '../db/engine.js'
import { Jobs } from '../jobs.js'
import { Deliveries, type WebhookResolver } from './deliveries.js'
import { LogSms } from './sms.js'
import { verifyWebhook } from './webhook.js'

const log = pino({ level: 'silent' })
const SECRET = 'subscriber-secret-0123456789'

let db: Db
let drop: () => Promise<void>
let server: http.Server
let url: string
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = []
/** Status codes the receiver answers with, in turn; 204 once they run out. */
let answers: number[] = []

beforeAll(async () => {
  ;({ db, drop } = await cloneDatabase())
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(answers.shift() ?? 204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xiuhua-events`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await db.close()
  await drop()
})
beforeEach(() => {
  received.length = 0
  answers = []
})

const subscribers = new Map<string, { url: string; secret: string }>()
const resolver: WebhookResolver = async (id) => subscribers.get(id)

function setup() {
  const jobs = new Jobs(db, log)
  const sms = new LogSms(log)
  const deliveries = new Deliveries(jobs, sms, resolver, log)
  deliveries.register()
  return { jobs, sms, deliveries }
}

/** The job of one delivery, by the id Deliveries returned. */
const jobOf = (id: string) =>
  sql<{ attempts: number; done_at: Date | null; last_error: string | null; payload: Record<string, unknown> }>`
    select attempts, done_at, last_error, payload from jobs where payload->>'id' = ${id}`
    .execute(db.kysely)
    .then((r) => r.rows[0]!)

/** As if the backoff had passed. */
const makeDue = (id: string) => sql`update jobs set run_at = now() where payload->>'id' = ${id}`.execute(db.kysely)

describe('webhook deliveries', () => {
  it('delivers an event signed with the subscriber secret, which is never stored in the job', async () => {
    subscribers.set('sub-a', { url, secret: SECRET })
    const { jobs, deliveries } = setup()
    const id = await deliveries.webhook('sub-a', 'request.updated', { serviceRequestId: 'XH-7', status: 'closed' })
    expect(JSON.stringify((await jobOf(id)).payload)).not.toContain(SECRET)
    await jobs.tick()
    expect(received).toHaveLength(1)
    const [hit] = received
    expect(JSON.parse(hit!.body)).toEqual({ serviceRequestId: 'XH-7', status: 'closed' })
    expect(hit!.headers).toMatchObject({ 'x-xiuhua-event': 'request.updated', 'x-xiuhua-delivery': id })
    expect(verifyWebhook(SECRET, hit!.headers['x-xiuhua-signature'] as string, hit!.headers['x-xiuhua-timestamp'] as string, hit!.body)).toBe(true)
    expect(await jobOf(id)).toMatchObject({ attempts: 1, last_error: null })
    expect((await jobOf(id)).done_at).not.toBeNull()
  })

  it('retries after a 500 and then delivers, with the same delivery id on every attempt', async () => {
    subscribers.set('sub-b', { url, secret: SECRET })
    const { jobs, deliveries } = setup()
    answers = [500, 500]
    const id = await deliveries.webhook('sub-b', 'request.created', { serviceRequestId: 'XH-8' })
    await jobs.tick()
    expect(await jobOf(id)).toMatchObject({ attempts: 1, done_at: null, last_error: expect.stringMatching(/answered 500/) })
    await jobs.tick() // not due yet: the backoff holds it back
    expect(received).toHaveLength(1)
    await makeDue(id)
    await jobs.tick()
    await makeDue(id)
    await jobs.tick()
    expect(received).toHaveLength(3)
    expect(new Set(received.map((r) => r.headers['x-xiuhua-delivery']))).toEqual(new Set([id]))
    for (const r of received) expect(verifyWebhook(SECRET, r.headers['x-xiuhua-signature'] as string, r.headers['x-xiuhua-timestamp'] as string, r.body)).toBe(true)
    expect(await jobOf(id)).toMatchObject({ attempts: 3, last_error: null })
    expect((await jobOf(id)).done_at).not.toBeNull()
  })

  it('sends nothing to a subscriber revoked before the delivery ran, and the job ends', async () => {
    subscribers.set('sub-c', { url, secret: SECRET })
    const { jobs, deliveries } = setup()
    const id = await deliveries.webhook('sub-c', 'request.updated', { serviceRequestId: 'XH-9' })
    subscribers.delete('sub-c')
    await jobs.tick()
    expect(received).toHaveLength(0)
    expect((await jobOf(id)).done_at).not.toBeNull()
  })

  it('ends the job without retrying when the subscriber URL can never work', async () => {
    subscribers.set('sub-d', { url: 'ftp://files.example/hook', secret: SECRET })
    const { jobs, deliveries } = setup()
    const id = await deliveries.webhook('sub-d', 'request.updated', {})
    await jobs.tick()
    expect(await jobOf(id)).toMatchObject({ attempts: 1 })
    expect((await jobOf(id)).done_at).not.toBeNull()
  })
})

describe('text message deliveries', () => {
  it('sends a queued message through the configured sender when the job runs', async () => {
    const { jobs, sms, deliveries } = setup()
    const id = await deliveries.sms('13800138000', '【绣花】验证码 481516')
    expect(sms.recent('13800138000')).toEqual([])
    await jobs.tick()
    expect(sms.recent('13800138000')).toMatchObject([{ to: '13800138000', text: '【绣花】验证码 481516', id }])
  })

  it('sends at once when the jobs loop is running, without waiting for its next poll', async () => {
    const { jobs, sms, deliveries } = setup()
    jobs.start(3600_000)
    try {
      await jobs.tick()
      await deliveries.sms('13900139000', '【绣花】验证码 271828')
      await vi.waitFor(() => expect(sms.recent('13900139000')).toHaveLength(1), { timeout: 10_000 })
    } finally {
      await jobs.stop()
    }
  })
})
