// Browser-test harness: the real server as a child process on a fresh database, headless Chromium, sign-in and screenshots.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { beforeEach, expect } from 'vitest'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots')
export const PASSWORD = process.env.XIUHUA_DEMO_PASSWORD?.trim() || 'Xiuhua@2026'
export const DESKTOP = { width: 1440, height: 900 } as const
export const PHONE = { width: 390, height: 844 } as const

const HEALTH_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 20_000

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** A scratch database on the native PostgreSQL of DATABASE_URL, dropped afterwards. */
async function scratchDatabase(databaseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `xiuhua_e2e_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`)
  } finally {
    await admin.end()
  }
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

export interface RunningServer {
  baseUrl: string
  /** Everything the server printed so far (stdout and stderr interleaved). */
  output(): string
  /** SIGTERM, then waits for the process to exit; resolves with its exit code (null if it had to be killed). */
  stop(): Promise<number | null>
  /** Set when the server ended before stop() was called: how (exit code, signal). */
  diedEarly(): string | undefined
}

/**
 * Starts `src/server/main.ts` (through tsx) on a free port, with the embedded broker on a random port, a fresh
 * PGlite data directory (or a scratch native database when DATABASE_URL is set) and the demo seeded.
 */
export async function startServer(): Promise<RunningServer> {
  const port = await freePort()
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-e2e-'))
  const scratch = process.env.DATABASE_URL ? await scratchDatabase(process.env.DATABASE_URL) : undefined

  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dataDir, XIUHUA_DEMO: 'on' }
  // The defaults are under test (offline base map, development mode), whatever the calling shell has set.
  for (const name of ['DATABASE_URL', 'XIUHUA_BASEMAP', 'TIANDITU_KEY', 'MQTT_URL', 'NODE_ENV', 'XIUHUA_COOKIE_SECURE', 'LOG_LEVEL']) delete env[name]
  if (scratch) env.DATABASE_URL = scratch.url

  let log = ''
  // node --import tsx is what the tsx CLI does, minus its wrapper process: signals reach the server itself.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8')
    if (log.length > 2_000_000) log = log.slice(-1_000_000)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  // Should the test runner itself end abruptly, do not leave the server behind.
  const orphanGuard = () => child.kill('SIGKILL')
  process.once('exit', orphanGuard)
  let stopping = false
  let exitCode: number | null | undefined
  let exitNote = ''
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code
      exitNote = `exit code ${code}${signal ? `, signal ${signal}` : ''}`
      if (!stopping) {
        const message = `e2e: the server exited unexpectedly (${exitNote}) at ${new Date().toISOString()}`
        log += `\n${message}\n`
        console.error(message)
      }
      process.off('exit', orphanGuard)
      resolve(code)
    }))

  const cleanup = async () => {
    await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined)
    await scratch?.drop().catch((error: unknown) => console.error('e2e: could not drop the scratch database:', error))
  }

  const baseUrl = `http://127.0.0.1:${port}`
  const started = Date.now()
  for (;;) {
    if (exitCode !== undefined) {
      await cleanup()
      throw new Error(`The server exited with code ${exitCode} before it was healthy. Its output:\n${log}`)
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) })
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() - started > HEALTH_TIMEOUT_MS) {
      child.kill('SIGKILL')
      await exited
      await cleanup()
      throw new Error(`GET /api/health was not 200 within ${HEALTH_TIMEOUT_MS / 1000} s. The server's output:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }

  return {
    baseUrl,
    output: () => log,
    diedEarly: () => (exitCode !== undefined && !stopping ? exitNote : undefined),
    async stop() {
      if (exitCode !== undefined) {
        await cleanup()
        return exitCode
      }
      stopping = true
      child.kill('SIGTERM')
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref())
      const result = await Promise.race([exited, timer])
      let code: number | null
      if (result === 'timeout') {
        child.kill('SIGKILL')
        await exited
        code = null
      } else {
        code = result
      }
      await cleanup()
      return code
    },
  }
}

/** Headless Debian Chromium (no downloads); CHROMIUM_PATH overrides where it is. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  })
}

export interface Session {
  context: BrowserContext
  page: Page
  /** URLs the page tried to load from anywhere but the Xiuhua server (all of them were refused). */
  external: string[]
  /** Uncaught page errors, console errors and server errors (5xx). */
  errors: string[]
  /** The last few refused API calls (4xx), for the report of a failed test. */
  refused: string[]
}

/**
 * A fresh browser context (no cookies, no stored language) whose requests may only go to the Xiuhua server;
 * `device` grants permissions (geolocation) and sets where the device is.
 */
export async function openSession(
  browser: Browser, baseUrl: string, viewport: { width: number; height: number } = DESKTOP,
  device: Pick<BrowserContextOptions, 'geolocation' | 'permissions'> = {},
): Promise<Session> {
  const phone = viewport.width < 768
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...device,
  })
  context.setDefaultTimeout(20_000)
  const external: string[] = []
  const origin = new URL(baseUrl).origin
  await context.route((url) => url.origin !== origin && /^https?:$/.test(url.protocol), (route) => {
    external.push(route.request().url())
    return route.abort('internetdisconnected')
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    // Refused API calls (401 before sign-in, 403 when probing) are answers, not faults; server faults are caught below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`)
  })
  const refused: string[] = []
  page.on('response', (response) => {
    const status = response.status()
    if (status >= 500) errors.push(`http ${status}: ${response.request().method()} ${response.url()}`)
    else if (status >= 400 && new URL(response.url()).pathname.startsWith('/api/')) {
      refused.push(`${status} ${response.request().method()} ${new URL(response.url()).pathname}`)
      if (refused.length > 5) refused.shift()
    }
  })
  return { context, page, external, errors, refused }
}

/**
 * A browser and signed-in sessions per demo user (desktop, or phone with `phone`), opened on first use and kept for
 * the whole test file; a Map of them by user (`<user>-phone` for a phone), so a test can read a session's errors.
 * `launch` in beforeAll, `close` in afterAll.
 */
export class SessionPool extends Map<string, Session> {
  browser: Browser | undefined

  constructor(private readonly baseUrl: string) {
    super()
    // made at the top of a test file, so this hook is the file's: a failed test keeps what its pages showed
    beforeEach(({ task, onTestFailed }) => {
      onTestFailed(async ({ task: failed }) => {
        const report = await Promise.all([...this].map(([key, session]) => pageReport(session, `failed-${task.name}-${key}`)))
        const error = failed.result?.errors?.[0]
        if (error && report.length) error.message += `\n\nThe pages when it failed:\n${report.join('\n')}`
      })
    })
  }

  async launch(): Promise<Browser> {
    this.browser = await launchBrowser()
    return this.browser
  }

  async page(username: string, phone = false): Promise<Page> {
    const key = phone ? `${username}-phone` : username
    let session = this.get(key)
    if (!session) {
      if (!this.browser) throw new Error('SessionPool: no browser yet (launch it in beforeAll)')
      session = await openSession(this.browser, this.baseUrl, phone ? PHONE : DESKTOP)
      this.set(key, session)
      await login(session.page, username)
    }
    return session.page
  }

  /** Ends the sessions and the browser. */
  async close(): Promise<void> {
    for (const session of this.values()) await session.context.close().catch(() => undefined)
    this.clear()
    await this.browser?.close()
  }
}

/**
 * What a page showed: its address, the form errors, alerts and messages on it, its errors and its last refused API
 * calls, in a few lines; and a screenshot (test-results/screenshots/<name>.png).
 */
async function pageReport(session: Session, name: string): Promise<string> {
  const { page } = session
  const shown = await page.locator('.ant-form-item-explain-error, .ant-alert-message, .ant-alert-description, .ant-message-notice')
    .allTextContents().catch(() => [])
  const file = await screenshot(page, name.replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 120)).catch((e: unknown) => `no screenshot (${String(e)})`)
  return [
    `- ${page.url()} (${path.relative(ROOT, file)})`,
    shown.length ? `  on the page: ${shown.join(' | ')}` : '',
    session.errors.length ? `  errors: ${session.errors.slice(-5).join(' | ')}` : '',
    session.refused.length ? `  refused: ${session.refused.join(' | ')}` : '',
  ].filter(Boolean).join('\n')
}

/** Signs in through the login form and waits for the signed-in shell. */
export async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/login')
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('logout').waitFor()
  await page.waitForURL((url) => url.pathname === '/')
}

/** A GET from inside the page (its session cookie): status and parsed body. */
export async function pageFetch<T = unknown>(page: Page, url: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (u) => {
    const res = await fetch(u, { headers: { Accept: 'application/json' } })
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON
    }
    return { status: res.status, body }
  }, url) as Promise<{ status: number; body: T }>
}

/** Saves test-results/screenshots/<name>.png (kept by CI as an artifact). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled', caret: 'hide' })
  return file
}

/** Texts of the navigation items, by key (only the items shown). */
export async function navItems(page: Page): Promise<Record<string, string>> {
  const menu = page.getByTestId('nav-menu')
  await menu.waitFor()
  const items = await menu.locator('[data-testid^="nav-item-"]').evaluateAll((nodes) =>
    nodes.map((n) => [n.getAttribute('data-testid')!.slice('nav-item-'.length), (n.textContent ?? '').trim()] as const))
  return Object.fromEntries(items)
}

/** Waits until no AntD table on the page shows its loading spinner. */
export async function tablesLoaded(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.ant-table-wrapper .ant-spin-spinning').count(), { timeout: 20_000 }).toBe(0)
}

/** Waits for the home page and its figures (no skeleton left), so a screenshot shows them. */
export async function homeReady(page: Page): Promise<void> {
  await page.getByTestId('home-page').waitFor()
  await expect.poll(() => page.locator('[data-testid="home-page"] .ant-skeleton').count(), { timeout: 20_000 }).toBe(0)
}
