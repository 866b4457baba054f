// The rule evaluator: every kind of rule fires and clears exactly once around its line, hovering values do not flap,
// sustained waits reset on a break, rates count both ways, combinations, manual clears and device overrides.
import { describe, expect, it } from 'vitest'
import type { Condition } from '../models.js'
import { clearedByHand, effectiveRules, evaluate, initialState, restoredState, type RuleState, tick, type Transition } from './engine.js'

const S = 1000

/** Feeds readings of one key ([seconds, value]) and answers the transitions that were not 'none', with the reading's index. */
function run(state: RuleState, key: string, readings: Array<[number, number | boolean | string]>) {
  const seen: Array<[number, Transition]> = []
  readings.forEach(([s, v], i) => {
    const out = evaluate(state, { ts: s * S, values: { [key]: v } })
    state = out.state
    if (out.transition !== 'none') seen.push([i, out.transition])
  })
  return { state, seen, raised: seen.filter(([, t]) => t === 'raise').map(([i]) => i), cleared: seen.filter(([, t]) => t === 'clear').map(([i]) => i) }
}

const rule = (...all: Condition[]) => initialState({ all })
/** Readings a minute apart from 0 s. */
const minutely = (values: Array<number | boolean | string>): Array<[number, number | boolean | string]> => values.map((v, i) => [i * 60, v])

describe('threshold', () => {
  const tilt = rule({ type: 'threshold', key: 'tilt', op: 'above', value: 15, clear: 10 })

  it('fires once above the line and clears once back past the clear line', () => {
    const { raised, cleared, seen } = run(tilt, 'tilt', minutely([3, 14, 15, 16, 20, 12, 10, 9, 3]))
    expect(raised).toEqual([3])
    expect(cleared).toEqual([6]) // at the clear line, not only below it
    expect(seen.filter(([, t]) => t === 'repeat').map(([i]) => i)).toEqual([4]) // 20 is above the line again; 12 is only inside the band
  })

  it('does not flap while the value hovers at the line', () => {
    const { raised, cleared } = run(tilt, 'tilt', minutely([14.9, 15.1, 14.9, 15.1, 14.8, 15.2, 11, 15.3, 10.5, 9.9, 10.1, 9.9]))
    expect(raised).toEqual([1])
    expect(cleared).toEqual([9])
  })

  it('without a clear line it holds exactly while beyond the line; below works the other way', () => {
    const plain = rule({ type: 'threshold', key: 'v', op: 'above', value: 5 })
    expect(run(plain, 'v', minutely([5, 6, 5, 6])).seen).toEqual([[1, 'raise'], [2, 'clear'], [3, 'raise']])
    const battery = rule({ type: 'threshold', key: 'battery', op: 'below', value: 20, clear: 25 })
    const { raised, cleared } = run(battery, 'battery', minutely([40, 21, 20, 19, 22, 24, 19, 25, 30]))
    expect(raised).toEqual([3])
    expect(cleared).toEqual([7])
  })

  it('compares booleans as 0 and 1', () => {
    const open = rule({ type: 'threshold', key: 'open', op: 'above', value: 0 })
    expect(run(open, 'open', minutely([false, true, true, false, false])).seen).toEqual([[1, 'raise'], [2, 'repeat'], [3, 'clear']])
  })

  it('leaves the part as it was on a reading without its key, a string or a non-number', () => {
    let state = run(tilt, 'tilt', minutely([20])).state
    expect(state.firing).toBe(true)
    for (const values of [{ battery: 50 }, { tilt: 'broken' }, {}] as Array<Record<string, number | string>>) {
      const out = evaluate(state, { ts: 120 * S, values })
      expect(out.transition).toBe('none')
      state = out.state
    }
    expect(state.firing).toBe(true)
    expect(evaluate(state, { ts: 180 * S, values: { tilt: 1 } }).transition).toBe('clear')
  })

  it('counts an out-of-range value as the real reading it is', () => {
    expect(run(tilt, 'tilt', minutely([95])).raised).toEqual([0])
  })

  it('does not change the state it was given', () => {
    const before = JSON.stringify(tilt)
    run(tilt, 'tilt', minutely([20, 5]))
    expect(JSON.stringify(tilt)).toBe(before)
  })
})

describe('sustained', () => {
  const water = rule({ type: 'sustained', key: 'level', op: 'above', value: 150, seconds: 600, clear: 120 })

  it('fires once the value has stayed beyond the line for the whole time, by the readings\' timestamps', () => {
    const { raised, cleared } = run(water, 'level', [[0, 100], [60, 160], [300, 170], [659, 170], [660, 165], [900, 140], [960, 121], [1020, 120], [1080, 100]])
    expect(raised).toEqual([4]) // 600 s after the first reading above the line
    expect(cleared).toEqual([7]) // 140 and 121 lie inside the band
  })

  it('starts the wait anew after a break', () => {
    const { raised } = run(water, 'level', [[0, 160], [300, 160], [400, 140], [500, 160], [1000, 160], [1100, 160]])
    expect(raised).toEqual([5]) // 600 s after the reading at 500, not after the one at 0
  })

  it('does not fire on a spike, nor flap around the line', () => {
    expect(run(water, 'level', [[0, 200], [60, 100], [120, 200], [180, 100]]).seen).toEqual([])
    const { raised, cleared } = run(water, 'level', [[0, 151], [600, 151], [660, 149], [720, 151], [780, 149], [840, 119], [900, 151]])
    expect(raised).toEqual([1])
    expect(cleared).toEqual([5])
  })

  it('below the line too', () => {
    const lamp = rule({ type: 'sustained', key: 'power', op: 'below', value: 5, seconds: 900, clear: 20 })
    const { raised, cleared } = run(lamp, 'power', [[0, 100], [100, 2], [500, 3], [1000, 1], [1100, 10], [1200, 21]])
    expect(raised).toEqual([3])
    expect(cleared).toEqual([5])
  })
})

describe('rate of change', () => {
  const rising = rule({ type: 'rate', key: 'w', change: 10, seconds: 600 })

  it('fires on a rise of at least the change within the window and clears once the value has been steady for it', () => {
    const { raised, cleared } = run(rising, 'w', minutely([5, 5, 6, 16, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17]))
    expect(raised).toEqual([3])
    // the reading of 6 (at 120 s) leaves the window at 720 s: the value has been within 5 of every reading since
    expect(cleared).toEqual([13])
  })

  it('fires on a fall as well', () => {
    const { raised, cleared } = run(rising, 'w', minutely([30, 29, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18]))
    expect(raised).toEqual([2])
    expect(cleared).toEqual([12])
  })

  it('does not fire on a change spread over more than the window', () => {
    expect(run(rising, 'w', minutely(Array.from({ length: 30 }, (_, i) => i * 0.95))).seen).toEqual([])
  })

  it('does not flap while the value keeps rising at about the rate', () => {
    // a minute apart give or take a second, 1 a minute: about 10 within every window
    const { raised, cleared } = run(rising, 'w', Array.from({ length: 40 }, (_, i): [number, number] => [i * 60 + (i % 3), i]))
    expect(raised).toEqual([12]) // the first window holding a full 10 (the jitter moves it)
    expect(cleared).toEqual([])
  })

  it('after a restart, waits for a whole window of readings before letting go', () => {
    const { cleared } = run(restoredState(rising.condition), 'w', minutely([17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17]))
    expect(cleared).toEqual([10])
  })
})

describe('offline', () => {
  const silent = rule({ type: 'offline', intervals: 3 })
  const interval = 60 * S

  it('fires once after the silence and clears on the next message', () => {
    let state = silent
    const at = (now: number) => {
      const out = tick(state, now, 0, interval)
      state = out.state
      return out.transition
    }
    expect(at(179 * S)).toBe('none')
    expect(at(180 * S)).toBe('raise')
    expect(at(240 * S)).toBe('none')
    const back = evaluate(state, { ts: 300 * S, values: {} })
    expect(back.transition).toBe('clear')
    expect(tick(back.state, 310 * S, 300 * S, interval).transition).toBe('none')
  })

  it('a reading does not raise an offline rule, nor repeat it', () => {
    expect(run(silent, 'x', minutely([1, 2, 3])).seen).toEqual([])
  })
})

describe('combinations', () => {
  // a bin fire: the temperature jumped by 20 within 10 minutes and is above 60 (clear at 50)
  const fire = rule({ type: 'rate', key: 't', change: 20, seconds: 600 }, { type: 'threshold', key: 't', op: 'above', value: 60, clear: 50 })

  it('fires when every part holds at once, and clears when the level ends (not when the rise stops)', () => {
    const { raised, cleared } = run(fire, 't', minutely([30, 31, 55, 70, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72, 55, 49, 45]))
    expect(raised).toEqual([3])
    expect(cleared).toEqual([16])
  })

  it('does not fire on a slow rise past the level, nor on a fast rise below it', () => {
    expect(run(fire, 't', minutely([50, 52, 54, 56, 58, 60, 62, 64, 66])).seen).toEqual([])
    expect(run(fire, 't', minutely([10, 40, 20, 45])).seen).toEqual([])
  })

  it('parts on different keys, each keeping its state through readings of the other', () => {
    const lamp = rule({ type: 'threshold', key: 'on', op: 'above', value: 0 }, { type: 'threshold', key: 'power', op: 'below', value: 5, clear: 20 })
    let state = lamp
    const feed = (values: Record<string, number | boolean>) => {
      const out = evaluate(state, { ts: 0, values })
      state = out.state
      return out.transition
    }
    expect(feed({ on: true })).toBe('none')
    expect(feed({ power: 2 })).toBe('raise')
    expect(feed({ power: 10 })).toBe('none')
    expect(feed({ on: false })).toBe('clear')
    expect(feed({ power: 1 })).toBe('none')
  })
})

describe('a clear by hand', () => {
  const tilt = rule({ type: 'threshold', key: 'tilt', op: 'above', value: 15, clear: 10 })

  it('while the condition still holds: raised again only after the value went back to normal and crossed again', () => {
    const { state } = run(tilt, 'tilt', minutely([20]))
    const { seen } = run(clearedByHand(state), 'tilt', minutely([22, 25, 12, 18, 9, 16]))
    expect(seen).toEqual([[5, 'raise']])
  })

  it('of an offline alarm: raised again only after the device came back and fell silent again', () => {
    const raised = tick(initialState({ all: [{ type: 'offline', intervals: 3 }] }), 200 * S, 0, 60 * S)
    expect(raised.transition).toBe('raise')
    const cleared = clearedByHand(raised.state)
    expect(tick(cleared, 400 * S, 0, 60 * S).transition).toBe('none')
    const back = evaluate(cleared, { ts: 410 * S, values: {} })
    expect(back.transition).toBe('none')
    expect(tick(back.state, 600 * S, 410 * S, 60 * S).transition).toBe('raise')
  })
})

describe('a restored alarm', () => {
  it('stays open while the value lies inside the band and clears past the clear line', () => {
    const restored = restoredState({ all: [{ type: 'threshold', key: 'tilt', op: 'above', value: 15, clear: 10 }] })
    expect(run(restored, 'tilt', minutely([12, 11, 10])).seen).toEqual([[2, 'clear']])
  })
})

describe('effective rules', () => {
  it('a device rule replaces the model rule of the same name; the others stay', () => {
    type R = { name: string; deviceId: string | null; v: number }
    const model: R[] = [{ name: 'tilt', deviceId: null, v: 1 }, { name: 'battery', deviceId: null, v: 2 }]
    const device: R[] = [{ name: 'tilt', deviceId: 'd', v: 3 }, { name: 'extra', deviceId: 'd', v: 4 }]
    expect(effectiveRules(model, device).map((r) => r.v)).toEqual([2, 3, 4])
    expect(effectiveRules(model, []).map((r) => r.v)).toEqual([1, 2])
  })
})
