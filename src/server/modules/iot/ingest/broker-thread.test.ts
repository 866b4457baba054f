// The event loop's side of the broker thread: batches of device messages are taken in order, a bounded slice a turn.
import { describe, expect, it } from 'vitest'
import { inTurns } from './broker-thread.js'

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('inTurns', () => {
  it('takes batches that come together item by item in the order sent, at most the slice a turn', async () => {
    const taken: number[] = []
    const feed = inTurns((batch: number[]) => batch.length, (batch, i) => taken.push(batch[i]!), 500)
    const batches = [0, 1, 2].map((b) => Array.from({ length: 400 }, (_, i) => b * 400 + i))
    for (const batch of batches) feed(batch)
    // the first slice at once, the rest one slice a turn
    expect(taken).toHaveLength(500)
    await nextTurn()
    expect(taken).toHaveLength(1000)
    await nextTurn()
    expect(taken).toEqual(batches.flat())
  })

  it('takes what comes while others wait after them, in the turns after; in a new turn, at once', async () => {
    const taken: string[] = []
    const feed = inTurns((batch: string[]) => batch.length, (batch, i) => taken.push(batch[i]!), 2)
    feed(['a1', 'a2', 'a3'])
    feed(['b1'])
    feed([])
    feed(['c1'])
    expect(taken).toEqual(['a1', 'a2'])
    await nextTurn()
    expect(taken).toEqual(['a1', 'a2', 'a3', 'b1'])
    await nextTurn()
    expect(taken).toEqual(['a1', 'a2', 'a3', 'b1', 'c1'])
    await nextTurn()
    feed(['d1'])
    expect(taken.at(-1)).toBe('d1')
  })
})
