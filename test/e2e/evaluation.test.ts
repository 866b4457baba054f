// Evaluation (综合考核) in the browser: a leader opens this month's rankings, reads the formula, drills down from a
// street's figure to its cases and on to a case, sees the acceptor who filed one of them ranked and the units with
// nothing this month marked 无数据 after the ranked, publishes an earlier month and looks at its difference report;
// phone width.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { pointInSupervisorCell } from './fixtures.js'
import { pageFetch, screenshot, SessionPool, tablesLoaded } from './harness.js'

const pool = new SessionPool(inject('baseUrl'))
const as = (user: string, phone = false) => pool.page(user, phone)

beforeAll(async () => {
  await pool.launch()
})
afterAll(async () => {
  await pool.close()
})

async function send<T>(page: Page, method: string, url: string, body: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(async ({ method, url, body }) => {
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: await res.json() }
  }, { method, url, body }) as Promise<{ status: number; body: T }>
}

interface CaseReply { id: string; ticket: string; version: number }

/**
 * The month before last in China time, YYYY-MM: a month the monthly publication job leaves alone (it publishes the
 * previous month by itself within minutes of the server's first ten, and the suite may run longer than that).
 */
function monthBeforeLast(): string {
  const now = new Date(Date.now() + 8 * 3600_000)
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1))
  return d.toISOString().slice(0, 7)
}

describe('evaluation', () => {
  const tickets: string[] = []

  beforeAll(async () => {
    const supervisor = await as('supervisor')
    const [lng, lat] = await pointInSupervisorCell(supervisor)
    const cases: CaseReply[] = []
    for (const description of ['井盖缺失（e2e 考核）', '垃圾满溢（e2e 考核）']) {
      const reply = await send<{ case: CaseReply }>(supervisor, 'POST', '/api/cases', {
        clientId: `e2e-eval-${Date.now()}-${description.length}-${tickets.length}`, source: 'supervisor', classKind: 'component', classCode: '0103', description, lng, lat,
      })
      expect(reply.status).toBe(200)
      tickets.push(reply.body.case.ticket)
      cases.push(reply.body.case)
    }
    // the acceptor files the first: 李受理 has a filing this month
    const filed = await send<unknown>(await as('acceptor'), 'POST', `/api/cases/${cases[0]!.id}/actions`, { version: cases[0]!.version, type: 'file' })
    expect(filed.status).toBe(200)
  })

  it('a leader reads this month\'s rankings with the formula, and drills down from a street\'s figure to a case', async () => {
    const page = await as('leader')
    await page.getByTestId('nav-item-evaluation').click()
    const root = page.getByTestId('evaluation-page')
    await root.waitFor()
    await tablesLoaded(page)
    expect(await root.getByTestId('formula').textContent()).toContain('按期处置率 × 50')
    expect(await root.getByTestId('provisional-tag').textContent()).toBe('未发布（实时计算）')
    await expect.poll(() => root.locator('.ant-table-tbody tr.ant-table-row').count()).toBeGreaterThan(20) // 9 departments, 14 streets and the zone
    await screenshot(page, 'evaluation-units-desktop')

    await root.getByTestId('subject-tab-streets').click()
    await tablesLoaded(page)
    // other browser tests share this server and report in 邾城街道 too: the page shows what the API counts, ours among them
    const ranking = await pageFetch<{ rows: Array<{ name: string; indicators: Record<string, number | null> }> }>(page, '/api/evaluation/rankings?subject=streets')
    const reported = ranking.body.rows.find((row) => row.name === '邾城街道')?.indicators.reported ?? 0
    expect(reported).toBeGreaterThanOrEqual(2)
    const street = root.locator('tr.ant-table-row', { hasText: '邾城街道' })
    await expect.poll(() => street.getByTestId('figure-reported').textContent()).toBe(String(reported))
    await screenshot(page, 'evaluation-streets-desktop')
    await street.getByTestId('figure-reported').click()
    const drawer = page.getByTestId('drill-drawer')
    await drawer.waitFor()
    // newest first, 20 a page: ours, just reported, lead the first page
    await expect.poll(() => drawer.getByTestId('drill-case').count()).toBe(Math.min(reported, 20))
    expect(await drawer.getByTestId('drill-case').allTextContents()).toEqual(expect.arrayContaining(tickets))
    await screenshot(page, 'evaluation-drill-down-desktop')
    await drawer.getByTestId('drill-case').filter({ hasText: tickets[0]! }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/cases/'))
    await page.getByText(tickets[0]!).first().waitFor()
  })

  it('the acceptors\' ranking with its formula; units with nothing counted this month show 无数据 after the ranked', async () => {
    const page = await as('leader')
    await page.goto('/evaluation?subject=acceptors')
    const root = page.getByTestId('evaluation-page')
    await root.waitFor()
    await tablesLoaded(page)
    expect(await root.getByTestId('formula').textContent()).toContain('准确立案率 × 60 + 按时立案率 × 40')
    const acceptor = root.locator('tr.ant-table-row', { hasText: '李受理' })
    await acceptor.getByTestId('composite').waitFor()
    expect(Number(await acceptor.getByTestId('figure-filed').textContent())).toBeGreaterThanOrEqual(1)
    await screenshot(page, 'evaluation-acceptors-desktop')

    await root.getByTestId('subject-tab-units').click()
    await tablesLoaded(page)
    await root.getByTestId('no-data').first().waitFor()
    await root.getByTestId('no-data-note').waitFor()
    // every row with a composite comes before every row without one, which has no rank
    const rows = await root.locator('tr.ant-table-row').evaluateAll((trs) => trs.map((tr) => ({
      noData: !!tr.querySelector('[data-testid="no-data"]'), rank: tr.querySelector('[data-testid="rank"]')?.textContent,
    })))
    const firstNoData = rows.findIndex((r) => r.noData)
    expect(rows.slice(firstNoData).every((r) => r.noData && r.rank === '—')).toBe(true)
    await screenshot(page, 'evaluation-units-no-data-desktop')
  })

  it('a leader publishes the month before last after confirming; its ranking is then marked published and the difference is empty', async () => {
    const page = await as('leader')
    await page.goto(`/evaluation?subject=units&period=${monthBeforeLast()}`)
    const root = page.getByTestId('evaluation-page')
    await root.waitFor()
    await tablesLoaded(page)
    await root.getByTestId('freeze').click()
    await page.getByTestId('freeze-confirm').waitFor()
    await screenshot(page, 'evaluation-freeze-confirm-desktop')
    await page.getByTestId('freeze-confirm').click()
    await root.getByTestId('frozen-tag').waitFor()
    expect(await root.getByTestId('frozen-tag').textContent()).toContain('已发布')
    await expect.poll(() => root.getByTestId('freeze').count()).toBe(0)
    const api = await pageFetch<{ frozen: boolean }>(page, `/api/evaluation/rankings?period=${monthBeforeLast()}`)
    expect(api.body.frozen).toBe(true)
    await root.getByTestId('open-diff').click()
    const diff = page.getByTestId('diff-drawer')
    await diff.waitFor()
    await diff.getByTestId('diff-empty-units').waitFor()
    await screenshot(page, 'evaluation-diff-desktop')
    // the printable report (通报) the print button opens: the browser prints it to PDF
    await page.goto(`/api/evaluation/report.html?period=${monthBeforeLast()}&subjects=units,streets&lang=zh-CN`)
    await page.getByRole('heading', { name: '数字城管综合考核通报' }).waitFor()
    expect(await page.locator('table').count()).toBe(2)
    await screenshot(page, 'evaluation-report-print-desktop')
  })

  it('the weights drawer for leaders; a department\'s staff see only their own row and no publishing', async () => {
    const leader = await as('leader')
    await leader.goto('/evaluation')
    await leader.getByTestId('open-settings').click()
    const drawer = leader.getByTestId('settings-drawer')
    await drawer.waitFor()
    await expect.poll(() => drawer.locator('input').first().inputValue()).toBe('50')
    await screenshot(leader, 'evaluation-settings-desktop')
    // the acceptors' and dispatchers' weights and the monthly publication (on, from the 1st) further down
    expect(await drawer.getByTestId('setting-acceptor-weights-accurateFilingRate').inputValue()).toBe('60')
    await drawer.getByTestId('setting-publication-day').scrollIntoViewIfNeeded()
    expect(await drawer.getByTestId('setting-publication-day').inputValue()).toBe('1')
    expect(await drawer.getByTestId('setting-publication-auto').getAttribute('aria-checked')).toBe('true')
    await screenshot(leader, 'evaluation-settings-publication-desktop')

    const dept = await as('dept')
    await dept.goto('/evaluation')
    const root = dept.getByTestId('evaluation-page')
    await root.waitFor()
    await tablesLoaded(dept)
    await expect.poll(() => root.locator('.ant-table-tbody tr.ant-table-row').count()).toBe(1)
    expect(await root.getByTestId('subject-name').textContent()).toBe('区水务和湖泊局')
    expect(await root.getByTestId('freeze').count()).toBe(0)
    expect(await root.getByTestId('open-settings').count()).toBe(0)
  })

  it('fits a phone', async () => {
    const page = await as('leader', true)
    await page.goto('/evaluation?subject=streets')
    const root = page.getByTestId('evaluation-page')
    await root.waitFor()
    await tablesLoaded(page)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await screenshot(page, 'evaluation-streets-phone')
    for (const session of pool.values()) expect(session.errors).toEqual([])
  })
})
