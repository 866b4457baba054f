// The field supervisor's phone pages (390×844, geolocation granted and set inside their grid cell): a report with a
// camera photo answered by a ticket; a report made offline that waits in the outbox and goes up exactly once when the
// phone is online again; a report whose answer is lost on the way, retried into the same case; and a disposed case
// checked from the field tasks page with a photo — the card appearing live when the disposal is reported.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { AFTER_PHOTO, BEFORE_PHOTO, CHECK_PHOTO, png } from './fixtures.js'
import { fillReport, type FieldSession, openFieldSession, reportedCaseId } from './field-helpers.js'
import { pageFetch, PHONE, screenshot, SessionPool } from './harness.js'

const baseUrl = inject('baseUrl')
let browser: Browser
let field: FieldSession
let page: Page
const desk = new SessionPool(baseUrl)

beforeAll(async () => {
  browser = await desk.launch()
  field = await openFieldSession(browser, baseUrl)
  page = field.page
})
afterAll(async () => {
  await field?.context.close().catch(() => undefined)
  await desk.close()
})

const as = (username: string) => desk.page(username)

interface CaseReply { id: string; ticket: string; state: string; version: number; timeline: Array<{ action: string; photoIds: string[] }> }

async function send<T>(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(async ({ method, url, body }) => {
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: res.status, body: await res.json() }
  }, { method, url, body }) as Promise<{ status: number; body: T }>
}

/** One workflow step through the API over the case's current version. */
async function step(page: Page, caseId: string, action: Record<string, unknown>): Promise<CaseReply> {
  const current = await pageFetch<CaseReply>(page, `/api/cases/${caseId}`)
  const reply = await send<CaseReply>(page, 'POST', `/api/cases/${caseId}/actions`, { version: current.body.version, ...action })
  expect(reply.status, JSON.stringify(reply.body)).toBe(200)
  return reply.body
}

/** POST /api/files from the page: the stored photo's id. */
async function uploadFrom(page: Page, buffer: Buffer, name: string): Promise<string> {
  return page.evaluate(async ({ bytes, name }) => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name)
    const res = await fetch('/api/files', { method: 'POST', body: form })
    return ((await res.json()) as { id: string }).id
  }, { bytes: [...buffer], name })
}

/** The supervisor's cases with exactly this description (the list in their scope). */
async function casesDescribed(description: string): Promise<CaseReply[]> {
  const list = await pageFetch<{ items: Array<CaseReply & { description: string }> }>(page, '/api/cases?pageSize=500')
  expect(list.status).toBe(200)
  return list.body.items.filter((c) => c.description === description)
}

const outboxCount = () => page.getByTestId('field-outbox-count').getAttribute('data-count')

// ---------------------------------------------------------------------------------------------------------------

describe('report from the street', () => {
  it('the supervisor reports a problem with a camera photo from the menu and gets a ticket', async () => {
    await page.getByTestId('nav-toggle').tap()
    await page.getByTestId('nav-item-fieldReport').tap()
    await page.waitForURL((url) => url.pathname === '/field/report')
    await page.getByTestId('field-report-page').waitFor()
    expect(await page.locator('h1').textContent()).toBe('现场上报')
    // The class sheet: a search box over both kinds of class.
    await page.getByTestId('field-class').tap()
    await page.getByTestId('field-class-search').fill('垃圾')
    await page.getByTestId('field-class-option-event-0101').waitFor()
    await page.waitForTimeout(300) // the sheet's slide-in, for the screenshot
    await screenshot(page, 'field-class-picker-phone')
    await page.keyboard.press('Escape')
    await page.getByTestId('field-class-list').waitFor({ state: 'detached' })
    await fillReport(page, {
      classKind: 'event', classCode: '0101', description: '路边暴露垃圾（e2e 现场上报）', address: '邾城街道 e2e 现场',
      photos: [{ name: 'before.png', buffer: BEFORE_PHOTO }],
    }, field.point)
    expect(await page.getByTestId('field-place-street').textContent()).toContain('邾城街道')
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.waitForTimeout(400) // the map's first frame, for the screenshot
    await screenshot(page, 'field-report-filled-phone', { fullPage: true })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)

    // The report goes up with its photo in one request, held at the door a moment so the progress can be seen.
    let release = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    const sent: string[] = []
    await page.route('**/api/cases', async (route) => {
      sent.push(`${route.request().method()} ${route.request().headers()['content-type']?.split(';')[0]}`)
      await held
      await route.fallback()
    })
    try {
      await page.getByTestId('field-report-submit').tap()
      const progress = page.getByTestId('field-report-progress')
      await progress.waitFor()
      // the bytes may be out of the browser already (the request is held after it), then it says the report is being stored
      expect(await progress.textContent()).toMatch(/正在上传照片 1\/1|正在提交上报/)
      await screenshot(page, 'field-report-uploading-phone')
    } finally {
      release()
      await page.unroute('**/api/cases')
    }
    expect(sent).toEqual(['POST multipart/form-data'])
    const ticket = page.getByTestId('field-report-ticket')
    await ticket.waitFor()
    expect(await ticket.textContent()).toMatch(/^420117-\d{8}-\d{6}$/)
    await screenshot(page, 'field-report-sent-phone')

    // The server holds the report as sent: the supervisor's channel, the point, the before-photo.
    const caseId = await reportedCaseId(page)
    const detail = await pageFetch<CaseReply & { source: string; position: [number, number]; address: string }>(page, `/api/cases/${caseId}`)
    expect(detail.body).toMatchObject({ source: 'supervisor', address: '邾城街道 e2e 现场', ticket: await ticket.textContent() })
    expect(detail.body.position[0]).toBeCloseTo(field.point[0], 6)
    expect(detail.body.position[1]).toBeCloseTo(field.point[1], 6)
    expect(detail.body.timeline[0]!.photoIds).toHaveLength(1)
  })

  it('offline, the report waits in the outbox and goes up exactly once when the phone is online again', async () => {
    await page.getByTestId('field-report-again').tap()
    const description = `井盖缺失（e2e 离线 ${Date.now()}）`
    await page.getByTestId('field-class').waitFor()
    await field.context.setOffline(true)
    try {
      await fillReport(page, {
        classKind: 'component', classCode: '0101', description,
        photos: [{ name: 'offline-1.png', buffer: png(120, 90, (x, y) => [x * 2, 60, y * 2]) }, { name: 'offline-2.png', buffer: png(120, 90, (x, y) => [30, y * 2, x * 2]) }],
      }, field.point, false)
      await page.getByTestId('field-report-submit').tap()
      await page.getByTestId('field-report-queued').waitFor()
      await expect.poll(outboxCount).toBe('1')
      const item = page.getByTestId('field-outbox-item')
      expect(await item.getAttribute('data-state')).toBe('offline')
      expect(await item.textContent()).toContain(description)
      expect(await page.getByTestId('field-outbox-count').textContent()).toBe('待上传 1')
      await page.getByTestId('field-offline').waitFor()
      await screenshot(page, 'field-report-queued-offline-phone')
    } finally {
      await field.context.setOffline(false)
    }
    // Online again: it goes up by itself, and the outbox says which ticket it became.
    const sent = page.getByTestId('field-outbox-sent')
    await sent.waitFor()
    await expect.poll(outboxCount).toBe('0')
    await screenshot(page, 'field-report-uploaded-phone')
    const cases = await casesDescribed(description)
    expect(cases).toHaveLength(1)
    expect(await sent.getAttribute('data-ticket')).toBe(cases[0]!.ticket)
    expect(await page.getByTestId('field-report-ticket').textContent()).toBe(cases[0]!.ticket) // the saved report's page now shows its ticket
    const detail = await pageFetch<CaseReply>(page, `/api/cases/${cases[0]!.id}`)
    expect(detail.body.timeline[0]!.photoIds).toHaveLength(2)
  })

  it('a report whose answer is lost on the way is retried with the same client id: still one case', async () => {
    await page.getByTestId('field-report-again').tap()
    const description = `道路破损（e2e 重试 ${Date.now()}）`
    // The server takes the first POST /api/cases, but its answer never reaches the phone.
    let lost = 0
    await page.route('**/api/cases', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.fallback()
      lost++
      await route.fetch()
      await route.abort('connectionreset')
    })
    try {
      await fillReport(page, { classKind: 'event', classCode: '0101', description, photos: [{ name: 'retry.png', buffer: png(100, 80, (x) => [x * 2, x, 200]) }] }, field.point)
      await page.getByTestId('field-report-submit').tap()
      // queued, and (once the outbox's retry went up) shown with its ticket; a quick retry may skip the first view
      await page.locator('[data-testid="field-report-queued"], [data-testid="field-report-done"]').first().waitFor()
      // The retry (after the backoff) answers the case the first try made.
      await page.locator(`[data-testid="field-outbox-sent"]`, { hasText: /420117-/ }).first().waitFor()
      await expect.poll(outboxCount, { timeout: 30_000 }).toBe('0')
    } finally {
      await page.unroute('**/api/cases')
    }
    expect(lost).toBe(1)
    expect(await casesDescribed(description)).toHaveLength(1)
  })
})

describe('field tasks', () => {
  it('a disposed case appears live on the check tab and the supervisor checks it with a camera photo', async () => {
    // The case goes round through the API as the other roles: reported, filed, dispatched to 邾城街道, signed for.
    const supervisorDesk = await as('supervisor')
    const reported = await send<{ case: CaseReply }>(supervisorDesk, 'POST', '/api/cases', {
      clientId: `e2e-field-check-${Date.now()}`, source: 'supervisor', classKind: 'event', classCode: '0103',
      description: '道路不洁（e2e 现场核查）', address: '邾城街道 e2e 核查点', lng: field.point[0] + 0.0004, lat: field.point[1] + 0.0003,
    })
    expect(reported.status).toBe(200)
    const { id: caseId, ticket } = reported.body.case
    await step(await as('acceptor'), caseId, { type: 'file' })
    const dispatcher = await as('dispatcher')
    const units = await pageFetch<{ items: Array<{ id: string; name: string }> }>(dispatcher, `/api/org/units?q=${encodeURIComponent('邾城街道')}`)
    const zhucheng = units.body.items.find((u) => u.name === '邾城街道')
    expect(zhucheng).toBeDefined()
    await step(dispatcher, caseId, { type: 'dispatch', unitId: zhucheng!.id })
    const unit = await as('zhucheng')
    await step(unit, caseId, { type: 'sign_for' })

    // The supervisor opens the field tasks from the menu, on the check tab.
    await page.getByTestId('nav-toggle').tap()
    await page.getByTestId('nav-item-field').tap()
    await page.getByTestId('field-tasks-page').waitFor()
    await page.getByTestId('field-tab-check').tap()
    await page.getByTestId('field-tasks-check').waitFor()
    expect(await page.getByTestId(`field-task-${ticket}`).count()).toBe(0)

    // 邾城街道 reports the disposal with an after-photo: the card appears without a reload.
    await step(unit, caseId, { type: 'report_disposal', photoIds: [await uploadFrom(unit, AFTER_PHOTO, 'after.png')], comment: '已清扫' })
    const card = page.getByTestId(`field-task-${ticket}`)
    await card.waitFor()
    expect(await card.textContent()).toContain('道路不洁')
    expect(await card.textContent()).toContain('邾城街道 e2e 核查点')
    expect(await card.getByTestId('field-task-distance').textContent()).toMatch(/^\d+ 米$/)
    expect(await card.getAttribute('data-light')).toMatch(/^(green|yellow|red)$/)
    await screenshot(page, 'field-tasks-check-phone')

    await card.tap()
    await page.getByTestId('field-case-page').waitFor()
    expect(await page.getByTestId('case-state').getAttribute('data-state')).toBe('disposed')
    expect(await page.getByTestId('field-case-description').textContent()).toBe('道路不洁（e2e 现场核查）')
    await page.getByTestId('case-photos-after').locator('img').first().waitFor()
    await page.getByTestId('case-map').locator('canvas').waitFor()
    await page.waitForTimeout(400)
    await screenshot(page, 'field-case-disposed-phone') // as the phone shows it: the step buttons stay at the bottom
    await page.getByTestId('case-map').scrollIntoViewIfNeeded()
    await screenshot(page, 'field-case-disposed-map-phone')
    expect(await page.getByTestId('field-action-check_pass').isVisible()).toBe(true)
    expect(await page.getByTestId('field-action-check_fail').isVisible()).toBe(true)

    await page.getByTestId('field-action-check_pass').tap()
    const dialog = page.getByTestId('case-action-dialog')
    await dialog.waitFor()
    expect(await dialog.locator('input[type=file]').getAttribute('capture')).toBe('environment')
    await dialog.locator('input[type=file]').setInputFiles({ name: 'check.png', mimeType: 'image/png', buffer: CHECK_PHOTO })
    await expect.poll(() => dialog.locator('.ant-upload-list-item-done').count()).toBe(1)
    await screenshot(page, 'field-check-dialog-phone')
    await page.getByTestId('case-action-submit').tap()
    await expect.poll(() => page.getByTestId('case-state').getAttribute('data-state')).toBe('checked')
    await page.getByTestId('field-no-actions').waitFor()
    const after = await pageFetch<CaseReply>(page, `/api/cases/${caseId}`)
    expect(after.body.state).toBe('checked')
    expect(after.body.timeline.map((e) => e.action)).toEqual(['report', 'file', 'dispatch', 'sign_for', 'report_disposal', 'check_pass'])

    // Back on the list, the case has left the check tab.
    await page.getByRole('button', { name: /返回现场任务/ }).first().tap()
    await page.getByTestId('field-tasks-check').waitFor()
    await expect.poll(() => page.getByTestId(`field-task-${ticket}`).count()).toBe(0)
  })

  it('the acceptor enters a 12319 hotline call on the report page, without a photo', async () => {
    const acceptor = await openFieldSession(browser, baseUrl, 'acceptor')
    try {
      const p = acceptor.page
      await p.goto('/field/report')
      await p.getByTestId('field-report-page').waitFor()
      const sources = p.getByTestId('field-report-source')
      await sources.waitFor()
      expect(await sources.locator('.ant-radio-button-wrapper-checked').textContent()).toBe('12319 热线')
      await fillReport(p, { classKind: 'component', classCode: '0103', description: '市民来电：井盖缺失（e2e 热线）', photos: [] }, acceptor.point)
      await screenshot(p, 'field-report-hotline-acceptor-phone')
      await p.getByTestId('field-report-submit').tap()
      await p.getByTestId('field-report-ticket').waitFor()
      const detail = await pageFetch<{ source: string; timeline: Array<{ photoIds: string[] }> }>(p, `/api/cases/${await reportedCaseId(p)}`)
      expect(detail.body.source).toBe('hotline')
      expect(detail.body.timeline[0]!.photoIds).toEqual([])
    } finally {
      await acceptor.context.close()
    }
  })

  it('in English: the tasks and the report page', async () => {
    await page.evaluate(() => window.localStorage.setItem('xiuhua.lang', 'en'))
    try {
      await page.goto('/field?tab=check')
      await page.getByTestId('field-tasks-page').waitFor()
      expect(await page.locator('h1').textContent()).toBe('Field tasks')
      expect(await page.getByTestId('field-tab-verify').textContent()).toContain('To verify')
      await screenshot(page, 'field-tasks-en-phone')
      await page.getByTestId('field-report-link').tap()
      await page.getByTestId('field-report-page').waitFor()
      await expect.poll(() => page.getByTestId('field-place').getAttribute('data-status')).toBe('inside')
      expect(await page.locator('h1').textContent()).toBe('Report a problem')
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.waitForTimeout(400)
      await screenshot(page, 'field-report-en-phone', { fullPage: true })
    } finally {
      await page.evaluate(() => window.localStorage.setItem('xiuhua.lang', 'zh-CN'))
    }
    expect(field.errors).toEqual([])
  })
})
