// Operations as an operator sees them: health, metrics, API docs, client config, and a graceful stop.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app.js'
import { closeContext, createContext } from '../../src/server/context.js'
import { startEmbeddedBroker } from '../../src/server/platform/broker.js'
import { bearer, createTestApp, type TestApp } from '../helpers.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

describe('health', () => {
  it('is 503 while the broker is not running, naming what is down', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 'down', database: { up: true }, broker: { up: false } })
  })

  it('is 200 with database, broker and jobs up once they run', async () => {
    const broker = await startEmbeddedBroker(await freePort(), '127.0.0.1')
    t.context.broker = broker
    t.context.jobs.start(60_000)
    try {
      await t.context.jobs.tick()
      const response = await t.app.inject({ method: 'GET', url: '/api/health' })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ status: 'ok', database: { up: true }, broker: { up: true }, jobs: { up: true } })
      // the embedded broker really accepts MQTT connections
      const socket = net.connect(broker.port, '127.0.0.1')
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
      socket.destroy()
    } finally {
      await t.context.jobs.stop()
      await broker.close()
      t.context.broker = undefined
    }
  })
})

describe('metrics and docs', () => {
  it('serves Prometheus metrics including request counts by route', async () => {
    await t.app.inject({ method: 'GET', url: '/api/config' })
    const response = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.headers['content-type']).toContain('text/plain')
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.body).toContain('xiuhua_http_requests_total{method="GET",route="/api/config",status="200"}')
    expect(response.body).toContain('xiuhua_process_resident_memory_bytes')
  })

  it('serves the OpenAPI UI at /docs without signing in', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs' })
    expect([200, 302]).toContain(response.statusCode)
  })
})

describe('client configuration', () => {
  it('tells the web app the district, the extent of its grid and the base map before sign-in', async () => {
    const config = (await t.app.inject({ method: 'GET', url: '/api/config' })).json()
    expect(config).toMatchObject({ districtName: '新洲区', districtCode: '420117', baseMap: 'none', demo: true })
    const [minLng, minLat, maxLng, maxLat] = config.bbox
    expect(minLng).toBeGreaterThan(114.4)
    expect(maxLng).toBeLessThan(115.2)
    expect(minLat).toBeLessThan(maxLat)
  })
})

describe('graceful stop', () => {
  it('finishes a request in flight before closing', async () => {
    const context = await createContext(t.context.config, t.db, t.context.log)
    const app = await buildApp(context)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/api/test/slow', { config: { public: true } }, async () => {
      await gate
      return { done: true }
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as net.AddressInfo).port
    const inFlight = fetch(`http://127.0.0.1:${port}/api/test/slow`).then((r) => r.json())
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closing = app.close()
    setTimeout(release, 200)
    expect(await inFlight).toEqual({ done: true })
    await closing
    await closeContext(context)
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow()
  })
})

describe('web app', () => {
  it('answers a browser path with the web page and an unknown API path with JSON', async () => {
    const admin = await t.login('admin')
    const api = await t.app.inject({ method: 'GET', url: '/api/nope', headers: bearer(admin) })
    expect(api.headers['content-type']).toContain('application/json')
    const page = await t.app.inject({ method: 'GET', url: '/map' })
    // the page exists once the web app is built (npm start and the e2e suite build it)
    expect([200, 404]).toContain(page.statusCode)
    if (page.statusCode === 200) expect(page.body).toContain('<div id="root">')
  })
})
