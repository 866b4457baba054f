// Concurrent calls of one statement, run as one statement over all of them (group commit, as a database does with its
// WAL flushes). Under load most of what a small statement costs the database is the statement, not its row: the
// protocol, the executor's start and end, the commit and its WAL flush. Intake pays that once for every report waiting
// rather than once each (bench/open311.ts, bench/cases.ts).
//
// Nothing waits for a batch to fill: the calls made in one turn of the event loop start a batch as that turn ends if
// fewer than `concurrency` are running, so a quiet system answers as fast as before; the calls that arrive while
// batches run wait, and go together in the next. One batch at a time (the default) made the biggest batches and the
// shortest waits at 500 reports/s on two cores: p50 4–7 ms against 48–65 ms with two (bench/open311.ts, 30 s runs).

export interface BatcherOptions {
  /** Batches running at once (the statements in flight); 1 by default. */
  concurrency?: number
  /** The most calls in one batch (100 by default). */
  max?: number
}

interface Waiting<I, O> {
  item: I
  resolve: (value: O) => void
  reject: (error: unknown) => void
}

export interface BatcherStats {
  /** Batches run (a failed batch's items run again alone are not counted). */
  batches: number
  items: number
  /** Batches of several that failed and were run again item by item. */
  failed: number
}

/**
 * One batcher for each database handle, made on its first call. In a transaction a call runs alone on the
 * transaction's handle: a batch cannot join it.
 */
export function batchedByHandle<Q extends { readonly isTransaction: boolean }, I, O>(run: (db: Q, items: readonly I[]) => Promise<readonly O[]>, options?: BatcherOptions) {
  const batchers = new WeakMap<Q, Batcher<I, O>>()
  return {
    async submit(db: Q, item: I): Promise<O> {
      if (db.isTransaction) return (await run(db, [item]))[0]!
      let batcher = batchers.get(db)
      if (!batcher) batchers.set(db, (batcher = new Batcher((items) => run(db, items), options)))
      return batcher.submit(item)
    },
    /** How the handle's batches went (undefined before its first call). */
    stats: (db: Q): BatcherStats | undefined => batchers.get(db)?.stats,
  }
}

export class Batcher<I, O> {
  readonly stats: BatcherStats = { batches: 0, items: 0, failed: 0 }
  private readonly waiting: Array<Waiting<I, O>> = []
  private running = 0
  private readonly concurrency: number
  private readonly max: number
  /** A pump is due at the end of this turn of the event loop. */
  private scheduled = false

  /**
   * `run` answers the items of a batch in their order (one result each). When it fails for a batch of several, each of
   * them is run again alone, so a bad item fails only its own call.
   */
  constructor(private readonly run: (items: readonly I[]) => Promise<readonly O[]>, options: BatcherOptions = {}) {
    this.concurrency = options.concurrency ?? 1
    this.max = options.max ?? 100
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject })
      // the calls made while this turn of the event loop handles its I/O (requests that arrived together) go as one
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => {
          this.scheduled = false
          this.pump()
        })
      }
    })
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.max)
      this.running += 1
      void this.settle(batch).finally(() => {
        this.running -= 1
        this.pump()
      })
    }
  }

  private async settle(batch: Array<Waiting<I, O>>): Promise<void> {
    this.stats.batches += 1
    this.stats.items += batch.length
    try {
      const results = await this.run(batch.map((w) => w.item))
      if (results.length !== batch.length) throw new Error(`batcher: ${results.length} results for ${batch.length} items`)
      batch.forEach((w, i) => w.resolve(results[i]!))
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error)
      this.stats.failed += 1
      await Promise.all(batch.map(async (w) => {
        try {
          const [result] = await this.run([w.item])
          w.resolve(result!)
        } catch (alone) {
          w.reject(alone)
        }
      }))
    }
  }
}
