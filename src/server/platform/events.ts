// Domain events between processes: PostgreSQL LISTEN/NOTIFY, so several API processes behave as one.
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

  /** Delivered to every process, this one included, after the surrounding transaction commits. */
  async publish(event: DomainEvent): Promise<void> {
    await this.db.notify(CHANNEL, JSON.stringify(event))
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
