// Live updates across two server processes on one database: a step taken through one process arrives as a
// server-sent event at a browser signed in on the other, only for users whose scope holds the case.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../app.js'
import { closeContext, createContext } from '../../context.js'
import { bearer, createTestApp, pointInCells, type TestApp } from '../../../../test/helpers.js'

let t: TestApp
/** Base URLs of process A (where steps are taken) and process B (where the browsers listen). */
let processA: string
let processB: string
const tokens: Record<string, string> = {}
let zhuchengPoint: { lng: number; lat: number }
let yangluoPoint: { lng: number; lat: number }
let waterUnit: string
let seq = 0

const baseUrl = (address: AddressInfo | string | null) => `http://127.0.0.1:${(address as AddressInfo).port}`

beforeAll(async () => {
  t = await createTestApp()
  const other = await t.secondProcess()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  await other.app.listen({ port: 0, host: '127.0.0.1' })
  processA = baseUrl(t.app.server.address())
  processB = baseUrl(other.app.server.address())
  for (const user of ['admin', 'acceptor', 'dispatcher', 'zhucheng', 'dept', 'leader']) tokens[user] = await t.login(user)
  zhuchengPoint = await pointInCells(t.db, '420117001')
  yangluoPoint = await pointInCells(t.db, '420117002')
  waterUnit = (await t.db.kysely.selectFrom('org_units').select('id').where('name', '=', '区水务和湖泊局').executeTakeFirstOrThrow()).id
})
afterAll(() => t?.close())

interface LiveEvent {
  event: string
  data: unknown
}

/** A browser's view of one event stream: what arrived so far, and a way to wait for more. */
interface Stream {
  status: number
  headers: http.IncomingHttpHeaders
  /** The JSON body of a refusal. */
  error: { code: string } | undefined
  retry: number | undefined
  events: LiveEvent[]
  comments: string[]
  /** Resolves when the server ends the stream (or the test closes it). */
  ended: Promise<void>
  /** Resolves with what `check` finds, re-checking as data arrives. */
  until<T>(check: () => T | undefined, timeoutMs?: number): Promise<T>
  waitFor(match: (event: LiveEvent) => boolean, timeoutMs?: number): Promise<LiveEvent>
  close(): void
}

/**
 * Opens GET /api/events on its own connection, as EventSource does. (node:http rather than fetch: an aborted fetch
 * leaves a fresh idle connection behind, which would hold up the server's stop in afterAll.)
 */
function openStream(base: string, token?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${base}/api/events`, { headers: token ? bearer(token) : {}, agent: false }, (response) => {
      response.setEncoding('utf8')
      const waiters = new Set<() => void>()
      const wakeAll = () => [...waiters].forEach((wake) => wake())
      const stream: Stream = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        error: undefined,
        retry: undefined,
        events: [],
        comments: [],
        ended: new Promise((done) => response.once('close', () => done())),
        waitFor: (match, timeoutMs) => stream.until(() => stream.events.find(match), timeoutMs),
        async until(check, timeoutMs = 5_000) {
          const deadline = Date.now() + timeoutMs
          for (;;) {
            const found = check()
            if (found !== undefined) return found
            const left = deadline - Date.now()
            if (left <= 0) throw new Error(`nothing matching within ${timeoutMs} ms; got ${JSON.stringify(stream.events)}`)
            await new Promise<void>((wakeUp) => {
              const wake = () => {
                clearTimeout(timer)
                waiters.delete(wake)
                wakeUp()
              }
              const timer = setTimeout(wake, left)
              waiters.add(wake)
            })
          }
        },
        close: () => request.destroy(),
      }
      response.on('error', () => {}) // the test closing its end
      let buffer = ''
      if (stream.status !== 200) {
        response.on('data', (chunk: string) => (buffer += chunk))
        response.on('end', () => {
          stream.error = (JSON.parse(buffer) as { error: { code: string } }).error
          resolve(stream)
        })
        return
      }
      response.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          parse(stream, buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
        }
        wakeAll()
      })
      resolve(stream)
    })
    request.on('error', (error) => reject(error))
  })
}

/** One block of the event-stream format: comment, retry, event and data lines. */
function parse(stream: Stream, block: string) {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) stream.comments.push(line.slice(1).trim())
    else if (line.startsWith('retry:')) stream.retry = Number(line.slice(6))
    else if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('data:')) data.push(line.slice(5).trim())
  }
  if (data.length) stream.events.push({ event, data: JSON.parse(data.join('\n')) })
}

async function call(base: string, user: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...bearer(tokens[user]!), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await response.json()) as Record<string, unknown>
  expect(response.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(200)
  return json
}

/** A hotline report taken by the acceptor on process A. */
async function reportAt(point: { lng: number; lat: number }): Promise<string> {
  const body = { clientId: `live-${Date.now()}-${seq++}`, source: 'hotline', classKind: 'component', classCode: '0103', description: '井盖缺失', ...point }
  const reply = await call(processA, 'acceptor', 'POST', '/api/cases', body)
  return (reply.case as { id: string }).id
}

/** One workflow step on process A, over the version the case has now. */
async function actOnA(user: string, id: string, action: Record<string, unknown>) {
  const current = await call(processA, 'admin', 'GET', `/api/cases/${id}`)
  return call(processA, user, 'POST', `/api/cases/${id}/actions`, { version: current.version, ...action })
}

const changed = (caseId: string) => (e: LiveEvent) => e.event === 'case.changed' && (e.data as { caseId?: string }).caseId === caseId

describe('live updates across two processes', () => {
  it('delivers a step taken on one process to a browser of the other, and not to a user of another street', async () => {
    const yangluoCase = await reportAt(yangluoPoint)
    const zhuchengCase = await reportAt(zhuchengPoint)
    const street = await openStream(processB, tokens.zhucheng) // 邾城街道's staff
    const centre = await openStream(processB, tokens.acceptor) // the district centre sees every street
    try {
      expect(street.status).toBe(200)
      expect(street.headers['content-type']).toMatch(/^text\/event-stream/)
      expect(street.headers['x-accel-buffering']).toBe('no')
      expect(street.headers['cache-control']).toContain('no-cache')
      expect(await street.until(() => street.retry)).toBeGreaterThan(0) // the reconnection hint comes first

      await actOnA('acceptor', yangluoCase, { type: 'file' }) // a case of another street, first
      await actOnA('acceptor', zhuchengCase, { type: 'file' })

      const event = await street.waitFor(changed(zhuchengCase))
      expect(event.data).toEqual({ caseId: zhuchengCase }) // the id only: the page fetches what it may see
      // events arrive in order through one channel, so the other street's case would have come first
      expect(street.events.some(changed(yangluoCase))).toBe(false)
      await centre.waitFor(changed(yangluoCase))
      await centre.waitFor(changed(zhuchengCase))
    } finally {
      street.close()
      centre.close()
    }
  })

  it('tells a unit’s staff of a case dispatched to their unit, outside their place scope', async () => {
    const id = await reportAt(zhuchengPoint)
    const unit = await openStream(processB, tokens.dept) // 水务局: no street of its own
    try {
      await actOnA('acceptor', id, { type: 'file' })
      await actOnA('dispatcher', id, { type: 'dispatch', unitId: waterUnit })
      await unit.waitFor(changed(id))
      expect(unit.events.filter(changed(id))).toHaveLength(1) // the dispatch, not the filing before it
    } finally {
      unit.close()
    }
  })

  it('requires a signed-in user', async () => {
    const anonymous = await openStream(processB)
    expect(anonymous).toMatchObject({ status: 401, error: { code: 'UNAUTHENTICATED' } })
    const forged = await openStream(processB, 'forged-token')
    expect(forged.status).toBe(401)
  })

  it('ends the stream of a session signed out on the other process', async () => {
    const token = await t.login('leader')
    const stream = await openStream(processB, token)
    expect(stream.status).toBe(200)
    const response = await fetch(`${processA}/api/auth/logout`, { method: 'POST', headers: bearer(token) })
    expect(response.status).toBe(200)
    await expect(Promise.race([stream.ended.then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still open'))])).resolves.toBe('ended')
    expect((await openStream(processB, token)).status).toBe(401)
  })

  it('caps the streams one user holds open, and frees a place when a browser goes away', async () => {
    const streams: Stream[] = []
    try {
      for (let i = 0; i < 10; i++) streams.push(await openStream(processB, tokens.leader))
      expect(streams.map((s) => s.status)).toEqual(Array(10).fill(200))
      expect(await openStream(processB, tokens.leader)).toMatchObject({ status: 429, error: { code: 'RATE_LIMITED' } })
      streams.shift()!.close()
      let again: Stream | undefined
      for (let tries = 0; tries < 50 && again?.status !== 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        again = await openStream(processB, tokens.leader)
      }
      expect(again?.status).toBe(200)
      streams.push(again!)
    } finally {
      for (const stream of streams) stream.close()
    }
  })
})

describe('graceful stop', () => {
  it('ends open streams when a process stops, so the stop is prompt', async () => {
    const context = await createContext(t.context.config, t.db, t.context.log)
    const app = await buildApp(context)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const stream = await openStream(baseUrl(app.server.address()), tokens.acceptor)
    expect(stream.status).toBe(200)
    const started = Date.now()
    await app.close()
    await closeContext(context)
    await stream.ended
    expect(Date.now() - started).toBeLessThan(3_000)
  })
})
