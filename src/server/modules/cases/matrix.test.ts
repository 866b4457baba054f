// The responsibility matrix picks the most specific rule: small class over big class, then the smallest area.
import { describe, expect, it } from 'vitest'
import { chooseRule, type DispatchRule } from './matrix.js'

const rule = (id: string, over: Partial<DispatchRule>): DispatchRule => ({ id, classKind: 'component', bigCode: '01', smallCode: null, areaUnitId: 'district', unitId: `unit-${id}`, auto: false, ...over })
const manhole = { classKind: 'component' as const, smallCode: '0103', areaUnitIds: ['community', 'street', 'district'] }

describe('responsibility matrix', () => {
  it('uses the district-wide big-class rule when nothing more specific exists', () => {
    expect(chooseRule([rule('a', {})], manhole)?.id).toBe('a')
  })

  it('prefers a smaller area for the same class', () => {
    const rules = [rule('district', {}), rule('street', { areaUnitId: 'street' }), rule('community', { areaUnitId: 'community' })]
    expect(chooseRule(rules, manhole)?.id).toBe('community')
    expect(chooseRule(rules.slice(0, 2), manhole)?.id).toBe('street')
  })

  it('prefers a small-class rule over a big-class rule, even one for a smaller area', () => {
    const rules = [rule('big-community', { areaUnitId: 'community' }), rule('small-district', { smallCode: '0103' })]
    expect(chooseRule(rules, manhole)?.id).toBe('small-district')
  })

  it('ignores rules of another small class, another big class, another kind, or another area', () => {
    const rules = [
      rule('other-small', { smallCode: '0101' }),
      rule('other-big', { bigCode: '02' }),
      rule('event', { classKind: 'event' }),
      rule('elsewhere', { areaUnitId: 'another-street' }),
    ]
    expect(chooseRule(rules, manhole)).toBeNull()
  })

  it('handles a case outside every cell (district only)', () => {
    expect(chooseRule([rule('street', { areaUnitId: 'street' }), rule('district', {})], { ...manhole, areaUnitIds: ['district'] })?.id).toBe('district')
  })
})
