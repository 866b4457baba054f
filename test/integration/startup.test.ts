// Starting the program as an operator does: production mode without demo users, the first admin by command, a taken port.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

interface Run {
  code: number | null
  output: string
}

let dataDir: string
let env: Record<string, string>
let dropDatabase: (() => Promise<void>) | undefined

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-start-'))
  env = { NODE_ENV: 'production', DATA_DIR: dataDir, MQTT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
  if (process.env.DATABASE_URL) {
    const name = `xiuhua_t_start_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    await admin.query(`create database ${name}`)
    const url = new URL(process.env.DATABASE_URL)
    url.pathname = `/${name}`
    env.DATABASE_URL = url.toString()
    dropDatabase = async () => {
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  }
})
afterAll(async () => {
  await dropDatabase?.()
  await fs.rm(dataDir, { recursive: true, force: true })
})

const tsx = path.resolve('node_modules/.bin/tsx')

/** Runs a command to its end. */
function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(tsx, args, { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

/** Starts the server, waits for its banner, runs `check`, then stops it with SIGTERM. */
async function withServer<T>(extraEnv: Record<string, string>, check: (address: string, banner: string) => Promise<T>): Promise<{ result: T; exit: number | null }> {
  const child = spawn(tsx, ['src/server/main.ts'], { env: { ...process.env, ...env, PORT: '0', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const banner = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d
      if (/Demo users|No organisation yet|API docs/.test(output) && /\n\n$/.test(output)) resolve(output)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d) => (output += d))
    void exited.then(() => reject(new Error(`server exited early:\n${output}`)))
  })
  const address = /running at (http:\/\/\S+)/.exec(banner)![1]!
  const result = await check(address, banner)
  child.kill('SIGTERM')
  return { result, exit: await exited }
}

// Each start opens a fresh embedded database (about 10 s, more on a busy machine).
describe('production start', { timeout: 180_000 }, () => {
  it('seeds no demo and prints no demo users, tells how to create the first admin, and stops cleanly', async () => {
    const { result, exit } = await withServer({}, async (address, banner) => {
      expect(banner).toContain('No organisation yet')
      expect(banner).not.toContain('Demo users')
      const login = await fetch(`${address}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'Xiuhua@2026' }) })
      return login.status
    })
    expect(result).toBe(401)
    expect(exit).toBe(0)
  })

  it('creates the district and the first administrator by command, who must change the printed password', async () => {
    const created = await run(['src/server/cli.ts', 'create-admin', '--district-code', '420117', '--district-name', '新洲区', '--username', 'chief'])
    expect(created.code, created.output).toBe(0)
    const password = /Initial password[^:]*: (\S+)/.exec(created.output)?.[1]
    expect(password).toBeTruthy()
    const again = await run(['src/server/cli.ts', 'create-admin', '--district-code', '420117', '--district-name', '新洲区'])
    expect(again.code).toBe(1)
    expect(again.output).toContain('already has an organisation')
    const { result } = await withServer({}, async (address) => {
      const login = await fetch(`${address}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password }) })
      return login.json() as Promise<{ user: { mustChangePassword: boolean; roles: string[]; unit: { code: string } } }>
    })
    expect(result.user).toMatchObject({ mustChangePassword: true, roles: ['admin'], unit: { code: '420117' } })
  })

  it('refuses to seed the demo in production mode with a clear message', async () => {
    const refused = await run(['src/server/main.ts'], { XIUHUA_DEMO: 'on', PORT: '0' })
    expect(refused.code).toBe(1)
    expect(refused.output).toContain('XIUHUA_DEMO')
  })
})

describe('start-up problems', { timeout: 180_000 }, () => {
  it('stops with a message naming PORT when the port is taken', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const taken = await run(['src/server/main.ts'], { PORT: String(port) })
      expect(taken.code).toBe(1)
      expect(taken.output).toContain(`Port ${port} is already in use. Set PORT`)
    } finally {
      blocker.close()
    }
  })

  it('stops with a message naming the variable when a value is wrong', async () => {
    const wrong = await run(['src/server/main.ts'], { PORT: 'eighty' })
    expect(wrong.code).toBe(1)
    expect(wrong.output).toContain('Configuration error — PORT: must be a whole number')
  })
})
