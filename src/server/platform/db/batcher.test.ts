// The batcher on its own: who runs at once, who waits and goes together, and a bad item failing only its own call.
import { describe, expect, it } from 'vitest'
import { Batcher } from './batcher.js'

/** A run whose batches are recorded and finish only when released. */
function gated() {
  const batches: string[][] = []
  const gates: Array<() => void> = []
  const run = async (items: readonly string[]) => {
    batches.push([...items])
    await new Promise<void>((resolve) => gates.push(resolve))
    if (items.includes('bad')) throw new Error('bad item')
    return items.map((item) => item.toUpperCase())
  }
  const releaseAll = async () => {
    while (gates.length) {
      gates.shift()!()
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return { batches, run, releaseAll }
}

describe('batcher', () => {
  it('runs a call at once when a slot is free, and sends the calls that arrive meanwhile together, each answered its own result', async () => {
    const g = gated()
    const batcher = new Batcher(g.run, { concurrency: 2, max: 3 })
    const answers = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((item) => batcher.submit(item))
    // a and b took the two slots at once; the rest wait
    expect(g.batches).toEqual([['a'], ['b']])
    await g.releaseAll()
    expect(await Promise.all(answers)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G'])
    // the waiting went in batches of at most three, in order of arrival
    expect(g.batches).toEqual([['a'], ['b'], ['c', 'd', 'e'], ['f', 'g']])
    expect(batcher.stats).toEqual({ batches: 4, items: 7, failed: 0 })
  })

  it('fails only the bad call of a batch: the batch is run again item by item', async () => {
    const g = gated()
    const batcher = new Batcher(g.run, { concurrency: 1 })
    const first = batcher.submit('x')
    const rest = ['y', 'bad', 'z'].map((item) => batcher.submit(item).then((value) => ({ value }), (error: Error) => ({ error: error.message })))
    await g.releaseAll()
    expect(await first).toBe('X')
    expect(await Promise.all(rest)).toEqual([{ value: 'Y' }, { error: 'bad item' }, { value: 'Z' }])
    expect(g.batches).toEqual([['x'], ['y', 'bad', 'z'], ['y'], ['bad'], ['z']])
    expect(batcher.stats).toEqual({ batches: 2, items: 4, failed: 1 })
  })

  it('refuses a run that answers the wrong number of results, for every call of the batch', async () => {
    const batcher = new Batcher(async (items: readonly number[]) => items.slice(1), { concurrency: 1 })
    await expect(batcher.submit(1)).rejects.toThrow('0 results for 1 items')
  })
})
