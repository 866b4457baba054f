// Hot spots read from their copy of the reports (hotspot_reports, 0017) say what the plain definition says, read from
// the cases themselves: recurrence by cell and class within N days, void reports left out, the user's scope, local time
// (UTC+8) — after reports, after a report becomes void, after a re-dispatch, and across local midnight.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type Point, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { recurrences } from './hotspots.js'
import { VOID_STATES } from './repository.js'
import { startOf } from './service.js'

let t: TestApp
const tokens: Record<string, string> = {}
/** Points in the first cells of 阳逻街道 (none of them 邾城's). */
let yangluo: Point[]
let zhuchengPath: string
let zhucheng: string
let water: string
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['acceptor', 'shiftleader', 'dispatcher', 'leader', 'zhucheng']) tokens[user] = await t.login(user)
  yangluo = (await sql<Point>`select ST_X(ST_PointOnSurface(geom)) as lng, ST_Y(ST_PointOnSurface(geom)) as lat
    from grid_cells where code like '420117002%' order by code limit 4`.execute(t.db.kysely)).rows
  zhucheng = await unitIdOf(t.db, '420117001')
  zhuchengPath = (await t.db.kysely.selectFrom('org_units').select('path').where('id', '=', zhucheng).executeTakeFirstOrThrow()).path
  water = (await t.db.kysely.selectFrom('users').select('unit_id').where('username', '=', 'dept').executeTakeFirstOrThrow()).unit_id
})
afterAll(() => t?.close())

/** The local (UTC+8) wall-clock time as an instant: '2026-03-02 00:30' → 2026-03-01T16:30Z. */
const local = (at: string) => new Date(Date.parse(`${at.replace(' ', 'T')}:00Z`) - 8 * 3600_000)

/** A hotline report at a place and a local time (moved there after intake: the copy must follow). */
async function report(point: Point, classCode: string, at: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST', url: '/api/cases', headers: bearer(tokens.acceptor!),
    payload: { clientId: `hot-${Date.now()}-${seq++}`, source: 'hotline', classKind: 'event', classCode, description: `热点测试 ${seq}`, ...point },
  })
  expect(response.statusCode, response.body).toBe(200)
  const id: string = response.json().case.id
  await sql`update cases set created_at = ${local(at)} where id = ${id}`.execute(t.db.kysely)
  return id
}

async function act(user: string, id: string, action: Record<string, unknown>) {
  const current = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(tokens.leader!) })).json()
  const response = await t.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: bearer(tokens[user]!), payload: { version: current.version, ...action } })
  expect(response.statusCode, `${user} ${String(action.type)}: ${response.body}`).toBe(200)
  return response.json()
}

/** Files a report and dispatches it to a unit (the responsibility matrix may have dispatched it already). */
async function dispatch(id: string, unitId: string) {
  const filed = await act('acceptor', id, { type: 'file' })
  if (filed.state === 'filed') await act('dispatcher', id, { type: 'dispatch', unitId })
  else await act('dispatcher', id, { type: 'reassign', unitId, reason: '测试改派' })
}

interface Spot {
  cellId: string
  classKind: string
  classCode: string
  count: number
  recurrences: number
  hours: number[]
  weekdays: number[]
}

interface Heat {
  lng: number
  lat: number
  count: number
  recurrences: number
}

async function hotspots(user: string, query: string): Promise<{ items: Spot[]; heat: Heat[] }> {
  const response = await t.app.inject({ method: 'GET', url: `/api/analytics/hotspots?limit=200&${query}`, headers: bearer(tokens[user]!) })
  expect(response.statusCode, response.body).toBe(200)
  return response.json()
}

/**
 * The plain definition, from the cases table: the counted reports of [from, to] (local dates) in the scope, in order
 * per cell and class; a report within `withinDays` of the one before it recurs (hotspots.ts `recurrences`).
 */
async function plain(scopePath: string | null, from: string, to: string, withinDays: number) {
  const start = startOf(from).getTime()
  const end = startOf(to).getTime() + 86_400_000
  const cases = await t.db.kysely.selectFrom('cases').select(['grid_cell_id', 'class_kind', 'class_code', 'created_at', 'state', 'org_path', 'assigned_unit_path']).execute()
  const pairs = new Map<string, { cellId: string; classKind: string; classCode: string; times: number[] }>()
  for (const c of cases) {
    const at = c.created_at.getTime()
    if (at < start || at >= end || !c.grid_cell_id || (VOID_STATES as readonly string[]).includes(c.state)) continue
    if (scopePath && !c.org_path.startsWith(scopePath) && !c.assigned_unit_path?.startsWith(scopePath)) continue
    const key = `${c.grid_cell_id}:${c.class_kind}:${c.class_code}`
    const pair = pairs.get(key) ?? pairs.set(key, { cellId: c.grid_cell_id, classKind: c.class_kind, classCode: c.class_code, times: [] }).get(key)!
    pair.times.push(at)
  }
  const spots: Spot[] = []
  const cells = new Map<string, { count: number; recurrences: number }>()
  for (const p of pairs.values()) {
    const n = recurrences(p.times, withinDays)
    const cell = cells.get(p.cellId) ?? cells.set(p.cellId, { count: 0, recurrences: 0 }).get(p.cellId)!
    cell.count += p.times.length
    cell.recurrences += n
    if (n === 0) continue
    const hours = new Array<number>(24).fill(0)
    const weekdays = new Array<number>(7).fill(0)
    for (const at of p.times) {
      const wall = new Date(at + 8 * 3600_000)
      hours[wall.getUTCHours()]! += 1
      weekdays[wall.getUTCDay()]! += 1
    }
    spots.push({ cellId: p.cellId, classKind: p.classKind, classCode: p.classCode, count: p.times.length, recurrences: n, hours, weekdays })
  }
  // the heat map puts a cell at the centre of its box
  const centres = new Map((await sql<{ id: string; lng: number; lat: number }>`
    select id, (st_xmin(geom) + st_xmax(geom)) / 2 as lng, (st_ymin(geom) + st_ymax(geom)) / 2 as lat from grid_cells`.execute(t.db.kysely)).rows.map((r) => [r.id, r]))
  const heat = [...cells].map(([id, c]) => ({ lng: Number(centres.get(id)!.lng), lat: Number(centres.get(id)!.lat), ...c }))
  return { spots, heat }
}

const bySpot = (spots: Spot[]) => [...spots].map((s) => ({ cellId: s.cellId, classKind: s.classKind, classCode: s.classCode, count: s.count, recurrences: s.recurrences, hours: s.hours, weekdays: s.weekdays }))
  .sort((a, b) => `${a.cellId}:${a.classKind}:${a.classCode}`.localeCompare(`${b.cellId}:${b.classKind}:${b.classCode}`))
const byHeat = (heat: Heat[]) => heat.map((h) => `${h.lng},${h.lat}: ${h.count} reports, ${h.recurrences} recurrences`).sort()

/** The route answers as the plain definition does, for the whole district and for 邾城's staff, for several windows. */
async function expectSameAsPlain(from: string, to: string) {
  for (const withinDays of [1, 7, 30]) {
    for (const [user, scopePath] of [['leader', null], ['zhucheng', zhuchengPath]] as const) {
      const answer = await hotspots(user, `from=${from}&to=${to}&withinDays=${withinDays}`)
      const expected = await plain(scopePath, from, to, withinDays)
      const what = `${user}, ${from}..${to}, within ${withinDays} days`
      expect(bySpot(answer.items), what).toEqual(bySpot(expected.spots))
      expect(byHeat(answer.heat), what).toEqual(byHeat(expected.heat))
      // most recurrences first, then most reports
      const order = answer.items.map((s) => [s.recurrences, s.count])
      expect(order, what).toEqual([...order].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!))
    }
  }
}

describe('hot spots from their copy of the reports', () => {
  it('count recurrences across local midnight and at the period’s local ends as the plain definition does', async () => {
    const [cell] = yangluo
    // 2026-03-02 is a Monday; the period is the local dates 2026-03-02 .. 2026-03-31
    await report(cell!, '0401', '2026-03-01 23:30') // the evening before: outside
    await report(cell!, '0401', '2026-03-02 00:30') // the first of the period: no recurrence, though an hour after the last
    await report(cell!, '0401', '2026-03-02 23:50')
    await report(cell!, '0401', '2026-03-03 00:10') // 20 minutes later, the next local day (the same day in UTC)
    await report(cell!, '0401', '2026-03-31 23:59') // the last minute of the period
    await report(cell!, '0401', '2026-04-01 00:00') // the next local day: outside

    const month = await hotspots('leader', 'from=2026-03-02&to=2026-03-31&withinDays=30')
    const spot = month.items.find((s) => s.classCode === '0401')!
    expect(spot).toMatchObject({ count: 4, recurrences: 3 })
    expect(spot.hours[0]).toBe(2)
    expect(spot.hours[23]).toBe(2)
    expect(spot.weekdays).toEqual([0, 2, 2, 0, 0, 0, 0])
    // within one day: the 29 days before the last report are too long
    expect((await hotspots('leader', 'from=2026-03-02&to=2026-03-31&withinDays=1')).items.find((s) => s.classCode === '0401')).toMatchObject({ count: 4, recurrences: 2 })
    // a period of one local day holds the two reports of that day only
    expect((await hotspots('leader', 'from=2026-03-03&to=2026-03-03&withinDays=1')).items.find((s) => s.classCode === '0401')).toBeUndefined()
    expect((await hotspots('leader', 'from=2026-03-02&to=2026-03-02&withinDays=1')).items.find((s) => s.classCode === '0401')).toMatchObject({ count: 2, recurrences: 1 })

    await expectSameAsPlain('2026-03-02', '2026-03-31')
    await expectSameAsPlain('2026-03-01', '2026-04-01')
  })

  it('agree with the plain definition on many reports in several cells and classes', async () => {
    // a fixed pseudo-random spread: four cells, three classes, March and April 2026 at any hour
    let state = 20260306
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 40; i++) {
      const day = 1 + Math.floor(next() * 60)
      const date = new Date(Date.UTC(2026, 2, day, Math.floor(next() * 24), Math.floor(next() * 60)))
      await report(yangluo[Math.floor(next() * yangluo.length)]!, ['0402', '0403', '0101'][Math.floor(next() * 3)]!, date.toISOString().slice(0, 16).replace('T', ' '))
    }
    await expectSameAsPlain('2026-03-01', '2026-04-30')
    await expectSameAsPlain('2026-03-15', '2026-04-10')
  })

  it('leave out a report once it becomes void, and count it again if it is restored', async () => {
    const [, cell] = yangluo
    const ids: string[] = []
    for (const at of ['2026-05-04 09:00', '2026-05-10 09:00', '2026-05-16 09:00', '2026-05-22 09:00', '2026-06-25 09:00']) ids.push(await report(cell!, '0404', at))
    const may = async (withinDays = 7) => (await hotspots('leader', `from=2026-05-01&to=2026-06-30&withinDays=${withinDays}`)).items.find((s) => s.classCode === '0404')
    expect(await may()).toMatchObject({ count: 5, recurrences: 3 })

    // rejected (不予立案): 05-04 → 05-16 is 12 days, no longer within 7
    await act('acceptor', ids[1]!, { type: 'reject', rejectReason: 'duplicate' })
    expect(await may()).toMatchObject({ count: 4, recurrences: 1 })
    await expectSameAsPlain('2026-05-01', '2026-06-30')
    // merged into the first report and cancelled (作废): one report is left, and nothing recurs
    await act('acceptor', ids[2]!, { type: 'merge', into: ids[0] })
    await act('shiftleader', ids[3]!, { type: 'cancel', reason: '测试作废' })
    expect(await may()).toBeUndefined()
    expect(await may(60)).toMatchObject({ count: 2, recurrences: 1 })
    await expectSameAsPlain('2026-05-01', '2026-06-30')
    // a correction by hand that makes the rejected report count again
    await sql`update cases set state = 'filed' where id = ${ids[1]!}`.execute(t.db.kysely)
    expect(await may()).toMatchObject({ count: 3, recurrences: 1 })
    await expectSameAsPlain('2026-05-01', '2026-06-30')
  })

  it('follow a report into and out of a street’s scope as it is dispatched and re-dispatched', async () => {
    const [, , cell] = yangluo
    // three reports in a cell of 阳逻, five days apart: 邾城 handles the first and the last, the water bureau the middle one
    const [first, middle, last] = [await report(cell!, '0405', '2026-07-06 10:00'), await report(cell!, '0405', '2026-07-11 10:00'), await report(cell!, '0405', '2026-07-16 10:00')]
    await dispatch(first, zhucheng)
    await dispatch(middle, water)
    await dispatch(last, zhucheng)
    const july = async (user: string) => (await hotspots(user, 'from=2026-07-01&to=2026-07-31&withinDays=7')).items.find((s) => s.classCode === '0405')
    expect(await july('leader')).toMatchObject({ count: 3, recurrences: 2 })
    // 邾城 sees its two reports, ten days apart (the one between is not theirs): no recurrence within 7 days …
    expect((await hotspots('zhucheng', 'from=2026-07-01&to=2026-07-31&withinDays=10')).items.find((s) => s.classCode === '0405')).toMatchObject({ count: 2, recurrences: 1 })
    expect(await july('zhucheng')).toBeUndefined()
    await expectSameAsPlain('2026-07-01', '2026-07-31')

    // … and once the middle one is re-dispatched to 邾城 too, all three, five days apart
    await act('dispatcher', middle, { type: 'reassign', unitId: zhucheng, reason: '属地处置' })
    expect(await july('zhucheng')).toMatchObject({ count: 3, recurrences: 2 })
    await expectSameAsPlain('2026-07-01', '2026-07-31')
    // the first goes to the water bureau: 邾城 keeps the last two
    await act('dispatcher', first, { type: 'reassign', unitId: water, reason: '非本单位职责' })
    expect(await july('zhucheng')).toMatchObject({ count: 2, recurrences: 1 })
    expect(await july('leader')).toMatchObject({ count: 3, recurrences: 2 })
    await expectSameAsPlain('2026-07-01', '2026-07-31')
  })

  it('keep each chain as a rebuild makes it through rounds of reports added, moved in time, voided and restored', async () => {
    // a small generator with a fixed seed: the same rounds every run, chains changed at their start, middle and end
    let state = 20261207
    const random = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648) % n)
    const copy = async () => (await sql<Record<string, unknown>>`select r.case_id, r.grid_cell_id, r.class_kind, r.class_code, r.reported_at, r.previous_at, p.org_path, p.unit_path
      from hotspot_reports r join hotspot_paths p on p.id = r.path_id order by r.case_id`.execute(t.db.kysely)).rows
    const ids: string[] = []
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 8; i++) ids.push(await report(yangluo[random(2)]!, random(2) ? '0401' : '0402', `2026-09-${String(1 + random(28)).padStart(2, '0')} ${String(random(24)).padStart(2, '0')}:${String(random(60)).padStart(2, '0')}`))
      for (let i = 0; i < 4; i++) {
        const id = ids[random(ids.length)]!
        const change = random(3)
        if (change === 0) await sql`update cases set created_at = created_at + make_interval(hours => ${random(200) - 100}) where id = ${id}`.execute(t.db.kysely)
        else if (change === 1) await sql`update cases set state = 'invalid' where id = ${id}`.execute(t.db.kysely)
        else await sql`update cases set state = 'reported' where id = ${id}`.execute(t.db.kysely)
      }
      await t.context.analytics.refreshHotspots()
      const kept = await copy()
      await sql`select hotspot_rebuild()`.execute(t.db.kysely)
      expect(await copy(), `round ${round}`).toEqual(kept)
    }
  })

  it('keep the copy exactly as a rebuild from every case would make it', async () => {
    await t.context.analytics.refreshHotspots()
    const copy = () => sql<Record<string, unknown>>`select r.case_id, r.grid_cell_id, r.class_kind, r.class_code, r.reported_at, r.previous_at, p.org_path, p.unit_path
      from hotspot_reports r join hotspot_paths p on p.id = r.path_id order by r.case_id`.execute(t.db.kysely)
    const kept = (await copy()).rows
    expect(kept.length).toBeGreaterThan(50)
    await sql`select hotspot_rebuild()`.execute(t.db.kysely)
    expect((await copy()).rows).toEqual(kept)
    // a report comes in and is counted at once: the question refreshes the copy first
    const before = (await hotspots('leader', 'withinDays=30')).heat.reduce((n, h) => n + h.count, 0)
    await t.app.inject({ method: 'POST', url: '/api/cases', headers: bearer(tokens.acceptor!), payload: { clientId: `hot-now-${seq++}`, source: 'hotline', classKind: 'event', classCode: '0401', description: '热点测试', ...yangluo[3]! } })
    expect((await hotspots('leader', 'withinDays=30')).heat.reduce((n, h) => n + h.count, 0)).toBe(before + 1)
  })
})
