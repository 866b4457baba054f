// One case through every role in the browser: a supervisor reports it with a photo on the phone's report page, the acceptor files it from
// the inbox, the dispatcher dispatches it to 邾城街道 with the unit picker, 邾城's staff sign for it and report the
// disposal with an after-photo, the supervisor checks it with a photo, the acceptor closes it; the timeline shows every
// step. Then the case list (filters, CSV export), a conflict (409) between two acceptors, and the phone layout.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { CASE_SOURCES, OPEN_STATES, REJECT_REASONS, STATES, WORKFLOW } from '../../src/server/modules/cases/workflow-table.js'
import en from '../../src/web/app/locales/en.json'
import zh from '../../src/web/app/locales/zh-CN.json'
import * as web from '../../src/web/pages/cases/workflow.js'
import { AFTER_PHOTO, BEFORE_PHOTO, CHECK_PHOTO, pointInSupervisorCell } from './fixtures.js'
import { fillReport, openFieldSession, reportedCaseId } from './field-helpers.js'
import { login, openSession, PHONE, screenshot, SessionPool, tablesLoaded } from './harness.js'

const baseUrl = inject('baseUrl')
let browser: Browser
const sessions = new SessionPool(baseUrl)

beforeAll(async () => {
  browser = await sessions.launch()
})
afterAll(() => sessions.close())

const as = (username: string) => sessions.page(username)

/** POST /api/cases from the page (the page's session cookie). */
async function report(page: Page, body: Record<string, unknown>): Promise<{ status: number; body: { case: { id: string; ticket: string; state: string } } }> {
  return page.evaluate(async (b) => {
    const res = await fetch('/api/cases', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(b) })
    return { status: res.status, body: await res.json() }
  }, body)
}

/** POST /api/cases/:id/actions from the page; answers the status. */
async function actFromPage(page: Page, caseId: string, body: Record<string, unknown>): Promise<number> {
  return page.evaluate(async ({ id, b }) => (await fetch(`/api/cases/${id}/actions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b),
  })).status, { id: caseId, b: body })
}

/** Opens the inbox through the menu, picks a tab, and opens the case's row. */
async function openFromInbox(page: Page, tab: string, ticket: string): Promise<void> {
  await page.getByTestId('nav-item-inbox').click()
  await page.getByTestId('inbox-page').waitFor()
  await page.getByTestId(`inbox-tab-${tab}`).click()
  await tablesLoaded(page)
  const row = page.getByTestId(`inbox-row-${ticket}`)
  await row.waitFor()
  await row.click()
  await page.getByTestId('case-detail-page').waitFor()
  await expect.poll(() => page.getByTestId('case-ticket').textContent()).toBe(ticket)
}

/** Clicks an action button, fills nothing else, submits, and waits for the new state. */
async function act(page: Page, action: string, state: string, fill?: () => Promise<void>): Promise<void> {
  await page.getByTestId(`case-action-${action}`).click()
  const dialog = page.getByTestId('case-action-dialog')
  await dialog.waitFor()
  expect(await dialog.getAttribute('data-action')).toBe(action)
  await fill?.()
  await page.getByTestId('case-action-submit').click()
  await expect.poll(() => page.getByTestId('case-state').getAttribute('data-state')).toBe(state)
  await dialog.waitFor({ state: 'hidden' })
}

async function uploadPhoto(page: Page, name: string, buffer: Buffer): Promise<void> {
  const dialog = page.getByTestId('case-action-dialog')
  await dialog.locator('input[type=file]').setInputFiles({ name, mimeType: 'image/png', buffer })
  await expect.poll(() => dialog.locator('.ant-upload-list-item-done').count(), { timeout: 20_000 }).toBe(1)
}

const timelineActions = (page: Page) =>
  page.getByTestId('case-timeline').locator('[data-testid^="timeline-entry-"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-action')))

// ---------------------------------------------------------------------------------------------------------------

describe('the web copy of the workflow', () => {
  it('matches the server table: states, needs, names in both languages, reject reasons, sources', () => {
    expect([...web.STATE_ORDER].sort()).toEqual(Object.keys(STATES).sort())
    expect([...web.OPEN_STATES]).toEqual([...OPEN_STATES])
    expect([...web.CASE_SOURCES]).toEqual([...CASE_SOURCES])
    expect([...web.REJECT_REASONS].sort()).toEqual(Object.keys(REJECT_REASONS).sort())
    expect(Object.keys(web.ACTION_NEEDS).sort()).toEqual(Object.keys(WORKFLOW).sort())
    for (const [action, rule] of Object.entries(WORKFLOW)) {
      expect([...web.ACTION_NEEDS[action as keyof typeof WORKFLOW]], action).toEqual(rule.needs.filter((n) => n !== 'unitPath'))
      expect(zh.caseAction[action as keyof typeof zh.caseAction], action).toBe(rule.name['zh-CN'])
      expect(en.caseAction[action as keyof typeof en.caseAction], action).toBe(rule.name.en)
    }
    for (const [state, names] of Object.entries(STATES)) {
      expect(zh.caseState[state as keyof typeof zh.caseState], state).toBe(names['zh-CN'])
      expect(en.caseState[state as keyof typeof en.caseState], state).toBe(names.en)
    }
    for (const [reason, names] of Object.entries(REJECT_REASONS)) {
      expect(zh.rejectReason[reason as keyof typeof zh.rejectReason]).toBe(names['zh-CN'])
      expect(en.rejectReason[reason as keyof typeof en.rejectReason]).toBe(names.en)
    }
  })

  it('the two locale files have the same keys (English plural forms aside)', () => {
    const keys = (o: object, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]))
    // an English plural (count_one, count_other) stands for the one Chinese key (count)
    expect([...new Set(keys(en).map((k) => k.replace(/_(zero|one|two|few|many|other)$/, '')))].sort()).toEqual(keys(zh).sort())
  })
})

describe('one case through every role', () => {
  let caseId = ''
  let ticket = ''

  it('the supervisor reports a problem in their cell with a photo on the phone', async () => {
    const phone = await openFieldSession(browser, baseUrl)
    sessions.set('supervisor-phone', phone)
    const { page } = phone
    await page.goto('/field/report')
    await fillReport(page, {
      classKind: 'event', classCode: '0101', description: '人行道上有暴露垃圾（e2e）', address: '邾城街道 e2e 测试点',
      photos: [{ name: 'before.png', buffer: BEFORE_PHOTO }],
    }, phone.point)
    await page.getByTestId('field-report-submit').tap()
    await page.getByTestId('field-report-ticket').waitFor()
    ticket = (await page.getByTestId('field-report-ticket').textContent()) ?? ''
    expect(ticket).toMatch(/^420117-\d{8}-\d{6}$/)
    caseId = await reportedCaseId(page)
  })

  it('the acceptor sees it in the inbox with its light and files it from the detail page', async () => {
    const page = await as('acceptor')
    const nav = page.getByTestId('nav-item-inbox')
    expect(await nav.textContent()).toBe('待办')
    expect(await page.getByTestId('nav-item-cases').textContent()).toBe('案卷')
    await nav.click()
    await page.getByTestId('inbox-tab-accept').waitFor()
    expect(Number(await page.getByTestId('inbox-count-accept').getAttribute('data-count'))).toBeGreaterThanOrEqual(1)
    await tablesLoaded(page)
    const row = page.getByTestId(`inbox-row-${ticket}`)
    await row.waitFor()
    // A report waits for the filing decision without a time limit of its own yet: no light.
    expect(await row.getByTestId('case-light').getAttribute('data-light')).toMatch(/^(green|yellow|red|none)$/)
    expect(await row.textContent()).toContain('暴露垃圾')
    expect(await row.textContent()).toContain('邾城街道')
    await screenshot(page, 'cases-inbox-acceptor-desktop')

    await row.click()
    await page.getByTestId('case-detail-page').waitFor()
    expect(page.url()).toContain(`/cases/${caseId}`)
    expect(await page.getByTestId('case-ticket').textContent()).toBe(ticket)
    expect(await page.getByTestId('case-state').textContent()).toBe('待受理')
    expect(await page.getByTestId('case-action-file').isVisible()).toBe(true)
    expect(await page.getByTestId('case-action-reject').isVisible()).toBe(true)
    await page.getByTestId('case-map').locator('canvas').waitFor()
    await screenshot(page, 'case-detail-reported-acceptor-desktop')
    await act(page, 'file', 'filed')
    expect(await page.getByTestId('case-state').textContent()).toBe('待派遣')
    expect(await page.getByTestId('case-action-file').count()).toBe(0) // the acceptor has nothing more to do now
  })

  it('the dispatcher dispatches it to 邾城街道 with the unit picker', async () => {
    const page = await as('dispatcher')
    await openFromInbox(page, 'dispatch', ticket)
    await page.getByTestId('case-action-dispatch').click()
    const dialog = page.getByTestId('case-action-dialog')
    await dialog.waitFor()
    await dialog.locator('.ant-select').first().click()
    await page.keyboard.type('邾城')
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: '邾城街道' }).first().click()
    await expect.poll(() => dialog.locator('.ant-select-content, .ant-select-selection-item').first().textContent()).toContain('邾城街道')
    await dialog.getByTestId('case-field-comment').fill('请尽快清理')
    await screenshot(page, 'case-dispatch-dialog-desktop')
    await page.getByTestId('case-action-submit').click()
    await expect.poll(() => page.getByTestId('case-state').getAttribute('data-state')).toBe('dispatched')
    expect(await page.getByTestId('case-unit').textContent()).toBe('邾城街道')
    // The disposal time limit runs from the dispatch: a green light and a deadline in the header.
    expect(await page.getByTestId('case-light').getAttribute('data-light')).toBe('green')
    expect(await page.getByTestId('case-deadline').textContent()).toMatch(/^办理期限 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/)
  })

  it('邾城街道 signs for it and reports the disposal with an after-photo', async () => {
    const page = await as('zhucheng')
    await openFromInbox(page, 'sign', ticket)
    await act(page, 'sign_for', 'in_disposal')
    await act(page, 'report_disposal', 'disposed', async () => {
      await uploadPhoto(page, 'after.png', AFTER_PHOTO)
      await page.getByTestId('case-field-comment').fill('已清理完毕')
      await screenshot(page, 'case-report-disposal-dialog-zhucheng-desktop')
    })
  })

  it('the supervisor checks it with a photo', async () => {
    const page = await as('supervisor')
    await openFromInbox(page, 'check', ticket)
    await act(page, 'check_pass', 'checked', () => uploadPhoto(page, 'check.png', CHECK_PHOTO))
  })

  it('the acceptor closes it, and the timeline shows every step with who, when and the photos', async () => {
    const page = await as('acceptor')
    await openFromInbox(page, 'close', ticket)
    await act(page, 'close', 'closed')
    expect(await page.getByTestId('case-state').textContent()).toBe('已结案')
    expect(await page.getByTestId('case-no-actions').isVisible()).toBe(true)
    expect(await timelineActions(page)).toEqual(['report', 'file', 'dispatch', 'sign_for', 'report_disposal', 'check_pass', 'close'])
    const timeline = page.getByTestId('case-timeline')
    const text = await timeline.textContent()
    for (const words of ['上报', '立案', '派遣', '派往：邾城街道', '签收', '处置反馈', '说明：已清理完毕', '核查通过', '结案', '受理员', '派遣员', '处置单位人员', '监督员']) {
      expect(text, words).toContain(words)
    }
    // The report's photo under "before"; thumbnails of the after-photos, loaded from the server, in the timeline and under "after".
    await expect.poll(() => page.getByTestId('case-photos-before').locator('img').count()).toBe(1)
    const thumbs = page.getByTestId('case-photos-after').locator('img')
    await expect.poll(() => thumbs.count()).toBe(2)
    await expect.poll(() => thumbs.first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0 && img.src.includes('/thumbnail'))).toBe(true)
    await page.getByTestId('case-map').locator('canvas').waitFor()
    await page.waitForTimeout(500) // the map's first frame
    await screenshot(page, 'case-detail-closed-acceptor-desktop', { fullPage: true })
    const errors = [...sessions.values()].flatMap((s) => s.errors)
    expect(errors).toEqual([])
  })
})

describe('in English', () => {
  it('the detail page names states, actions, roles and sources in English', async () => {
    const page = await as('acceptor')
    await page.getByTestId('nav-item-cases').click()
    await page.getByTestId('cases-page').waitFor()
    await tablesLoaded(page)
    const closed = page.locator('.ant-table-tbody tr.ant-table-row', { has: page.locator('[data-state="closed"]') }).first()
    await closed.locator('[data-testid^="case-link-"]').click()
    await page.getByTestId('case-detail-page').waitFor()
    await page.evaluate(() => window.localStorage.setItem('xiuhua.lang', 'en'))
    await page.reload()
    await page.getByTestId('case-detail-page').waitFor()
    try {
      expect(await page.getByTestId('case-state').textContent()).toBe('Closed')
      const text = (await page.getByTestId('case-timeline').textContent()) ?? ''
      for (const words of ['report', 'file', 'dispatch', 'Sent to: Zhucheng', 'sign for', 'report disposal', 'pass the check', 'close', 'Acceptor', 'Dispatcher', 'Disposal unit staff', 'Field supervisor']) {
        expect(text, words).toContain(words)
      }
      expect(await page.getByTestId('case-no-actions').textContent()).toBe('There is nothing you can do on this case now')
      await page.waitForTimeout(300)
      await screenshot(page, 'case-detail-closed-acceptor-en-desktop', { fullPage: true })
    } finally {
      await page.evaluate(() => window.localStorage.setItem('xiuhua.lang', 'zh-CN'))
      await page.reload()
    }
  })
})

describe('case list', () => {
  it('filters by state and overdue, and exports the filtered list as CSV with a BOM', async () => {
    const page = await as('acceptor')
    // A second case, still reported, so the state filter has something to tell apart.
    const supervisor = await as('supervisor')
    const point = await pointInSupervisorCell(supervisor)
    const second = await report(supervisor, {
      clientId: `e2e-list-${Date.now()}`, source: 'supervisor', classKind: 'component', classCode: '0101',
      description: '上水井盖缺失（e2e）', lng: point[0] + 0.00001, lat: point[1], address: '邾城街道 e2e 井盖',
    })
    expect(second.status).toBe(200)

    await page.getByTestId('nav-item-cases').click()
    const root = page.getByTestId('cases-page')
    await root.waitFor()
    await tablesLoaded(page)
    await root.getByTestId(`case-row-${second.body.case.ticket}`).waitFor()

    await root.getByTestId('cases-filter-state').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '待受理' }).click()
    await page.keyboard.press('Escape')
    await tablesLoaded(page)
    const states = () => root.locator('.ant-table-tbody tr.ant-table-row [data-state]').evaluateAll((n) => n.map((e) => e.getAttribute('data-state')))
    await expect.poll(states).toContain('reported')
    expect(new Set(await states())).toEqual(new Set(['reported']))
    await screenshot(page, 'cases-list-filtered-desktop')

    const download = page.waitForEvent('download')
    await root.getByTestId('cases-export').click()
    const file = await download
    expect(file.suggestedFilename()).toMatch(/^cases-\d{12}\.csv$/)
    const stream = await file.createReadStream()
    const parts: Buffer[] = []
    for await (const part of stream) parts.push(part as Buffer)
    const bytes = Buffer.concat(parts)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // UTF-8 BOM for Excel
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n')
    expect(lines[0]).toContain('案卷编号')
    expect(lines.some((l) => l.startsWith(second.body.case.ticket) && l.includes('待受理') && l.includes('上水井盖'))).toBe(true)
    expect(lines.every((l, i) => i === 0 || l.includes('待受理'))).toBe(true)
    await page.getByTestId('cases-export-progress').waitFor()
    expect(await page.getByTestId('cases-export-progress').getAttribute('data-finished')).toBe('true')
    await screenshot(page, 'cases-export-csv-done')
    await page.keyboard.press('Escape')

    await root.getByTestId('cases-filter-overdue').click()
    await tablesLoaded(page)
    await expect.poll(() => root.locator('.ant-table-tbody tr.ant-table-row').count()).toBe(0) // nothing is overdue yet
  })

  it('a step over an old version is refused with a conflict: the page reloads and says why', async () => {
    const supervisor = await as('supervisor')
    const point = await pointInSupervisorCell(supervisor)
    const reported = await report(supervisor, {
      clientId: `e2e-conflict-${Date.now()}`, source: 'supervisor', classKind: 'event', classCode: '0103', description: '道路不洁（e2e 冲突）',
      lng: point[0], lat: point[1] + 0.00001,
    })
    const page = await as('acceptor')
    await page.goto(`/cases/${reported.body.case.id}`)
    await page.getByTestId('case-action-file').click()
    await page.getByTestId('case-action-dialog').waitFor()
    // While the acceptor's form is open, the shift leader rejects the case.
    expect(await actFromPage(await as('shiftleader'), reported.body.case.id, { version: 1, type: 'reject', rejectReason: 'duplicate' })).toBe(200)
    await page.getByTestId('case-action-submit').click()
    await page.getByTestId('case-conflict').waitFor()
    expect(await page.getByTestId('case-conflict').textContent()).toContain('案卷已被他人处理')
    await expect.poll(() => page.getByTestId('case-state').getAttribute('data-state')).toBe('rejected')
    expect(await page.getByTestId('case-no-actions').isVisible()).toBe(true)
    expect(await timelineActions(page)).toEqual(['report', 'reject'])
    await screenshot(page, 'case-conflict-acceptor-desktop')
  })

  it('an open detail page follows a step taken elsewhere (server-sent events)', async () => {
    const supervisor = await as('supervisor')
    const point = await pointInSupervisorCell(supervisor)
    const reported = await report(supervisor, {
      clientId: `e2e-live-${Date.now()}`, source: 'supervisor', classKind: 'event', classCode: '0103', description: '道路不洁（e2e 实时）',
      lng: point[0], lat: point[1] - 0.00001,
    })
    const page = await as('acceptor')
    await page.goto(`/cases/${reported.body.case.id}`)
    await page.getByTestId('case-action-file').waitFor()
    expect(await actFromPage(await as('shiftleader'), reported.body.case.id, { version: 1, type: 'file' })).toBe(200)
    // No reload by the user: the page shows the new state and the new step.
    await expect.poll(() => page.getByTestId('case-state').getAttribute('data-state')).toBe('filed')
    await expect.poll(() => timelineActions(page)).toEqual(['report', 'file'])
  })
})

describe('phone layout', () => {
  it('inbox, list and detail fit a 390 px screen: tables scroll, the detail stacks', async () => {
    const session = await openSession(browser, baseUrl, PHONE)
    sessions.set('acceptor-phone', session)
    const { page } = session
    await login(page, 'acceptor')
    await page.goto('/inbox')
    await page.getByTestId('inbox-page').waitFor()
    await page.locator('[data-testid^="inbox-row-"]').first().waitFor() // a list of cards on the phone, not a table
    await screenshot(page, 'cases-inbox-acceptor-phone')
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth)
    expect(await pageWidth()).toBeLessThanOrEqual(PHONE.width)

    await page.goto('/cases')
    await page.getByTestId('cases-page').waitFor()
    await tablesLoaded(page)
    expect(await pageWidth()).toBeLessThanOrEqual(PHONE.width)
    expect(await page.getByTestId('cases-filter-state').isVisible()).toBe(false) // the filters fold away on a phone
    await screenshot(page, 'cases-list-acceptor-phone')
    await page.getByTestId('cases-filters-toggle').tap()
    await page.getByTestId('cases-filter-state').waitFor()
    await screenshot(page, 'cases-list-filters-acceptor-phone')
    await page.getByTestId('cases-filters-toggle').tap()

    const first = page.locator('[data-testid^="case-link-"]').first()
    await first.tap()
    await page.getByTestId('case-detail-page').waitFor()
    await page.getByTestId('case-map').locator('canvas').waitFor()
    expect(await pageWidth()).toBeLessThanOrEqual(PHONE.width)
    // Stacked: the map card sits below the facts, not beside them.
    const facts = await page.getByTestId('case-timeline').boundingBox()
    const map = await page.getByTestId('case-map').boundingBox()
    expect(map!.y).toBeGreaterThan(facts!.y)
    await page.waitForTimeout(400)
    await screenshot(page, 'case-detail-acceptor-phone', { fullPage: true })
    expect(session.errors).toEqual([])
  })
})
