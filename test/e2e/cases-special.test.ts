// The loop's special paths in the browser, each step clicked on the case detail page by the user whose turn it is
// (the API, from the page, only brings a case to where the story starts):
// - rework (返工): the supervisor's check fails, 邾城街道 disposes again, the check passes, the acceptor closes it;
// - return (回退): 邾城街道 returns a wrongly dispatched case, the dispatcher sends it to 区水务和湖泊局, whose staff sign for it;
// - extension (延期): 邾城街道 asks for a later deadline, the dispatcher approves it, the new deadline shows.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { AFTER_PHOTO, CHECK_PHOTO, pointInSupervisorCell } from './fixtures.js'
import { pageFetch, screenshot, SessionPool } from './harness.js'

const baseUrl = inject('baseUrl')
const sessions = new SessionPool(baseUrl)

beforeAll(async () => {
  await sessions.launch()
})
afterAll(() => sessions.close())

const as = (username: string) => sessions.page(username)

// ---- the API from the page, only to reach a story's starting state ---------------------------------------------

interface Reported { id: string; ticket: string }
type Start = 'dispatched' | 'in_disposal' | 'disposed'

async function post<T>(page: Page, url: string, body: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(async ({ url, body }) => {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: await res.json() }
  }, { url, body }) as Promise<{ status: number; body: T }>
}

/** One workflow step over the case's current version. */
async function step(page: Page, caseId: string, body: Record<string, unknown>): Promise<string> {
  const { body: current } = await pageFetch<{ version: number }>(page, `/api/cases/${caseId}`)
  const reply = await post<{ state: string }>(page, `/api/cases/${caseId}/actions`, { version: current.version, ...body })
  expect(reply.status, `${String(body.type)}: ${JSON.stringify(reply.body)}`).toBe(200)
  return reply.body.state
}

/** POST /api/files from the page; the stored file's id. */
async function uploadFromPage(page: Page, bytes: Buffer): Promise<string> {
  return page.evaluate(async (data) => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'photo.png')
    const res = await fetch('/api/files', { method: 'POST', body: form })
    return ((await res.json()) as { id: string }).id
  }, [...bytes])
}

async function unitId(page: Page, name: string): Promise<string> {
  const { body } = await pageFetch<{ items: Array<{ id: string; name: string }> }>(page, `/api/org/units?q=${encodeURIComponent(name)}`)
  const unit = body.items.find((u) => u.name === name)
  expect(unit, name).toBeDefined()
  return unit!.id
}

/** A report of this class in the supervisor's cell, filed, dispatched to 邾城街道 and taken as far as `start`. */
async function caseAt(start: Start, cls: { kind: 'component' | 'event'; code: string }, description: string): Promise<Reported> {
  const supervisor = await as('supervisor')
  const point = await pointInSupervisorCell(supervisor)
  const reply = await post<{ case: Reported }>(supervisor, '/api/cases', {
    clientId: `e2e-special-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, source: 'supervisor', classKind: cls.kind, classCode: cls.code,
    description, lng: point[0] + (Math.random() - 0.5) * 0.0004, lat: point[1] + (Math.random() - 0.5) * 0.0004,
  })
  expect(reply.status).toBe(200)
  const { id } = reply.body.case
  await step(await as('acceptor'), id, { type: 'file' })
  const dispatcher = await as('dispatcher')
  const zhuchengId = await unitId(dispatcher, '邾城街道')
  // A responsibility-matrix rule may have dispatched it already, perhaps elsewhere.
  const { body: filed } = await pageFetch<{ state: string; assignedUnitId: string | null }>(dispatcher, `/api/cases/${id}`)
  if (filed.state === 'filed') await step(dispatcher, id, { type: 'dispatch', unitId: zhuchengId })
  else if (filed.assignedUnitId !== zhuchengId) await step(dispatcher, id, { type: 'reassign', unitId: zhuchengId, reason: 'e2e' })
  const zhucheng = await as('zhucheng')
  if (start !== 'dispatched') await step(zhucheng, id, { type: 'sign_for' })
  if (start === 'disposed') await step(zhucheng, id, { type: 'report_disposal', photoIds: [await uploadFromPage(zhucheng, AFTER_PHOTO)], comment: '已清理' })
  return reply.body.case
}

// ---- what a user does and sees on the detail page ---------------------------------------------------------------

async function openCase(page: Page, c: Reported): Promise<void> {
  await page.goto(`/cases/${c.id}`)
  await page.getByTestId('case-detail-page').waitFor()
  await expect.poll(() => page.getByTestId('case-ticket').textContent()).toBe(c.ticket)
}

/** Clicks the action's button, fills the dialog, submits, and waits for the dialog to close on the new state. */
async function act(page: Page, action: string, state: string, fill?: () => Promise<void>): Promise<void> {
  await page.getByTestId(`case-action-${action}`).click()
  const dialog = page.getByTestId('case-action-dialog')
  await dialog.waitFor()
  expect(await dialog.getAttribute('data-action')).toBe(action)
  await fill?.()
  await page.getByTestId('case-action-submit').click()
  await dialog.waitFor({ state: 'hidden' })
  await expect.poll(() => page.getByTestId('case-state').getAttribute('data-state')).toBe(state)
}

async function uploadPhoto(page: Page, name: string, buffer: Buffer): Promise<void> {
  const dialog = page.getByTestId('case-action-dialog')
  await dialog.locator('input[type=file]').setInputFiles({ name, mimeType: 'image/png', buffer })
  await expect.poll(() => dialog.locator('.ant-upload-list-item-done').count(), { timeout: 20_000 }).toBe(1)
}

/** Picks a unit in the dialog's unit tree by typing part of its name. */
async function pickUnit(page: Page, search: string, name: string): Promise<void> {
  const dialog = page.getByTestId('case-action-dialog')
  const chosen = () => dialog.locator('.ant-select-content, .ant-select-selection-item').first().textContent()
  // a click that lands while the tree is still filtering picks nothing: search and click again until the unit shows
  for (let attempt = 0; attempt < 3 && !(await chosen())?.includes(name); attempt++) {
    if (attempt > 0) await page.keyboard.press('Escape') // closes the tree and clears its search
    await dialog.locator('.ant-select').first().click()
    await page.keyboard.type(search)
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: name }).first().click()
    await expect.poll(chosen, { timeout: 3_000 }).toContain(name).catch(() => undefined)
  }
  expect(await chosen()).toContain(name)
}

const timelineActions = (page: Page) =>
  page.getByTestId('case-timeline').locator('[data-testid^="timeline-entry-"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-action')))

const SHANGHAI = 'Asia/Shanghai'
/** 水务局 of the demo (user `dept`). */
const WATER = '区水务和湖泊局'

/** 'YYYY-MM-DDTHH:mm' in Shanghai time (the browser's zone), for the datetime-local input. */
function shanghaiInput(at: Date): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: SHANGHAI, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at).map((p) => [p.type, p.value]))
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`
}

/** How the page writes a time (format.ts, zh-CN), in Shanghai time. */
function shanghaiShown(at: Date): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: SHANGHAI, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(at)
}

// ---------------------------------------------------------------------------------------------------------------

describe('rework (返工)', () => {
  let c: Reported

  it('the supervisor’s check fails with a photo and a reason: the case goes back to 邾城街道, who see why', async () => {
    c = await caseAt('disposed', { kind: 'event', code: '0101' }, '人行道暴露垃圾（e2e 返工）')
    const supervisor = await as('supervisor')
    await openCase(supervisor, c)
    expect(await supervisor.getByTestId('case-action-check_pass').isVisible()).toBe(true)
    await act(supervisor, 'check_fail', 'in_disposal', async () => {
      await uploadPhoto(supervisor, 'still-dirty.png', CHECK_PHOTO)
      await supervisor.getByTestId('case-field-reason').fill('仍有垃圾残留，请返工')
      await screenshot(supervisor, 'case-check-fail-dialog-supervisor-desktop')
    })
    expect(await supervisor.getByTestId('case-state').textContent()).toBe('处置中')
    expect(await supervisor.getByTestId('case-no-actions').isVisible()).toBe(true)

    const zhucheng = await as('zhucheng')
    await openCase(zhucheng, c)
    // The unit sees that and why the check failed, before it disposes again.
    const notice = zhucheng.getByTestId('case-last-step')
    await notice.waitFor()
    expect(await notice.getAttribute('data-action')).toBe('check_fail')
    expect(await notice.textContent()).toContain('仍有垃圾残留，请返工')
    expect(await zhucheng.getByTestId('case-counters').textContent()).toContain('返工 × 1')
    await screenshot(zhucheng, 'case-rework-zhucheng-desktop')
  })

  it('邾城街道 disposes again, the check passes, the acceptor closes it; the timeline shows the rework', async () => {
    const zhucheng = await as('zhucheng')
    await act(zhucheng, 'report_disposal', 'disposed', async () => {
      await uploadPhoto(zhucheng, 'clean.png', AFTER_PHOTO)
      await zhucheng.getByTestId('case-field-comment').fill('已彻底清理')
    })
    expect(await zhucheng.getByTestId('case-last-step').count()).toBe(0)

    const supervisor = await as('supervisor')
    await openCase(supervisor, c)
    await act(supervisor, 'check_pass', 'checked', () => uploadPhoto(supervisor, 'ok.png', CHECK_PHOTO))

    const acceptor = await as('acceptor')
    await openCase(acceptor, c)
    await act(acceptor, 'close', 'closed')
    expect(await timelineActions(acceptor)).toEqual(['report', 'file', 'dispatch', 'sign_for', 'report_disposal', 'check_fail', 'report_disposal', 'check_pass', 'close'])
    const rework = acceptor.getByTestId('timeline-entry-check_fail')
    expect(await rework.textContent()).toContain('核查不通过（返工）')
    expect(await rework.textContent()).toContain('原因：仍有垃圾残留，请返工')
    expect(await rework.locator('img').count()).toBe(1) // the check's photo
    expect(await acceptor.getByTestId('case-counters').textContent()).toContain('返工 × 1')
    await acceptor.waitForTimeout(400) // the small map's first frame
    await screenshot(acceptor, 'case-rework-closed-acceptor-desktop', { fullPage: true })
  })
})

describe('return (回退) and re-dispatch', () => {
  let c: Reported

  it('邾城街道 returns a case that is not theirs, with a reason', async () => {
    c = await caseAt('dispatched', { kind: 'component', code: '0101' }, '上水井盖破损（e2e 回退）')
    const zhucheng = await as('zhucheng')
    await openCase(zhucheng, c)
    expect(await zhucheng.getByTestId('case-action-sign_for').isVisible()).toBe(true)
    await act(zhucheng, 'return', 'filed', async () => {
      await zhucheng.getByTestId('case-field-reason').fill('上水井盖属供水管网设施，应由水务局处置')
    })
    expect(await zhucheng.getByTestId('case-state').textContent()).toBe('待派遣')
    expect(await zhucheng.getByTestId('case-unit').textContent()).toBe('—')
  })

  it('the dispatcher sees why, re-dispatches it to 水务局, and 水务局’s staff sign for it', async () => {
    const dispatcher = await as('dispatcher')
    await openCase(dispatcher, c)
    const notice = dispatcher.getByTestId('case-last-step')
    await notice.waitFor()
    expect(await notice.getAttribute('data-action')).toBe('return')
    expect(await notice.textContent()).toContain('邾城街道')
    expect(await notice.textContent()).toContain('上水井盖属供水管网设施，应由水务局处置')
    await screenshot(dispatcher, 'case-returned-dispatcher-desktop')
    await act(dispatcher, 'dispatch', 'dispatched', async () => {
      await pickUnit(dispatcher, '水务', WATER)
      await dispatcher.getByTestId('case-field-comment').fill('改派水务局')
    })
    expect(await dispatcher.getByTestId('case-unit').textContent()).toBe(WATER)
    expect(await dispatcher.getByTestId('case-last-step').count()).toBe(0)

    const dept = await as('dept')
    await openCase(dept, c)
    await act(dept, 'sign_for', 'in_disposal')
    expect(await dept.getByTestId('case-unit').textContent()).toBe(WATER)
    expect(await timelineActions(dept)).toEqual(['report', 'file', 'dispatch', 'return', 'dispatch', 'sign_for'])
    const text = (await dept.getByTestId('case-timeline').textContent()) ?? ''
    // 邾城街道 is outside 水务局's scope, yet named (no raw id): the unit that took the step names it.
    expect(text).toContain('派往：邾城街道')
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/)
    expect(text).toContain('处置单位人员 · 邾城街道处置员 · 邾城街道')
    expect(text).toContain('原因：上水井盖属供水管网设施，应由水务局处置')
    expect(text).toContain(`派往：${WATER}`)
    expect(await dept.getByTestId('case-counters').textContent()).toContain('回退 × 1')
    await dept.waitForTimeout(400)
    await screenshot(dept, 'case-redispatched-dept-desktop', { fullPage: true })
  })
})

describe('extension (延期)', () => {
  let c: Reported
  let wanted: Date

  it('邾城街道 asks for a later deadline with a reason: the request waits, shown on the case', async () => {
    c = await caseAt('in_disposal', { kind: 'event', code: '0108' }, '垃圾桶满溢（e2e 延期）')
    const zhucheng = await as('zhucheng')
    await openCase(zhucheng, c)
    const { body } = await pageFetch<{ deadline: string }>(zhucheng, `/api/cases/${c.id}`)
    const current = new Date(body.deadline)
    expect(await zhucheng.getByTestId('case-deadline').textContent()).toBe(`办理期限 ${shanghaiShown(current)}`)
    // Three days after the current deadline, on the minute.
    wanted = new Date(Math.ceil((current.getTime() + 3 * 86_400_000) / 60_000) * 60_000)

    await act(zhucheng, 'request_extension', 'in_disposal', async () => {
      await zhucheng.getByTestId('case-field-newDeadline').fill(shanghaiInput(wanted))
      await zhucheng.getByTestId('case-field-reason').fill('清运车辆故障，需等待维修')
      await screenshot(zhucheng, 'case-request-extension-dialog-zhucheng-desktop')
    })
    const pending = zhucheng.getByTestId('case-pending-extension')
    await pending.waitFor()
    expect(await pending.textContent()).toContain(shanghaiShown(wanted))
    expect(await pending.textContent()).toContain('清运车辆故障，需等待维修')
    // The deadline holds until the request is approved; no second request meanwhile.
    expect(await zhucheng.getByTestId('case-deadline').textContent()).toBe(`办理期限 ${shanghaiShown(current)}`)
    expect(await zhucheng.getByTestId('case-action-request_extension').count()).toBe(0)
  })

  it('the dispatcher approves the requested deadline; the new deadline shows on the case', async () => {
    const dispatcher = await as('dispatcher')
    await openCase(dispatcher, c)
    await dispatcher.getByTestId('case-pending-extension').waitFor()
    await act(dispatcher, 'approve_extension', 'in_disposal', async () => {
      // The dialog offers the deadline the unit asked for.
      expect(await dispatcher.getByTestId('case-field-newDeadline').inputValue()).toBe(shanghaiInput(wanted))
      await screenshot(dispatcher, 'case-approve-extension-dialog-dispatcher-desktop')
    })
    await expect.poll(() => dispatcher.getByTestId('case-deadline').textContent()).toBe(`办理期限 ${shanghaiShown(wanted)}`)
    expect(await dispatcher.getByTestId('case-pending-extension').count()).toBe(0)
    expect(await dispatcher.getByTestId('case-counters').textContent()).toContain('延期 × 1')
    const { body } = await pageFetch<{ deadline: string }>(dispatcher, `/api/cases/${c.id}`)
    expect(new Date(body.deadline).getTime()).toBe(wanted.getTime())
    expect(await timelineActions(dispatcher)).toEqual(['report', 'file', 'dispatch', 'sign_for', 'request_extension', 'approve_extension'])
    expect(await dispatcher.getByTestId('timeline-entry-approve_extension').textContent()).toContain(`期限：${shanghaiShown(wanted)}`)
    await dispatcher.waitForTimeout(400)
    await screenshot(dispatcher, 'case-extension-approved-dispatcher-desktop', { fullPage: true })

    // 邾城街道's open page follows: the new deadline, no pending request.
    const zhucheng = await as('zhucheng')
    await expect.poll(() => zhucheng.getByTestId('case-deadline').textContent()).toBe(`办理期限 ${shanghaiShown(wanted)}`)
    expect(await zhucheng.getByTestId('case-pending-extension').count()).toBe(0)
    const errors = [...sessions.values()].flatMap((s) => s.errors)
    expect(errors).toEqual([])
  })
})
