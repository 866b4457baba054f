// Case settings (办案设置): an administrator adds a dispatch rule and marks a district holiday; the dispatcher may look
// but not change, and the server refuses the dispatcher's change too.
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchBrowser, login, openSession, pageFetch, PHONE, screenshot, type Session, tablesLoaded } from './harness.js'

const baseUrl = inject('baseUrl')
let browser: Browser
let admin: Session
let page: Page

interface Rules { officeHours: Array<{ from: string; to: string }>; extraHolidays: string[]; extraWorkingDays: string[] }
interface CalendarYear { rules: Rules; year: number; hasOfficialData: boolean; specialDays: Array<{ date: string; reason: string; holiday?: string }> }
interface Unit { id: string; parentId: string | null; kind: string; name: string }

/** Last year in the district: wholly past, so a district holiday there moves no deadline of the other tests. */
const thisYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))
const lastYear = thisYear - 1
let originalRules: Rules | undefined

/** A method other than GET from inside the page (its session cookie). */
function pageSend(page: Page, method: string, url: string, body: unknown): Promise<{ status: number; body: { id?: string; error?: { code: string; message: string } } }> {
  return page.evaluate(async ({ method, url, body }) => {
    const init: RequestInit = body === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
    const res = await fetch(url, { ...init, headers: { Accept: 'application/json', ...init.headers } })
    return { status: res.status, body: await res.json() }
  }, { method, url, body })
}

beforeAll(async () => {
  browser = await launchBrowser()
  admin = await openSession(browser, baseUrl)
  page = admin.page
  await login(page, 'admin')
  originalRules = (await pageFetch<CalendarYear>(page, `/api/calendar?year=${lastYear}`)).body.rules
})
afterAll(async () => {
  // Leave the shared server's calendar as it was found.
  if (originalRules && page) await pageSend(page, 'PUT', '/api/calendar', originalRules)
  await admin?.context.close()
  await browser?.close()
})

/** Picks a tree option by typing into the TreeSelect of a form item (found by its label). */
async function pickTree(scope: Locator, label: string, search: string, option: string): Promise<void> {
  const select = scope.locator('.ant-form-item').filter({ has: page.locator(`label:text-is("${label}")`) }).locator('.ant-select')
  await select.click()
  await page.keyboard.type(search)
  await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: option }).first().click()
}

async function openSettings(p: Page): Promise<Locator> {
  await p.getByTestId('nav-item-caseSettings').click()
  const root = p.getByTestId('case-settings-page')
  await root.waitFor()
  return root
}

const ruleRows = (p: Page) => p.getByTestId('matrix-tab').locator('.ant-table-tbody tr.ant-table-row')

describe('case settings', () => {
  it('an administrator adds a dispatch rule in the drawer, sees it in the table and tries it', async () => {
    const units = (await pageFetch<{ items: Unit[] }>(page, '/api/org/units')).body.items
    const street = units.find((u) => u.name === '邾城街道')!
    const community = units.find((u) => u.kind === 'community' && u.parentId === street.id)!
    expect(community).toBeDefined()

    const root = await openSettings(page)
    expect(await root.getByRole('heading', { name: '办案设置' }).count()).toBe(1)
    await tablesLoaded(page)
    const before = await ruleRows(page).count()

    await page.getByTestId('rule-create').click()
    const drawer = page.getByTestId('rule-form')
    await drawer.waitFor()
    await pickTree(drawer, '类别', '上水井盖', '0101 上水井盖')
    await pickTree(drawer, '区域', '邾城街道', '邾城街道')
    await pickTree(drawer, '处置单位', '水务', '区水务和湖泊局')
    await drawer.getByTestId('rule-auto').click()
    await screenshot(page, 'case-settings-rule-drawer-admin-desktop')
    await page.getByTestId('rule-save').click()
    await drawer.waitFor({ state: 'hidden' })

    await expect.poll(() => ruleRows(page).count()).toBe(before + 1)
    const row = ruleRows(page).filter({ hasText: '0101' }) // the class code reads the same in both languages
    expect(await row.count()).toBe(1)
    const text = await row.textContent()
    expect(text).toContain('上水井盖')
    expect(text).toContain('邾城街道')
    expect(text).toContain('区水务和湖泊局')
    expect(text).toContain('自动派遣')

    // Filtering by text keeps the row; a text nobody has leaves none.
    await page.getByTestId('rule-search').locator('input').fill('水务')
    expect(await row.count()).toBe(1)
    await page.getByTestId('rule-search').locator('input').fill('没有这个单位')
    await expect.poll(() => ruleRows(page).count()).toBe(0)
    await page.getByTestId('rule-search').locator('input').fill('')

    // A case of that small class in a community of the street goes to the unit of the street's rule.
    const trial = page.getByTestId('rule-trial')
    await trial.locator('.ant-select').first().click()
    await page.keyboard.type('上水井盖')
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: '0101 上水井盖' }).first().click()
    await trial.locator('.ant-select').nth(1).click()
    await page.keyboard.type(community.name)
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: community.name }).first().click()
    await expect.poll(() => page.getByTestId('trial-unit').textContent()).toBe('区水务和湖泊局')
    await page.keyboard.press('Escape') // close the dropdown for the picture
    await screenshot(page, 'case-settings-matrix-admin-desktop')

    await page.getByTestId('lang-switch').click()
    await page.getByTestId('settings-tab-matrix').getByText('Dispatch rules').waitFor()
    await expect.poll(() => row.textContent()).toContain('Automatic')
    await screenshot(page, 'case-settings-matrix-admin-english-desktop')
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('settings-tab-matrix').getByText('责任矩阵').waitFor()

    // Deleted after a confirm (the other browser tests expect no rule of ours).
    await row.getByTestId('rule-remove').click()
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: /确\s*定|OK/ }).click()
    await expect.poll(() => ruleRows(page).count()).toBe(before)
    expect(admin.errors).toEqual([])
  })

  it('an administrator marks a day a district holiday, saves, and after a reload it is still marked', async () => {
    const year = (await pageFetch<CalendarYear>(page, `/api/calendar?year=${lastYear}`)).body
    const special = new Set(year.specialDays.map((d) => d.date))
    // A plain weekday in June of last year.
    const day = Array.from({ length: 30 }, (_, i) => `${lastYear}-06-${String(i + 1).padStart(2, '0')}`)
      .find((d) => !special.has(d) && ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))!

    await page.goto(`/case-settings?tab=calendar&year=${lastYear}`)
    await page.getByTestId('year-grid').waitFor()
    expect(await page.getByTestId('calendar-year').textContent()).toBe(String(lastYear))
    const cell = page.getByTestId(`day-${day}`)
    expect(await cell.getAttribute('data-reason')).toBe('weekday')
    // The national holidays are there with their names.
    const national = year.specialDays.find((d) => d.reason === 'public-holiday')!
    expect(await page.getByTestId(`day-${national.date}`).getAttribute('data-reason')).toBe('public-holiday')
    expect(await page.getByTestId('year-grid').textContent()).toContain(national.holiday)
    expect(await page.getByTestId('minutes-per-day').textContent()).toBe('每日工作 420 分钟')

    await cell.click()
    await expect.poll(() => cell.getAttribute('data-reason')).toBe('district-holiday')
    expect(await cell.getAttribute('data-pending')).toBe('true')
    await page.getByTestId('calendar-dirty').waitFor()
    await page.getByTestId('extraHolidays-' + day).waitFor()
    await page.getByTestId('calendar-save').click()
    await page.getByText('已保存：此后设定的期限按新规则计算').waitFor()
    await expect.poll(() => page.getByTestId('calendar-dirty').count()).toBe(0)

    await page.reload()
    await page.getByTestId('year-grid').waitFor()
    await expect.poll(() => page.getByTestId(`day-${day}`).getAttribute('data-reason')).toBe('district-holiday')
    expect(await page.getByTestId(`day-${day}`).getAttribute('data-pending')).toBe('false')
    expect(await page.getByTestId('list-extraHolidays').textContent()).toContain(day)
    const saved = await pageFetch<CalendarYear>(page, `/api/calendar?year=${lastYear}`)
    expect(saved.body.rules.extraHolidays).toContain(day)
    expect(saved.body.specialDays.find((d) => d.date === day)?.reason).toBe('district-holiday')
    await screenshot(page, 'case-settings-calendar-admin-desktop', { fullPage: true })

    await page.getByTestId('lang-switch').click()
    await page.getByTestId('settings-tab-calendar').getByText('Working calendar').waitFor()
    await screenshot(page, 'case-settings-calendar-admin-english-desktop', { fullPage: true })
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('settings-tab-calendar').getByText('工作日历').waitFor()

    // A year the State Council has not published yet is flagged.
    const next = (await pageFetch<CalendarYear>(page, `/api/calendar?year=${thisYear + 1}`)).body
    await page.getByTestId('year-next').click()
    await page.getByTestId('year-next').click()
    await expect.poll(() => page.getByTestId('calendar-year').textContent()).toBe(String(thisYear + 1))
    await expect.poll(() => page.getByTestId('calendar-no-official').count()).toBe(next.hasOfficialData ? 0 : 1)
    await screenshot(page, 'case-settings-calendar-next-year-admin-desktop')
    expect(admin.errors).toEqual([])
  })

  it('on a phone the settings fit the screen', async () => {
    const phone = await openSession(browser, baseUrl, PHONE)
    try {
      await login(phone.page, 'admin')
      // A rule to show (set through the API; removed again below).
      const units = (await pageFetch<{ items: Unit[] }>(phone.page, '/api/org/units')).body.items
      const street = units.find((u) => u.name === '邾城街道')!
      const rule = await pageSend(phone.page, 'POST', '/api/dispatch-rules', { classKind: 'component', bigCode: '01', smallCode: null, areaUnitId: street.id, unitId: street.id, auto: false })
      expect(rule.status).toBe(200)
      await phone.page.goto('/case-settings')
      await phone.page.getByTestId('rule-trial').waitFor()
      await expect.poll(() => phone.page.getByTestId('rule-table').textContent()).toContain('整个大类')
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
      await screenshot(phone.page, 'case-settings-matrix-admin-phone')
      await pageSend(phone.page, 'DELETE', `/api/dispatch-rules/${rule.body.id}`, undefined)
      await phone.page.getByTestId('settings-tab-calendar').click()
      await phone.page.getByTestId('year-grid').waitFor()
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
      await screenshot(phone.page, 'case-settings-calendar-admin-phone')
      expect(phone.errors).toEqual([])
    } finally {
      await phone.context.close()
    }
  })

  it('an administrator issues an Open311 key (shown once), a 311 client uses it, and after revoking it is refused', async () => {
    await page.goto('/case-settings?tab=open311')
    await page.getByTestId('open311-keys').waitFor()
    await page.getByTestId('open311-issue').click()
    await page.getByTestId('open311-name').fill('e2e 市民 App')
    await page.locator('.ant-modal:visible .ant-btn-primary').click()
    const shown = page.getByTestId('open311-issued-key')
    await shown.waitFor()
    const key = (await shown.textContent())!.trim()
    expect(key.length).toBeGreaterThan(30)
    // the dialog has finished opening when its mask no longer animates
    await page.locator('.ant-modal-mask:not(.ant-zoom-appear):not(.ant-fade-appear)').last().waitFor()
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-modal')].every((m) => getComputedStyle(m).transform === 'none' || getComputedStyle(m).transform === 'matrix(1, 0, 0, 1, 0, 0)'))
    await screenshot(page, 'case-settings-open311-key-issued-admin-desktop')
    await page.locator('.ant-modal:visible .ant-btn-primary').click()
    const hint = key.slice(0, 6)
    await page.getByTestId(`open311-revoke-${hint}`).waitFor()

    // a 311 client posts with it (form-encoded, as 311 apps send)
    const post = (apiKey: string) => page.evaluate(async (apiKey) => {
      const res = await fetch('/open311/v2/requests.json', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ api_key: apiKey, service_code: 'event-0101', lat: '30.84', long: '114.80', description: 'e2e 311' }).toString() })
      return { status: res.status, body: await res.json() as Array<{ service_request_id?: string; code?: number }> }
    }, apiKey)
    const accepted = await post(key)
    expect(accepted.status).toBe(200)
    expect(accepted.body[0]!.service_request_id).toMatch(/^420117-/)

    await page.getByTestId(`open311-revoke-${hint}`).click()
    await page.locator('.ant-popover:visible .ant-btn-primary').click()
    await expect.poll(() => page.getByTestId('open311-keys').textContent()).toContain('已吊销')
    await screenshot(page, 'case-settings-open311-keys-admin-desktop')
    const refused = await post(key)
    expect(refused.status).toBe(403)
    expect(admin.errors).toEqual([])
  })

  it('the dispatcher sees the settings read only, and the server refuses the dispatcher’s change', async () => {
    const { page: p, context, errors } = await openSession(browser, baseUrl)
    try {
      await login(p, 'dispatcher')
      await openSettings(p)
      await p.getByTestId('rule-trial').waitFor()
      await tablesLoaded(p)
      expect(await p.getByTestId('rule-create').count()).toBe(0)
      expect(await p.getByTestId('rule-remove').count()).toBe(0)

      await p.getByTestId('settings-tab-calendar').click()
      await p.getByTestId('year-grid').waitFor()
      await p.getByTestId('calendar-read-only').waitFor()
      expect(await p.getByTestId('calendar-save').count()).toBe(0)
      expect(await p.getByTestId('period-add').count()).toBe(0)
      expect(await p.getByTestId('add-extraHolidays').count()).toBe(0)
      expect(await p.locator('button[data-testid^="day-"]').count()).toBe(0) // days are not clickable
      await screenshot(p, 'case-settings-calendar-dispatcher-desktop')

      const rules = (await pageFetch<CalendarYear>(p, `/api/calendar?year=${thisYear}`)).body.rules
      const refused = await pageSend(p, 'PUT', '/api/calendar', { ...rules, extraHolidays: [...rules.extraHolidays, `${thisYear}-12-31`] })
      expect(refused.status).toBe(403)
      expect(refused.body.error?.code).toBe('FORBIDDEN')
      expect((await pageFetch<CalendarYear>(p, `/api/calendar?year=${thisYear}`)).body.rules).toEqual(rules)
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
