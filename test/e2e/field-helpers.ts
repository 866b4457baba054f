// Helpers for the field supervisor's phone pages: a phone session standing in the supervisor's grid cell (geolocation
// granted and set), and filling in the report page the way a person does.
import type { Browser, Page } from 'playwright-core'
import { expect } from 'vitest'
import { pointInSupervisorCell } from './fixtures.js'
import { login, openSession, PHONE, type Session } from './harness.js'

export interface FieldSession extends Session {
  /** Where the phone is: a point inside one of the supervisor's cells. */
  point: [number, number]
}

/** A signed-in phone session whose device reports a position inside the supervisor's grid cell. */
export async function openFieldSession(browser: Browser, baseUrl: string, username = 'supervisor'): Promise<FieldSession> {
  const session = await openSession(browser, baseUrl, PHONE, { permissions: ['geolocation'] })
  await login(session.page, username)
  const point = await pointInSupervisorCell(session.page)
  await session.context.setGeolocation({ longitude: point[0], latitude: point[1], accuracy: 12 })
  return { ...session, point }
}

export interface FieldReport {
  classKind: 'component' | 'event'
  classCode: string
  description: string
  address?: string
  photos: Array<{ name: string; buffer: Buffer }>
}

/**
 * Fills in the open report page: the class through its search, the photos through the camera input, waits for the
 * pin at the device's position (and, online, for the grid cell found there), then the texts. Does not submit.
 */
export async function fillReport(page: Page, report: FieldReport, point: [number, number], online = true): Promise<void> {
  await page.getByTestId('field-report-page').waitFor()
  await page.getByTestId('field-class').tap()
  await page.getByTestId('field-class-search').fill(report.classCode)
  await page.getByTestId(`field-class-option-${report.classKind}-${report.classCode}`).tap()
  await expect.poll(() => page.getByTestId('field-class').getAttribute('data-value')).toBe(`${report.classKind}:${report.classCode}`)

  await page.getByTestId('field-photo-input').setInputFiles(report.photos.map((p) => ({ name: p.name, mimeType: 'image/png', buffer: p.buffer })))
  await expect.poll(() => page.getByTestId('field-photo').count()).toBe(report.photos.length)

  await expect.poll(() => page.getByTestId('field-coordinates').textContent()).toContain(`${point[0].toFixed(6)}, ${point[1].toFixed(6)}`)
  if (online) await expect.poll(() => page.getByTestId('field-place').getAttribute('data-status')).toBe('inside')
  if (report.address) await page.getByTestId('field-address').fill(report.address)
  await page.getByTestId('field-description').fill(report.description)
}

/** The id of the case the report page just answered with (its "view" link). */
export async function reportedCaseId(page: Page): Promise<string> {
  const href = await page.getByTestId('field-report-view').getAttribute('href')
  const id = href?.split('/').pop()
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  return id!
}
