// The problem types a citizen chooses from (公众可选问题类型): the friendly names of the class table
// (case_classes.citizen_choice), each standing for the classes that share it, with the extra questions (Open311
// attributes) some of them ask. One type is one Open311 service; its code is its first class's service code.
import type { Kysely } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import { AppError, type Locale } from '../../platform/errors.js'
import { serviceCodeOf } from '../cases/public.js'

/** An Open311 attribute (GeoReport v2 service definition). */
export interface Attribute {
  code: string
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist'
  required: boolean
  description: Record<Locale, string>
  datatypeDescription?: Record<Locale, string>
  values?: Array<{ key: string; name: Record<Locale, string> }>
}

export interface ProblemType {
  serviceCode: string
  name: Record<Locale, string>
  kind: 'component' | 'event'
  /** The class a report of this type is filed under (the acceptor may file it under another). */
  classCode: string
  /** Every class this type stands for (Open311 search by service code finds them all). */
  classes: Array<{ kind: 'component' | 'event'; code: string }>
  group: Record<Locale, string>
  attributes: Attribute[]
}

/** English names of the friendly types of the national table; a district's own types fall back to the class's name. */
const CHOICE_EN: Record<string, string> = {
  井盖缺损: 'Damaged or missing manhole cover', 垃圾乱堆: 'Garbage dumped', 露天烧烤: 'Open-air barbecue', 道路遗撒: 'Spillage on the road',
  道路脏乱: 'Dirty street', 道路积水: 'Water on the road', 违法建设: 'Illegal construction', 路面塌陷: 'Road subsidence',
  路灯不亮: 'Street light out', 燃气泄漏: 'Gas leak', 焚烧垃圾: 'Burning garbage', 油烟扰民: 'Cooking fumes', 河湖漂浮物: 'Litter on rivers and lakes',
  水管破裂: 'Burst water pipe', 树木问题: 'Tree problem', 施工噪音: 'Construction noise', 招牌破损: 'Damaged shop sign', 店外经营: 'Trading outside the shop',
  工地扬尘: 'Construction dust', 小广告: 'Illegal flyers', 垃圾箱损坏: 'Damaged bin', 垃圾满溢: 'Overflowing bin', 占道摆摊: 'Street stall blocking the way',
  其他问题: 'Other problem', 公厕问题: 'Public toilet problem', 僵尸车: 'Abandoned vehicle', 乱停车: 'Illegal parking', 下水道堵塞: 'Blocked drain',
}

const names = (zh: string, en: string): Record<Locale, string> => ({ 'zh-CN': zh, en })

/** The extra questions of some types, by friendly name. */
const ATTRIBUTES: Record<string, Attribute[]> = {
  井盖缺损: [{
    code: 'cover_state', datatype: 'singlevaluelist', required: true, description: names('井盖情况', 'State of the cover'),
    values: [
      { key: 'missing', name: names('井盖丢失', 'missing') }, { key: 'broken', name: names('破损', 'broken') },
      { key: 'displaced', name: names('移位/翘起', 'displaced or tilted') }, { key: 'sunken', name: names('下沉', 'sunken') },
    ],
  }],
  道路积水: [{
    code: 'depth_cm', datatype: 'number', required: false, description: names('积水深度（厘米）', 'Depth of the water (cm)'),
    datatypeDescription: names('0–200 的整数', 'a whole number from 0 to 200'),
  }],
  燃气泄漏: [{
    code: 'smell', datatype: 'singlevaluelist', required: true, description: names('气味', 'Smell'),
    values: [{ key: 'faint', name: names('轻微', 'faint') }, { key: 'strong', name: names('浓烈', 'strong') }],
  }],
  垃圾满溢: [{
    code: 'bin_kind', datatype: 'multivaluelist', required: false, description: names('垃圾桶类型', 'Kind of bin'),
    values: [
      { key: 'kitchen', name: names('厨余垃圾', 'kitchen waste') }, { key: 'recyclable', name: names('可回收物', 'recyclables') },
      { key: 'hazardous', name: names('有害垃圾', 'hazardous') }, { key: 'other', name: names('其他垃圾', 'other waste') },
    ],
  }],
}

/** The catalogue from the class table (active classes with a friendly name), in table order. */
export async function loadCatalogue(db: Kysely<Database>): Promise<ProblemType[]> {
  const rows = await db.selectFrom('case_classes')
    .select(['kind', 'small_code', 'small_name_en', 'big_name', 'big_name_en', 'citizen_choice'])
    .where('active', '=', true).where('citizen_choice', 'is not', null)
    .orderBy('kind').orderBy('small_code').execute()
  const types = new Map<string, ProblemType>()
  for (const r of rows) {
    const choice = r.citizen_choice!.trim()
    const kind = r.kind as 'component' | 'event'
    const known = types.get(choice)
    if (known) {
      known.classes.push({ kind, code: r.small_code })
      continue
    }
    types.set(choice, {
      serviceCode: serviceCodeOf(kind, r.small_code),
      name: names(choice, CHOICE_EN[choice] ?? r.small_name_en ?? choice),
      kind,
      classCode: r.small_code,
      classes: [{ kind, code: r.small_code }],
      group: names(r.big_name, r.big_name_en ?? r.big_name),
      attributes: ATTRIBUTES[choice] ?? [],
    })
  }
  return [...types.values()]
}

/**
 * Checks the answers to a type's questions and returns them as stored (lists as arrays, numbers as numbers).
 * Unknown codes, missing required answers and values outside a list are refused with BAD_REQUEST.
 */
export function checkAttributes(type: ProblemType, given: Record<string, string | string[]>): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {}
  const problems: string[] = []
  for (const code of Object.keys(given)) if (!type.attributes.some((a) => a.code === code)) problems.push(`${code}: unknown`)
  for (const attr of type.attributes) {
    const raw = given[attr.code]
    const values = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map((v) => v.trim()).filter(Boolean)
    if (!values.length) {
      if (attr.required) problems.push(`${attr.code}: required`)
      continue
    }
    switch (attr.datatype) {
      case 'number': {
        const n = Number(values[0])
        if (!Number.isFinite(n) || n < 0 || n > 1e6) problems.push(`${attr.code}: not a number`)
        else out[attr.code] = n
        break
      }
      case 'singlevaluelist':
      case 'multivaluelist': {
        const keys = new Set(attr.values?.map((v) => v.key))
        const bad = values.filter((v) => !keys.has(v))
        if (bad.length || (attr.datatype === 'singlevaluelist' && values.length > 1)) problems.push(`${attr.code}: not one of ${[...keys].join('/')}`)
        else out[attr.code] = attr.datatype === 'singlevaluelist' ? values[0]! : values
        break
      }
      default:
        out[attr.code] = values[0]!.slice(0, 500)
    }
  }
  if (problems.length) {
    const named = problems.join('; ')
    throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `附加信息有误：${named}`, en: `invalid attributes: ${named}` } }, { attributes: problems })
  }
  return out
}

/** The answers as a line the acceptor reads in the case description. */
export function describeAttributes(type: ProblemType, answers: Record<string, string | number | string[]>): string {
  return type.attributes.filter((a) => answers[a.code] !== undefined).map((a) => {
    const answer = answers[a.code]!
    const shown = (Array.isArray(answer) ? answer : [answer]).map((v) => a.values?.find((x) => x.key === v)?.name['zh-CN'] ?? String(v))
    return `${a.description['zh-CN']}：${shown.join('、')}`
  }).join('；')
}
