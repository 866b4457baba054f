// The 中文 / English switch: texts change at once, the choice survives a reload, and the server answers in it too.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { homeReady, launchBrowser, login, openSession, screenshot } from './harness.js'

const baseUrl = inject('baseUrl')
let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent().then((t) => (t ?? '').trim())
const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang)

describe('language switch', () => {
  it('switches the signed-in UI to English and back, and remembers it across reloads', async () => {
    const { page, context, errors } = await openSession(browser, baseUrl)
    try {
      await login(page, 'admin')
      expect(await text(page, 'nav-item-units')).toBe('组织机构')
      expect(await text(page, 'nav-item-audit')).toBe('审计日志')
      expect(await htmlLang(page)).toBe('zh-CN')

      await page.getByTestId('lang-switch').click()
      await expect.poll(() => text(page, 'nav-item-units')).toBe('Units')
      expect(await text(page, 'nav-item-audit')).toBe('Audit log')
      expect(await text(page, 'logout')).toBe('Sign out')
      expect(await text(page, 'current-user-unit')).toBe('Xinzhou District') // the unit's English name from the server
      expect(await htmlLang(page)).toBe('en')
      await homeReady(page)
      expect(await page.getByTestId('count-units').textContent()).toContain('Units')
      await screenshot(page, 'home-admin-english-desktop')

      await page.reload()
      await page.getByTestId('nav-menu').waitFor()
      await expect.poll(() => text(page, 'nav-item-units')).toBe('Units')
      expect(await htmlLang(page)).toBe('en')
      // A page's own texts follow too.
      await page.getByTestId('nav-item-people').click()
      await page.getByTestId('people-page').getByRole('heading', { name: 'People' }).waitFor()

      await page.getByTestId('lang-switch').click()
      await expect.poll(() => text(page, 'nav-item-units')).toBe('组织机构')
      await page.getByTestId('people-page').getByRole('heading', { name: '人员' }).waitFor()
      await page.reload()
      await page.getByTestId('nav-menu').waitFor()
      await expect.poll(() => text(page, 'nav-item-units')).toBe('组织机构')
      expect(await htmlLang(page)).toBe('zh-CN')
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('the login page switches too, and the server’s error comes back in English', async () => {
    const { page, context } = await openSession(browser, baseUrl)
    try {
      await page.goto('/login')
      await expect.poll(() => text(page, 'login-submit')).toMatch(/^登\s*录$/)
      await page.getByTestId('lang-switch').click()
      await expect.poll(() => text(page, 'login-submit')).toBe('Sign in')
      await page.getByTestId('login-username').fill('officer')
      await page.getByTestId('login-password').fill('wrong-password-1')
      await page.getByTestId('login-submit').click()
      await expect.poll(() => text(page, 'server-error')).toContain('Wrong user name or password')
      await screenshot(page, 'login-wrong-password-english-desktop')
      await page.reload()
      await expect.poll(() => text(page, 'login-submit')).toBe('Sign in')
    } finally {
      await context.close()
    }
  })
})
