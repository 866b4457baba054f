// Runs the plain SQL migrations in order, once, under an advisory lock so that several processes may start at once.
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Db } from './engine.js'

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')
const LOCK_KEY = 420117_808

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'MigrationError'
  }
}

export async function listMigrations(): Promise<string[]> {
  return (await fs.readdir(MIGRATIONS_DIR)).filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name)).sort()
}

/** Applies every migration not yet applied; returns the names applied now. */
export async function migrate(db: Db): Promise<string[]> {
  const names = await listMigrations()
  return db.kysely.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY})`.execute(conn)
    try {
      await sql`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`.execute(conn)
      const done = new Set((await sql<{ name: string }>`select name from schema_migrations`.execute(conn)).rows.map((r) => r.name))
      const applied: string[] = []
      for (const name of names) {
        if (done.has(name)) continue
        const text = await fs.readFile(path.join(MIGRATIONS_DIR, name), 'utf8')
        try {
          await sql.raw(`BEGIN;\n${text}\n;\nINSERT INTO schema_migrations (name) VALUES ('${name}');\nCOMMIT;`).execute(conn)
        } catch (error) {
          await sql`ROLLBACK`.execute(conn).catch(() => {})
          throw new MigrationError(name, error)
        }
        applied.push(name)
      }
      return applied
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn)
    }
  })
}
