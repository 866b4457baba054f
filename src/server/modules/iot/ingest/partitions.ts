// Day partitions of the telemetry history (telemetry_YYYYMMDD, UTC days): made ahead by a job and on demand when a
// device sends an older or newer timestamp, and dropped whole once older than the retention setting.
import { sql } from 'kysely'
import type { Db } from '../../../platform/db/engine.js'

const DAY_MS = 86_400_000
/** Partitions made ahead of today, so the writer never waits on DDL at midnight. */
const AHEAD_DAYS = 2
const NAME = /^telemetry_(\d{4})(\d{2})(\d{2})$/

export const dayOf = (ms: number) => Math.floor(ms / DAY_MS)
const nameOf = (day: number) => `telemetry_${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`

/** The day partitions that exist (as day numbers), read once and kept up to date by this process. */
export class Partitions {
  private known: Set<number> | undefined

  constructor(private readonly db: Db) {}

  private async existing(): Promise<Set<number>> {
    if (this.known) return this.known
    const { rows } = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'telemetry'`.execute(this.db.kysely)
    const days = new Set<number>()
    for (const { name } of rows) {
      const match = NAME.exec(name)
      if (match) days.add(dayOf(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))))
    }
    return (this.known = days)
  }

  /** Makes sure the partitions of these days exist (another process may have made them meanwhile). */
  async ensureDays(days: Iterable<number>): Promise<void> {
    const known = await this.existing()
    for (const day of days) {
      if (known.has(day)) continue
      const from = new Date(day * DAY_MS).toISOString()
      const to = new Date((day + 1) * DAY_MS).toISOString()
      try {
        await sql.raw(`CREATE TABLE IF NOT EXISTS ${nameOf(day)} PARTITION OF telemetry FOR VALUES FROM ('${from}') TO ('${to}')`).execute(this.db.kysely)
      } catch (error) {
        // two processes making the same partition at once: the loser's CREATE fails on the catalogue, the table is there
        if (!/already exists|duplicate key/.test((error as Error).message)) throw error
      }
      known.add(day)
    }
  }

  /** Today's partition and the next few. */
  async ensureAhead(now = Date.now()): Promise<void> {
    const today = dayOf(now)
    await this.ensureDays(Array.from({ length: AHEAD_DAYS + 1 }, (_, i) => today + i))
  }

  /** Drops the partitions wholly older than `retentionDays`; answers the names dropped. */
  async dropOlderThan(retentionDays: number, now = Date.now()): Promise<string[]> {
    this.known = undefined
    const known = await this.existing()
    const oldest = dayOf(now) - retentionDays
    const dropped: string[] = []
    for (const day of [...known].sort((a, b) => a - b)) {
      if (day >= oldest) break
      await sql.raw(`DROP TABLE IF EXISTS ${nameOf(day)}`).execute(this.db.kysely)
      known.delete(day)
      dropped.push(nameOf(day))
    }
    return dropped
  }
}
