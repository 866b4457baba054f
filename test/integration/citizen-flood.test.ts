// Floods: 1,000 reports from one address within a minute are throttled with 429 and Retry-After, nothing of them is
// stored past the limit, and the server keeps serving everyone else; the per-phone limits hold across addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, supervisorPoint, type TestApp } from '../helpers.js'

let t: TestApp
let point: { lng: number; lat: number }
let seq = 0

beforeAll(async () => {
  t = await createTestApp({ XIUHUA_RATE_IP_PER_MINUTE: '20', XIUHUA_RATE_PHONE_PER_HOUR: '10' })
  point = await supervisorPoint(t.db)
})
afterAll(() => t?.close())

const report = (ip: string, extra: Record<string, unknown> = {}) =>
  t.app.inject({
    method: 'POST', url: '/api/public/reports', remoteAddress: ip,
    payload: { serviceCode: 'event-0101', description: '垃圾乱堆', ...point, clientId: `flood-${seq++}-${Date.now()}`, ...extra },
  })

const citizenCases = async () => Number((await t.db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('source', '=', 'citizen').executeTakeFirstOrThrow()).n)

describe('a flood of reports', () => {
  it('throttles 1,000 reports from one address in a minute with 429 and Retry-After, and keeps serving others', async () => {
    const before = await citizenCases()
    const statuses: Record<number, number> = {}
    let others = 0
    for (let i = 0; i < 1000; i++) {
      const response = await report('192.0.2.66')
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1
      if (response.statusCode === 429) {
        const retryAfter = Number(response.headers['retry-after'])
        expect(retryAfter).toBeGreaterThanOrEqual(1)
        expect(retryAfter).toBeLessThanOrEqual(60)
        expect(response.json().error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'ip', retryAfterSeconds: retryAfter } })
        expect(response.json().error.messages).toMatchObject({ 'zh-CN': expect.any(String), en: expect.any(String) })
      }
      if (i % 100 === 50) {
        // someone else, in the middle of the flood
        const other = await report(`198.51.100.${i / 100 + 1}`)
        expect(other.statusCode, other.body).toBe(201)
        expect((await t.app.inject({ method: 'GET', url: `/api/public/reports/${other.json().ticket}`, remoteAddress: '198.51.100.200' })).statusCode).toBe(200)
        others++
      }
    }
    expect(statuses).toEqual({ 201: 20, 429: 980 })
    expect(await citizenCases()).toBe(before + 20 + others)
    // staff keep working meanwhile
    expect(await t.login('acceptor')).toBeTruthy()
    expect((await t.app.inject({ method: 'GET', url: '/api/public/catalogue', remoteAddress: '198.51.100.201' })).statusCode).toBe(200)
  })

  it('limits reports and one-time codes per phone number, whichever address they come from', async () => {
    const phone = '13600002222'
    const answers = []
    for (let i = 0; i < 12; i++) answers.push((await report(`203.0.113.${i + 1}`, { phone })).statusCode)
    expect(answers).toEqual([...Array(10).fill(201), 429, 429])
    const codes = []
    for (let i = 0; i < 12; i++) codes.push((await t.app.inject({ method: 'POST', url: '/api/public/codes', remoteAddress: `203.0.113.${50 + i}`, payload: { phone } })).statusCode)
    expect(codes).toEqual([...Array(10).fill(200), 429, 429])
    const fresh = await t.app.inject({ method: 'POST', url: '/api/public/codes', remoteAddress: '203.0.113.99', payload: { phone: '13600003333' } })
    expect(fresh.statusCode).toBe(200)
  })

  it('believes no X-Forwarded-For unless a proxy is configured, so a flooder cannot pose as many addresses', async () => {
    const statuses = []
    for (let i = 0; i < 25; i++) {
      statuses.push((await t.app.inject({ method: 'POST', url: '/api/public/reports', remoteAddress: '192.0.2.77', headers: { 'x-forwarded-for': `10.9.${i}.1` }, payload: { serviceCode: 'event-0101', ...point } })).statusCode)
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(5)
  })
})
