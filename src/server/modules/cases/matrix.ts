// The responsibility matrix (责任矩阵, class × area → disposal unit) as a pure choice: the most specific rule wins.

export interface DispatchRule {
  id: string
  classKind: 'component' | 'event'
  bigCode: string
  /** null: the rule covers the whole big class. */
  smallCode: string | null
  areaUnitId: string
  unitId: string
  auto: boolean
}

export interface CaseForMatrix {
  classKind: 'component' | 'event'
  smallCode: string
  /** The case's place from the smallest area up: community, street/zone, district (missing ones left out). */
  areaUnitIds: readonly string[]
}

/**
 * The rule for a case. A rule applies when its class covers the case's class (the same small class, or its big
 * class) and its area contains the case's place. Among those, a small-class rule beats a big-class rule, and then
 * the smaller area wins (community before street before district). No rule: null (the dispatcher decides).
 */
export function chooseRule(rules: readonly DispatchRule[], c: CaseForMatrix): DispatchRule | null {
  const bigCode = c.smallCode.slice(0, 2)
  let best: { rule: DispatchRule; score: number } | null = null
  for (const rule of rules) {
    if (rule.classKind !== c.classKind || rule.bigCode !== bigCode) continue
    if (rule.smallCode !== null && rule.smallCode !== c.smallCode) continue
    const areaRank = c.areaUnitIds.indexOf(rule.areaUnitId)
    if (areaRank < 0) continue
    const score = (rule.smallCode !== null ? 100 : 0) + (c.areaUnitIds.length - areaRank)
    if (!best || score > best.score) best = { rule, score }
  }
  return best?.rule ?? null
}
