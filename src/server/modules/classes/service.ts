// Component and event classes (部件/事件 大类/小类, GB/T 30428.2): reference data, loaded from a district's CSV class table.
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

const COLUMNS = ['kind', 'big_code', 'big_name', 'big_name_en', 'small_code', 'small_name', 'small_name_en', 'default_urgency', 'citizen_choice', 'status'] as const

/** Parses the class table CSV (columns as in data/classes-provisional.csv); throws on a malformed row, naming it. */
export function parseClassCsv(text: string): Insertable<Database['case_classes']>[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const header = lines.shift()?.split(',').map((h) => h.trim()) ?? []
  const missing = COLUMNS.filter((c) => !header.includes(c))
  if (missing.length) throw new Error(`class table lacks columns: ${missing.join(', ')}`)
  return lines.map((line, i) => {
    const cells = line.split(',')
    const get = (column: (typeof COLUMNS)[number]) => cells[header.indexOf(column)]?.trim() ?? ''
    const kind = get('kind')
    const urgency = get('default_urgency')
    if (kind !== 'component' && kind !== 'event') throw new Error(`row ${i + 2}: kind must be component or event`)
    if (!['urgent', 'important', 'normal', 'complex'].includes(urgency)) throw new Error(`row ${i + 2}: unknown urgency ${urgency}`)
    return {
      kind,
      big_code: get('big_code'),
      big_name: get('big_name'),
      big_name_en: get('big_name_en') || null,
      small_code: get('small_code'),
      small_name: get('small_name'),
      small_name_en: get('small_name_en') || null,
      default_urgency: urgency as Urgency,
      citizen_choice: get('citizen_choice') || null,
      status: (get('status') || 'provisional') as 'provisional' | 'official' | 'local',
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
