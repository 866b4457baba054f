// Domain events between processes: PostgreSQL LISTEN/NOTIFY, so several API processes behave as one.
import { type RawBuilder, sql } from 'kysely'
import type { Db } from './db/engine.js'

const CHANNEL = 'xiuhua_events'

export interface DomainEvent {
  type: string
  [key: string]: unknown
}

type Handler = (event: DomainEvent) => void

export class EventBus {
  private readonly handlers = new Map<string, Set<Handler>>()
  private unlisten: (() => Promise<void>) | undefined

  constructor(private readonly db: Db) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(CHANNEL, (payload) => {
      let event: DomainEvent
      try {
        event = JSON.parse(payload) as DomainEvent
      } catch {
        return
      }
      for (const handler of this.handlers.get(event.type) ?? []) handler(event)
      for (const handler of this.handlers.get('*') ?? []) handler(event)
    })
  }

  /**
   * Delivered to every process, this one included (publish after the change has committed). The events published in
   * one turn of the event loop go out in one statement: under load that is one round trip for many changes.
   */
  publish(event: DomainEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ payload: JSON.stringify(event), resolve, reject })
      if (this.pending.length === 1) setImmediate(() => this.flush())
    })
  }

  private pending: Array<{ payload: string; resolve: () => void; reject: (error: unknown) => void }> = []

  private flush(): void {
    const batch = this.pending
    this.pending = []
    this.db.notify(CHANNEL, batch.map((p) => p.payload)).then(
      () => batch.forEach((p) => p.resolve()),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    )
  }

  /**
   * The NOTIFY of an event, selected in the statement that makes the change (`select …, ${notifying(…)} from <its
   * rows>`): it goes out when that statement commits, with no round trip of its own and nothing lost between the two.
   * `computed` adds the fields only the statement knows (a jsonb object over its rows).
   */
  notifying(event: DomainEvent, computed?: RawBuilder<unknown>): RawBuilder<unknown> {
    const payload = JSON.stringify(event)
    return computed ? sql`pg_notify(${CHANNEL}, (${payload}::jsonb || ${computed})::text)` : sql`pg_notify(${CHANNEL}, ${payload})`
  }

  on(type: string, handler: Handler): () => void {
    let set = this.handlers.get(type)
    if (!set) this.handlers.set(type, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }

  async stop(): Promise<void> {
    await this.unlisten?.()
  }
}
