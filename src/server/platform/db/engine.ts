// Opens the database: embedded PGlite + PostGIS (default, on disk or in memory) or native PostgreSQL + PostGIS.
import fs from 'node:fs/promises'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { PGlite } from '@electric-sql/pglite'
import { from as copyFrom } from 'pg-copy-streams'
import { postgis } from '@electric-sql/pglite-postgis'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database } from './database.js'
import { pgliteDialect } from './pglite-dialect.js'
import { preparedName } from './prepared.js'

export type EngineKind = 'embedded' | 'native'

/** A notification channel callback: LISTEN/NOTIFY on either engine. */
export type Listener = (payload: string) => void

export interface Db {
  kysely: Kysely<Database>
  engine: EngineKind
  /** Where the data lives, for the start-up banner (never includes a password). */
  location: string
  listen(channel: string, listener: Listener): Promise<() => Promise<void>>
  /** One NOTIFY per payload, in order, sent in one statement. */
  notify(channel: string, payloads: readonly string[]): Promise<void>
  ping(): Promise<void>
  close(): Promise<void>
  /** The embedded engine, when it is one (tests clone it). */
  pglite?: PGlite
  /** Native only: `COPY … FROM STDIN` (text format) of these rows, on a connection of the pool. */
  copyFrom?(statement: string, rows: string): Promise<void>
}

const INT8 = 20

/**
 * What the planner is told a page read costs: the working set of a district (cases, their indexes, the recent
 * telemetry) is held in memory, where reading a page costs about what handling a few index entries does, not the
 * 4 (random) and 1 (sequential) disk reads PostgreSQL assumes. With the defaults the planner ANDed a bitmap of
 * 190,000 index entries (a street's scope, a map's box) onto a selective filter's to save heap reads that cost far
 * less: lists and maps took 50–130 ms where 3–16 ms plans existed (docs/decisions/0002-planner-page-costs.md). An
 * operator overrides them with `options` in DATABASE_URL (`?options=-c%20random_page_cost%3D1.1`), which replaces these.
 */
export const PLANNER_SETTINGS: Readonly<Record<string, string>> = { seq_page_cost: '0.1', random_page_cost: '0.1', jit: 'off' }
const plannerOptions = Object.entries(PLANNER_SETTINGS).map(([name, value]) => `-c ${name}=${value}`).join(' ')

/** A connection that runs the statements marked by `keepPrepared` as named prepared statements (Kysely sends text and values). */
class PreparingClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's query has a dozen overloads; this passes every call through unchanged but one
  override query(...args: any[]): any {
    const [text, values] = args as [unknown, unknown]
    const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? preparedName(text) : undefined
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return name ? super.query({ name, text: text as string, values: values as any[] }) : (super.query as (...a: unknown[]) => unknown)(...args)
  }
}

const notifyAll = (kysely: Kysely<Database>, channel: string, payloads: readonly string[]) =>
  sql`select pg_notify(${channel}, p) from unnest(${[...payloads]}::text[]) as p`.execute(kysely) // a function scan keeps the array order

export interface OpenOptions {
  /** postgres://… for native; undefined for embedded. */
  databaseUrl?: string | undefined
  /** Embedded: directory of the data; undefined keeps it in memory. */
  dataDir?: string | undefined
  /** Embedded: a dumped data directory to start from (tests clone a migrated template). */
  loadDataDir?: Blob | undefined
  poolSize?: number
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl && options.databaseUrl !== 'memory://') return openNative(options.databaseUrl, options.poolSize ?? 20)
  return openEmbedded(options.dataDir, options.loadDataDir)
}

async function openEmbedded(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Db> {
  let dir: string | undefined
  if (dataDir) {
    dir = path.join(dataDir, 'pgdata')
    await fs.mkdir(dir, { recursive: true })
  }
  const pglite = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { postgis },
    parsers: { [INT8]: (value: string) => Number(value) },
  })
  for (const [name, value] of Object.entries(PLANNER_SETTINGS)) await pglite.query('select set_config($1, $2, false)', [name, value])
  const kysely = new Kysely<Database>({ dialect: pgliteDialect(pglite) })
  return {
    kysely,
    engine: 'embedded',
    location: dir ?? 'memory',
    pglite,
    async listen(channel, listener) {
      const unlisten = await pglite.listen(channel, listener)
      return async () => unlisten()
    },
    async notify(channel, payloads) {
      await notifyAll(kysely, channel, payloads)
    },
    async ping() {
      await pglite.query('select 1')
    },
    async close() {
      await kysely.destroy()
      await pglite.close()
    },
  }
}

async function openNative(databaseUrl: string, poolSize: number): Promise<Db> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
  }
  // options in the URL, when given, replace the planner's settings (pg lets the connection string win). Connections are
  // kept however long they idle (pg closes them after 10 s by default): a burst of reports then found the pool shrunk and
  // waited for new PostgreSQL sessions, each started, loading PostGIS and preparing its statements anew (bench/cases.ts
  // at 300 reports/s: 13 new sessions in 15 s).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, idleTimeoutMillis: 0, types, Client: PreparingClient, options: plannerOptions })
  pool.on('error', () => {}) // idle client errors surface on the next query; health reports them
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const listeners = new Map<string, Set<Listener>>()
  let listenClient: pg.Client | undefined

  async function listenConnection(): Promise<pg.Client> {
    if (listenClient) return listenClient
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    client.on('notification', (message) => {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload ?? '')
    })
    client.on('error', () => {
      listenClient = undefined
    })
    listenClient = client
    return client
  }

  const url = new URL(databaseUrl)
  url.password = url.password ? '***' : ''
  return {
    kysely,
    engine: 'native',
    location: url.toString(),
    async listen(channel, listener) {
      const client = await listenConnection()
      let set = listeners.get(channel)
      if (!set) {
        set = new Set()
        listeners.set(channel, set)
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      }
      set.add(listener)
      return async () => {
        set.delete(listener)
      }
    },
    async notify(channel, payloads) {
      await notifyAll(kysely, channel, payloads)
    },
    async ping() {
      await sql`select 1`.execute(kysely)
    },
    async copyFrom(statement, rows) {
      const client = await pool.connect()
      try {
        const stream = client.query(copyFrom(statement))
        stream.end(rows)
        await finished(stream)
        client.release()
      } catch (error) {
        client.release(error as Error)
        throw error
      }
    },
    async close() {
      await listenClient?.end().catch(() => {})
      await kysely.destroy()
    },
  }
}
