// Map helpers for browser tests: wait for the grid, read the MapLibre state, click (or tap) a geographic point.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

export const GRID_SOURCE = 'grid-cells'
export const GRID_FILL = 'grid-cells-fill'

/** Waits for the grid layer's first data, then for MapLibre to have drawn it; returns the cell count the page shows. */
export async function waitForGrid(page: Page): Promise<number> {
  const ready = page.getByTestId('map-canvas-ready')
  await ready.waitFor({ timeout: 30_000 })
  await waitForMapIdle(page)
  return Number(await ready.getAttribute('data-count'))
}

/** Until the map is not moving, its style and sources are loaded, and the grid source has features in loaded tiles. */
export async function waitForMapIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    (source) => {
      const map = window.__xiuhuaMap
      return !!map && map.loaded() && !map.isMoving() && !!map.getSource(source) && map.querySourceFeatures(source).length > 0
    },
    GRID_SOURCE,
    { timeout: 30_000, polling: 100 },
  )
}

/** What MapLibre holds and draws: the grid source's features, rendered fill features, and the style's sources. */
export async function mapState(page: Page): Promise<{ sourceFeatures: number; renderedFeatures: number; sources: Record<string, string>; zoom: number }> {
  return page.evaluate(({ source, fill }) => {
    const map = window.__xiuhuaMap!
    const sources = Object.fromEntries(Object.entries(map.getStyle().sources).map(([id, s]) => [id, s.type]))
    return {
      sourceFeatures: map.querySourceFeatures(source).length,
      renderedFeatures: map.queryRenderedFeatures({ layers: [fill] }).length,
      sources,
      zoom: map.getZoom(),
    }
  }, { source: GRID_SOURCE, fill: GRID_FILL })
}

/** Moves the camera and waits until the map has settled and the grid for the new view has been drawn. */
export async function jumpTo(page: Page, center: [number, number], zoom: number): Promise<void> {
  await page.evaluate(({ center, zoom }) => window.__xiuhuaMap!.jumpTo({ center, zoom }), { center, zoom })
  await waitForMapIdle(page)
}

/** The viewport pixel of a [lng, lat], checked to be on the visible canvas. */
export async function pixelOf(page: Page, lngLat: [number, number]): Promise<{ x: number; y: number }> {
  const at = await page.evaluate((lngLat) => {
    const map = window.__xiuhuaMap!
    const p = map.project(lngLat)
    const rect = map.getCanvas().getBoundingClientRect()
    return { x: rect.left + p.x, y: rect.top + p.y, inside: p.x > 0 && p.y > 0 && p.x < rect.width && p.y < rect.height }
  }, lngLat)
  expect(at.inside, `point ${lngLat.join(',')} is on the visible map`).toBe(true)
  return { x: at.x, y: at.y }
}

/** Clicks (desktop) or taps (phone) the map at a geographic point, as a user would. */
export async function clickMapAt(page: Page, lngLat: [number, number], how: 'click' | 'tap' = 'click'): Promise<void> {
  const { x, y } = await pixelOf(page, lngLat)
  if (how === 'tap') await page.touchscreen.tap(x, y)
  else await page.mouse.click(x, y)
}
