// Pure rules of the organisation tree: which kind of unit may sit under which, and what its code must look like.
import type { UnitRow } from './repository.js'

export type UnitKind = UnitRow['kind']

/** Region line 市—区—街道—社区 (—网格), departments (成员单位) beside it with their sub-units. */
export const PARENT_KINDS: Record<UnitKind, UnitKind[]> = {
  district: [],
  street: ['district'], // 街道/镇
  zone: ['district'], // 开发区
  community: ['street', 'zone'], // 社区/村
  department: ['district'], // 成员单位
  sub_unit: ['department', 'sub_unit'],
}

/** GB/T 2260 style codes on the region line: 6 digits, +3 for a street, +3 for a community. */
export function codeProblem(kind: UnitKind, code: string, parentCode: string | null): { zh: string; en: string } | null {
  const digits = (n: number) => new RegExp(`^[0-9]{${n}}$`).test(code)
  switch (kind) {
    case 'district':
      return digits(6) ? null : { zh: '区县代码应为 6 位数字', en: 'a district code has 6 digits' }
    case 'street':
    case 'zone':
      if (!digits(9)) return { zh: '街道代码应为 9 位数字', en: 'a street or zone code has 9 digits' }
      break
    case 'community':
      if (!digits(12)) return { zh: '社区代码应为 12 位数字', en: 'a community code has 12 digits' }
      break
    case 'department':
    case 'sub_unit':
      return /^[A-Za-z0-9_-]{2,32}$/.test(code) ? null : { zh: '部门代码为 2–32 位字母、数字、下划线或连字符', en: 'a department code has 2–32 letters, digits, _ or -' }
  }
  if (parentCode && !code.startsWith(parentCode)) return { zh: `代码须以上级代码 ${parentCode} 开头`, en: `the code must start with the parent's code ${parentCode}` }
  return null
}
