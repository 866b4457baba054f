// Personal data never leaves through a public route, whichever one is used: every public GET route of the route table
// (the citizen pages' /api/public and Open311's /open311) is called with real tickets, tokens and photo ids, and no
// answer may hold a reporter's phone, name, e-mail, device or account id, address of origin, unpublished text or photo.
import type { RouteOptions } from 'fastify'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routeTables } from '../../src/server/app.js'
import { bearer, createTestApp, multipart, supervisorPoint, type TestApp } from '../helpers.js'

let t: TestApp
let routes: RouteOptions[]
let acceptor: string

const SECRET = {
  phone: '13987654321',
  description: '我家门口井盖丢了，我叫王秘密，住在幸福小区3栋',
  address: '幸福小区3栋2单元',
  ip: '198.51.100.23',
}

interface Report {
  ticket: string
  token: string
  photoIds: string[]
}
let unpublished: Report
let published: Report

async function report(description: string, address: string): Promise<Report> {
  const point = await supervisorPoint(t.db)
  const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 20, b: description.length % 255 } } }).jpeg().toBuffer()
  const body = multipart([
    ...Object.entries({ serviceCode: 'component-0101', description, lng: String(point.lng), lat: String(point.lat), address, phone: SECRET.phone, attributes: '{"cover_state":"missing"}' })
      .map(([name, data]) => ({ name, data })),
    { name: 'photo', filename: 'a.jpg', type: 'image/jpeg', data: photo },
  ])
  const response = await t.app.inject({ method: 'POST', url: '/api/public/reports', headers: body.headers, payload: body.payload, remoteAddress: SECRET.ip })
  expect(response.statusCode, response.body).toBe(201)
  const { ticket, token } = response.json()
  const id = (await t.db.kysely.selectFrom('cases').select('id').where('ticket', '=', ticket).executeTakeFirstOrThrow()).id
  const photos = await t.db.kysely.selectFrom('files').select('id').where('case_id', '=', id).execute()
  return { ticket, token, photoIds: photos.map((p) => p.id) }
}

beforeAll(async () => {
  t = await createTestApp()
  acceptor = await t.login('acceptor')
  routes = routeTables.get(t.app)!.filter((r) => r.config?.public && /^\/(api\/public|open311)\//.test(r.url))
  unpublished = await report(SECRET.description, SECRET.address)
  // a second report whose text staff published (still without the phone or anyone's name in any answer)
  published = await report('路口井盖缺失', '问津路口')
  const id = (await t.db.kysely.selectFrom('cases').select('id').where('ticket', '=', published.ticket).executeTakeFirstOrThrow()).id
  const done = await t.app.inject({ method: 'PUT', url: `/api/cases/${id}/publication`, headers: bearer(acceptor), payload: { descriptionPublic: true, photoIds: published.photoIds, reply: '已处理' } })
  expect(done.statusCode, done.body).toBe(200)
})
afterAll(() => t?.close())

const methods = (route: RouteOptions) => (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m === 'GET')

/** Every concrete URL worth calling for a route: each path parameter filled with each real value it may take. */
function urlsOf(route: RouteOptions, r: Report): string[] {
  let urls = [route.url]
  const fill = (name: RegExp, values: string[]) => {
    urls = urls.flatMap((u) => (name.test(u) ? values.map((v) => u.replace(name, v)) : [u]))
  }
  fill(/:(format|fmt|ext)\b/, ['json', 'xml'])
  fill(/:(ticket|service_request_id|requestId|request_id)\b/, [r.ticket])
  fill(/:token\b/, [r.token])
  fill(/:(service_code|serviceCode|code)\b/, ['component-0101'])
  fill(/:id\b/, r.photoIds)
  fill(/:\w+/, ['x'])
  return urls.map((u) => (u.startsWith('/api/public/map') ? `${u}?bbox=114,30,115.5,31.5` : u))
}

describe('personal data on public routes', () => {
  it('walks the public routes of the citizen service and of Open311', () => {
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(['/api/public/reports/:ticket', '/api/public/follow/:token', '/api/public/map']))
  })

  it('never answers a phone number, the unpublished text or address, or an unpublished photo', async () => {
    let calls = 0
    for (const route of routes) {
      for (const method of methods(route)) {
        for (const url of urlsOf(route, unpublished)) {
          const response = await t.app.inject({ method: method as 'GET', url })
          calls++
          const body = response.body
          for (const secret of Object.values(SECRET)) expect(body, `${url} leaks "${secret}"`).not.toContain(secret)
          for (const photoId of unpublished.photoIds) {
            if (url.includes(photoId)) expect(response.statusCode, url).toBe(404)
            else expect(response.body, `${url} names an unpublished photo`).not.toContain(photoId)
          }
        }
      }
    }
    expect(calls).toBeGreaterThanOrEqual(6)
  })

  it('shows what staff published, and still nothing personal', async () => {
    for (const route of routes) {
      for (const method of methods(route)) {
        for (const url of urlsOf(route, published)) {
          const response = await t.app.inject({ method: method as 'GET', url })
          const text = response.body
          expect(text, url).not.toContain(SECRET.phone)
          expect(text, url).not.toContain(SECRET.ip)
        }
      }
    }
    const view = (await t.app.inject({ method: 'GET', url: `/api/public/reports/${published.ticket}` })).json()
    expect(view).toMatchObject({ description: expect.stringContaining('路口井盖缺失'), address: '问津路口', reply: '已处理' })
    expect(view.photos).toHaveLength(1)
    expect((await t.app.inject({ method: 'GET', url: view.photos[0].url })).statusCode).toBe(200)
  })
})
