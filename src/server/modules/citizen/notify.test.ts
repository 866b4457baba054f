// A 311 client hears each new stage of its request by signed webhook (once, through the jobs table), and a revoked
// key's client hears nothing more; the reporter's phone gets the same stages by SMS.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, multipart, supervisorPoint, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { smsSent } from '../../context.js'
import { verifyWebhook } from '../../platform/notify/webhook.js'

let t: TestApp
const tokens: Record<string, string> = {}
let server: http.Server
let hookUrl: string
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = []

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'dispatcher', 'supervisor', 'zhucheng']) tokens[user] = await t.login(user)
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/open311-events`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await t?.close()
})

/** Runs the jobs until `done` holds (case events arrive through LISTEN/NOTIFY, a moment after the change). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) {
    await t.context.jobs.tick()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function act(user: string, id: string, action: Record<string, unknown>) {
  const current = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.admin!) })).json()
  const response = await t.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: bearer(tokens[user]!), payload: { version: current.version, ...action } })
  expect(response.statusCode, `${user} ${String(action.type)}: ${response.body}`).toBe(200)
}

async function photo(user: string): Promise<string> {
  const jpeg = await sharp({ create: { width: 30, height: 30, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer()
  const body = multipart([{ name: 'file', filename: 'p.jpg', type: 'image/jpeg', data: jpeg }])
  return (await t.app.inject({ method: 'POST', url: '/api/files', headers: { ...body.headers, ...bearer(tokens[user]!) }, payload: body.payload })).json().id
}

describe('stage changes told to the 311 client and the reporter', () => {
  it('signs one webhook per new stage, sends the reporter an SMS, and stops once the key is revoked', async () => {
    const issued = (await t.app.inject({ method: 'POST', url: '/api/open311/keys', headers: bearer(tokens.admin!), payload: { name: 'hook client', webhookUrl: hookUrl } })).json()
    const point = await supervisorPoint(t.db)
    const form = new URLSearchParams({ api_key: issued.key, service_code: 'component-0101', lat: String(point.lat), long: String(point.lng), phone: '13655556666', 'attribute[cover_state]': 'broken', description: '井盖破了' })
    const posted = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() })
    expect(posted.statusCode, posted.body).toBe(200)
    const ticket = posted.json()[0].service_request_id as string
    const id = (await t.db.kysely.selectFrom('cases').select('id').where('ticket', '=', ticket).executeTakeFirstOrThrow()).id

    await act('acceptor', id, { type: 'file' })
    await until(() => received.length >= 1)
    expect(received).toHaveLength(1)
    const first = received[0]!
    expect(first.headers['x-xiuhua-event']).toBe('service_request.updated')
    expect(verifyWebhook(issued.webhookSecret, first.headers['x-xiuhua-signature'] as string, first.headers['x-xiuhua-timestamp'] as string, first.body)).toBe(true)
    expect(verifyWebhook('another-secret-0123456789', first.headers['x-xiuhua-signature'] as string, first.headers['x-xiuhua-timestamp'] as string, first.body)).toBe(false)
    expect(JSON.parse(first.body)).toMatchObject({ service_request_id: ticket, status: 'open', stage: 'accepted' })
    // nothing personal in what the client is told either
    expect(first.body).not.toContain('13655556666')

    await act('dispatcher', id, { type: 'dispatch', unitId: await unitIdOf(t.db, '420117001') })
    await act('zhucheng', id, { type: 'sign_for' })
    await act('zhucheng', id, { type: 'report_disposal', photoIds: [await photo('zhucheng')] })
    await act('supervisor', id, { type: 'check_pass', photoIds: [await photo('supervisor')] })
    await act('acceptor', id, { type: 'close' })
    await until(() => received.some((r) => JSON.parse(r.body).status === 'closed'))
    const stages = received.map((r) => JSON.parse(r.body).stage as string)
    expect(stages[0]).toBe('accepted')
    expect(stages.at(-1)).toBe('closed')
    // each stage at most once, in order
    expect(new Set(stages).size).toBe(stages.length)
    const texts = smsSent(t.context).filter((m) => m.to === '13655556666').map((m) => m.text)
    expect(texts.some((text) => text.includes('已受理'))).toBe(true)
    expect(texts.filter((text) => text.includes('已办结'))).toHaveLength(1)

    // a revoked key's client is told nothing more
    const count = received.length
    expect((await t.app.inject({ method: 'POST', url: `/api/open311/keys/${issued.id}/revoke`, headers: bearer(tokens.admin!) })).statusCode).toBe(200)
    await act('admin', id, { type: 'reopen', reason: '复查' })
    // the reporter still hears of it (the reopened case is accepted again)
    await until(() => smsSent(t.context).filter((m) => m.to === '13655556666').length > texts.length)
    expect(smsSent(t.context).filter((m) => m.to === '13655556666').at(-1)?.text).toContain('已受理')
    for (let i = 0; i < 5; i++) await t.context.jobs.tick()
    expect(received).toHaveLength(count)
  })
})
