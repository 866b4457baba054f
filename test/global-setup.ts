// Once per test run: a migrated database with the demo seeded, which every test file then clones.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { DEFAULT_DEMO_PASSWORD, ensureBuiltinRoles, seedDemo } from '../src/server/demo/seed.js'
import { openDatabase } from '../src/server/platform/db/engine.js'
import { migrate } from '../src/server/platform/db/migrate.js'

declare module 'vitest' {
  export interface ProvidedContext {
    templateDump: string
    templateDatabase: string
  }
}

/** This run's template; its clones are xiuhua_t_<pid>_<random>. Several runs may share one server. */
export const TEMPLATE_DB = `xiuhua_tt_${process.pid}`

/** A database some earlier run left behind: named by a process that is gone (or by the old fixed names). */
function leftBehind(name: string): boolean {
  if (name === 'xiuhua_test_template' || /^xiuhua_t_[0-9a-f]{12}$/.test(name)) return true
  const pid = Number(/^xiuhua_tt?_(\d+)/.exec(name)?.[1])
  if (!pid || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH'
  }
}

export default async function setup(project: TestProject) {
  const databaseUrl = process.env.DATABASE_URL
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    const stale = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'xiuhua_t%'")
    for (const row of stale.rows.filter((r) => leftBehind(r.datname))) await admin.query(`drop database if exists ${pg.escapeIdentifier(row.datname)} with (force)`)
    await admin.query(`create database ${TEMPLATE_DB}`)
    const url = new URL(databaseUrl)
    url.pathname = `/${TEMPLATE_DB}`
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 })
    await prepare(db)
    await db.close()
    project.provide('templateDatabase', TEMPLATE_DB)
    project.provide('templateDump', '')
    return async () => {
      await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`)
      await admin.end()
    }
  }
  const db = await openDatabase({})
  await prepare(db)
  const dump = await db.pglite!.dumpDataDir('none')
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'xiuhua-test-')), 'template.tar')
  await fs.writeFile(file, Buffer.from(await dump.arrayBuffer()))
  await db.close()
  project.provide('templateDump', file)
  project.provide('templateDatabase', '')
  return async () => {
    await fs.rm(path.dirname(file), { recursive: true, force: true })
  }
}

async function prepare(db: Awaited<ReturnType<typeof openDatabase>>) {
  await migrate(db)
  await ensureBuiltinRoles(db)
  await seedDemo(db, DEFAULT_DEMO_PASSWORD)
}
