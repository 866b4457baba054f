// The class table as a picker tree (kind → big class → small classes) and the names of a rule's class.
import type { CaseClass, DispatchRule, Lang } from '../../api/client'
import { localName } from '../../app/i18n'

type Kind = CaseClass['kind']

/** A picked class: a whole big class (smallCode null) or one small class. */
export interface ClassPick {
  classKind: Kind
  bigCode: string
  smallCode: string | null
}

/** The TreeSelect value of a class: `component:01` (big) or `component:0101` (small). */
export function classValue(kind: Kind, code: string): string {
  return `${kind}:${code}`
}

export function parseClassValue(value: string): ClassPick | null {
  const match = /^(component|event):([0-9]{2,6})$/.exec(value)
  if (!match) return null
  const code = match[2]!
  return { classKind: match[1] as Kind, bigCode: code.slice(0, 2), smallCode: code.length > 2 ? code : null }
}

export interface ClassOption {
  value: string
  title: string
  selectable?: boolean
  children?: ClassOption[]
}

/**
 * Picker data: the two kinds (not pickable), their big classes and, under each, its small classes. `bigPickable`
 * decides whether a whole big class may be picked (a rule may cover one; a case always has a small class).
 */
export function classOptions(classes: readonly CaseClass[], lang: Lang, kindName: (kind: Kind) => string, bigPickable: boolean): ClassOption[] {
  const kinds: Kind[] = ['component', 'event']
  return kinds
    .map((kind) => {
      const bigs = new Map<string, ClassOption>()
      for (const c of classes) {
        if (c.kind !== kind || !c.active) continue
        let big = bigs.get(c.bigCode)
        if (!big) {
          big = { value: classValue(kind, c.bigCode), title: `${c.bigCode} ${localName(c.bigName, c.bigNameEn, lang)}`, selectable: bigPickable, children: [] }
          bigs.set(c.bigCode, big)
        }
        big.children!.push({ value: classValue(kind, c.smallCode), title: `${c.smallCode} ${localName(c.smallName, c.smallNameEn, lang)}` })
      }
      const children = [...bigs.values()].sort((a, b) => a.value.localeCompare(b.value))
      return { value: `kind:${kind}`, title: kindName(kind), selectable: false, children }
    })
    .filter((k) => k.children.length > 0)
}

/** Names of a rule's class: the big class, and the small class when the rule is for one. */
export function ruleClassNames(classes: readonly CaseClass[], rule: Pick<DispatchRule, 'classKind' | 'bigCode' | 'smallCode'>, lang: Lang): { big: string; small: string | null } {
  const ofKind = classes.filter((c) => c.kind === rule.classKind)
  const big = ofKind.find((c) => c.bigCode === rule.bigCode)
  const small = rule.smallCode === null ? undefined : ofKind.find((c) => c.smallCode === rule.smallCode)
  return {
    big: big ? localName(big.bigName, big.bigNameEn, lang) : rule.bigCode,
    small: rule.smallCode === null ? null : small ? localName(small.smallName, small.smallNameEn, lang) : rule.smallCode,
  }
}
