// Request limits: the request over a limit gets our 429 with Retry-After, others keep being served, the window slides.
import Fastify, { type FastifyError } from 'fastify'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { cloneDatabase, testConfig } from '../../../test/helpers.js'
import { buildApp } from '../app.js'
import { closeContext, createContext } from '../context.js'
import { AppError, errorBody, pickLocale } from './errors.js'
import { byClient, clientKey, type Limit, limiter, type LimiterOptions } from './ratelimit.js'

const MINUTE = 60_000

/** A tiny app answering errors the way app.ts does for an AppError, with one limited report route. */
async function reportApp(limits: Limit[], options: LimiterOptions = {}) {
  const app = Fastify({ logger: false })
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = error instanceof AppError ? error : new AppError('INTERNAL')
    reply.code(appError.status).send(errorBody(appError, pickLocale(request.headers['accept-language'])))
  })
  const hook = limiter(limits, options)
  app.post('/reports', { preHandler: hook }, async () => ({ ok: true }))
  await app.ready()
  const report = (ip: string, body: Record<string, unknown> = {}) => app.inject({ method: 'POST', url: '/reports', remoteAddress: ip, payload: body })
  return { app, report, hook }
}

const perIp = (max: number, windowMs = MINUTE): Limit => ({ name: 'ip', max, windowMs, key: byClient })
const perPhone = (max: number, windowMs = 3600_000): Limit => ({
  name: 'phone',
  max,
  windowMs,
  key: (request) => (request.body as { phone?: string } | undefined)?.phone,
})

describe('rate limits', () => {
  it('answers the request over the limit with 429 RATE_LIMITED and Retry-After, and still serves another address', async () => {
    const { report } = await reportApp([perIp(3)])
    for (let i = 0; i < 3; i++) expect((await report('203.0.113.7')).statusCode).toBe(200)
    const refused = await report('203.0.113.7')
    expect(refused.statusCode).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect(refused.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', message: '请求过于频繁，请稍后再试', details: { limit: 'ip', retryAfterSeconds: Number(refused.headers['retry-after']) } },
    })
    expect((await report('198.51.100.20')).statusCode).toBe(200)
  })

  it('throttles a flood of 1,000 reports from one address within a minute and keeps serving others', async () => {
    let clock = 0
    const { report } = await reportApp([perIp(20)], { now: () => clock })
    const statuses = new Map<number, number>()
    for (let i = 0; i < 1000; i++) {
      clock = i * 59 // 1,000 requests spread over 59 seconds
      const { statusCode } = await report('203.0.113.66')
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
      if (i % 100 === 0) expect((await report(`198.51.100.${i / 100 + 1}`)).statusCode).toBe(200)
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 20, 429: 980 })
  })

  it('slides: a place frees up as the oldest request leaves the window, and Retry-After says exactly when', async () => {
    let clock = 0
    const { report } = await reportApp([perIp(3)], { now: () => clock })
    for (const at of [0, 20_000, 40_000]) {
      clock = at
      expect((await report('203.0.113.7')).statusCode).toBe(200)
    }
    clock = 50_000
    const refused = await report('203.0.113.7')
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBe('10')
    clock = 60_000
    expect((await report('203.0.113.7')).statusCode).toBe(200)
    clock = 61_000
    expect((await report('203.0.113.7')).headers['retry-after']).toBe('19')
  })

  it('applies several limits to one route: a phone number is limited across addresses, a request without one is not', async () => {
    const { report } = await reportApp([perIp(5), perPhone(2)])
    expect((await report('203.0.113.1', { phone: '13800138000' })).statusCode).toBe(200)
    expect((await report('203.0.113.2', { phone: '13800138000' })).statusCode).toBe(200)
    const refused = await report('203.0.113.3', { phone: '13800138000' })
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED', details: { limit: 'phone' } } })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60)
    // the refused request did not count against its address: 203.0.113.3 still has all five
    for (let i = 0; i < 5; i++) expect((await report('203.0.113.3', { phone: `1390000000${i}` })).statusCode).toBe(200)
    expect((await report('203.0.113.3')).statusCode).toBe(429)
    expect((await report('203.0.113.4')).statusCode).toBe(200)
  })

  it('counts an IPv6 /64 as one client and an IPv4-mapped address as its IPv4 address', async () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:0db8:0001:0002:ffff:1:2:3'))
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'))
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9')
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    const { report } = await reportApp([perIp(2)])
    expect((await report('2001:db8:1:2::1')).statusCode).toBe(200)
    expect((await report('2001:db8:1:2::2')).statusCode).toBe(200)
    expect((await report('2001:db8:1:2::3')).statusCode).toBe(429)
  })

  it('remembers at most maxKeys keys per limit, forgetting the least recently seen', async () => {
    const { report, hook } = await reportApp([perIp(1)], { maxKeys: 100 })
    for (let i = 0; i < 300; i++) await report(`10.0.${Math.floor(i / 250)}.${i % 250}`)
    expect(hook.keys()).toEqual({ ip: 100 })
  })

  it('refuses a limit that could never let a request through', () => {
    expect(() => limiter([perIp(0)])).toThrow(/max/)
    expect(() => limiter([perIp(1, 0)])).toThrow(/windowMs/)
  })

  it('keeps Retry-After and the details through the real app error handler', async () => {
    const { db, drop } = await cloneDatabase()
    const context = await createContext(testConfig(), db, pino({ level: 'silent' }))
    const app = await buildApp(context)
    app.post('/api/test-limited', { config: { public: true }, preHandler: limiter([perIp(1)]) }, async () => ({ ok: true }))
    await app.ready()
    try {
      const ask = () => app.inject({ method: 'POST', url: '/api/test-limited', remoteAddress: '203.0.113.9', headers: { 'accept-language': 'en' }, payload: {} })
      expect((await ask()).statusCode).toBe(200)
      const refused = await ask()
      expect(refused.statusCode).toBe(429)
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(59)
      expect(refused.json()).toMatchObject({
        error: { code: 'RATE_LIMITED', message: 'Too many requests; please try again later', details: { limit: 'ip', retryAfterSeconds: Number(refused.headers['retry-after']) } },
      })
    } finally {
      await app.close()
      await closeContext(context)
      await db.close()
      await drop()
    }
  })
})
