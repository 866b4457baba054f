// Open311 GeoReport v2 as a 311 client sees it: every method in JSON and XML, checked against the spec's field names
// and types; every error in the spec's shape; keys; privacy of what clients post; publication and closing by staff.
import { XMLParser } from 'fast-xml-parser'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, multipart, type Point, supervisorPoint, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { DEMO_OPEN311_KEY } from './keys.js'

let t: TestApp
const tokens: Record<string, string> = {}
let point: Point
let zhuchengUnit: string
const V2 = '/open311/v2'
const FORMATS = ['json', 'xml'] as const
type Fmt = (typeof FORMATS)[number]

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'dispatcher', 'supervisor', 'zhucheng']) tokens[user] = await t.login(user)
  point = await supervisorPoint(t.db)
  zhuchengUnit = await unitIdOf(t.db, '420117001')
})
afterAll(() => t?.close())

// ---- the two formats ---------------------------------------------------------------------------------------------

const LISTS: Record<string, string> = { services: 'service', service_requests: 'request', attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format', errors: 'error' }
const parser = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, isArray: (name) => Object.values(LISTS).includes(name) })

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
/** What a JSON document looks like once written as the spec's XML and read back as text. */
function asXml(name: string, value: Json): unknown {
  if (value === null) return ''
  if (Array.isArray(value)) return value.length ? { [LISTS[name]!]: value.map((v) => asXml(LISTS[name]!, v)) } : ''
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asXml(k, v)]))
  return String(value)
}

/** GET in both formats; checks content types and that the XML is the JSON document, and answers the JSON. */
async function getBoth(path: string, root: string, status = 200, headers: Record<string, string> = {}): Promise<Json> {
  const [json, xml] = await Promise.all(FORMATS.map((f) => t.app.inject({ method: 'GET', url: path.replace('{fmt}', f), headers })))
  expect(json!.statusCode, json!.body).toBe(status)
  expect(xml!.statusCode, xml!.body).toBe(status)
  expect(json!.headers['content-type']).toBe('application/json; charset=utf-8')
  expect(xml!.headers['content-type']).toBe('text/xml; charset=utf-8')
  expect(xml!.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true)
  const doc = json!.json() as Json
  expect(parser.parse(xml!.body)).toEqual({ [root]: asXml(root, doc) })
  return doc
}

/** An error in the spec's shape, in both formats: [{ code, description }] and <errors><error>. */
async function expectError(path: string, status: number, method: 'GET' | 'POST' = 'GET', payload?: string): Promise<string> {
  let description = ''
  for (const f of FORMATS) {
    const response = await t.app.inject({ method, url: path.replace('{fmt}', f), ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } }) })
    expect(response.statusCode, `${f} ${path}: ${response.body}`).toBe(status)
    if (f === 'json') {
      const body = response.json() as Array<{ code: number; description: string }>
      expect(body).toEqual([{ code: status, description: expect.any(String) }])
      description = body[0]!.description
    } else {
      expect(response.headers['content-type']).toBe('text/xml; charset=utf-8')
      const body = parser.parse(response.body) as { errors: { error: Array<{ code: string; description: string }> } }
      expect(body.errors.error).toEqual([{ code: String(status), description: expect.any(String) }])
    }
  }
  return description
}

// ---- the spec's fields -------------------------------------------------------------------------------------------

type FieldType = 'string' | 'string?' | 'number' | 'boolean' | 'datetime' | 'datetime?' | 'array'
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

function expectFields(value: Json, fields: Record<string, FieldType>, label: string) {
  expect(value, label).toBeTypeOf('object')
  const record = value as Record<string, Json>
  expect(Object.keys(record).sort(), label).toEqual(Object.keys(fields).sort())
  for (const [name, type] of Object.entries(fields)) {
    const v = record[name]
    const where = `${label}.${name}`
    if (type.endsWith('?') && v === null) continue
    if (type === 'array') expect(Array.isArray(v), where).toBe(true)
    else if (type.startsWith('datetime')) expect(v, where).toMatch(W3C)
    else expect(typeof v, where).toBe(type.replace('?', ''))
  }
}

const SERVICE: Record<string, FieldType> = { service_code: 'string', service_name: 'string', description: 'string', metadata: 'boolean', type: 'string', keywords: 'string', group: 'string' }
const REQUEST: Record<string, FieldType> = {
  service_request_id: 'string', status: 'string', status_notes: 'string?', service_name: 'string', service_code: 'string', description: 'string?',
  agency_responsible: 'string?', service_notice: 'string?', requested_datetime: 'datetime', updated_datetime: 'datetime', expected_datetime: 'datetime?',
  address: 'string?', address_id: 'string?', zipcode: 'string?', lat: 'number', long: 'number', media_url: 'string?',
}
const CREATED: Record<string, FieldType> = { service_request_id: 'string', token: 'string', service_notice: 'string?', account_id: 'string?' }
const ATTRIBUTE: Record<string, FieldType> = { variable: 'boolean', code: 'string', datatype: 'string', required: 'boolean', datatype_description: 'string?', order: 'number', description: 'string' }

// ---- posting as a 311 client ---------------------------------------------------------------------------------------

let manholeCode: string
let binCode: string
let plainCode: string
async function codes() {
  const services = (await t.app.inject({ method: 'GET', url: `${V2}/services.json` })).json() as Array<{ service_code: string; service_name: string; metadata: boolean }>
  manholeCode = services.find((s) => s.service_name === '井盖缺损')!.service_code
  binCode = services.find((s) => s.service_name === '垃圾满溢')!.service_code
  plainCode = services.find((s) => !s.metadata)!.service_code
}

/** A form body as 311 clients write it: brackets of attribute[...] left as they are. */
const form = (fields: Array<[string, string]>) => fields.map(([k, v]) => `${k.replace(/[^\w[\]]/g, encodeURIComponent)}=${encodeURIComponent(v)}`).join('&')

async function post(fields: Array<[string, string]>, fmt: Fmt = 'json') {
  return t.app.inject({ method: 'POST', url: `${V2}/requests.${fmt}`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, payload: form(fields) })
}

const at = () => [['lat', String(point.lat)], ['long', String(point.lng)]] as Array<[string, string]>

async function created(fields: Array<[string, string]>): Promise<{ service_request_id: string; token: string }> {
  const response = await post(fields)
  expect(response.statusCode, response.body).toBe(200)
  return (response.json() as Array<{ service_request_id: string; token: string }>)[0]!
}

const caseIdOf = async (ticket: string) => (await t.db.kysely.selectFrom('cases').select('id').where('ticket', '=', ticket).executeTakeFirstOrThrow()).id

describe('discovery and services', () => {
  beforeAll(codes)

  it('answers the discovery document with the GeoReport v2 endpoint in both formats', async () => {
    const doc = await getBoth(`${V2}/discovery.{fmt}`, 'discovery') as Record<string, Json>
    expectFields(doc, { changeset: 'datetime', contact: 'string', key_service: 'string', endpoints: 'array' }, 'discovery')
    const [endpoint] = doc.endpoints as Json[]
    expectFields(endpoint!, { specification: 'string', url: 'string', changeset: 'datetime', type: 'string', formats: 'array' }, 'endpoint')
    expect(endpoint).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', url: 'http://localhost:80/open311/v2', type: 'production', formats: ['application/json', 'text/xml'] })
  })

  it('lists the services with the spec fields, names in Chinese by default and in English on request', async () => {
    const services = await getBoth(`${V2}/services.{fmt}`, 'services') as Json[]
    expect(services.length).toBeGreaterThan(10)
    for (const s of services) expectFields(s, SERVICE, 'service')
    const manhole = services.find((s) => (s as { service_code: string }).service_code === manholeCode)
    expect(manhole).toMatchObject({ service_name: '井盖缺损', metadata: true, type: 'realtime' })
    expect(services.find((s) => (s as { service_code: string }).service_code === plainCode)).toMatchObject({ metadata: false })
    const en = await getBoth(`${V2}/services.{fmt}?locale=en`, 'services') as Array<{ service_code: string; service_name: string }>
    expect(en.find((s) => s.service_code === manholeCode)!.service_name).toBe('Damaged or missing manhole cover')
    const byHeader = await getBoth(`${V2}/services.{fmt}`, 'services', 200, { 'accept-language': 'en-GB,en;q=0.8' }) as Array<{ service_code: string; service_name: string }>
    expect(byHeader.find((s) => s.service_code === manholeCode)!.service_name).toBe('Damaged or missing manhole cover')
  })

  it('defines the attributes of a service, single and multiple value lists with their values', async () => {
    const def = await getBoth(`${V2}/services/${manholeCode}.{fmt}`, 'service_definition') as { service_code: string; attributes: Json[] }
    expect(def.service_code).toBe(manholeCode)
    const [cover] = def.attributes as Array<Record<string, Json>>
    expectFields(cover!, { ...ATTRIBUTE, values: 'array' }, 'attribute')
    expect(cover).toMatchObject({ variable: true, code: 'cover_state', datatype: 'singlevaluelist', required: true, order: 1, description: '井盖情况' })
    expect(cover!.values).toContainEqual({ key: 'missing', name: '井盖丢失' })
    const bins = await getBoth(`${V2}/services/${binCode}.{fmt}?locale=en`, 'service_definition') as { attributes: Array<Record<string, Json>> }
    expect(bins.attributes[0]).toMatchObject({ code: 'bin_kind', datatype: 'multivaluelist', required: false, description: 'Kind of bin' })
    expect(await getBoth(`${V2}/services/${plainCode}.{fmt}`, 'service_definition')).toEqual({ service_code: plainCode, attributes: [] })
  })

  it('accepts its own jurisdiction_id and refuses another with 404', async () => {
    await getBoth(`${V2}/services.{fmt}?jurisdiction_id=420117`, 'services')
    // arguments a server does not know are ignored (clients send vendor extras); an empty one is the same as none
    await getBoth(`${V2}/services.{fmt}?jurisdiction_id=&extensions=true&api_key=abc`, 'services')
    expect(await expectError(`${V2}/services.{fmt}?jurisdiction_id=sfgov.org`, 404)).toContain('jurisdiction_id')
    await expectError(`${V2}/requests.{fmt}?jurisdiction_id=sfgov.org`, 404)
    await expectError(`${V2}/requests.{fmt}`, 404, 'POST', form([['api_key', DEMO_OPEN311_KEY], ['jurisdiction_id', 'sfgov.org'], ['service_code', plainCode], ...at()]))
  })
})

describe('posting requests', () => {
  it('takes a form-encoded request as a 311 client sends it, answers its id and token, and finds it by both', async () => {
    const body = `api_key=${DEMO_OPEN311_KEY}&jurisdiction_id=420117&service_code=${manholeCode}&lat=${point.lat}&long=${point.lng}&address_string=%E9%82%BE%E5%9F%8E%E5%A4%A7%E9%81%93+1+%E5%8F%B7&description=A+manhole+cover+is+missing&attribute[cover_state]=missing`
    for (const fmt of FORMATS) {
      const response = await t.app.inject({ method: 'POST', url: `${V2}/requests.${fmt}`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, payload: body })
      expect(response.statusCode, response.body).toBe(200)
      let answer: Json
      if (fmt === 'json') {
        answer = response.json() as Json
      } else {
        const parsed = parser.parse(response.body) as { service_requests: { request: Array<Record<string, string>> } }
        answer = parsed.service_requests.request.map((r) => ({ ...r, account_id: r.account_id || null }))
      }
      const [one] = answer as Json[]
      expect(answer as Json[]).toHaveLength(1)
      expectFields(one!, CREATED, `created (${fmt})`)
      const { service_request_id: id, token } = one as { service_request_id: string; token: string }
      expect(id).toMatch(/^420117-\d{8}-\d{6}$/)
      const [request] = await getBoth(`${V2}/requests/${id}.{fmt}`, 'service_requests') as Json[]
      expectFields(request!, REQUEST, 'request')
      expect(request).toMatchObject({ service_request_id: id, status: 'open', service_code: manholeCode, service_name: '井盖缺损', status_notes: '待受理', description: null, address: null, media_url: null })
      expect((request as { lat: number }).lat).toBeCloseTo(point.lat, 6)
      expect((request as { long: number }).long).toBeCloseTo(point.lng, 6)
      expect(await getBoth(`${V2}/tokens/${token}.{fmt}`, 'service_requests')).toEqual([{ service_request_id: id, token }])
      // the staff see the answers to the service's questions
      const citizen = await t.app.inject({ method: 'GET', url: `/api/cases/${await caseIdOf(id)}/citizen`, headers: bearer(tokens.acceptor!) })
      expect(citizen.json().report).toMatchObject({ channel: 'open311', serviceCode: manholeCode, attributes: { cover_state: 'missing' }, client: 'Demo 311 client (演示)' })
    }
  })

  it('takes the several values of a multivaluelist as attribute[code][]', async () => {
    const one = await created([['api_key', DEMO_OPEN311_KEY], ['service_code', binCode], ...at(), ['attribute[bin_kind][]', 'kitchen'], ['attribute[bin_kind][]', 'other']])
    const report = (await t.app.inject({ method: 'GET', url: `/api/cases/${await caseIdOf(one.service_request_id)}/citizen`, headers: bearer(tokens.acceptor!) })).json().report
    expect(report.attributes).toEqual({ bin_kind: ['kitchen', 'other'] })
    const single = await created([['api_key', DEMO_OPEN311_KEY], ['service_code', binCode], ...at(), ['attribute[bin_kind][]', 'hazardous']])
    expect((await t.app.inject({ method: 'GET', url: `/api/cases/${await caseIdOf(single.service_request_id)}/citizen`, headers: bearer(tokens.acceptor!) })).json().report.attributes).toEqual({ bin_kind: ['hazardous'] })
    const wrong = await post([['api_key', DEMO_OPEN311_KEY], ['service_code', binCode], ...at(), ['attribute[bin_kind][]', 'plutonium']])
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()[0].description).toContain('bin_kind')
    const missing = await post([['api_key', DEMO_OPEN311_KEY], ['service_code', manholeCode], ...at()])
    expect(missing.statusCode).toBe(400)
    expect(missing.json()[0].description).toContain('cover_state')
  })

  it('takes JSON and multipart with a media photo too', async () => {
    const json = await t.app.inject({ method: 'POST', url: `${V2}/requests.json`, payload: { api_key: DEMO_OPEN311_KEY, service_code: manholeCode, lat: point.lat, long: point.lng, attribute: { cover_state: 'broken' } } })
    expect(json.statusCode, json.body).toBe(200)
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 10, b: 10 } } }).jpeg().toBuffer()
    const body = multipart([
      { name: 'api_key', data: DEMO_OPEN311_KEY }, { name: 'service_code', data: plainCode }, { name: 'lat', data: String(point.lat) }, { name: 'long', data: String(point.lng) },
      { name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg },
    ])
    const response = await t.app.inject({ method: 'POST', url: `${V2}/requests.xml`, headers: body.headers, payload: body.payload })
    expect(response.statusCode, response.body).toBe(200)
    expect(parser.parse(response.body).service_requests.request[0].service_request_id).toMatch(/^420117-/)
  })

  it('refuses what the spec refuses, with its error array and status codes', async () => {
    const key = ['api_key', DEMO_OPEN311_KEY] as [string, string]
    const path = `${V2}/requests.{fmt}`
    expect(await expectError(path, 400, 'POST', form([key, ['service_code', plainCode]]))).toMatch(/location|位置/)
    expect(await expectError(path, 400, 'POST', form([key, ['service_code', plainCode], ['address_string', '邾城大道 1 号']]))).toMatch(/geocoder|地址解析/)
    await expectError(path, 400, 'POST', form([key, ['service_code', plainCode], ['address_id', '545483']]))
    await expectError(path, 400, 'POST', form([key, ['service_code', plainCode], ['lat', String(point.lat)]]))
    await expectError(path, 400, 'POST', form([key, ['service_code', plainCode], ['lat', 'north'], ['long', String(point.lng)]]))
    expect(await expectError(path, 400, 'POST', form([key, ...at()]))).toContain('service_code')
    expect(await expectError(path, 404, 'POST', form([key, ['service_code', 'event-9999'], ...at()]))).toContain('event-9999')
    expect(await expectError(path, 403, 'POST', form([['service_code', plainCode], ...at()]))).toMatch(/api_key/)
    await expectError(path, 403, 'POST', form([['api_key', 'not-a-key'], ['service_code', plainCode], ...at()]))
    // an empty optional field is the same as none
    await created([key, ['service_code', plainCode], ...at(), ['email', ''], ['address_id', '']])
  })
})

describe('keys', () => {
  it('issues a key once (only its hash kept), lists keys without secrets, revokes it at once; all audited and admin only', async () => {
    const issue = await t.app.inject({ method: 'POST', url: '/api/open311/keys', headers: bearer(tokens.admin!), payload: { name: '12345 app', webhookUrl: 'https://example.org/hook' } })
    expect(issue.statusCode, issue.body).toBe(200)
    const key = issue.json()
    expect(key).toMatchObject({ name: '12345 app', requestsPerMinute: 600, revokedAt: null, webhookUrl: 'https://example.org/hook' })
    expect(key.key).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(key.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(key.keyHint).toBe(key.key.slice(0, 6))
    const list = await t.app.inject({ method: 'GET', url: '/api/open311/keys', headers: bearer(tokens.admin!) })
    expect(list.body).not.toContain(key.key)
    expect(list.body).not.toContain(key.webhookSecret)
    expect(list.json().items.map((k: { id: string }) => k.id)).toContain(key.id)
    const stored = await t.db.kysely.selectFrom('open311_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow()
    expect(JSON.stringify(stored)).not.toContain(key.key)

    await created([['api_key', key.key], ['service_code', plainCode], ...at()])
    const revoked = await t.app.inject({ method: 'POST', url: `/api/open311/keys/${key.id}/revoke`, headers: bearer(tokens.admin!) })
    expect(revoked.json().revokedAt).toBeTruthy()
    expect(await expectError(`${V2}/requests.{fmt}`, 403, 'POST', form([['api_key', key.key], ['service_code', plainCode], ...at()]))).toMatch(/api_key/)
    expect((await t.app.inject({ method: 'POST', url: `/api/open311/keys/${key.id}/revoke`, headers: bearer(tokens.admin!) })).statusCode).toBe(409)

    const audit = (await t.app.inject({ method: 'GET', url: `/api/audit?entityId=${key.id}`, headers: bearer(tokens.admin!) })).json().items
    expect(audit.map((e: { action: string }) => e.action).sort()).toEqual(['open311.key.create', 'open311.key.revoke'])
    expect(JSON.stringify(audit)).not.toContain(key.key)
    for (const call of [{ method: 'GET', url: '/api/open311/keys' }, { method: 'POST', url: '/api/open311/keys', payload: { name: 'x' } }] as const) {
      expect((await t.app.inject({ ...call, headers: bearer(tokens.acceptor!) })).statusCode).toBe(403)
    }
  })

  it('limits a key to its requests per minute with 429 and Retry-After, and other keys go on', async () => {
    const key = (await t.app.inject({ method: 'POST', url: '/api/open311/keys', headers: bearer(tokens.admin!), payload: { name: 'slow client', requestsPerMinute: 2 } })).json().key as string
    const fields: Array<[string, string]> = [['api_key', key], ['service_code', plainCode], ...at()]
    await created(fields)
    await created(fields)
    for (const fmt of FORMATS) {
      const refused = await post(fields, fmt)
      expect(refused.statusCode).toBe(429)
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    }
    expect((await post(fields)).json()).toEqual([{ code: 429, description: expect.any(String) }])
    await created([['api_key', DEMO_OPEN311_KEY], ['service_code', plainCode], ...at()])
  })
})

describe('searching and following requests', () => {
  it('finds requests by ids, service codes, dates and status; refuses bad dates and statuses', async () => {
    const a = await created([['api_key', DEMO_OPEN311_KEY], ['service_code', plainCode], ...at()])
    const b = await created([['api_key', DEMO_OPEN311_KEY], ['service_code', binCode], ...at()])
    const ids = await getBoth(`${V2}/requests.{fmt}?service_request_id=${a.service_request_id},${b.service_request_id}`, 'service_requests') as Array<Record<string, Json>>
    expect(ids.map((r) => r.service_request_id).sort()).toEqual([a.service_request_id, b.service_request_id].sort())
    for (const r of ids) expectFields(r, REQUEST, 'request')

    const all = await getBoth(`${V2}/requests.{fmt}`, 'service_requests') as Array<Record<string, Json>>
    expect(all.length).toBeGreaterThan(5)
    expect(all.length).toBeLessThanOrEqual(1000)
    const bins = await getBoth(`${V2}/requests.{fmt}?service_code=${binCode}`, 'service_requests') as Array<Record<string, Json>>
    expect(bins.length).toBeGreaterThan(0)
    expect(bins.every((r) => r.service_code === binCode)).toBe(true)
    expect(await getBoth(`${V2}/requests.{fmt}?service_code=event-9999`, 'service_requests')).toEqual([])

    const now = Date.now()
    const iso = (ms: number) => new Date(ms).toISOString()
    const window = await getBoth(`${V2}/requests.{fmt}?start_date=${iso(now - 3600_000)}&end_date=${iso(now + 60_000)}&service_code=${binCode}`, 'service_requests') as Json[]
    expect(window.length).toBe(bins.length)
    expect(await getBoth(`${V2}/requests.{fmt}?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00%2B08:00`, 'service_requests')).toEqual([])
    // an unencoded '+' of a time zone arrives as a space and still counts
    expect(await getBoth(`${V2}/requests.{fmt}?end_date=2020-02-01T00:00:00+08:00`, 'service_requests')).toEqual([])
    expect(await getBoth(`${V2}/requests.{fmt}?status=closed&service_request_id=`, 'service_requests')).toEqual([])
    const open = await getBoth(`${V2}/requests.{fmt}?status=open`, 'service_requests') as Array<Record<string, Json>>
    expect(open.length).toBe(all.length)

    expect(await expectError(`${V2}/requests.{fmt}?start_date=yesterday`, 400)).toContain('start_date')
    expect(await expectError(`${V2}/requests.{fmt}?start_date=2026-01-01T00:00:00`, 400)).toContain('start_date')
    expect(await expectError(`${V2}/requests.{fmt}?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z`, 400)).toContain('90')
    await expectError(`${V2}/requests.{fmt}?start_date=2025-02-01T00:00:00Z&end_date=2025-01-01T00:00:00Z`, 400)
    expect(await expectError(`${V2}/requests.{fmt}?status=pending`, 400)).toContain('status')
  })

  it('answers 404 in the spec shape for an unknown request, token, service or path', async () => {
    await expectError(`${V2}/requests/420117-20000101-999999.{fmt}`, 404)
    await expectError(`${V2}/tokens/AAAAAAAAAAAAAAAAAAAAAAAA.{fmt}`, 404)
    await expectError(`${V2}/services/component-9999.{fmt}`, 404)
    await expectError(`${V2}/no-such-thing.{fmt}`, 404)
  })

  it('never shows what a client posted about the person, whichever route and format', async () => {
    const secrets = { phone: '13912345678', email: 'li.si@example.cn', first_name: 'Sisi', last_name: 'Lixyz', device_id: 'device-7f3a9c', account_id: 'acct-55aa11' }
    const one = await created([['api_key', DEMO_OPEN311_KEY], ['service_code', plainCode], ...at(), ...Object.entries(secrets), ['description', '门口有人乱倒垃圾']])
    const paths = [
      `${V2}/requests/${one.service_request_id}.{fmt}`, `${V2}/requests.{fmt}`, `${V2}/requests.{fmt}?service_request_id=${one.service_request_id}`,
      `${V2}/tokens/${one.token}.{fmt}`, `${V2}/services.{fmt}`, `${V2}/discovery.{fmt}`,
    ]
    for (const path of paths) {
      for (const fmt of FORMATS) {
        const body = (await t.app.inject({ method: 'GET', url: path.replace('{fmt}', fmt) })).body
        for (const secret of [...Object.values(secrets), '门口有人乱倒垃圾']) expect(body, `${path} ${fmt}`).not.toContain(secret)
      }
    }
  })

  it('shows the description, reply and photo once staff publish them, and closed once the case is closed', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 200, b: 10 } } }).jpeg().toBuffer()
    const body = multipart([
      { name: 'api_key', data: DEMO_OPEN311_KEY }, { name: 'service_code', data: manholeCode }, { name: 'lat', data: String(point.lat) }, { name: 'long', data: String(point.lng) },
      { name: 'attribute[cover_state]', data: 'sunken' }, { name: 'description', data: '人行道井盖下沉' }, { name: 'address_string', data: '邾城大道 8 号' },
      { name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg },
    ])
    const posted = await t.app.inject({ method: 'POST', url: `${V2}/requests.json`, headers: body.headers, payload: body.payload })
    expect(posted.statusCode, posted.body).toBe(200)
    const id = posted.json()[0].service_request_id as string
    const path = `${V2}/requests/${id}.{fmt}`
    expect(await getBoth(path, 'service_requests')).toMatchObject([{ description: null, address: null, media_url: null, status: 'open' }])

    const caseId = await caseIdOf(id)
    const detail = (await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.acceptor!) })).json()
    const photoIds = detail.timeline[0].photoIds as string[]
    expect(photoIds).toHaveLength(1)
    const publish = await t.app.inject({ method: 'PUT', url: `/api/cases/${caseId}/publication`, headers: bearer(tokens.acceptor!), payload: { descriptionPublic: true, photoIds, reply: '已通知责任单位' } })
    expect(publish.statusCode, publish.body).toBe(200)
    const [published] = await getBoth(path, 'service_requests') as Array<Record<string, string>>
    expect(published).toMatchObject({ description: expect.stringContaining('人行道井盖下沉'), address: '邾城大道 8 号', status_notes: '已通知责任单位' })
    expect(published!.media_url).toBe(`http://localhost:80/api/public/photos/${photoIds[0]}`)
    const photo = await t.app.inject({ method: 'GET', url: new URL(published!.media_url!).pathname })
    expect(photo.statusCode).toBe(200)

    // the loop, through the case API
    const act = async (user: string, action: Record<string, unknown>) => {
      const current = (await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.admin!) })).json()
      const response = await t.app.inject({ method: 'POST', url: `/api/cases/${caseId}/actions`, headers: bearer(tokens[user]!), payload: { version: current.version, ...action } })
      expect(response.statusCode, `${user} ${String(action.type)}: ${response.body}`).toBe(200)
    }
    const staffPhoto = async (user: string) => {
      const image = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer()
      const upload = multipart([{ name: 'file', filename: 'x.jpg', type: 'image/jpeg', data: image }])
      return (await t.app.inject({ method: 'POST', url: '/api/files', headers: { ...upload.headers, ...bearer(tokens[user]!) }, payload: upload.payload })).json().id as string
    }
    await act('acceptor', { type: 'file' })
    await act('dispatcher', { type: 'dispatch', unitId: zhuchengUnit })
    const [dispatched] = await getBoth(path, 'service_requests') as Array<Record<string, string>>
    expect(dispatched).toMatchObject({ status: 'open', agency_responsible: '邾城街道' })
    expect(dispatched!.expected_datetime).toMatch(W3C)
    await act('zhucheng', { type: 'sign_for' })
    await act('zhucheng', { type: 'report_disposal', photoIds: [await staffPhoto('zhucheng')] })
    await act('supervisor', { type: 'check_pass', photoIds: [await staffPhoto('supervisor')] })
    expect(await getBoth(`${V2}/requests.{fmt}?status=closed&service_code=${manholeCode}`, 'service_requests')).toEqual([])
    await act('acceptor', { type: 'close' })

    const [closed] = await getBoth(path, 'service_requests') as Array<Record<string, string>>
    expect(closed).toMatchObject({ status: 'closed', expected_datetime: null })
    const timeline = (await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.admin!) })).json().timeline as Array<{ kind: string; at: string }>
    expect(closed!.updated_datetime).toBe(timeline.find((e) => e.kind === 'closed')!.at)
    const closedList = await getBoth(`${V2}/requests.{fmt}?status=closed`, 'service_requests') as Array<Record<string, string>>
    expect(closedList.map((r) => r.service_request_id)).toEqual([id])
    const openList = await getBoth(`${V2}/requests.{fmt}?status=open`, 'service_requests') as Array<Record<string, string>>
    expect(openList.map((r) => r.service_request_id)).not.toContain(id)
  })
})
