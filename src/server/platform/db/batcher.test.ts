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
  it('sends the calls of one turn together, and those that arrive while a batch runs in the next, each answered its own result', async () => {
    const g = gated()
    const batcher = new Batcher(g.run, { max: 3 })
    const turn = () => new Promise((resolve) => setImmediate(resolve))
    const first = ['a', 'b'].map((item) => batcher.submit(item))
    expect(g.batches).toEqual([]) // nothing runs before the turn ends
    await turn()
    expect(g.batches).toEqual([['a', 'b']])
    // one batch runs at a time by default: these wait for it, then go in batches of at most three, in order of arrival
    const later = ['c', 'd', 'e', 'f'].map((item) => batcher.submit(item))
    await turn()
    expect(g.batches).toEqual([['a', 'b']])
    await g.releaseAll()
    expect(await Promise.all([...first, ...later])).toEqual(['A', 'B', 'C', 'D', 'E', 'F'])
    expect(g.batches).toEqual([['a', 'b'], ['c', 'd', 'e'], ['f']])
    expect(batcher.stats).toEqual({ batches: 3, items: 6, failed: 0 })
  })

  it('runs as many batches at once as its concurrency', async () => {
    const g = gated()
    const batcher = new Batcher(g.run, { concurrency: 2, max: 2 })
    const answers = ['a', 'b', 'c', 'd', 'e'].map((item) => batcher.submit(item))
    await new Promise((resolve) => setImmediate(resolve))
    expect(g.batches).toEqual([['a', 'b'], ['c', 'd']])
    await g.releaseAll()
    expect(await Promise.all(answers)).toEqual(['A', 'B', 'C', 'D', 'E'])
    expect(g.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']])
  })

  it('fails only the bad call of a batch: the batch is run again item by item', async () => {
    const g = gated()
    const batcher = new Batcher(g.run, { concurrency: 1 })
    const first = batcher.submit('x')
    await new Promise((resolve) => setImmediate(resolve))
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
