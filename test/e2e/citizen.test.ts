// The citizen service in the browser, on a phone without signing in: report a problem with a photo and a pin tapped on
// the map, get a ticket; staff take the case through the loop by the API and publish a reply; the citizen follows it
// from "my reports", sees the reply and the resolved stage, and is unsatisfied; the acceptor finds the case under
// 不满意复核 in the inbox, and the shift leader keeps it closed from the case page. Screenshots of every citizen page at phone size.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { AFTER_PHOTO, BEFORE_PHOTO, CHECK_PHOTO, pointInSupervisorCell } from './fixtures.js'
import { openSession, PHONE, screenshot, SessionPool, type Session, tablesLoaded } from './harness.js'
import { clickMapAt } from './map-helpers.js'

const baseUrl = inject('baseUrl')
let browser: Browser
const sessions = new SessionPool(baseUrl)
let citizen: Session

beforeAll(async () => {
  browser = await sessions.launch()
})
afterAll(async () => {
  await citizen?.context.close().catch(() => undefined)
  await sessions.close()
})

interface Answer<T> { status: number; body: T }

/** A JSON call from a signed-in staff page (its session cookie). */
async function call<T = unknown>(page: Page, method: string, url: string, body?: unknown): Promise<Answer<T>> {
  return page.evaluate(async ({ method, url, body }) => {
    const res = await fetch(url, {
      method, headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }, { method, url, body }) as Promise<Answer<T>>
}

/** Uploads a photo from a staff page; answers its id. */
async function upload(page: Page, png: Buffer): Promise<string> {
  const answer = await page.evaluate(async (bytes) => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'photo.png')
    const res = await fetch('/api/files', { method: 'POST', body: form })
    return { status: res.status, body: await res.json() as { id: string } }
  }, [...png])
  expect(answer.status).toBe(200)
  return answer.body.id
}

interface Detail { id: string; version: number; state: string; suggestedUnitId: string | null; hasPendingReview: boolean; timeline: Array<{ photoIds: string[] }> }

/** One workflow step over the case's current version; expects it to succeed. */
async function act(page: Page, caseId: string, type: string, data: Record<string, unknown> = {}): Promise<Detail> {
  const { body: now } = await call<Detail>(page, 'GET', `/api/cases/${caseId}`)
  const answer = await call<Detail>(page, 'POST', `/api/cases/${caseId}/actions`, { version: now.version, type, ...data })
  expect(answer.status, `${type}: ${JSON.stringify(answer.body)}`).toBe(200)
  return answer.body
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  // a full-page shot of a scrolled page draws the sticky header where the view was: start from the top
  await page.evaluate(async (full) => {
    await document.fonts.ready
    if (full) window.scrollTo(0, 0)
  }, fullPage)
  await screenshot(page, name, { fullPage })
}

describe('a citizen reports, follows and rates; the centre reviews', () => {
  let point: [number, number]
  let ticket = ''
  let caseId = ''

  it('the citizen pages open without signing in', async () => {
    const staff = await sessions.page('supervisor')
    point = await pointInSupervisorCell(staff)
    // the phone stands a little away from the problem: the citizen moves the pin with a tap
    citizen = await openSession(browser, baseUrl, PHONE, {
      permissions: ['geolocation'], geolocation: { longitude: point[0] + 0.0015, latitude: point[1] + 0.001, accuracy: 15 },
    })
    const { page } = citizen
    await page.goto('/citizen')
    await page.getByTestId('citizen-home').waitFor()
    expect(new URL(page.url()).pathname).toBe('/citizen')
    expect(await page.getByTestId('login-username').count()).toBe(0)
    expect(await page.getByTestId('citizen-report-link').textContent()).toContain('我要反映问题')
    await shot(page, 'citizen-home-phone')
  })

  it('reports a problem with a photo and a pin tapped on the map, and gets a ticket', async () => {
    const { page } = citizen
    const catalogue = await call<{ types: Array<{ serviceCode: string; name: { 'zh-CN': string }; attributes: Array<{ required: boolean }> }>; maxPhotos: number }>(page, 'GET', '/api/public/catalogue')
    expect(catalogue.body.maxPhotos).toBe(3)
    const type = catalogue.body.types.find((t) => t.serviceCode === 'event-0101') ?? catalogue.body.types.find((t) => t.attributes.every((a) => !a.required))!

    await page.getByTestId('citizen-report-link').tap()
    await page.getByTestId('citizen-report-page').waitFor()
    await page.getByTestId('citizen-type').tap()
    await page.getByTestId('citizen-type-search').fill(type.name['zh-CN'])
    await shot(page, 'citizen-type-picker-phone', false)
    await page.getByTestId(`citizen-type-option-${type.serviceCode}`).tap()
    await expect.poll(() => page.getByTestId('citizen-type').getAttribute('data-value')).toBe(type.serviceCode)

    await page.getByTestId('field-photo-input').setInputFiles([{ name: 'problem.png', mimeType: 'image/png', buffer: BEFORE_PHOTO }])
    await expect.poll(() => page.getByTestId('field-photo').count()).toBe(1)

    // the phone's position first, then a tap where the problem is
    await expect.poll(() => page.getByTestId('citizen-coordinates').getAttribute('data-manual')).toBe('false')
    await page.getByTestId('citizen-position').scrollIntoViewIfNeeded()
    await page.waitForFunction(() => !!window.__xiuhuaMap && window.__xiuhuaMap.loaded() && !window.__xiuhuaMap.isMoving())
    await clickMapAt(page, point, 'tap')
    await expect.poll(() => page.getByTestId('citizen-coordinates').getAttribute('data-manual')).toBe('true')

    await page.getByTestId('citizen-address').fill('邾城街道 e2e 市民反映点')
    await page.getByTestId('citizen-description').fill('路边垃圾堆了好几天（e2e 市民）')
    await page.getByTestId('citizen-phone').fill('13800138000')
    await shot(page, 'citizen-report-form-phone')
    await page.getByTestId('citizen-report-submit').tap()

    const shown = page.getByTestId('citizen-report-ticket')
    await shown.waitFor()
    ticket = (await shown.textContent())?.trim() ?? ''
    expect(ticket).toMatch(/^420117-\d{8}-\d{6}$/)
    await shot(page, 'citizen-report-done-phone')
  })

  it('staff take the case through the loop by the API and publish a reply', async () => {
    const acceptor = await sessions.page('acceptor')
    const list = await call<{ items: Array<{ id: string; ticket: string; source: string }> }>(acceptor, 'GET', '/api/cases?source=citizen&pageSize=50')
    caseId = list.body.items.find((c) => c.ticket === ticket)!.id
    expect(caseId).toBeTruthy()
    // staff see who reported it; the public never does
    const reporter = await call<{ report: { phone: string | null; channel: string } }>(acceptor, 'GET', `/api/cases/${caseId}/citizen`)
    expect(reporter.body.report).toMatchObject({ phone: '13800138000', channel: 'web' })

    const filed = await act(acceptor, caseId, 'file')
    const dispatcher = await sessions.page('dispatcher')
    const unitId = filed.suggestedUnitId ?? (await call<{ items: Array<{ id: string }> }>(dispatcher, 'GET', `/api/org/units?q=${encodeURIComponent('邾城街道')}`)).body.items[0]!.id
    await act(dispatcher, caseId, 'dispatch', { unitId })
    const admin = await sessions.page('admin')
    const people = await call<{ items: Array<{ username: string; roles: string[] }> }>(admin, 'GET', `/api/users?unitId=${unitId}&pageSize=100`)
    const disposer = people.body.items.find((u) => u.roles.includes('disposal') || u.roles.includes('officer'))!.username
    const unit = await sessions.page(disposer)
    await act(unit, caseId, 'sign_for')
    await act(unit, caseId, 'report_disposal', { photoIds: [await upload(unit, AFTER_PHOTO)], comment: '已清理' })
    const supervisor = await sessions.page('supervisor')
    await act(supervisor, caseId, 'check_pass', { photoIds: [await upload(supervisor, CHECK_PHOTO)] })
    const closed = await act(acceptor, caseId, 'close')
    expect(closed.state).toBe('closed')

    const afterPhoto = closed.timeline.flatMap((e) => e.photoIds).at(-2)!
    const published = await call(acceptor, 'PUT', `/api/cases/${caseId}/publication`, { descriptionPublic: true, photoIds: [afterPhoto], reply: '您反映的垃圾已清理完毕，感谢您的监督。' })
    expect(published.status).toBe(200)
  })

  it('the citizen sees the reply and the resolved stage from "my reports", and is unsatisfied', async () => {
    const { page } = citizen
    await page.goto('/citizen')
    const mine = page.getByTestId(`citizen-my-${ticket}`)
    await mine.waitFor()
    await expect.poll(() => mine.getByTestId('citizen-stage-tag').getAttribute('data-stage')).toBe('closed')
    await shot(page, 'citizen-home-mine-phone')
    await mine.tap()
    await page.getByTestId('citizen-follow-page').waitFor()
    await expect.poll(() => page.getByTestId('citizen-steps').getAttribute('data-stage')).toBe('closed')
    expect(await page.getByTestId('citizen-follow-reply').textContent()).toContain('您反映的垃圾已清理完毕')
    expect(await page.getByTestId('citizen-follow-description').textContent()).toContain('路边垃圾')
    await expect.poll(() => page.getByTestId('citizen-follow-photos').locator('img').count()).toBe(1)
    expect(await page.content()).not.toContain('13800138000')
    await page.getByTestId('citizen-rate').waitFor()
    await shot(page, 'citizen-follow-closed-phone')

    await page.getByTestId('citizen-rate-unsatisfied').tap()
    await page.getByTestId('citizen-rate-comment').fill('垃圾只清了一半，旁边还有')
    await page.getByTestId('citizen-rate-submit').tap()
    const rated = page.getByTestId('citizen-rated')
    await rated.waitFor()
    expect(await rated.getAttribute('data-rating')).toBe('unsatisfied')
    expect(await rated.textContent()).toContain('垃圾只清了一半')
    await shot(page, 'citizen-follow-rated-phone')

    // the same page in English
    await page.getByTestId('lang-switch').tap()
    await expect.poll(() => page.getByTestId('citizen-rated').textContent()).toContain('Unsatisfied')
    await shot(page, 'citizen-follow-rated-phone-en')
    await page.getByTestId('lang-switch').tap()
    await expect.poll(() => page.getByTestId('citizen-rated').textContent()).toContain('不满意')
  })

  it('anyone follows it by ticket (no rating there) and finds it on the public map', async () => {
    const { page } = citizen
    await page.goto('/citizen')
    await page.getByTestId('citizen-ticket-input').fill(ticket)
    await page.getByTestId('citizen-ticket-go').tap()
    await page.getByTestId('citizen-follow-page').waitFor()
    await expect.poll(() => page.getByTestId('citizen-steps').getAttribute('data-stage')).toBe('closed')
    expect(await page.getByTestId('citizen-rate').count()).toBe(0)
    await shot(page, 'citizen-follow-ticket-phone')

    await page.goto('/citizen/map')
    await page.getByTestId('citizen-map-page').waitFor()
    await expect.poll(async () => Number(await page.getByTestId('citizen-map-page').getAttribute('data-count'))).toBeGreaterThan(0)
    await page.evaluate((p) => window.__xiuhuaMap!.jumpTo({ center: p, zoom: 17 }), point)
    await page.waitForFunction(() => !!window.__xiuhuaMap && window.__xiuhuaMap.loaded() && !window.__xiuhuaMap.isMoving())
    await page.waitForFunction(() => window.__xiuhuaMap!.queryRenderedFeatures({ layers: ['public-report-points'] }).length > 0)
    await clickMapAt(page, point, 'tap')
    const popup = page.getByTestId('citizen-map-popup')
    await popup.waitFor()
    expect(await popup.textContent()).toContain('已办结')
    await shot(page, 'citizen-map-phone', false)
    expect(citizen.errors).toEqual([])
    expect(citizen.external).toEqual([])
  })

  it('the acceptor finds it under 不满意复核 with the rating, the reporter and the publication on the case page', async () => {
    const page = await sessions.page('acceptor')
    await page.goto('/inbox')
    await page.getByTestId('inbox-tab-review').click()
    await tablesLoaded(page)
    const row = page.getByTestId(`inbox-row-${ticket}`)
    await row.waitFor()
    expect(await page.getByTestId('inbox-tab-review').textContent()).toContain('不满意复核')
    await screenshot(page, 'citizen-review-inbox-acceptor-desktop')
    await row.click()
    await page.getByTestId('case-detail-page').waitFor()
    expect(await page.getByTestId('case-pending-review').textContent()).toContain('垃圾只清了一半')
    expect(await page.getByTestId('case-citizen-phone').textContent()).toBe('13800138000')
    await expect.poll(() => page.getByTestId('case-citizen-rating').getAttribute('data-rating')).toBe('unsatisfied')
    await page.getByTestId('case-publication').waitFor()
    await screenshot(page, 'citizen-case-detail-acceptor-desktop', { fullPage: true })
    expect(sessions.get('acceptor')!.errors).toEqual([])
  })

  it('the shift leader keeps it closed from the case page (维持结案)', async () => {
    // keep_closed is a decision of the centre's approval roles (workflow-table.ts: shift leader, admin)
    const page = await sessions.page('shiftleader')
    await page.goto('/inbox?tab=review')
    const row = page.getByTestId(`inbox-row-${ticket}`)
    await row.waitFor()
    await row.click()
    await page.getByTestId('case-detail-page').waitFor()
    await page.getByTestId('case-pending-review').waitFor()
    await page.getByTestId('case-action-keep_closed').click()
    const dialog = page.getByTestId('case-action-dialog')
    await dialog.waitFor()
    await dialog.getByTestId('case-field-reason').fill('现场复核已清理干净')
    await page.getByTestId('case-action-submit').click()
    await dialog.waitFor({ state: 'hidden' })
    await expect.poll(() => page.getByTestId('case-pending-review').count()).toBe(0)
    expect(await page.getByTestId('case-state').getAttribute('data-state')).toBe('closed')
    const after = await call<Detail>(page, 'GET', `/api/cases/${caseId}`)
    expect(after.body.hasPendingReview).toBe(false)
    expect(sessions.get('shiftleader')!.errors).toEqual([])
  })
})
