// The map page on a desktop: the grid draws offline, a click finds the cell the API says is there, outside is outside.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchBrowser, login, openSession, pageFetch, screenshot, type Session } from './harness.js'
import { clickMapAt, jumpTo, mapState, waitForGrid } from './map-helpers.js'

const baseUrl = inject('baseUrl')
let browser: Browser
let session: Session
let page: Page

interface Lookup {
  cell: { code: string } | null
  street: { name: string } | null
  community: { name: string } | null
}

beforeAll(async () => {
  browser = await launchBrowser()
  session = await openSession(browser, baseUrl)
  page = session.page
  await login(page, 'admin')
})
afterAll(async () => {
  await session?.context.close()
  await browser?.close()
})

describe('map page', () => {
  it('draws the district grid with no network and the default base map', async () => {
    const config = await pageFetch<{ baseMap: string }>(page, '/api/config')
    expect(config.body.baseMap).toBe('none')

    await page.getByTestId('nav-item-map').click()
    await page.waitForURL((url) => url.pathname === '/map')
    const count = await waitForGrid(page)
    expect(count).toBeGreaterThan(1000) // the whole district (~5,000 cells) is in the first view
    expect(await page.getByTestId('map-canvas-ready').textContent()).toBe(`视野内网格 ${count} 个`)

    const state = await mapState(page)
    expect(state.sourceFeatures).toBeGreaterThan(0)
    expect(state.renderedFeatures).toBeGreaterThan(0)
    // The 'none' base map is a plain background: no tile source that would need the internet.
    expect(Object.values(state.sources).filter((type) => type !== 'geojson')).toEqual([])
    expect(session.external).toEqual([])
    await screenshot(page, 'map-grid-desktop')
  })

  it('a click inside the district shows the cell the API finds there, in 邾城街道', async () => {
    const point: [number, number] = [114.8, 30.84]
    const expected = await pageFetch<Lookup>(page, `/api/grid/lookup?lng=${point[0]}&lat=${point[1]}`)
    expect(expected.status).toBe(200)
    expect(expected.body.cell).not.toBeNull()
    expect(expected.body.street?.name).toBe('邾城街道')

    await clickMapAt(page, point)
    const panel = page.getByTestId('lookup-panel')
    await expect.poll(() => panel.getAttribute('data-status')).toBe('inside')
    expect(await page.getByTestId('lookup-cell-code').textContent()).toBe(expected.body.cell!.code)
    expect(await page.getByTestId('lookup-street').textContent()).toBe('邾城街道')
    expect(await page.getByTestId('lookup-community').textContent()).toBe(expected.body.community!.name)
    await screenshot(page, 'map-lookup-inside-desktop')
  })

  it('zooming in loads just the cells in view, and a click there still resolves', async () => {
    const point: [number, number] = [114.775, 30.885]
    const before = Number(await page.getByTestId('map-canvas-ready').getAttribute('data-count'))
    await jumpTo(page, point, 14)
    await expect.poll(async () => Number(await page.getByTestId('map-canvas-ready').getAttribute('data-count'))).toBeLessThan(before)
    expect((await mapState(page)).renderedFeatures).toBeGreaterThan(0)
    const expected = await pageFetch<Lookup>(page, `/api/grid/lookup?lng=${point[0]}&lat=${point[1]}`)
    await clickMapAt(page, point)
    await expect.poll(() => page.getByTestId('lookup-cell-code').textContent()).toBe(expected.body.cell!.code)
    await screenshot(page, 'map-zoomed-lookup-desktop')
  })

  it('a click outside the district says the point is outside every grid cell', async () => {
    const outside: [number, number] = [114.3, 30.4]
    const expected = await pageFetch<Lookup>(page, `/api/grid/lookup?lng=${outside[0]}&lat=${outside[1]}`)
    expect(expected.body.cell).toBeNull()

    await jumpTo(page, [114.6, 30.7], 8)
    await clickMapAt(page, outside)
    const panel = page.getByTestId('lookup-panel')
    await expect.poll(() => panel.getAttribute('data-status')).toBe('outside')
    expect(await page.getByTestId('lookup-outside').textContent()).toBe('不在任何网格内')
    expect(await page.getByTestId('lookup-cell-code').count()).toBe(0)
    expect(await page.getByTestId('lookup-street').count()).toBe(0)
    await screenshot(page, 'map-lookup-outside-desktop')
    expect(session.external).toEqual([])
    expect(session.errors).toEqual([])
  })
})
