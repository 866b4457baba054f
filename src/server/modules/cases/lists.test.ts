// The case list's light sort and filters ("mine", pending requests, lights), the command map's bbox query, the Excel
// export, before-photos on a report, and names in the timeline, through the API with real roles.
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, multipart, pointInCells, supervisorPoint, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { boundedCount, COUNT_CAP } from './repository.js'
import { OPEN_STATES } from './workflow-table.js'

let t: TestApp
const tokens: Record<string, string> = {}
let point: { lng: number; lat: number }
let yangluoPoint: { lng: number; lat: number }
let zhuchengUnit: string
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'acceptor', 'dispatcher', 'supervisor', 'zhucheng', 'dept']) tokens[user] = await t.login(user)
  point = await supervisorPoint(t.db)
  yangluoPoint = await pointInCells(t.db, '420117002')
  zhuchengUnit = await unitIdOf(t.db, '420117001')
})
afterAll(() => t?.close())

const get = (user: string, url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { ...bearer(tokens[user]!), ...headers } })

async function report(user: string, extra: Record<string, unknown> = {}): Promise<{ id: string; ticket: string }> {
  const response = await t.app.inject({
    method: 'POST', url: '/api/cases', headers: bearer(tokens[user]!),
    payload: { clientId: `lists-${Date.now()}-${seq++}`, source: user === 'acceptor' ? 'hotline' : 'supervisor', classKind: 'component', classCode: '0103', description: `列表测试 ${seq}`, ...point, ...extra },
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().case
}

async function photo(user: string): Promise<string> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: seq++ % 256, b: 40 } } }).jpeg().toBuffer()
  const body = multipart([{ name: 'file', filename: 'p.jpg', type: 'image/jpeg', data: jpeg }])
  const response = await t.app.inject({ method: 'POST', url: '/api/files', headers: { ...body.headers, ...bearer(tokens[user]!) }, payload: body.payload })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().id
}

async function ok(user: string, id: string, action: Record<string, unknown>) {
  const current = (await get('admin', `/api/cases/${id}`)).json()
  const response = await t.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: bearer(tokens[user]!), payload: { version: current.version, ...action } })
  expect(response.statusCode, `${user} ${String(action.type)}: ${response.body}`).toBe(200)
  return response.json()
}

/** Sets a case's running clock directly (the light of a case depends on the time; the test picks the time). */
async function clock(id: string, dueInMinutes: number, yellowInMinutes: number) {
  const now = Date.now()
  await t.db.kysely.updateTable('cases').set({ due_at: new Date(now + dueInMinutes * 60_000), yellow_at: new Date(now + yellowInMinutes * 60_000) }).where('id', '=', id).execute()
}

describe('report with photos', () => {
  it('keeps the before-photos on the report entry, and refuses another person’s photo', async () => {
    const photoId = await photo('supervisor')
    const created = await report('supervisor', { photoIds: [photoId] })
    const detail = (await get('supervisor', `/api/cases/${created.id}`)).json()
    expect(detail.timeline[0]).toMatchObject({ kind: 'reported', photoIds: [photoId], actorName: '刘监督员' })
    const photoResponse = await get('supervisor', `/api/files/${photoId}/thumbnail`)
    expect(photoResponse.statusCode).toBe(200)

    const others = await photo('acceptor')
    const refused = await t.app.inject({
      method: 'POST', url: '/api/cases', headers: bearer(tokens.supervisor!),
      payload: { clientId: `lists-refused-${Date.now()}`, source: 'supervisor', classKind: 'component', classCode: '0103', description: '别人的照片', ...point, photoIds: [others] },
    })
    expect(refused.statusCode).toBe(400)
    // nothing was stored for the refused report
    const count = await t.db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('description', '=', '别人的照片').executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(0)
  })
})

describe('list', () => {
  it('sorts red, then yellow, then green, then cases without a running clock, nearest deadline first', async () => {
    const green = await report('supervisor')
    const yellow = await report('supervisor')
    const red = await report('supervisor')
    const redder = await report('supervisor')
    await clock(green.id, 600, 480)
    await clock(yellow.id, 30, -10)
    await clock(red.id, -5, -60)
    await clock(redder.id, -120, -200)
    const list = (await get('acceptor', '/api/cases?sort=light&pageSize=500&state=reported')).json()
    const order = list.items.map((c: { id: string }) => c.id).filter((id: string) => [green.id, yellow.id, red.id, redder.id].includes(id))
    expect(order).toEqual([redder.id, red.id, yellow.id, green.id])
    const lights = Object.fromEntries(list.items.map((c: { id: string; light: string }) => [c.id, c.light]))
    expect([lights[redder.id], lights[red.id], lights[yellow.id], lights[green.id]]).toEqual(['red', 'red', 'yellow', 'green'])

    const onlyYellow = (await get('acceptor', '/api/cases?light=yellow&pageSize=500')).json()
    expect(onlyYellow.items.map((c: { id: string }) => c.id)).toContain(yellow.id)
    expect(onlyYellow.items.every((c: { light: string }) => c.light === 'yellow')).toBe(true)
    const overdue = (await get('acceptor', '/api/cases?overdue=true&pageSize=500')).json()
    expect(overdue.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([red.id, redder.id]))
    expect(overdue.items.every((c: { light: string }) => c.light === 'red')).toBe(true)
  })

  it('shows a unit its own dispatched cases with "mine", and flags a waiting extension request', async () => {
    const placedInZhucheng = await report('supervisor')
    await ok('acceptor', placedInZhucheng.id, { type: 'file' })
    await ok('dispatcher', placedInZhucheng.id, { type: 'dispatch', unitId: zhuchengUnit })
    await ok('zhucheng', placedInZhucheng.id, { type: 'sign_for' })
    const notDispatched = await report('supervisor')

    const mine = (await get('zhucheng', '/api/cases?mine=true&pageSize=500')).json()
    const ids = mine.items.map((c: { id: string }) => c.id)
    expect(ids).toContain(placedInZhucheng.id)
    // placed in 邾城 but not dispatched: in the street's scope, not in its work
    expect(ids).not.toContain(notDispatched.id)
    expect((await get('zhucheng', '/api/cases?pageSize=500')).json().items.map((c: { id: string }) => c.id)).toContain(notDispatched.id)

    const asked = new Date(Date.now() + 20 * 86400_000).toISOString()
    await ok('zhucheng', placedInZhucheng.id, { type: 'request_extension', newDeadline: asked, reason: '等待材料' })
    const pending = (await get('dispatcher', '/api/cases?pending=extension&pageSize=500')).json()
    expect(pending.items.map((c: { id: string }) => c.id)).toEqual([placedInZhucheng.id])
    expect(pending.items[0]).toMatchObject({ hasPendingExtension: true, hasPendingSuspension: false })
    expect((await get('dispatcher', '/api/cases?pending=suspension&pageSize=500')).json().total).toBe(0)

    // the timeline names the people and units of each step
    const detail = (await get('zhucheng', `/api/cases/${placedInZhucheng.id}`)).json()
    const dispatched = detail.timeline.find((e: { kind: string }) => e.kind === 'dispatched')
    expect(dispatched.actorName).toBeTruthy()
    expect(detail.timeline.find((e: { kind: string }) => e.kind === 'signed_for')).toMatchObject({ unitName: '邾城街道' })
    expect(dispatched.detail).toMatchObject({ unitId: zhuchengUnit, unitName: '邾城街道' })
  })

  it('pages through the light order without skipping or repeating, running cases before finished ones', async () => {
    const finished = await report('supervisor')
    await ok('acceptor', finished.id, { type: 'reject', rejectReason: 'not_a_problem' })
    const all = (await get('acceptor', '/api/cases?sort=light&pageSize=500')).json()
    expect(all.totalCapped).toBe(false)
    const ids: string[] = all.items.map((c: { id: string }) => c.id)
    expect(ids).toContain(finished.id)
    const firstFinished = all.items.findIndex((c: { light: string | null }) => c.light === null)
    expect(all.items.slice(firstFinished).every((c: { light: string | null }) => c.light === null)).toBe(true)
    const paged: string[] = []
    for (let page = 1; paged.length < all.total; page++) {
      const next = (await get('acceptor', `/api/cases?sort=light&pageSize=3&page=${page}`)).json()
      expect(next.total).toBe(all.total)
      if (!next.items.length) break
      paged.push(...next.items.map((c: { id: string }) => c.id))
    }
    expect(paged).toEqual(ids)
    // the count stops at its cap and says so
    const scope = { scopePath: '/' }
    expect(await boundedCount(t.db.kysely, scope, new Date(), 2)).toEqual({ total: 2, capped: true })
    expect(await boundedCount(t.db.kysely, scope, new Date(), all.total)).toEqual({ total: all.total, capped: false })
  })

  it("lists a supervisor's own grid cells with myCells, and nothing for a user responsible for none", async () => {
    const here = await report('supervisor')
    const own = (await get('supervisor', '/api/cases?myCells=true&pageSize=500')).json()
    expect(own.items.map((c: { id: string }) => c.id)).toContain(here.id)
    const cellIds = new Set((await t.db.kysely.selectFrom('grid_cell_people').innerJoin('users', 'users.id', 'grid_cell_people.user_id')
      .select('grid_cell_id').where('users.username', '=', 'supervisor').where('duty', '=', 'supervisor').execute()).map((r) => r.grid_cell_id))
    const ids = own.items.map((c: { id: string }) => c.id)
    const rows = await t.db.kysely.selectFrom('cases').select(['id', 'grid_cell_id']).where('id', 'in', ids).execute()
    expect(rows.every((r) => r.grid_cell_id !== null && cellIds.has(r.grid_cell_id))).toBe(true)
    // 邾城街道's staff see the case in their street, but are responsible for no cells
    expect((await get('zhucheng', '/api/cases?pageSize=500')).json().items.map((c: { id: string }) => c.id)).toContain(here.id)
    expect((await get('zhucheng', '/api/cases?myCells=true')).json().total).toBe(0)
  })

  it('refuses unknown sort and light values', async () => {
    expect((await get('acceptor', '/api/cases?sort=random')).statusCode).toBe(400)
    expect((await get('acceptor', '/api/cases?light=blue')).statusCode).toBe(400)
  })

  it('pages as deep as the count reaches, and refuses a page past it in both languages', async () => {
    const last = await get('dispatcher', `/api/cases?page=${COUNT_CAP / 20}&pageSize=20`)
    expect(last.statusCode, last.body).toBe(200)
    for (const url of [`/api/cases?page=${COUNT_CAP / 20 + 1}&pageSize=20`, `/api/cases?page=5&pageSize=500`, '/api/cases?page=500']) {
      const refused = await get('dispatcher', url)
      expect(refused.statusCode, url).toBe(400)
      const { error } = refused.json()
      expect(error.code).toBe('PAGE_TOO_DEEP')
      expect(error.messages['zh-CN']).toContain('2000')
      expect(error.messages.en).toContain('export')
    }
  })
})

describe('command map', () => {
  it('answers the open cases in a bbox, within the user’s scope, most pressing first', async () => {
    const inZhucheng = await report('supervisor')
    const inYangluo = await report('acceptor', yangluoPoint)
    await clock(inYangluo.id, -30, -60)
    const rejected = await report('supervisor')
    await ok('acceptor', rejected.id, { type: 'reject', rejectReason: 'not_a_problem' })
    const box = (p: { lng: number; lat: number }, d = 0.0005) => `${p.lng - d},${p.lat - d},${p.lng + d},${p.lat + d}`

    const district = (await get('dispatcher', '/api/cases/map')).json()
    const ids = district.items.map((c: { id: string }) => c.id)
    expect(ids).toEqual(expect.arrayContaining([inZhucheng.id, inYangluo.id]))
    expect(district.items[0].light).toBe('red')
    // open cases only: a finished case leaves the map
    expect(ids).not.toContain(rejected.id)
    const finishedIds = (await t.db.kysely.selectFrom('cases').select('id').where('state', 'in', ['closed', 'cancelled', 'rejected', 'invalid', 'merged']).execute()).map((r) => r.id)
    expect(ids.filter((id: string) => finishedIds.includes(id))).toEqual([])

    const nearYangluo = (await get('dispatcher', `/api/cases/map?bbox=${box(yangluoPoint)}`)).json()
    expect(nearYangluo.items.map((c: { id: string }) => c.id)).toContain(inYangluo.id)
    expect(nearYangluo.items.map((c: { id: string }) => c.id)).not.toContain(inZhucheng.id)
    // each marker exactly as documented (MapCase), written by the database; the popup reads the rest from the case
    const marker = nearYangluo.items.find((c: { id: string }) => c.id === inYangluo.id)
    expect(marker).toEqual({ id: inYangluo.id, light: 'red', position: [expect.any(Number), expect.any(Number)] })
    expect(district.items.find((c: { id: string }) => c.id === inZhucheng.id)).toEqual({ id: inZhucheng.id, light: expect.stringMatching(/^(green|yellow|red)$/), position: [expect.any(Number), expect.any(Number)] })
    expect(marker.position[0]).toBeCloseTo(yangluoPoint.lng, 6)
    expect(marker.position[1]).toBeCloseTo(yangluoPoint.lat, 6)
    expect(district).toMatchObject({ total: district.items.length, truncated: false })

    // 邾城街道 sees its own street's case, never 阳逻's, whatever bbox it asks for
    const street = (await get('zhucheng', `/api/cases/map?bbox=${box(yangluoPoint, 1)}`)).json()
    expect(street.items.map((c: { id: string }) => c.id)).toContain(inZhucheng.id)
    expect(street.items.map((c: { id: string }) => c.id)).not.toContain(inYangluo.id)

    const red = (await get('dispatcher', '/api/cases/map?light=red')).json()
    expect(red.items.every((c: { light: string }) => c.light === 'red')).toBe(true)
  })

  it('refuses a malformed bbox and a closed state', async () => {
    for (const bbox of ['1,2,3', '114,30,113,31', 'a,b,c,d', '114,30,200,31', '1.2.3,30,115,31']) {
      const response = await get('dispatcher', `/api/cases/map?bbox=${encodeURIComponent(bbox)}`)
      expect(response.statusCode, bbox).toBe(400)
      expect(['VALIDATION_FAILED', 'BAD_REQUEST']).toContain(response.json().error.code)
    }
    const closed = (await get('dispatcher', '/api/cases/map?state=closed')).json()
    expect(closed).toEqual({ items: [], total: 0, truncated: false })
  })

  it('has its index of open cases over exactly the open states of the workflow', async () => {
    // migration 0019 lists the states in the index's predicate; a state added to OPEN_STATES must be added there too
    const { rows } = await sql<{ def: string }>`select pg_get_indexdef('cases_open_map'::regclass) as def`.execute(t.db.kysely)
    const listed = [...rows[0]!.def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1])
    expect(listed.sort()).toEqual([...OPEN_STATES].sort())
  })
})

describe('Excel export', () => {
  it('writes the filtered cases as a workbook, with headings in the reader’s language and formula-like text made inert', async () => {
    const marked = await report('supervisor', { description: '=HYPERLINK("http://example.com")' })
    const response = await get('acceptor', '/api/cases/export.xlsx?state=reported', { 'accept-language': 'en' })
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200)
    expect(response.headers['content-type']).toContain('spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    expect(sheet.name).toBe('Cases')
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    expect(header).toEqual(expect.arrayContaining(['Ticket', 'State', 'Light', 'Class', 'Street', 'Description', 'Deadline']))
    const total = Number(response.headers['x-total-count'])
    expect(sheet.actualRowCount - 1).toBe(total)
    const ticketColumn = header.indexOf('Ticket') + 1
    const rowOf = (ticket: string) => {
      for (let r = 2; r <= sheet.rowCount; r++) if (sheet.getRow(r).getCell(ticketColumn).value === ticket) return sheet.getRow(r)
      return undefined
    }
    const row = rowOf(marked.ticket)!
    expect(row).toBeDefined()
    expect(row.getCell(header.indexOf('State') + 1).value).toBe('Reported')
    expect(row.getCell(header.indexOf('Description') + 1).value).toBe(`'=HYPERLINK("http://example.com")`)
    expect(row.getCell(header.indexOf('Class') + 1).value).not.toBe('0103')

    const chinese = await get('acceptor', '/api/cases/export.xlsx?state=reported')
    const zh = new ExcelJS.Workbook()
    await zh.xlsx.load(chinese.rawPayload as unknown as ArrayBuffer)
    expect((zh.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toContain('案卷编号')
  })

  it('exports only the user’s scope', async () => {
    const inYangluo = await report('acceptor', yangluoPoint)
    const response = await get('zhucheng', '/api/cases/export.xlsx')
    expect(response.statusCode).toBe(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer)
    const tickets = workbook.worksheets[0]!.getColumn(1).values
    expect(tickets).not.toContain(inYangluo.ticket)
    expect(tickets.length).toBeGreaterThan(1)
  })
})

describe('CSV export', () => {
  /** The records of a CSV answer (fields split on commas outside quotes), its BOM checked. */
  function records(body: Buffer): string[][] {
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = body.toString('utf8').slice(1)
    expect(text.endsWith('\r\n')).toBe(true)
    return text.slice(0, -2).split('\r\n').map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1))
  }

  it('writes every filtered case, one CRLF per record, with headings in the reader’s language and formula-like text made inert', async () => {
    const marked = await report('supervisor', { description: '=SUM(A1) 第一行\r\n第二行, "引号"' })
    const response = await get('acceptor', '/api/cases/export.csv?state=reported', { 'accept-language': 'en' })
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="cases-\d{4}-\d{2}-\d{2}\.csv"$/)
    const [header, ...rows] = records(response.rawPayload)
    expect(header).toEqual(expect.arrayContaining(['Ticket', 'State', 'Light', 'Class', 'Street', 'Description', 'Deadline', 'Reported at']))
    expect(rows).toHaveLength(Number(response.headers['x-total-count']))
    const row = rows.find((r) => r[header!.indexOf('Ticket')] === marked.ticket)!
    expect(row[header!.indexOf('State')]).toBe('Reported')
    expect(row[header!.indexOf('Description')]).toBe(`'=SUM(A1) 第一行\n第二行, "引号"`)
    expect(row[header!.indexOf('Reported at')]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(rows.every((r) => r[header!.indexOf('State')] === 'Reported')).toBe(true)

    const chinese = records((await get('acceptor', '/api/cases/export.csv?state=reported')).rawPayload)
    expect(chinese[0]).toContain('案卷编号')
    expect(chinese.find((r) => r[0] === marked.ticket)).toContain('待受理')
  })

  it('exports only the user’s scope, and refuses a user without case:read', async () => {
    const inYangluo = await report('acceptor', yangluoPoint)
    const response = await get('zhucheng', '/api/cases/export.csv')
    expect(response.statusCode).toBe(200)
    const tickets = records(response.rawPayload).slice(1).map((r) => r[0])
    expect(tickets.length).toBeGreaterThan(0)
    expect(tickets).not.toContain(inYangluo.ticket)
    expect((await t.app.inject({ method: 'GET', url: '/api/cases/export.csv' })).statusCode).toBe(401)
  })
})
