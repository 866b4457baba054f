// Units as the responsibility matrix sees them: which may be a rule's area, which may dispose, and a place's lineage.
import type { Unit, UnitKind } from '../../api/client'

/** Kinds a rule's area may be (the server's matrix-service.ts checks the same). */
export const AREA_KINDS: readonly UnitKind[] = ['district', 'street', 'zone', 'community']
/** Kinds a disposal unit may be. */
export const DISPOSAL_KINDS: readonly UnitKind[] = ['street', 'zone', 'community', 'department', 'sub_unit']

/** The area units only (so the area tree holds no departments). */
export function areaUnits(units: readonly Unit[]): Unit[] {
  return units.filter((u) => AREA_KINDS.includes(u.kind))
}

/** A place and the areas holding it, from the smallest up (community, street, district), as the server's lineage. */
export function lineageIds(units: readonly Unit[], placeId: string): string[] {
  const byId = new Map(units.map((u) => [u.id, u]))
  const chain: string[] = []
  for (let unit = byId.get(placeId); unit && !chain.includes(unit.id); unit = unit.parentId ? byId.get(unit.parentId) : undefined) chain.push(unit.id)
  return chain
}
