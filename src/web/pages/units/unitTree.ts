// Organisation units as a tree, for the units table and for unit pickers on other pages (loaded once, shared).
import { useCallback, useEffect, useState } from 'react'
import { listUnits, type Lang, type Unit, type UnitKind } from '../../api/client'
import { localName } from '../../app/i18n'

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
  const [units, setUnits] = useState<Unit[]>([])
  const [loading, setLoading] = useState(enabled)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (!enabled) return
    let live = true
    cache ??= listUnits().then((r) => r.items)
    const current = cache
    setLoading(true)
    current.then(
      (items) => {
        if (!live) return
        setUnits(items)
        setError(null)
        setLoading(false)
      },
      (e: unknown) => {
        if (cache === current) cache = null
        if (!live) return
        setError(e)
        setLoading(false)
      },
    )
    return () => { live = false }
  }, [enabled, tick])
  const reload = useCallback(() => {
    invalidateUnits()
    setTick((n) => n + 1)
  }, [])
  return { units, loading, error, reload }
}
