// Background jobs and outbox: rows in `jobs`, claimed with FOR UPDATE SKIP LOCKED, so any number of processes share them.
import { hostname } from 'node:os'
import { sql } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from './db/engine.js'

type Handler = (payload: Record<string, unknown>) => Promise<void>

export interface JobsStatus {
  running: boolean
  lastTickAt: string | null
  lastError: string | null
  handled: number
  failed: number
}

const LOCK_SECONDS = 300

export class Jobs {
  private readonly handlers = new Map<string, { handler: Handler; everyMs?: number }>()
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | undefined
  private readonly worker = `${hostname()}:${process.pid}`
  private state: JobsStatus = { running: false, lastTickAt: null, lastError: null, handled: 0, failed: 0 }

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** A job kind; with everyMs it recurs (one pending row per kind across all processes). */
  register(kind: string, handler: Handler, everyMs?: number): void {
    this.handlers.set(kind, everyMs === undefined ? { handler } : { handler, everyMs })
  }

  async enqueue(kind: string, payload: Record<string, unknown> = {}, runAt = new Date(), uniqueKey?: string): Promise<void> {
    await this.db.kysely
      .insertInto('jobs')
      .values({ kind, payload: JSON.stringify(payload), run_at: runAt, unique_key: uniqueKey ?? null })
      .onConflict((oc) => oc.column('unique_key').where('done_at', 'is', null).where('unique_key', 'is not', null).doNothing())
      .execute()
  }

  /**
   * Deletes jobs finished more than `days` ago: recurring rounds (the audit sealer runs every second) and delivered
   * messages (whose payloads hold phone numbers) are of no use once done. Unfinished and failed jobs stay.
   */
  async purgeDone(days = 7): Promise<number> {
    const result = await this.db.kysely.deleteFrom('jobs').where('done_at', '<', new Date(Date.now() - days * 86_400_000)).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  start(pollMs = 5_000): void {
    this.state.running = true
    this.timer = setInterval(() => void this.tick(), pollMs)
    this.timer.unref()
    void this.tick()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.state.running = false
    await this.ticking
  }

  status(): JobsStatus {
    return { ...this.state }
  }

  /** One round: schedule recurring kinds, then run what is due. */
  tick(): Promise<void> {
    this.ticking ??= this.runDue().finally(() => (this.ticking = undefined))
    return this.ticking
  }

  private async runDue(): Promise<void> {
    try {
      for (const [kind, { everyMs }] of this.handlers) {
        if (everyMs !== undefined) await this.enqueue(kind, {}, new Date(Date.now() + everyMs), `recurring:${kind}`)
      }
      const claimed = await sql<{ id: number; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>`
        update jobs set locked_by = ${this.worker}, locked_until = now() + make_interval(secs => ${LOCK_SECONDS}), attempts = attempts + 1
        where id in (
          select id from jobs
          where done_at is null and run_at <= now() and (locked_until is null or locked_until < now()) and attempts < max_attempts
          order by run_at limit 20 for update skip locked)
        returning id, kind, payload, attempts, max_attempts`.execute(this.db.kysely)
      for (const job of claimed.rows) await this.run(job)
      this.state.lastTickAt = new Date().toISOString()
      this.state.lastError = null
    } catch (error) {
      this.state.lastError = error instanceof Error ? error.message : String(error)
      this.log.error({ err: error }, 'job round failed')
    }
  }

  private async run(job: { id: number; kind: string; payload: Record<string, unknown>; attempts: number }): Promise<void> {
    const entry = this.handlers.get(job.kind)
    try {
      if (!entry) throw new Error(`no handler for job kind ${job.kind}`)
      await entry.handler(job.payload)
      await this.db.kysely.updateTable('jobs').set({ done_at: new Date(), locked_by: null, locked_until: null, last_error: null }).where('id', '=', job.id).execute()
      this.state.handled++
    } catch (error) {
      this.state.failed++
      const message = error instanceof Error ? error.message : String(error)
      this.log.warn({ job: job.id, kind: job.kind, err: error }, 'job failed')
      const backoffSeconds = Math.min(3600, 2 ** job.attempts * 5)
      await this.db.kysely
        .updateTable('jobs')
        .set({ last_error: message.slice(0, 1000), locked_by: null, locked_until: null, run_at: sql`now() + make_interval(secs => ${backoffSeconds})` })
        .where('id', '=', job.id)
        .execute()
    }
  }
}
