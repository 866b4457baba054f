// The command screen (指挥大屏) in Chromium: at one 1920×1080 screen and at the 2×4 wall (7680×2160) every panel lies
// inside the viewport and no two overlap; its figures are readable (larger on the wall); a case reported through the
// API appears on it (newest list, today's count, the map) without a reload; the rankings panel shows the month's
// evaluation with every name in full. The analysis page shows trends, hot spots and the forecast with its backtest.
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { pointInSupervisorCell } from './fixtures.js'
import { login, openSession, SCREENSHOT_DIR, screenshot, type Session, SessionPool } from './harness.js'

const baseUrl = inject('baseUrl')
const sessions = new SessionPool(baseUrl)
const walls: Session[] = []

beforeAll(async () => {
  await sessions.launch()
})
afterAll(async () => {
  for (const s of walls) await s.context.close().catch(() => undefined)
  await sessions.close()
})

/** A signed-in session of `username` at this viewport, showing the command screen. */
async function screenAt(username: string, viewport: { width: number; height: number }): Promise<Session> {
  const session = await openSession(sessions.browser!, baseUrl, viewport)
  walls.push(session)
  await login(session.page, username)
  await session.page.goto('/screen')
  await ready(session.page)
  return session
}

/** Waits until the summary is on the screen and the map has loaded its cases. */
async function ready(page: Page): Promise<void> {
  await page.getByTestId('screen').waitFor()
  await expect.poll(() => page.getByTestId('screen-kpi-reported').getAttribute('data-count')).toMatch(/^\d+$/)
  await expect.poll(() => page.getByTestId('screen-map-status').getAttribute('data-loaded')).toBe('true')
  await page.waitForFunction(() => {
    const map = window.__xiuhuaMap
    return !!map && map.loaded() && !map.isMoving()
  }, undefined, { timeout: 30_000, polling: 100 })
}

interface Box { id: string; x: number; y: number; width: number; height: number }

/** The panels' boxes, and what overflows: the page itself, a key figure's text, a panel's title. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<HTMLElement>('[data-testid^="screen-panel-"]')].map((el) => {
      const r = el.getBoundingClientRect()
      return { id: el.dataset.testid!, x: r.x, y: r.y, width: r.width, height: r.height }
    })
    // text cut at the side (a figure or title too long for its box); tall glyphs of CJK fonts may pass their line box, which is no harm
    const overflowing = [...document.querySelectorAll<HTMLElement>('.xh-screen-kpi-value, .xh-screen-kpi-label, .xh-screen-panel-title, .xh-screen-head h1')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent)
    const fontSize = parseFloat(getComputedStyle(document.querySelector('.xh-screen')!).fontSize)
    const figureHeight = document.querySelector<HTMLElement>('.xh-screen-kpi-value')!.getBoundingClientRect().height
    return {
      boxes, overflowing, fontSize, figureHeight,
      scroll: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight, innerWidth, innerHeight },
    }
  })
}

function assertLayout(result: Awaited<ReturnType<typeof layout>>, viewport: { width: number; height: number }, expected: string[]) {
  const { boxes } = result
  expect(boxes.map((b) => b.id).sort()).toEqual([...expected].sort())
  for (const b of boxes) {
    expect(b.width, b.id).toBeGreaterThan(0)
    expect(b.height, b.id).toBeGreaterThan(0)
    expect(b.x, b.id).toBeGreaterThanOrEqual(0)
    expect(b.y, b.id).toBeGreaterThanOrEqual(0)
    expect(b.x + b.width, b.id).toBeLessThanOrEqual(viewport.width + 0.5)
    expect(b.y + b.height, b.id).toBeLessThanOrEqual(viewport.height + 0.5)
  }
  const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y))
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!), `${boxes[i]!.id} × ${boxes[j]!.id}`).toBeLessThan(1)
  }
  expect(result.scroll.width).toBeLessThanOrEqual(result.scroll.innerWidth)
  expect(result.scroll.height).toBeLessThanOrEqual(result.scroll.innerHeight)
  expect(result.overflowing).toEqual([])
}

/**
 * The names in the rankings panel with the lines each is laid out on, and whether it is cut at the side. A name may
 * wrap to a second line; a third would be hidden (line-clamp). Lines are counted from the text's boxes, not from
 * scrollHeight, which tall CJK glyphs pass by a pixel or two.
 */
async function rankingNames(page: Page): Promise<Array<{ name: string; lines: number; cut: boolean }>> {
  return page.locator('[data-testid="screen-rankings"] .xh-screen-ranking-name').evaluateAll((nodes) => nodes.map((n) => {
    const range = document.createRange()
    range.selectNodeContents(n)
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
    return { name: n.textContent ?? '', lines, cut: n.scrollWidth > n.clientWidth + 1 || lines > 2 }
  }))
}

const PANELS = ['head', 'kpis', 'map', 'streets', 'trend', 'hotspots', 'overdue', 'latest', 'rankings', 'iot'].map((p) => `screen-panel-${p}`)
const SCREEN = { width: 1920, height: 1080 }
const WALL = { width: 7680, height: 2160 }

describe('command screen', () => {
  let screen: Session
  let fontOnScreen = 0
  let figureOnScreen = 0

  it('fills one 1920×1080 screen: every panel inside, none overlapping, no app chrome', async () => {
    screen = await screenAt('leader', SCREEN)
    await screenshot(screen.page, 'screen-1920x1080')
    const result = await layout(screen.page)
    assertLayout(result, SCREEN, PANELS)
    fontOnScreen = result.fontSize
    figureOnScreen = result.figureHeight
    expect(fontOnScreen).toBeGreaterThanOrEqual(14)
    expect(await screen.page.getByTestId('nav-menu').count()).toBe(0)
    // this month's ranking from the evaluation (综合考核): the streets and departments with their composite
    const rankings = screen.page.getByTestId('screen-rankings')
    await rankings.waitFor()
    expect(await rankings.textContent()).toContain('邾城街道')
  })

  it('shows a case reported through the API at once, without a reload', async () => {
    const page = screen.page
    await page.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true })
    const before = Number(await page.getByTestId('screen-kpi-reported').getAttribute('data-count'))
    const open = Number(await page.getByTestId('screen-kpi-open').getAttribute('data-count'))
    const supervisor = await sessions.page('supervisor')
    const point = await pointInSupervisorCell(supervisor)
    const reply = await supervisor.evaluate(async (body) => {
      const res = await fetch('/api/cases', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      return { status: res.status, body: await res.json() as { case: { id: string; ticket: string } } }
    }, { clientId: `e2e-screen-${Date.now()}`, source: 'supervisor', classKind: 'event', classCode: '0101', description: '大屏实时测试（e2e）', lng: point[0], lat: point[1] })
    expect(reply.status).toBe(200)
    const created = reply.body.case

    await expect.poll(() => page.getByTestId('screen-kpi-reported').getAttribute('data-count')).toBe(String(before + 1))
    expect(Number(await page.getByTestId('screen-kpi-open').getAttribute('data-count'))).toBe(open + 1)
    await expect.poll(() => page.locator('[data-testid="screen-latest-item"]').first().getAttribute('data-id')).toBe(created.id)
    expect(await page.locator('[data-testid="screen-latest-item"]').first().textContent()).toContain('暴露垃圾')
    // the map loaded the new case too
    await expect.poll(() => page.getByTestId('screen-map-status').getAttribute('data-count')).toBe(String(open + 1))
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
    await screenshot(screen.page, 'screen-1920x1080-live')
    expect(screen.errors).toEqual([])
  })

  it('the rankings panel shows every street and department name in full at 1920×1080 (a long one on two lines)', async () => {
    const fresh = await screenAt('leader', SCREEN)
    const rankings = fresh.page.getByTestId('screen-rankings')
    await rankings.waitFor()
    // the street of the case reported above is ranked now (a score, not 无数据); streets with nothing this month come after
    await expect.poll(() => rankings.getByTestId('screen-ranking-row').filter({ hasText: '邾城街道' }).first().textContent()).toMatch(/邾城街道\d+\.\d/)
    await fresh.page.getByTestId('screen-panel-rankings').screenshot({ path: path.join(SCREENSHOT_DIR, 'screen-1920x1080-rankings.png'), animations: 'disabled' })
    const names = await rankingNames(fresh.page)
    expect(names.map((n) => n.name)).toEqual(expect.arrayContaining(['公安新洲分局交通管理大队', '区自然资源和规划分局', '道观河风景旅游区', '阳逻经济开发区']))
    expect(names.filter((n) => n.cut)).toEqual([])
    // the longest department name takes the second line
    expect(names.find((n) => n.name === '公安新洲分局交通管理大队')?.lines).toBe(2)
    expect(await rankings.getByText('无数据').count()).toBeGreaterThan(0)
    expect(fresh.errors).toEqual([])
  })

  it('fills the 2×4 wall of 7680×2160 the same way, with larger figures', async () => {
    const wall = await screenAt('leader', WALL)
    await screenshot(wall.page, 'screen-7680x2160')
    const result = await layout(wall.page)
    assertLayout(result, WALL, PANELS)
    expect(result.fontSize).toBeGreaterThanOrEqual(fontOnScreen * 1.9)
    expect(result.figureHeight).toBeGreaterThanOrEqual(figureOnScreen * 1.9)
    // the map takes the middle, wider than any side panel
    const map = result.boxes.find((b) => b.id === 'screen-panel-map')!
    expect(result.boxes.every((b) => b.id === 'screen-panel-head' || b.id === 'screen-panel-map' || b.width < map.width)).toBe(true)
    // on the wall every name has room on one line
    expect((await rankingNames(wall.page)).filter((n) => n.lines !== 1 || n.cut)).toEqual([])
    expect(wall.errors).toEqual([])
  })

  it('a street’s staff get the screen of their street, without the IoT panel', async () => {
    const street = await screenAt('zhucheng', SCREEN)
    await screenshot(street.page, 'screen-1920x1080-street')
    assertLayout(await layout(street.page), SCREEN, PANELS.filter((p) => p !== 'screen-panel-iot'))
    const names = await street.page.locator('[data-testid="screen-streets"] .xh-screen-bar-name').allTextContents()
    expect(names.every((n) => n === '邾城街道')).toBe(true)
  })

  it('is refused to a role without analysis (the supervisor)', async () => {
    const page = await sessions.page('supervisor')
    await page.goto('/screen')
    await page.getByText('403').first().waitFor()
  })
})

describe('analysis page', () => {
  it('shows trends, hot spots (a problem reported three times in one cell) and the forecast with its backtest error', async () => {
    const supervisor = await sessions.page('supervisor')
    const point = await pointInSupervisorCell(supervisor)
    for (let i = 0; i < 3; i++) {
      const status = await supervisor.evaluate(async (body) => (await fetch('/api/cases', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status,
        { clientId: `e2e-hotspot-${Date.now()}-${i}`, source: 'supervisor', classKind: 'event', classCode: '0401', description: `反复出现的游商（e2e ${i + 1}）`, lng: point[0], lat: point[1] })
      expect(status).toBe(200)
    }
    const page = await sessions.page('leader')
    await page.getByTestId('nav-item-analysis').click()
    await page.waitForURL((url) => url.pathname === '/analysis')
    await expect.poll(() => page.getByTestId('analysis-trend-total').getAttribute('data-count')).toMatch(/^[1-9]\d*$/)
    await page.locator('[data-testid="analysis-trend-chart"] canvas').first().waitFor()
    await screenshot(page, 'analysis-trends')
    await page.getByRole('tab', { name: '热点' }).click()
    await page.getByTestId('analysis-hotspots').waitFor()
    // other browser tests share this server and make hot spots of their own: ours is among them
    await expect.poll(async () => (await page.getByTestId('analysis-hotspot-reason').allTextContents()).some((reason) => /无照经营游商：30 天内同一网格重复发生 \d+ 次（共 \d+ 件）/.test(reason))).toBe(true)
    await page.waitForFunction(() => !!window.__xiuhuaMap?.getSource('analysis-heat') && window.__xiuhuaMap.loaded(), undefined, { polling: 100 })
    await screenshot(page, 'analysis-hotspots')
    await page.getByRole('tab', { name: '预测' }).click()
    await expect.poll(() => page.getByTestId('analysis-trust').textContent()).toMatch(/回测|历史数据不足/)
    await page.locator('[data-testid="analysis-forecast-chart"] canvas').first().waitFor()
    await screenshot(page, 'analysis-forecast')
  })
})
