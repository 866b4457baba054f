// Component and event classes (部件/事件 大类/小类, GB/T 30428.2): reference data, loaded from a district's CSV class table.
import { parse } from 'csv-parse/sync'
import type { Insertable, Kysely } from 'kysely'
import type { Database } from '../../platform/db/database.js'

type Q = Kysely<Database>
type Urgency = 'urgent' | 'important' | 'normal' | 'complex'

export interface CaseClass {
  kind: 'component' | 'event'
  bigCode: string
  bigName: string
  bigNameEn: string | null
  smallCode: string
  smallName: string
  smallNameEn: string | null
  defaultUrgency: Urgency
  citizenChoice: string | null
  status: 'provisional' | 'official' | 'local'
  active: boolean
}

export async function listClasses(db: Q, kind?: 'component' | 'event'): Promise<CaseClass[]> {
  let query = db.selectFrom('case_classes').selectAll().orderBy('kind').orderBy('small_code')
  if (kind) query = query.where('kind', '=', kind)
  return (await query.execute()).map((r) => ({
    kind: r.kind,
    bigCode: r.big_code,
    bigName: r.big_name,
    bigNameEn: r.big_name_en,
    smallCode: r.small_code,
    smallName: r.small_name,
    smallNameEn: r.small_name_en,
    defaultUrgency: r.default_urgency,
    citizenChoice: r.citizen_choice,
    status: r.status,
    active: r.active,
  }))
}

type Column = 'kind' | 'big_code' | 'big_name' | 'big_name_en' | 'small_code' | 'small_name' | 'small_name_en' | 'default_urgency' | 'citizen_choice' | 'status'
const REQUIRED = ['kind', 'big_code', 'big_name', 'small_code', 'small_name', 'default_urgency'] as const

/** A class table row that breaks a rule, named by its line in the file. */
export class ClassTableError extends Error {
  constructor(
    readonly line: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`line ${line}: ${en}`)
    this.name = 'ClassTableError'
  }
}

/** Parses a district's class table (CSV with the columns of data/classes-provisional.csv; quoted fields allowed). */
export function parseClassCsv(text: string): Insertable<Database['case_classes']>[] {
  let records: Record<string, string>[]
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[]
  } catch (error) {
    throw new ClassTableError(0, `不是有效的 CSV：${(error as Error).message}`, `not valid CSV: ${(error as Error).message}`)
  }
  const header = Object.keys(records[0] ?? {})
  const missing = REQUIRED.filter((c) => !header.includes(c))
  if (missing.length) throw new ClassTableError(1, `缺少列：${missing.join(', ')}`, `missing columns: ${missing.join(', ')}`)
  const seen = new Set<string>()
  return records.map((record, i) => {
    const line = i + 2
    const get = (column: Column) => record[column]?.trim() ?? ''
    const fail = (zh: string, en: string): never => {
      throw new ClassTableError(line, zh, en)
    }
    const kind = get('kind')
    if (kind !== 'component' && kind !== 'event') fail('类别须为 component 或 event', 'kind must be component or event')
    const bigCode = get('big_code')
    const smallCode = get('small_code')
    if (!/^[0-9]{2}$/.test(bigCode)) fail('大类代码应为 2 位数字', 'big_code must have 2 digits')
    if (!/^[0-9]{4,6}$/.test(smallCode) || !smallCode.startsWith(bigCode)) fail('小类代码应为 4–6 位数字并以大类代码开头', 'small_code must have 4–6 digits and start with big_code')
    if (seen.has(`${kind}:${smallCode}`)) fail(`小类 ${smallCode} 重复`, `small class ${smallCode} appears twice`)
    seen.add(`${kind}:${smallCode}`)
    const urgency = get('default_urgency')
    if (!['urgent', 'important', 'normal', 'complex'].includes(urgency)) fail('紧急程度须为 urgent/important/normal/complex', 'default_urgency must be urgent, important, normal or complex')
    const status = get('status') || 'provisional'
    if (!['provisional', 'official', 'local'].includes(status)) fail('状态须为 provisional/official/local', 'status must be provisional, official or local')
    if (!get('big_name') || !get('small_name')) fail('大类和小类名称不能为空', 'big_name and small_name are required')
    return {
      kind: kind as 'component' | 'event',
      big_code: bigCode,
      big_name: get('big_name'),
      big_name_en: get('big_name_en') || null,
      small_code: smallCode,
      small_name: get('small_name'),
      small_name_en: get('small_name_en') || null,
      default_urgency: urgency as Urgency,
      citizen_choice: get('citizen_choice') || null,
      status: status as 'provisional' | 'official' | 'local',
      active: true,
    }
  })
}

export async function upsertClasses(db: Q, rows: Insertable<Database['case_classes']>[]): Promise<number> {
  if (rows.length === 0) return 0
  await db
    .insertInto('case_classes')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['kind', 'small_code']).doUpdateSet((eb) => ({
        big_code: eb.ref('excluded.big_code'),
        big_name: eb.ref('excluded.big_name'),
        big_name_en: eb.ref('excluded.big_name_en'),
        small_name: eb.ref('excluded.small_name'),
        small_name_en: eb.ref('excluded.small_name_en'),
        default_urgency: eb.ref('excluded.default_urgency'),
        citizen_choice: eb.ref('excluded.citizen_choice'),
        status: eb.ref('excluded.status'),
      })),
    )
    .execute()
  return rows.length
}

/** One class, or undefined: intake checks a report's class against the table. */
export async function findClass(db: Q, kind: string, smallCode: string) {
  return db.selectFrom('case_classes').selectAll().where('kind', '=', kind as 'component' | 'event').where('small_code', '=', smallCode).executeTakeFirst()
}
