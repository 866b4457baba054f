// Kysely over PGlite: PGlite is one connection, so the "pool" hands it to one holder at a time.
import type { PGlite, Transaction } from '@electric-sql/pglite'
import { PostgresDialect } from 'kysely'

interface QueryResultLike {
  command: string
  rowCount: number
  rows: unknown[]
}

/** A mutex-guarded single connection with the shape Kysely's PostgresDialect expects of a pg Pool. */
class PGlitePool {
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly pg: PGlite) {}

  async connect() {
    let release!: () => void
    const previous = this.tail
    this.tail = new Promise<void>((resolve) => (release = resolve))
    await previous
    const pg = this.pg
    return {
      async query(sql: string, parameters: readonly unknown[]): Promise<QueryResultLike> {
        if (parameters.length === 0) {
          // Like pg's simple query protocol: a raw script of several statements runs whole (migrations).
          const results = await pg.exec(sql, { rowMode: 'object' })
          const last = results.at(-1)
          return { command: commandOf(sql), rowCount: last?.affectedRows ?? last?.rows.length ?? 0, rows: last?.rows ?? [] }
        }
        const result = await pg.query(sql, parameters as unknown[], { rowMode: 'object' })
        return {
          command: commandOf(sql),
          rowCount: result.affectedRows ?? result.rows.length,
          rows: result.rows,
        }
      },
      release,
    }
  }

  async end() {}
}

function commandOf(sql: string): string {
  const word = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT'
  return word
}

export function pgliteDialect(pg: PGlite): PostgresDialect {
  // The cast is the adapter's purpose: PGlitePool implements the subset of pg.Pool Kysely calls.
  return new PostgresDialect({ pool: new PGlitePool(pg) as never })
}

export type { Transaction }
