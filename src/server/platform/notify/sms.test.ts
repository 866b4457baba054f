// Text messages: the log sender keeps what it "sent", the HTTP sender signs its calls, config picks one of them.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.js'
import { HttpSms, LogSms, maskPhone, smsFromConfig } from './sms.js'
import { verifyWebhook } from './webhook.js'

const log = pino({ level: 'silent' })
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = []
let answer = 200
let server: http.Server
let url: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(answer, { 'content-type': 'application/json' }).end('{"accepted":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/send`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const SECRET = 'sms-gateway-secret-0123'

describe('LogSms', () => {
  it('keeps the last 100 messages for the demo and tests to read, per number when asked', async () => {
    const sms = new LogSms(log)
    await sms.send({ to: '13800138000', text: '【绣花】验证码 481516，5 分钟内有效' })
    for (let i = 0; i < 120; i++) await sms.send({ to: '13900139000', text: `message ${i}` })
    expect(sms.recent('13800138000')).toEqual([])
    expect(sms.recent()).toHaveLength(100)
    expect(sms.recent('13900139000').at(-1)).toMatchObject({ to: '13900139000', text: 'message 119' })
    await sms.send({ to: '13800138000', text: '【绣花】验证码 271828' })
    expect(sms.recent('13800138000').map((m) => m.text)).toEqual(['【绣花】验证码 271828'])
  })

  it('writes the text to the log with the number masked', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    await new LogSms(logger).send({ to: '13800138000', text: '验证码 481516' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('验证码 481516')
    expect(lines[0]).toContain('138****8000')
    expect(lines[0]).not.toContain('13800138000')
    expect(maskPhone('+8613800138000')).toBe('+86138****8000')
    expect(maskPhone('12345')).toBe('***45')
  })
})

describe('HttpSms', () => {
  it('POSTs { to, text, id } signed with the gateway secret', async () => {
    received.length = 0
    answer = 200
    await new HttpSms(url, SECRET).send({ to: '13800138000', text: '验证码 481516', id: 'f0e1d2c3-b4a5-4968-8776-655443322110' })
    expect(received).toHaveLength(1)
    const [call] = received
    expect(JSON.parse(call!.body)).toEqual({ to: '13800138000', text: '验证码 481516', id: 'f0e1d2c3-b4a5-4968-8776-655443322110' })
    expect(verifyWebhook(SECRET, call!.headers['x-xiuhua-signature'] as string, call!.headers['x-xiuhua-timestamp'] as string, call!.body)).toBe(true)
    expect(verifyWebhook('not-the-gateway-secret', call!.headers['x-xiuhua-signature'] as string, call!.headers['x-xiuhua-timestamp'] as string, call!.body)).toBe(false)
  })

  it('throws when the gateway does not answer 2xx, so the delivery is retried', async () => {
    answer = 503
    await expect(new HttpSms(url, SECRET).send({ to: '13800138000', text: 'x' })).rejects.toThrow(/answered 503/)
    answer = 200
  })
})

describe('SMS configuration', () => {
  it('logs messages when no gateway is set, and uses the gateway when it is', () => {
    expect(smsFromConfig(loadConfig({}), log).kind).toBe('log')
    expect(smsFromConfig(loadConfig({ SMS_GATEWAY_URL: url, SMS_GATEWAY_SECRET: SECRET }), log).kind).toBe('http')
  })

  it('names the variable when the gateway is set up wrongly', () => {
    expect(() => loadConfig({ SMS_GATEWAY_URL: url })).toThrow(ConfigError)
    expect(() => loadConfig({ SMS_GATEWAY_URL: url })).toThrow(/SMS_GATEWAY_SECRET: is required when SMS_GATEWAY_URL is set/)
    expect(() => loadConfig({ SMS_GATEWAY_URL: url, SMS_GATEWAY_SECRET: 'short' })).toThrow(/SMS_GATEWAY_SECRET: must be at least 16/)
    expect(() => loadConfig({ SMS_GATEWAY_URL: 'ftp://sms.example', SMS_GATEWAY_SECRET: SECRET })).toThrow(/SMS_GATEWAY_URL: must start with http:\/\/ or https:\/\//)
  })

  it('reads the rate limit knobs, with defaults', () => {
    expect(loadConfig({}).rateLimits).toEqual({ ipPerMinute: 20, phonePerHour: 10, apiKeyPerMinute: 600 })
    expect(loadConfig({ XIUHUA_RATE_PHONE_PER_HOUR: '3' }).rateLimits.phonePerHour).toBe(3)
    expect(() => loadConfig({ XIUHUA_RATE_IP_PER_MINUTE: '0' })).toThrow(/XIUHUA_RATE_IP_PER_MINUTE/)
  })
})
