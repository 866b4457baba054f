// Organisation units as a tree, for the units table and for unit pickers on other pages (loaded once, shared).
import { useCallback } from 'react'
import { listUnits, type Lang, type Unit, type UnitKind } from '../../api/client'
import { localName } from '../../app/i18n'
import { useLoad } from '../../app/useLoad'

export interface UnitNode extends Unit {
  children?: UnitNode[]
}

const KIND_ORDER: Record<UnitKind, number> = { district: 0, street: 1, zone: 2, community: 3, department: 4, sub_unit: 5 }

function compare(a: Unit, b: Unit): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.sort - b.sort || a.code.localeCompare(b.code)
}

/** Children under their parents; a unit whose parent is not in the list (a search hit, the scope's top) is a root. */
export function buildTree(units: Unit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>(units.map((u) => [u.id, { ...u }]))
  const roots: UnitNode[] = []
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  const sort = (list: UnitNode[]) => {
    list.sort(compare)
    for (const n of list) if (n.children) sort(n.children)
  }
  sort(roots)
  return roots
}

export interface UnitOption {
  value: string
  title: string
  kind: UnitKind
  disabled?: boolean
  children?: UnitOption[]
}

/** TreeSelect data; `selectable` decides which units may be picked (others stay as structure). */
export function unitOptions(units: Unit[], lang: Lang, selectable: (u: Unit) => boolean = () => true): UnitOption[] {
  const walk = (list: UnitNode[]): UnitOption[] =>
    list.map((u) => ({
      value: u.id,
      title: `${localName(u.name, u.nameEn, lang)}`,
      kind: u.kind,
      disabled: !selectable(u),
      children: u.children ? walk(u.children) : undefined,
    }))
  return walk(buildTree(units))
}

let cache: Promise<Unit[]> | null = null

/** Forget the shared list after a unit was created or changed. */
export function invalidateUnits(): void {
  cache = null
}

/** Every unit in the user's scope; shared by the pages, fetched once until invalidated. */
export function useUnits(enabled = true): { units: Unit[]; loading: boolean; error: unknown; reload: () => void } {
  const { data, loading, error, reload } = useLoad(
    () => {
      if (!enabled) return Promise.resolve([] as Unit[])
      cache ??= listUnits().then((r) => r.items)
      const current = cache
      return current.catch((e: unknown) => {
        if (cache === current) cache = null // a failed fetch is not kept
        throw e
      })
    },
    [] as Unit[],
    [enabled],
  )
  const reloadAll = useCallback(() => {
    invalidateUnits()
    reload()
  }, [reload])
  return { units: data, loading: enabled && loading, error, reload: reloadAll }
}
