// The command map (指挥地图): the dispatcher sees the open cases as coloured points and clusters with counts by light, a
// click shows a case and leads to it, the light checkboxes hide and show cases, and a case reported by the supervisor in
// another browser appears without a reload. The leader's phone shows the legend over the map and the filters in a drawer.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { pointInSupervisorCell } from './fixtures.js'
import { pageFetch, PHONE, screenshot, SessionPool } from './harness.js'
import { pixelOf } from './map-helpers.js'

const baseUrl = inject('baseUrl')
const LIGHTS = ['red', 'yellow', 'green', 'none'] as const
const CASE_SOURCE = 'command-cases'
const CASE_LAYERS = ['command-case-clusters', 'command-case-points']

const sessions = new SessionPool(baseUrl)

beforeAll(async () => {
  await sessions.launch()
})
afterAll(() => sessions.close())

const as = (username: string, phone = false) => sessions.page(username, phone)

interface Reported { id: string; ticket: string }

/** POST /api/cases from the page (its session cookie). */
async function report(page: Page, point: [number, number], description: string): Promise<Reported> {
  const reply = await page.evaluate(async (b) => {
    const res = await fetch('/api/cases', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) })
    return { status: res.status, body: await res.json() as { case: Reported } }
  }, { clientId: `e2e-command-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, source: 'supervisor', classKind: 'event', classCode: '0101', description, lng: point[0], lat: point[1] })
  expect(reply.status).toBe(200)
  return reply.body.case
}

/** One workflow step from the page over the case's current version. */
async function step(page: Page, caseId: string, body: Record<string, unknown>): Promise<void> {
  const { body: current } = await pageFetch<{ version: number }>(page, `/api/cases/${caseId}`)
  const status = await page.evaluate(async ({ id, b }) => (await fetch(`/api/cases/${id}/actions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b),
  })).status, { id: caseId, b: { version: current.version, ...body } })
  expect(status, `${String(body.type)} on ${caseId}`).toBe(200)
}

async function unitId(page: Page, name: string): Promise<string> {
  const { body } = await pageFetch<{ items: Array<{ id: string; name: string }> }>(page, `/api/org/units?q=${encodeURIComponent(name)}`)
  const unit = body.items.find((u) => u.name === name)
  expect(unit, name).toBeDefined()
  return unit!.id
}

/** The legend's counts by light (what the user reads next to each light). */
async function legend(page: Page): Promise<Record<(typeof LIGHTS)[number], number>> {
  const entries = await Promise.all(LIGHTS.map(async (light) => [light, Number(await page.getByTestId(`command-legend-${light}`).getAttribute('data-count'))] as const))
  return Object.fromEntries(entries) as Record<(typeof LIGHTS)[number], number>
}

/** Waits until the cases are loaded and MapLibre has drawn them (no move, no pending load). */
async function mapReady(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('command-total').getAttribute('data-loaded')).toBe('true')
  await expect.poll(() => page.locator('[data-testid="command-total"] .ant-spin').count()).toBe(0)
  await page.waitForFunction((source) => {
    const map = window.__xiuhuaMap
    return !!map && !!map.getSource(source) && map.isSourceLoaded(source) && map.loaded() && !map.isMoving()
  }, CASE_SOURCE, { timeout: 30_000, polling: 100 })
}

/** What the map draws: how many cases its rendered clusters and points stand for, the lights of the points, and the ids. */
async function drawn(page: Page): Promise<{ cases: number; clusters: number; pointLights: string[]; ids: string[] }> {
  return page.evaluate((layers) => {
    const map = window.__xiuhuaMap!
    const clusters = new Map<number, number>()
    const points = new Map<string, string>()
    for (const f of map.queryRenderedFeatures({ layers })) {
      const p = f.properties as { cluster_id?: number; point_count?: number; id?: string; light?: string }
      if (p.cluster_id !== undefined) clusters.set(p.cluster_id, p.point_count ?? 0)
      else if (p.id) points.set(p.id, p.light ?? '')
    }
    return {
      cases: [...clusters.values()].reduce((a, b) => a + b, 0) + points.size,
      clusters: clusters.size,
      pointLights: [...points.values()],
      ids: [...points.keys()],
    }
  }, CASE_LAYERS)
}

async function jumpTo(page: Page, center: [number, number], zoom: number): Promise<void> {
  await page.evaluate(({ center, zoom }) => window.__xiuhuaMap!.jumpTo({ center, zoom }), { center, zoom })
  await page.waitForFunction(() => !window.__xiuhuaMap!.isMoving(), undefined, { polling: 100 })
  await mapReady(page)
}

// ---------------------------------------------------------------------------------------------------------------

describe('command map', () => {
  let point: [number, number] = [0, 0]
  let suspended: Reported
  const reported: Reported[] = []

  it('cases to show: three reports in the supervisor’s cell, one of them dispatched and suspended (API)', async () => {
    const supervisor = await as('supervisor')
    point = await pointInSupervisorCell(supervisor)
    for (let i = 0; i < 3; i++) reported.push(await report(supervisor, [point[0] + i * 0.0004, point[1] + i * 0.0003], `指挥地图测试 ${i + 1}（e2e）`))
    // The third goes to 邾城街道 and is suspended: its clock stops, so it has no light (grey).
    suspended = reported[2]!
    await step(await as('acceptor'), suspended.id, { type: 'file' })
    const dispatcher = await as('dispatcher')
    await step(dispatcher, suspended.id, { type: 'dispatch', unitId: await unitId(dispatcher, '邾城街道') })
    const zhucheng = await as('zhucheng')
    await step(zhucheng, suspended.id, { type: 'sign_for' })
    await step(zhucheng, suspended.id, { type: 'request_suspension', reason: '等待管线单位配合（e2e）' })
    await step(await as('shiftleader'), suspended.id, { type: 'approve_suspension' })
  })

  it('the dispatcher opens it from the menu: cases as coloured clusters and points, the legend counts them by light', async () => {
    const page = await as('dispatcher')
    const nav = page.getByTestId('nav-item-command')
    expect(await nav.textContent()).toBe('指挥地图')
    await nav.click()
    await page.waitForURL((url) => url.pathname === '/command')
    await page.getByTestId('command-page').waitFor()
    await mapReady(page)

    const counts = await legend(page)
    expect(counts.green).toBeGreaterThanOrEqual(2) // the two fresh reports wait for filing within their limit
    expect(counts.none).toBeGreaterThanOrEqual(1) // the suspended one
    const total = Number(await page.getByTestId('command-total').getAttribute('data-count'))
    expect(total).toBe(counts.red + counts.yellow + counts.green + counts.none)
    expect(await page.getByTestId('command-total').textContent()).toBe(`视野内在办案卷 ${total} 件`)
    // Every case in view is drawn, alone or inside a cluster.
    await expect.poll(async () => (await drawn(page)).cases).toBe(total)
    expect(await page.getByTestId('command-light-green').textContent()).toContain('正常')
    expect(await page.getByTestId('command-light-none').textContent()).toContain('挂账/未计时')
    await screenshot(page, 'command-map-dispatcher-desktop')
  })

  it('zoomed in, the cases are points in their light; a click shows the case and leads to it', async () => {
    const page = await as('dispatcher')
    await jumpTo(page, [point[0] + 0.0004, point[1] + 0.0003], 17)
    await expect.poll(async () => (await drawn(page)).ids).toEqual(expect.arrayContaining(reported.map((r) => r.id)))
    const view = await drawn(page)
    expect(view.clusters).toBe(0)
    const lights = await page.evaluate(({ layers, id }) => window.__xiuhuaMap!.queryRenderedFeatures({ layers })
      .find((f) => (f.properties as { id?: string }).id === id)?.properties as { light: string }, { layers: CASE_LAYERS, id: suspended.id })
    expect(lights.light).toBe('none')

    const at = await pixelOf(page, [point[0] + 0.0008, point[1] + 0.0006])
    await page.mouse.click(at.x, at.y)
    const popup = page.getByTestId('command-popup')
    await popup.waitFor()
    expect(await popup.getAttribute('data-case-id')).toBe(suspended.id)
    expect(await page.getByTestId('command-popup-ticket').textContent()).toBe(suspended.ticket)
    expect(await page.getByTestId('command-popup-state').textContent()).toBe('挂账')
    expect(await page.getByTestId('command-popup-class').textContent()).not.toBe('')
    expect(await page.getByTestId('command-popup-deadline').textContent()).toMatch(/^办理期限 /)
    await screenshot(page, 'command-map-popup-desktop')

    await page.getByTestId('command-popup-open').click()
    await page.waitForURL((url) => url.pathname === `/cases/${suspended.id}`)
    expect(await page.getByTestId('case-ticket').textContent()).toBe(suspended.ticket)
    await page.goBack()
    await page.getByTestId('command-page').waitFor()
    await mapReady(page)
  })

  it('unticking a light hides its cases on the map; the legend still counts them', async () => {
    const page = await as('dispatcher')
    await jumpTo(page, [point[0] + 0.0004, point[1] + 0.0003], 17)
    await expect.poll(async () => (await drawn(page)).pointLights).toContain('green')
    const before = await legend(page)
    await page.getByTestId('command-light-green').click()
    await expect.poll(async () => (await drawn(page)).pointLights).not.toContain('green')
    expect((await drawn(page)).pointLights).toContain('none')
    expect(await legend(page)).toEqual(before)
    await page.getByTestId('command-light-green').click()
    await expect.poll(async () => (await drawn(page)).pointLights).toContain('green')
  })

  it('a case the supervisor reports in another browser appears on the open map without a reload', async () => {
    const page = await as('dispatcher')
    await jumpTo(page, [114.8, 30.84], 11)
    await page.evaluate(() => { (window as unknown as { __stillHere: boolean }).__stillHere = true })
    const view = await page.evaluate(() => ({ zoom: window.__xiuhuaMap!.getZoom(), center: window.__xiuhuaMap!.getCenter().toArray() }))
    const before = await legend(page)
    const total = Number(await page.getByTestId('command-total').getAttribute('data-count'))

    const fresh = await report(await as('supervisor'), [point[0] - 0.0005, point[1] - 0.0004], '指挥地图实时测试（e2e）')
    await expect.poll(async () => (await legend(page)).green).toBe(before.green + 1)
    await expect.poll(() => page.getByTestId('command-total').getAttribute('data-count')).toBe(String(total + 1))
    await mapReady(page)
    await expect.poll(async () => (await drawn(page)).cases).toBe(total + 1)
    // Same page (no reload), same view.
    expect(await page.evaluate(() => (window as unknown as { __stillHere?: boolean }).__stillHere)).toBe(true)
    const after = await page.evaluate(() => ({ zoom: window.__xiuhuaMap!.getZoom(), center: window.__xiuhuaMap!.getCenter().toArray() }))
    expect(after).toEqual(view)
    await screenshot(page, 'command-map-live-desktop')

    await jumpTo(page, [point[0] - 0.0005, point[1] - 0.0004], 17)
    await expect.poll(async () => (await drawn(page)).ids).toContain(fresh.id)
    expect(sessions.get('dispatcher')!.errors).toEqual([])
    expect(sessions.get('dispatcher')!.external).toEqual([])
  })
})

describe('command map on a phone', () => {
  it('the leader sees the legend over a full-screen map and the filters in a drawer', async () => {
    const page = await as('leader', true)
    await page.goto('/command')
    await page.getByTestId('command-page').waitFor()
    await mapReady(page)
    const counts = await legend(page)
    expect(counts.green + counts.none).toBeGreaterThanOrEqual(3)
    await expect.poll(async () => (await drawn(page)).cases).toBe(Number(await page.getByTestId('command-total').getAttribute('data-count')))
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    const map = await page.getByTestId('map').boundingBox()
    expect(map!.height).toBeGreaterThan(PHONE.height * 0.8)
    expect(await page.getByTestId('command-filter-state').count()).toBe(0) // folded away in the drawer
    await screenshot(page, 'command-map-leader-phone')

    await page.getByTestId('command-filters-toggle').tap()
    await page.getByTestId('command-filter-state').waitFor()
    await page.waitForTimeout(400) // the drawer's slide-in, for the screenshot
    await screenshot(page, 'command-map-filters-leader-phone')
    expect(sessions.get('leader-phone')!.errors).toEqual([])
  })
})
