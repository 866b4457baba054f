// The analytics routes through the API with real roles: who may read them, the data scope (a street's staff see only
// their street), the command screen's summary, trends, hot spots with their reasons, top sources and the forecast.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, pointInCells, supervisorPoint, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { localDate, startOf } from './service.js'

let t: TestApp
const tokens: Record<string, string> = {}
let zhuchengPoint: { lng: number; lat: number }
let yangluoPoint: { lng: number; lat: number }
let zhucheng: string
let yangluo: string
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  for (const user of ['admin', 'leader', 'acceptor', 'dispatcher', 'supervisor', 'zhucheng']) tokens[user] = await t.login(user)
  zhuchengPoint = await supervisorPoint(t.db)
  yangluoPoint = await pointInCells(t.db, '420117002')
  zhucheng = await unitIdOf(t.db, '420117001')
  yangluo = await unitIdOf(t.db, '420117002')
})
afterAll(() => t?.close())

const get = (user: string | null, url: string) => t.app.inject({ method: 'GET', url, headers: user ? bearer(tokens[user]!) : {} })

async function json(user: string, url: string) {
  const response = await get(user, url)
  expect(response.statusCode, response.body).toBe(200)
  return response.json()
}

/** A hotline report (through the acceptor) at a place; the class is exposed garbage unless given. */
async function report(point: { lng: number; lat: number }, classCode = '0101', classKind = 'event'): Promise<string> {
  const response = await t.app.inject({
    method: 'POST', url: '/api/cases', headers: bearer(tokens.acceptor!),
    payload: { clientId: `analytics-${Date.now()}-${seq++}`, source: 'hotline', classKind, classCode, description: `分析测试 ${seq}`, ...point },
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().case.id
}

/** Moves a case's report time (the analysis depends on when; the test picks it). */
const reportedAt = (id: string, at: Date) => sql`update cases set created_at = ${at} where id = ${id}`.execute(t.db.kysely)

describe('who may read the analysis', () => {
  it('refuses the unauthenticated (401) and roles without analytics:read (403)', async () => {
    for (const url of ['/api/analytics/summary', '/api/analytics/trends', '/api/analytics/hotspots', '/api/analytics/street-sources', '/api/analytics/forecast']) {
      expect((await get(null, url)).statusCode, url).toBe(401)
      const refused = await get('supervisor', url)
      expect(refused.statusCode, url).toBe(403)
      expect(refused.json().error.code).toBe('FORBIDDEN')
    }
  })

  it('opens it to the leader, the centre’s roles and a street’s staff', async () => {
    for (const user of ['admin', 'leader', 'acceptor', 'dispatcher', 'zhucheng']) expect((await get(user, '/api/analytics/summary')).statusCode, user).toBe(200)
  })

  it('refuses a period that ends before it starts or is too long', async () => {
    expect((await get('leader', '/api/analytics/trends?from=2026-05-02&to=2026-05-01')).json().error.code).toBe('BAD_REQUEST')
    expect((await get('leader', '/api/analytics/hotspots?from=2020-01-01&to=2026-01-01')).statusCode).toBe(400)
  })
})

describe('summary (the command screen)', () => {
  it('counts today’s reports and the open cases by light and street, and lists the overdue', async () => {
    const before = await json('dispatcher', '/api/analytics/summary')
    const id = await report(zhuchengPoint)
    await report(yangluoPoint)
    // one case runs late
    await t.db.kysely.updateTable('cases').set({ due_at: new Date(Date.now() - 3 * 3600_000), yellow_at: new Date(Date.now() - 4 * 3600_000) }).where('id', '=', id).execute()
    const after = await json('dispatcher', '/api/analytics/summary')
    expect(after.today.reported - before.today.reported).toBe(2)
    expect(after.open.total - before.open.total).toBe(2)
    expect(after.open.red - before.open.red).toBe(1)
    expect(after.open.total).toBe(after.open.red + after.open.yellow + after.open.green + after.open.none)
    const late = after.overdue.find((c: { id: string }) => c.id === id)
    expect(late).toMatchObject({ className: { 'zh-CN': '暴露垃圾' }, streetName: { 'zh-CN': '邾城街道' } })
    expect(late.overdueMinutes).toBeGreaterThanOrEqual(179)
    expect(after.streets.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([zhucheng, yangluo]))
    expect(after.latest[1]).toMatchObject({ id, sourceName: { 'zh-CN': '热线' }, className: { 'zh-CN': '暴露垃圾' } })
    expect(after.month.closureRate === null || (after.month.closureRate >= 0 && after.month.closureRate <= 1)).toBe(true)
  })

  it('shows a street’s staff only their street', async () => {
    await report(yangluoPoint)
    const mine = await json('zhucheng', '/api/analytics/summary')
    expect(mine.streets.map((s: { id: string }) => s.id)).toEqual([zhucheng])
    const district = await json('dispatcher', '/api/analytics/summary')
    expect(mine.today.reported).toBeLessThan(district.today.reported)
    expect(mine.overdue.every((c: { streetName: { 'zh-CN': string } }) => c.streetName['zh-CN'] === '邾城街道')).toBe(true)
  })

  it('counts the month’s closure rate as closed over filed', async () => {
    const id = await report(zhuchengPoint)
    const before = await json('leader', '/api/analytics/summary')
    await t.db.kysely.updateTable('cases').set({ state: 'closed', closed_at: new Date(), due_at: null, yellow_at: null }).where('id', '=', id).execute()
    const after = await json('leader', '/api/analytics/summary')
    expect(after.month.filed - before.month.filed).toBe(1)
    expect(after.month.closed - before.month.closed).toBe(1)
    expect(after.today.closed - before.today.closed).toBe(1)
    expect(after.month.closureRate).toBeCloseTo(after.month.closed / after.month.filed, 9)
  })
})

describe('trends and sources', () => {
  it('counts reports per day by street, class and source; a street sees only its own', async () => {
    await report(zhuchengPoint, '0103', 'component')
    const district = await json('leader', '/api/analytics/trends?by=street&interval=day')
    const keys = district.series.map((s: { key: string }) => s.key)
    expect(keys).toEqual(expect.arrayContaining([zhucheng, yangluo]))
    const today = localDate(new Date())
    expect(district.buckets).toContain(today)
    expect(district.period.to).toBe(today)
    const street = await json('zhucheng', '/api/analytics/trends?by=street&interval=day')
    expect(street.series.map((s: { key: string }) => s.key)).toEqual([zhucheng])
    expect(street.total).toBeLessThan(district.total)

    const byClass = await json('leader', '/api/analytics/trends?by=class&interval=week')
    expect(byClass.series.find((s: { key: string }) => s.key === 'component:0103').name['zh-CN']).toBe('雨水井盖')
    const bySource = await json('leader', '/api/analytics/trends?by=source&limit=1')
    expect(bySource.series).toHaveLength(1)
    expect(bySource.series[0]).toMatchObject({ key: 'hotline', name: { 'zh-CN': '热线' } })
    expect(bySource.series[0].counts.reduce((a: number, b: number) => a + b, 0)).toBe(bySource.series[0].total)
  })

  it('ranks the sources of each street', async () => {
    const sources = await json('leader', '/api/analytics/street-sources')
    const street = sources.items.find((i: { streetId: string }) => i.streetId === zhucheng)
    expect(street.sources[0]).toMatchObject({ source: 'hotline', name: { 'zh-CN': '热线', en: 'Hotline' } })
    expect(street.sources[0].share).toBeGreaterThan(0)
    const mine = await json('zhucheng', '/api/analytics/street-sources')
    expect(mine.items.map((i: { streetId: string }) => i.streetId)).toEqual([zhucheng])
  })
})

describe('hot spots', () => {
  it('finds a problem coming back to the same cell and says when it happens', async () => {
    // five reports of street vending (0401) in one cell: Saturday evenings, a week apart (local time 19:30)
    const saturday = (weeksAgo: number) => {
      const now = new Date()
      const local = new Date(now.getTime() + 8 * 3600_000)
      const back = (local.getUTCDay() + 1) % 7 + 7 * weeksAgo
      return new Date(startOf(localDate(new Date(now.getTime() - back * 86_400_000))).getTime() + 19.5 * 3600_000)
    }
    for (let w = 1; w <= 5; w++) await reportedAt(await report(yangluoPoint, '0401'), saturday(w))
    const hot = await json('leader', '/api/analytics/hotspots?withinDays=30')
    const spot = hot.items.find((i: { classCode: string }) => i.classCode === '0401')
    expect(spot).toMatchObject({ count: 5, recurrences: 4, timeOfDay: { part: 'evening', share: 1 }, weekday: { kind: 'day', weekday: 6, share: 1 }, streetName: { 'zh-CN': '阳逻街道' } })
    expect(spot.reason['zh-CN']).toContain('30 天内同一网格重复发生 4 次（共 5 件）')
    expect(spot.reason['zh-CN']).toContain('周六')
    expect(spot.reason.en).toContain('in the evening')
    expect(hot.heat.length).toBeGreaterThan(0)
    expect(hot.heat.some((h: { recurrences: number }) => h.recurrences >= 4)).toBe(true)

    // a week apart is no recurrence within 3 days
    const strict = await json('leader', '/api/analytics/hotspots?withinDays=3')
    expect(strict.items.find((i: { classCode: string }) => i.classCode === '0401')).toBeUndefined()
    // and 邾城's staff do not see 阳逻's hot spot
    const mine = await json('zhucheng', '/api/analytics/hotspots')
    expect(mine.items.find((i: { classCode: string }) => i.classCode === '0401')).toBeUndefined()
  })
})

describe('forecast', () => {
  it('forecasts the days and weeks ahead from the history and reports the backtest error', async () => {
    // six weeks of history in 邾城: 3 reports every day (moved back in time)
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push(await report(zhuchengPoint, '0102', 'component'))
    const today = startOf(localDate(new Date()))
    await sql`update cases set created_at = ${today}::timestamptz - make_interval(days => (1 + n * 7)::int) + interval '10 hours'
      from (select id, row_number() over (order by id) - 1 as n from cases where id in (${sql.join(ids)})) x where cases.id = x.id`.execute(t.db.kysely)
    const reply = await json('leader', `/api/analytics/forecast?classKind=component&classCode=0102&horizon=14&historyDays=42&backtestWeeks=2`)
    expect(reply.forecast).toHaveLength(14)
    expect(reply.forecast[0].date).toBe(localDate(new Date()))
    expect(reply.weekly).toHaveLength(2)
    expect(reply.history.reduce((s: number, d: { count: number }) => s + d.count, 0)).toBe(6)
    expect(reply.backtest.weeks).toBe(2)
    expect(reply.backtest.points).toHaveLength(14)
    expect(reply.backtest.mae).not.toBeNull()
    expect(reply.breakdown.streets[0]).toMatchObject({ key: zhucheng, name: { 'zh-CN': '邾城街道' } })
    expect(reply.breakdown.classes[0]).toMatchObject({ key: 'component:0102' })
    expect(reply.forecast.every((d: { expected: number }) => d.expected >= 0)).toBe(true)
  })

  it('forecasts a street’s staff only from their own street', async () => {
    const reply = await json('zhucheng', `/api/analytics/forecast?streetId=${yangluo}`)
    expect(reply.history.every((d: { count: number }) => d.count === 0)).toBe(true)
  })
})
