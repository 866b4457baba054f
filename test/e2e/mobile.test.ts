// A field supervisor on a phone (390×844): the menu is a drawer, the map fills the screen and a tap finds the cell.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { homeReady, launchBrowser, login, navItems, openSession, pageFetch, PHONE, screenshot, type Session } from './harness.js'
import { clickMapAt, mapState, waitForGrid, waitForMapIdle } from './map-helpers.js'

const baseUrl = inject('baseUrl')
let browser: Browser
let session: Session
let page: Page

beforeAll(async () => {
  browser = await launchBrowser()
  session = await openSession(browser, baseUrl, PHONE)
  page = session.page
})
afterAll(async () => {
  await session?.context.close()
  await browser?.close()
})

/** The centre of the bounding box of the first cell (by code) whose code starts with the prefix. */
async function cellCentre(page: Page, codePrefix: string): Promise<{ code: string; centre: [number, number] }> {
  const { body } = await pageFetch<{ features: Array<{ properties: { code: string }; geometry: { coordinates: number[][][][] } }> }>(
    page, '/api/grid/cells.geojson?bbox=114.5,30.6,115.1,31.2&limit=20000')
  const feature = body.features.filter((f) => f.properties.code.startsWith(codePrefix)).sort((a, b) => a.properties.code.localeCompare(b.properties.code))[0]
  if (!feature) throw new Error(`no cell ${codePrefix}…`)
  const ring = feature.geometry.coordinates[0]![0]!
  const lngs = ring.map((p) => p[0]!)
  const lats = ring.map((p) => p[1]!)
  return { code: feature.properties.code, centre: [(Math.min(...lngs) + Math.max(...lngs)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2] }
}

describe('phone', () => {
  it('signs in on a phone-sized login page', async () => {
    await page.goto('/login')
    await page.getByTestId('login-submit').waitFor()
    // The form fits: no horizontal scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    await screenshot(page, 'login-phone')
    await login(page, 'supervisor')
  })

  it('the menu is a drawer behind a hamburger button, with the supervisor’s items only', async () => {
    expect(await page.getByTestId('nav-menu').count()).toBe(0) // no side menu taking up the screen
    const toggle = page.getByTestId('nav-toggle')
    expect(await toggle.isVisible()).toBe(true)
    await homeReady(page)
    await screenshot(page, 'home-supervisor-phone')

    await toggle.tap()
    const drawer = page.getByRole('dialog').filter({ has: page.getByTestId('nav-menu') })
    await drawer.waitFor()
    expect(Object.keys(await navItems(page))).toEqual(['home', 'inbox', 'cases', 'map', 'grid', 'classes', 'caseSettings'])
    expect(await drawer.getByTestId('current-user-name').textContent()).toBe('刘监督员')
    await page.waitForTimeout(400) // the drawer's slide-in animation, for the screenshot
    await screenshot(page, 'nav-drawer-supervisor-phone')

    await page.getByTestId('nav-item-map').tap()
    await page.waitForURL((url) => url.pathname === '/map')
    await expect.poll(() => page.getByTestId('nav-menu').isVisible().catch(() => false)).toBe(false)
  })

  it('the map fills the screen, draws the supervisor’s cells, and a tap shows the cell with its people', async () => {
    const count = await waitForGrid(page)
    expect(count).toBeGreaterThan(0)
    const state = await mapState(page)
    expect(state.renderedFeatures).toBeGreaterThan(0)
    const box = await page.getByTestId('map').boundingBox()
    expect(box!.width).toBeGreaterThanOrEqual(PHONE.width - 1)
    expect(box!.height).toBeGreaterThan(PHONE.height * 0.8)
    await screenshot(page, 'map-grid-phone')

    // The supervisor patrols the cells of 邾城街第01社区; tap the first one.
    // Zoom in on it as a user would, leaving it in the upper half (the result sheet rises from the bottom), then tap it.
    const { code, centre } = await cellCentre(page, '420117001001')
    await page.evaluate((center) => {
      const map = window.__xiuhuaMap!
      map.jumpTo({ center, zoom: 13 })
      map.panBy([0, 180], { animate: false })
    }, centre)
    await waitForMapIdle(page)
    await clickMapAt(page, centre, 'tap')
    await expect.poll(() => page.getByTestId('lookup-panel').getAttribute('data-status')).toBe('inside')
    expect(await page.getByTestId('lookup-cell-code').textContent()).toBe(code)
    expect(await page.getByTestId('lookup-street').textContent()).toBe('邾城街道')
    const people = page.getByTestId('lookup-people')
    await people.waitFor()
    expect(await people.textContent()).toContain('刘监督员')
    // The result opens as a bottom sheet that leaves the upper map visible.
    const sheet = await page.getByRole('dialog').filter({ has: page.getByTestId('lookup-panel') }).boundingBox()
    expect(sheet!.y).toBeGreaterThan(PHONE.height * 0.3)
    await page.waitForTimeout(400)
    await screenshot(page, 'map-lookup-phone')
    expect(session.external).toEqual([])
    expect(session.errors).toEqual([])
  })
})
