// Signed webhooks: what a receiver gets over real HTTP verifies with the shared secret, and only with it.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postWebhook, signWebhook, verifyWebhook } from './webhook.js'

interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

const received: Received[] = []
let answer = 204
let server: http.Server
let url: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(answer).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/xiuhua?token=abc`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const SECRET = 'whsec-0123456789abcdef'

describe('webhook signatures', () => {
  it('is HMAC-SHA256 of "<timestamp>.<body>" in hex, as the documented snippet computes it', () => {
    // the vector in docs/notifications.md, computed there with openssl, so receivers in any language can check against it
    expect(signWebhook('secret', 1700000000, '{"a":1}')).toBe('sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686')
  })

  it('verifies a fresh signature and refuses a changed body, another secret, a stale or future timestamp', () => {
    const now = 1_700_000_000_000
    const ts = now / 1000
    const body = '{"status":"closed"}'
    const header = signWebhook(SECRET, ts, body)
    expect(verifyWebhook(SECRET, header, ts, body, 300, now)).toBe(true)
    expect(verifyWebhook(SECRET, header, String(ts), body, 300, now)).toBe(true)
    expect(verifyWebhook(SECRET, header, ts, '{"status":"open"}', 300, now)).toBe(false)
    expect(verifyWebhook('another-secret-0000', header, ts, body, 300, now)).toBe(false)
    expect(verifyWebhook(SECRET, header, ts, body, 300, now + 301_000)).toBe(false)
    expect(verifyWebhook(SECRET, header, ts, body, 300, now - 301_000)).toBe(false)
    expect(verifyWebhook(SECRET, undefined, ts, body, 300, now)).toBe(false)
    expect(verifyWebhook(SECRET, header.slice(0, -1), ts, body, 300, now)).toBe(false)
    expect(verifyWebhook(SECRET, header, 'yesterday', body, 300, now)).toBe(false)
  })
})

describe('postWebhook', () => {
  it('POSTs the JSON body with event, delivery id, timestamp and a signature the receiver verifies', async () => {
    received.length = 0
    answer = 204
    await postWebhook(url, SECRET, { type: 'request.updated', id: '6f1c2b1e-8d1a-4f5e-9b7a-0c2d3e4f5a6b', body: { serviceRequestId: 'XH-1', status: 'closed' } })
    expect(received).toHaveLength(1)
    const [hit] = received
    expect(JSON.parse(hit!.body)).toEqual({ serviceRequestId: 'XH-1', status: 'closed' })
    expect(hit!.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-xiuhua-event': 'request.updated',
      'x-xiuhua-delivery': '6f1c2b1e-8d1a-4f5e-9b7a-0c2d3e4f5a6b',
    })
    expect(verifyWebhook(SECRET, hit!.headers['x-xiuhua-signature'] as string, hit!.headers['x-xiuhua-timestamp'] as string, hit!.body)).toBe(true)
  })

  it('throws on an answer other than 2xx, naming the origin but not the path or its token', async () => {
    answer = 500
    const failure = postWebhook(url, SECRET, { type: 't', id: 'd', body: {} })
    await expect(failure).rejects.toThrow(/answered 500/)
    await expect(failure).rejects.not.toThrow(/token=abc/)
    answer = 302
    await expect(postWebhook(url, SECRET, { type: 't', id: 'd', body: {} })).rejects.toThrow(/answered 302/)
    answer = 204
  })

  it('refuses addresses that are not http or https, and reports an unreachable receiver', async () => {
    await expect(postWebhook('file:///etc/passwd', SECRET, { type: 't', id: 'd', body: {} })).rejects.toThrow(/only http and https/)
    await expect(postWebhook('not a url', SECRET, { type: 't', id: 'd', body: {} })).rejects.toThrow(/not a valid URL/)
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    await expect(postWebhook(`http://127.0.0.1:${port}/`, SECRET, { type: 't', id: 'd', body: {} })).rejects.toThrow(`POST http://127.0.0.1:${port} failed`)
  })

  it('gives up on a receiver that never answers, so the job can retry', async () => {
    const silent = http.createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const port = (silent.address() as AddressInfo).port
      await expect(postWebhook(`http://127.0.0.1:${port}/`, SECRET, { type: 't', id: 'd', body: {} })).rejects.toThrow(/no answer within 5 s/)
    } finally {
      silent.closeAllConnections()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })
})
