// Test harness: a fresh clone of the seeded template database per test file, the real app on it, and sign-in helpers.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import { sql } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { inject } from 'vitest'
import { buildApp } from '../src/server/app.js'
import { loadConfig, type Config } from '../src/server/config.js'
import { closeContext, type Context, createContext } from '../src/server/context.js'
import { DEFAULT_DEMO_PASSWORD } from '../src/server/demo/seed.js'
import { openDatabase, type Db } from '../src/server/platform/db/engine.js'
import type { App } from '../src/server/platform/http.js'

export const PASSWORD = DEFAULT_DEMO_PASSWORD

/** A clone of the template: a PGlite loaded from its dump, or a native database created from it. */
export async function cloneDatabase(): Promise<{ db: Db; drop: () => Promise<void> }> {
  const databaseUrl = process.env.DATABASE_URL
  const template = inject('templateDatabase')
  if (databaseUrl && template) {
    // named after the run's template (xiuhua_tt_<pid>), so a run cleans up only what runs no longer alive left behind
    const name = `${template.replace('xiuhua_tt_', 'xiuhua_t_')}_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`create database ${name} template ${template}`)
    const url = new URL(databaseUrl)
    url.pathname = `/${name}`
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 })
    return {
      db,
      drop: async () => {
        await admin.query(`drop database if exists ${name} with (force)`)
        await admin.end()
      },
    }
  }
  const dump = await fs.readFile(inject('templateDump'))
  const db = await openDatabase({ loadDataDir: new Blob([dump]) })
  return { db, drop: async () => {} }
}

export interface TestApp {
  app: App
  context: Context
  db: Db
  /** Signs in and returns the bearer token. */
  login(username: string, password?: string): Promise<string>
  /** Another process on the same database: its own services and app (native PostgreSQL or the same PGlite). */
  secondProcess(): Promise<{ app: App; context: Context; close: () => Promise<void> }>
  close(): Promise<void>
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ XIUHUA_DEMO: 'on', MQTT_PORT: '0', ...overrides })
}

export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const { db, drop } = await cloneDatabase()
  const config = testConfig(overrides)
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
  const context = await createContext(config, db, log)
  const app = await buildApp(context)
  await app.ready()
  const extra: Array<() => Promise<void>> = []
  return {
    app,
    context,
    db,
    async login(username, password = PASSWORD) {
      const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
      if (response.statusCode !== 200) throw new Error(`login ${username} failed: ${response.statusCode} ${response.body}`)
      return (response.json() as { token: string }).token
    },
    async secondProcess() {
      const otherContext = await createContext(config, db, log)
      const otherApp = await buildApp(otherContext)
      await otherApp.ready()
      const close = async () => {
        await otherApp.close()
        await closeContext(otherContext)
      }
      extra.push(close)
      return { app: otherApp, context: otherContext, close }
    },
    async close() {
      for (const close of extra) await close()
      await app.close()
      await closeContext(context)
      await db.close()
      await drop()
    },
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export interface FormPart {
  name: string
  filename?: string
  type?: string
  data: Buffer | string
}

/** A multipart/form-data body as a browser's FormData sends it. */
export function multipart(parts: FormPart[]) {
  const boundary = `----xiuhua${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}\r\n${part.type ? `content-type: ${part.type}\r\n` : ''}\r\n`))
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

// ---- places and units of the demo district, for the case tests ------------------------------------------------

export interface Point {
  lng: number
  lat: number
}

/** A point inside the first grid cell whose code starts with `codePrefix` (a street 420117001, a community …). */
export async function pointInCells(db: Db, codePrefix: string): Promise<Point> {
  const cell = await sql<Point>`select ST_X(ST_PointOnSurface(geom)) as lng, ST_Y(ST_PointOnSurface(geom)) as lat
    from grid_cells where code like ${`${codePrefix}%`} order by code limit 1`.execute(db.kysely)
  return cell.rows[0]!
}

/** A point inside the first cell the demo supervisor (刘监督员) is responsible for. */
export async function supervisorPoint(db: Db): Promise<Point> {
  const cell = await sql<Point>`
    select ST_X(ST_PointOnSurface(c.geom)) as lng, ST_Y(ST_PointOnSurface(c.geom)) as lat
    from grid_cells c join grid_cell_people p on p.grid_cell_id = c.id join users u on u.id = p.user_id
    where u.username = 'supervisor' and p.duty = 'supervisor' order by c.code limit 1`.execute(db.kysely)
  return cell.rows[0]!
}

/** The id of the unit with this code (420117001 is 邾城街道). */
export async function unitIdOf(db: Db, code: string): Promise<string> {
  return (await db.kysely.selectFrom('org_units').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
}
