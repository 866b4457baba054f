// The IoT pages (物联感知): the admin finds the demo devices in the list and on the map and opens one whose history a
// device sent over the HTTP device API — its chart draws; adds a device (token shown once, rotated, revoked) and imports
// more from CSV after a check that finds a bad row; the dispatcher's alarm console flashes and sounds for a new
// critical alarm, acknowledges it and clears another by hand; the rule editor saves a changed threshold; the leader's
// phone shows the alarm console and a device page at 390 px; the supervisor has no IoT pages.
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { pageFetch, PHONE, screenshot, SessionPool, tablesLoaded } from './harness.js'

const baseUrl = inject('baseUrl')
const sessions = new SessionPool(baseUrl)

beforeAll(async () => {
  await sessions.launch()
})
afterAll(() => sessions.close())

const as = (username: string, phone = false) => sessions.page(username, phone)

/** A device's message through the HTTP device API, with its demo token (`demo-<code>`). */
async function send(code: string, body: unknown): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/demo-${code}/telemetry`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status, `telemetry of ${code}: ${await res.clone().text()}`).toBe(200)
}

interface DeviceRow { id: string; code: string; state: string; alarms: { open: number; worst: string | null } }

async function deviceByCode(page: Page, code: string): Promise<DeviceRow> {
  const { body } = await pageFetch<{ items: DeviceRow[] }>(page, `/api/iot/devices?q=${encodeURIComponent(code)}`)
  const device = body.items.find((d) => d.code === code)
  expect(device, code).toBeDefined()
  return device!
}

interface AlarmRow { id: string; state: string; severity: string; device: { code: string }; rule: { name: string } }

async function openAlarms(page: Page, code: string): Promise<AlarmRow[]> {
  const device = await deviceByCode(page, code)
  const { body } = await pageFetch<{ items: AlarmRow[] }>(page, `/api/iot/alarms?state=open&deviceId=${device.id}`)
  return body.items
}

/** The input of an AntD InputNumber by its test id (on the input itself or on its wrapper). */
function numberInput(scope: Locator, testId: string): Locator {
  return scope.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first()
}

/** No page wider than the phone: nothing to scroll sideways. */
async function fitsWidth(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
}

// ---------------------------------------------------------------------------------------------------------------

describe('IoT pages', () => {
  const CHARTED = 'XZ-JG-001'

  it('the admin opens the devices from the menu: the demo devices with their state and model; the map shows them', async () => {
    const page = await as('admin')
    const nav = page.getByTestId('nav-item-iotDevices')
    expect(await nav.textContent()).toBe('物联设备')
    await nav.click()
    await page.getByTestId('devices-page').waitFor()
    await tablesLoaded(page)
    expect(await page.locator('[data-testid^="device-row-XZ-"]').count()).toBeGreaterThan(5)
    expect(await page.locator('.ant-pagination-total-text').textContent()).toMatch(/共 \d+ 条/)

    // search by number
    await page.getByTestId('devices-search').locator('input').fill(CHARTED)
    await page.getByTestId('devices-search').locator('input').press('Enter')
    await expect.poll(() => page.locator('[data-testid^="device-row-"]').count()).toBe(1)
    const row = page.getByTestId(`device-row-${CHARTED}`)
    expect(await row.textContent()).toContain('智能井盖')
    await screenshot(page, 'iot-devices-desktop')

    // the map: every placed device in scope as a point
    await page.getByTestId('devices-search').locator('input').fill('')
    await page.getByTestId('devices-search').locator('input').press('Enter')
    await page.getByTestId('devices-view').getByText('地图').click()
    await expect.poll(() => page.getByTestId('device-map').getAttribute('data-loaded')).toBe('true')
    expect(Number(await page.getByTestId('device-map').getAttribute('data-count'))).toBeGreaterThan(5)
    await page.waitForFunction(() => {
      const map = window.__xiuhuaMap
      return !!map && map.loaded() && !map.isMoving() && map.queryRenderedFeatures({ layers: ['iot-device-points'] }).length > 0
    }, undefined, { timeout: 30_000, polling: 100 })
    await screenshot(page, 'iot-devices-map-desktop')
  })

  it('a device sends twelve hours of readings over HTTP: its page shows the newest values and draws the chart', async () => {
    // a reading every 30 s (1,440), in messages of 480: more than the chart's points, so the server buckets them
    const now = Date.now()
    const history = Array.from({ length: 1440 }, (_, i) => ({
      ts: now - (1439 - i) * 30_000,
      values: { tilt: Math.round((2 + 1.5 * Math.sin(i / 54) + ((i * 37) % 10) / 10) * 10) / 10, water_level: 40 + Math.floor(i / 6) % 24 * 2 + (i % 3), battery: 90 - Math.floor(i / 200) },
    }))
    for (let i = 0; i < history.length; i += 480) await send(CHARTED, history.slice(i, i + 480))

    const page = await as('admin')
    const device = await deviceByCode(page, CHARTED)
    // the newest values are written about a second after their messages: the page opens once they are
    await expect.poll(async () => (await pageFetch<{ latest: Record<string, { v: unknown }> }>(page, `/api/iot/devices/${device.id}`)).body.latest.battery?.v).toBe(83)
    await page.goto(`/iot/devices/${device.id}`)
    await page.getByTestId('device-detail-page').waitFor()
    expect(await page.getByTestId('device-code').textContent()).toBe(CHARTED)
    await expect.poll(() => page.getByTestId('device-latest-battery').textContent()).toContain('83 %')
    expect(await page.getByTestId('device-state').getAttribute('data-state')).toBe('online')

    // 24 h by default: the series of the first key (tilt) in buckets (min–max band, average line), drawn by ECharts
    const chart = page.getByTestId('telemetry-chart')
    await expect.poll(() => chart.getAttribute('data-loading')).toBe('false')
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100)
    expect(await page.getByTestId('telemetry-bucket').textContent()).toMatch(/^已按每 \d+ (秒|分钟)汇总$/)
    await page.getByTestId('telemetry-canvas').locator('canvas').waitFor()
    // the water level for the last hour: the raw readings, 120 of them
    await page.getByTestId('telemetry-key').click()
    await page.locator('.ant-select-item-option').filter({ hasText: '井内水位' }).click()
    await page.getByTestId('telemetry-range').getByText('1 小时').click()
    await expect.poll(() => chart.getAttribute('data-key')).toBe('water_level')
    await expect.poll(() => page.getByTestId('telemetry-bucket').count()).toBe(0) // raw readings: no buckets
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(119)
    await page.getByTestId('telemetry-range').getByText('24 小时').click()
    await expect.poll(() => page.getByTestId('telemetry-bucket').count()).toBe(1)
    await page.waitForTimeout(300) // the chart's first frame, for the screenshot
    await screenshot(page, 'iot-device-detail-desktop')

    // a new reading: the open page shows it without a reload (it reads the newest values again every 10 s)
    await send(CHARTED, { ts: Date.now(), values: { battery: 80 } })
    await expect.poll(() => page.getByTestId('device-latest-battery').textContent(), { timeout: 20_000 }).toContain('80 %')
  })

  it('the admin adds a device (its token shown once), issues it a new token and revokes it', async () => {
    const page = await as('admin')
    const placed = await pageFetch<{ lng: number; lat: number }>(page, `/api/iot/devices/${(await deviceByCode(page, CHARTED)).id}`)
    await page.goto('/iot/devices')
    await page.getByTestId('devices-add').click()
    const form = page.getByTestId('device-form')
    await form.getByTestId('device-code').fill('E2E-GAS-001')
    await form.getByTestId('device-name').fill('测试燃气探测器（e2e）')
    await form.getByTestId('device-model').click()
    await page.locator('.ant-select-item-option').filter({ hasText: '可燃气体探测器' }).click()
    await numberInput(form, 'device-lng').fill(String(placed.body.lng + 0.0002))
    await numberInput(form, 'device-lat').fill(String(placed.body.lat + 0.0001))
    await page.getByTestId('device-save').click()
    const dialog = page.getByTestId('device-token-dialog')
    await dialog.getByTestId('device-token').waitFor()
    const token = (await dialog.getByTestId('device-token').textContent())!.trim()
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    await page.waitForTimeout(400) // the dialog's opening animation, for the screenshot
    await screenshot(page, 'iot-device-token-desktop')
    await dialog.getByTestId('device-token-done').click()

    // the token works at once; the device is in the list, never seen until now
    const res = await fetch(`${baseUrl}/api/v1/${token}/telemetry`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ lel: 3 }) })
    expect(res.status).toBe(200)
    const device = await deviceByCode(page, 'E2E-GAS-001')
    await page.goto(`/iot/devices/${device.id}`)
    await expect.poll(() => page.getByTestId('device-latest-lel').textContent()).toContain('3 %LEL')
    expect(await page.getByTestId('device-token-hint').textContent()).toContain(token.slice(0, 4))

    // a new token: the old one is refused from now on
    await page.getByTestId('device-rotate').click()
    await page.getByTestId('device-rotate-ok').click()
    await expect.poll(async () => (await page.getByTestId('device-token').textContent())?.trim()).not.toBe(token)
    const rotated = (await page.getByTestId('device-token').textContent())!.trim()
    expect(rotated).not.toBe(token)
    await page.getByTestId('device-token-done').click()
    const old = await fetch(`${baseUrl}/api/v1/${token}/telemetry`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ lel: 4 }) })
    expect(old.status).toBe(401)

    // revoked: no valid token shown, and the device is refused
    await page.getByTestId('device-revoke').click()
    await page.getByTestId('device-revoke-ok').click()
    await page.getByTestId('device-token-revoked').waitFor()
    const refused = await fetch(`${baseUrl}/api/v1/${rotated}/telemetry`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ lel: 5 }) })
    expect(refused.status).toBe(401)
    expect(sessions.get('admin')!.errors).toEqual([])
  })

  it('the admin imports devices from CSV: the check reports a bad row, a corrected file is imported', async () => {
    const page = await as('admin')
    const placed = await pageFetch<{ lng: number; lat: number }>(page, `/api/iot/devices/${(await deviceByCode(page, CHARTED)).id}`)
    const at = (i: number) => `${(placed.body.lng + 0.0003 * i).toFixed(6)},${(placed.body.lat - 0.0002 * i).toFixed(6)}`
    const csv = (model: string) => `code,name,model,lng,lat,address\r\nE2E-LJ-001,测试垃圾桶1（e2e）,bin_fill,${at(1)},测试路1号\r\nE2E-LJ-002,测试垃圾桶2（e2e）,${model},${at(2)},测试路2号\r\n`
    await page.goto('/iot/devices')
    await page.getByTestId('devices-import').click()
    const dialog = page.getByTestId('device-import-dialog')
    expect(await dialog.getByTestId('device-import-template').getAttribute('href')).toBe('/api/iot/devices/import/template.xlsx')

    await dialog.locator('input[type=file]').setInputFiles({ name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv('no_such_model')) })
    const result = dialog.getByTestId('device-import-result')
    await result.waitFor()
    expect(await result.getAttribute('data-dry-run')).toBe('true')
    expect(Number(await result.getAttribute('data-errors'))).toBeGreaterThan(0)
    const errors = dialog.getByTestId('device-import-errors')
    expect(await errors.locator('tbody tr.ant-table-row').first().textContent()).toMatch(/^3/) // the second device is on row 3
    await screenshot(page, 'iot-import-errors-desktop')
    expect(await dialog.getByTestId('device-import-run').count()).toBe(0) // nothing to import while a row is wrong

    await dialog.getByRole('button', { name: '选择其他文件' }).click()
    await dialog.locator('input[type=file]').setInputFiles({ name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv('bin_fill')) })
    await expect.poll(() => dialog.getByTestId('device-import-run').count()).toBe(1)
    await dialog.getByTestId('device-import-run').click()
    await expect.poll(() => result.getAttribute('data-dry-run')).toBe('false')
    expect(await result.textContent()).toContain('已导入 2 台设备')
    await dialog.getByTestId('device-import-tokens').waitFor()
    await screenshot(page, 'iot-import-done-desktop')
    await dialog.getByTestId('device-import-close').click()
    await deviceByCode(page, 'E2E-LJ-002')
    await expect.poll(() => page.getByTestId('device-row-E2E-LJ-002').count()).toBe(1) // the list shows the new devices
  })

  it('the dispatcher’s alarm console: a new critical alarm flashes and sounds; acknowledge, then clear with a comment', async () => {
    const page = await as('dispatcher')
    await page.getByTestId('nav-item-iotAlarms').click()
    await page.getByTestId('alarms-page').waitFor()
    await tablesLoaded(page)
    // a touch on the page lets it play sound, as a user's first click would
    await page.locator('.xh-page-header h1').click()
    const before = Number(await page.getByTestId('alarm-count-critical').getAttribute('data-count'))

    // a manhole cover is lifted: tilt far past the critical threshold of 15°
    await send('XZ-JG-002', { tilt: 38, open: true })
    const banner = page.getByTestId('alarm-banner')
    await banner.waitFor()
    expect(await banner.getAttribute('data-sound')).toBe('played')
    await expect.poll(() => banner.textContent()).toContain('XZ-JG-002 · 井盖倾斜')
    await expect.poll(async () => Number(await page.getByTestId('alarm-count-critical').getAttribute('data-count'))).toBe(before + 1)
    const [alarm] = await openAlarms(page, 'XZ-JG-002')
    expect(alarm).toMatchObject({ severity: 'critical', state: 'active' })
    const row = page.getByTestId(`alarm-row-${alarm!.id}`)
    await expect.poll(() => row.getAttribute('class')).toContain('xh-iot-flash')
    await screenshot(page, 'iot-alarms-new-critical-desktop')

    await page.getByTestId(`alarm-ack-${alarm!.id}`).click()
    await expect.poll(() => row.getAttribute('data-state')).toBe('acknowledged')
    await page.getByTestId(`alarm-clear-${alarm!.id}`).click()
    const dialog = page.getByTestId('alarm-clear-dialog')
    await dialog.getByTestId('alarm-clear-comment').fill('已现场复位井盖（e2e）')
    await page.getByTestId('alarm-clear-ok').click()
    await expect.poll(() => row.count()).toBe(0) // cleared: no longer among the open ones
    await page.getByTestId('alarms-filter-state').click()
    await page.locator('.ant-select-item-option').filter({ hasText: '已清除' }).click()
    await expect.poll(() => page.getByTestId(`alarm-row-${alarm!.id}`).getAttribute('data-state')).toBe('cleared')

    // muted: the choice is kept over a reload, and the next critical alarm flashes without a sound
    await page.getByTestId('alarms-mute').click()
    await page.reload()
    await page.getByTestId('alarms-page').waitFor()
    expect(await page.getByTestId('alarms-mute').getAttribute('data-muted')).toBe('true')
    await send('XZ-JG-003', { tilt: 41 })
    await expect.poll(() => page.getByTestId('alarm-banner').getAttribute('data-sound')).toBe('muted')
    await page.getByTestId('alarms-mute').click()
    expect(sessions.get('dispatcher')!.errors).toEqual([])
  })

  it('the rule editor: the admin lowers the manhole covers’ low-battery threshold, and the list says so', async () => {
    const page = await as('admin')
    await page.getByTestId('nav-item-iotRules').click()
    await page.getByTestId('iot-rules-page').waitFor()
    await page.getByTestId('iot-rules-model').click()
    await page.locator('.ant-select-item-option').filter({ hasText: '智能井盖' }).click()
    await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('manhole_cover')
    await tablesLoaded(page)
    const rules = await pageFetch<{ items: Array<{ id: string; name: string; deviceId: string | null }> }>(page, '/api/iot/rules?model=manhole_cover')
    const battery = rules.body.items.find((r) => r.name === '电量低' && r.deviceId === null)
    expect(battery).toBeDefined()
    const conditions = page.getByTestId(`rule-conditions-${battery!.id}`)
    expect(await conditions.textContent()).toContain('电量 < 20 %')

    await page.getByTestId(`rule-edit-${battery!.id}`).click()
    const form = page.getByTestId('iot-rule-form')
    await form.waitFor()
    await numberInput(form, 'rule-condition-0-value').fill('15')
    await numberInput(form, 'rule-condition-0-clear').fill('22')
    await screenshot(page, 'iot-rule-form-desktop')
    await page.getByTestId('iot-rule-save').click()
    await expect.poll(() => conditions.textContent()).toContain('电量 < 15 %（高于 22 % 恢复）')
    await screenshot(page, 'iot-rules-desktop')
    expect(sessions.get('admin')!.errors).toEqual([])
  })

  it('the leader’s phone: the alarm console as cards, a device page, both within 390 px', async () => {
    const page = await as('leader', true)
    await page.goto('/iot/alarms')
    await page.getByTestId('alarms-page').waitFor()
    await expect.poll(() => page.locator('[data-testid^="alarm-row-"]').count()).toBeGreaterThan(0)
    await fitsWidth(page)
    await screenshot(page, 'iot-alarms-phone')

    const device = await deviceByCode(page, CHARTED)
    await page.goto(`/iot/devices/${device.id}`)
    await page.getByTestId('device-detail-page').waitFor()
    await expect.poll(() => page.getByTestId('telemetry-chart').getAttribute('data-loading')).toBe('false')
    await fitsWidth(page)
    await screenshot(page, 'iot-device-detail-phone', { fullPage: true })
    expect(sessions.get('leader-phone')!.errors).toEqual([])
  })

  it('in English: the acceptor’s alarm console, device page and rules speak English, no key left untranslated', async () => {
    const page = await as('acceptor')
    await page.getByTestId('lang-switch').click()
    await expect.poll(() => page.getByTestId('nav-item-iotAlarms').textContent()).toBe('Alarms')
    const untranslated = () => page.evaluate(() => document.body.innerText.match(/\biot\.[a-zA-Z.]+/g) ?? [])

    await page.getByTestId('nav-item-iotAlarms').click()
    await page.getByTestId('alarms-page').getByRole('heading', { name: 'Alarms' }).waitFor()
    await tablesLoaded(page)
    expect(await page.getByTestId('alarm-counts').textContent()).toContain('Critical')
    expect(await untranslated()).toEqual([])

    const device = await deviceByCode(page, CHARTED)
    await page.goto(`/iot/devices/${device.id}`)
    await expect.poll(() => page.getByTestId('telemetry-chart').getAttribute('data-loading')).toBe('false')
    expect(await page.getByTestId('device-latest-battery').textContent()).toContain('Battery')
    expect(await untranslated()).toEqual([])
    await screenshot(page, 'iot-device-detail-english-desktop')

    await page.goto('/iot/rules?model=gas_detector')
    await expect.poll(() => page.getByTestId('iot-rules-table').textContent()).toContain('Gas leak')
    await screenshot(page, 'iot-rules-english-desktop')
    expect(await page.getByTestId('iot-rules-readonly').count()).toBe(1) // no device:write: read only
    expect(await page.getByTestId('iot-rule-add').count()).toBe(0)
    expect(await untranslated()).toEqual([])
    await page.getByTestId('lang-switch').click()
    await expect.poll(() => page.getByTestId('nav-item-iotAlarms').textContent()).toBe('告警台')
    expect(sessions.get('acceptor')!.errors).toEqual([])
  })

  it('the supervisor has no IoT pages, and the server refuses the device list', async () => {
    const page = await as('supervisor')
    expect(await page.getByTestId('nav-item-iotDevices').count()).toBe(0)
    expect(await page.getByTestId('nav-item-iotAlarms').count()).toBe(0)
    expect((await pageFetch(page, '/api/iot/devices')).status).toBe(403)
    await page.goto('/iot/alarms')
    await page.getByText('您没有访问此页面的权限').waitFor()
  })
})
