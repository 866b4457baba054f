// Sign-in and permissions as a user sees them: each role its own menu, the server refusing what the menu hides, wrong passwords.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { homeReady, launchBrowser, login, navItems, openSession, pageFetch, screenshot } from './harness.js'

const baseUrl = inject('baseUrl')
let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

describe('navigation follows permissions', () => {
  it('admin sees every menu item', async () => {
    const { page, context, errors } = await openSession(browser, baseUrl)
    try {
      await page.goto('/')
      await page.waitForURL((url) => url.pathname === '/login') // not signed in: sent to the login page
      await page.getByTestId('login-submit').waitFor()
      await screenshot(page, 'login-desktop')

      await login(page, 'admin')
      await expect.poll(() => page.getByTestId('current-user-name').textContent()).toBe('系统管理员')
      await page.getByTestId('home-unit').waitFor()
      expect(await page.getByTestId('home-unit').textContent()).toBe('新洲区')
      const items = await navItems(page)
      expect(Object.keys(items)).toEqual(['home', 'fieldReport', 'inbox', 'cases', 'command', 'evaluation', 'analysis', 'screen', 'iotDevices', 'iotAlarms', 'iotRules', 'map', 'units', 'people', 'roles', 'grid', 'classes', 'caseSettings', 'audit'])
      expect(items).toMatchObject({ home: '首页', units: '组织机构', people: '人员', roles: '角色权限', audit: '审计日志' })
      // The home page's counters come from the API.
      await expect.poll(() => page.getByTestId('count-users').locator('.ant-statistic-content-value').textContent()).toMatch(/^\d+$/)
      await screenshot(page, 'home-admin-desktop')
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('supervisor sees only map, grid and classes — and the server refuses the people list', async () => {
    const { page, context, errors } = await openSession(browser, baseUrl)
    try {
      await login(page, 'supervisor')
      await expect.poll(() => page.getByTestId('current-user-name').textContent()).toBe('刘监督员')
      expect(await page.getByTestId('current-user-unit').textContent()).toBe('邾城街道')
      const items = await navItems(page)
      expect(Object.keys(items)).toEqual(['home', 'field', 'fieldReport', 'inbox', 'cases', 'command', 'map', 'grid', 'classes'])
      await homeReady(page)
      for (const hidden of ['units', 'people', 'roles', 'audit']) await expect.poll(() => page.getByTestId(`nav-item-${hidden}`).count()).toBe(0)
      await screenshot(page, 'home-supervisor-desktop')

      // Hiding the menu item is not the protection: the API itself says no, with its zh-CN message.
      const users = await pageFetch<{ error: { code: string; message: string } }>(page, '/api/users')
      expect(users.status).toBe(403)
      expect(users.body.error).toMatchObject({ code: 'FORBIDDEN', message: '没有执行此操作的权限' })
      const audit = await pageFetch(page, '/api/audit')
      expect(audit.status).toBe(403)
      // What the supervisor may read still works.
      expect((await pageFetch(page, '/api/grid/cells?pageSize=1')).status).toBe(200)

      // Typing the address of a hidden page shows the 403 page, not the page.
      await page.goto('/people')
      await page.getByText('您没有访问此页面的权限').waitFor()
      expect(await page.getByTestId('people-page').count()).toBe(0)
      await screenshot(page, 'forbidden-page-supervisor-desktop')
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('leader reads units and people but not roles or the audit log', async () => {
    const { page, context } = await openSession(browser, baseUrl)
    try {
      await login(page, 'leader')
      expect(Object.keys(await navItems(page))).toEqual(['home', 'fieldReport', 'inbox', 'cases', 'command', 'evaluation', 'analysis', 'screen', 'iotDevices', 'iotAlarms', 'iotRules', 'map', 'units', 'people', 'grid', 'classes', 'caseSettings'])
      expect((await pageFetch(page, '/api/users')).status).toBe(200)
      expect((await pageFetch(page, '/api/audit')).status).toBe(403)
    } finally {
      await context.close()
    }
  })

  it('signing out returns to the login page and ends the session', async () => {
    const { page, context } = await openSession(browser, baseUrl)
    try {
      await login(page, 'dispatcher')
      await page.getByTestId('logout').click()
      await page.waitForURL((url) => url.pathname === '/login')
      expect((await pageFetch(page, '/api/auth/me')).status).toBe(401)
      await page.goto('/map')
      await page.waitForURL((url) => url.pathname === '/login')
    } finally {
      await context.close()
    }
  })
})

describe('wrong password', () => {
  it('shows the server message in Chinese and stays on the login page', async () => {
    const { page, context, errors } = await openSession(browser, baseUrl)
    try {
      await page.goto('/login')
      await page.getByTestId('login-username').fill('officer')
      await page.getByTestId('login-password').fill('not-the-password')
      await page.getByTestId('login-submit').click()
      const alert = page.getByTestId('server-error')
      await alert.waitFor()
      expect(await alert.textContent()).toContain('用户名或密码错误')
      expect(new URL(page.url()).pathname).toBe('/login')
      expect((await pageFetch(page, '/api/auth/me')).status).toBe(401)
      await screenshot(page, 'login-wrong-password-desktop')

      // An unknown user gets the same answer (no user enumeration).
      await page.getByTestId('login-username').fill('nobody-here')
      await page.getByTestId('login-submit').click()
      await expect.poll(() => alert.textContent()).toContain('用户名或密码错误')
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('the empty form is refused in the browser, without a request', async () => {
    const { page, context } = await openSession(browser, baseUrl)
    try {
      await page.goto('/login')
      let loginCalls = 0
      page.on('request', (r) => { if (r.url().endsWith('/api/auth/login')) loginCalls++ })
      await page.getByTestId('login-submit').click()
      await page.getByText('请输入用户名').waitFor()
      await page.getByText('请输入密码').waitFor()
      expect(loginCalls).toBe(0)
    } finally {
      await context.close()
    }
  })
})
