// The case list as an Excel workbook (.xlsx) or as CSV, streamed row by row so a large export never holds every case
// in memory. Headings and names in the reader's language; text that a spreadsheet would run as a formula is written as text.
import { PassThrough, Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import type { Locale } from '../../platform/errors.js'
import type { CaseClass } from '../classes/service.js'
import type { CaseSummary } from './service.js'
import { STATES, type CaseSource, type CaseState } from './workflow.js'

type Names = Record<Locale, string>

const SOURCES: Record<CaseSource, Names> = {
  supervisor: { 'zh-CN': '监督员上报', en: 'Field supervisor' },
  citizen: { 'zh-CN': '市民举报', en: 'Citizen' },
  hotline: { 'zh-CN': '12319 热线', en: '12319 hotline' },
  leader: { 'zh-CN': '领导交办', en: 'Leader' },
  upper_platform: { 'zh-CN': '上级平台', en: 'City platform' },
  sensor: { 'zh-CN': '物联感知', en: 'Sensor' },
  video_ai: { 'zh-CN': '视频智能识别', en: 'Video AI' },
  media: { 'zh-CN': '媒体曝光', en: 'Media' },
}
const URGENCY: Record<string, Names> = {
  urgent: { 'zh-CN': '紧急', en: 'Urgent' },
  important: { 'zh-CN': '重要', en: 'Important' },
  normal: { 'zh-CN': '一般', en: 'Normal' },
  complex: { 'zh-CN': '疑难', en: 'Complex' },
}
const LIGHTS: Record<string, Names> = {
  green: { 'zh-CN': '正常', en: 'On time' },
  yellow: { 'zh-CN': '将到期', en: 'Due soon' },
  red: { 'zh-CN': '超期', en: 'Overdue' },
}

interface Column {
  header: Names
  width: number
  value: (c: CaseSummary, ctx: { locale: Locale; className: (c: CaseSummary) => string }) => string | number | Date | null
}

const COLUMNS: Column[] = [
  { header: { 'zh-CN': '案卷编号', en: 'Ticket' }, width: 24, value: (c) => c.ticket },
  { header: { 'zh-CN': '状态', en: 'State' }, width: 10, value: (c, { locale }) => STATES[c.state as CaseState]?.[locale] ?? c.state },
  { header: { 'zh-CN': '时限', en: 'Light' }, width: 8, value: (c, { locale }) => (c.light ? LIGHTS[c.light]![locale] : '') },
  { header: { 'zh-CN': '来源', en: 'Source' }, width: 12, value: (c, { locale }) => SOURCES[c.source as CaseSource]?.[locale] ?? c.source },
  { header: { 'zh-CN': '分类代码', en: 'Class code' }, width: 10, value: (c) => c.classCode },
  { header: { 'zh-CN': '分类', en: 'Class' }, width: 24, value: (c, { className }) => className(c) },
  { header: { 'zh-CN': '紧急程度', en: 'Urgency' }, width: 8, value: (c, { locale }) => URGENCY[c.urgency]?.[locale] ?? c.urgency },
  { header: { 'zh-CN': '街道', en: 'Street' }, width: 14, value: (c) => c.streetName },
  { header: { 'zh-CN': '地址', en: 'Address' }, width: 28, value: (c) => c.address },
  { header: { 'zh-CN': '问题描述', en: 'Description' }, width: 40, value: (c) => c.description },
  { header: { 'zh-CN': '处置单位', en: 'Disposal unit' }, width: 16, value: (c) => c.assignedUnitName },
  { header: { 'zh-CN': '办理期限', en: 'Deadline' }, width: 18, value: (c) => (c.deadline ? new Date(c.deadline) : null) },
  { header: { 'zh-CN': '上报时间', en: 'Reported at' }, width: 18, value: (c) => new Date(c.createdAt) },
  { header: { 'zh-CN': '经度', en: 'Longitude' }, width: 12, value: (c) => c.position[0] },
  { header: { 'zh-CN': '纬度', en: 'Latitude' }, width: 12, value: (c) => c.position[1] },
]

const FORMULA = /^[=+\-@\t\r]/
/** Text a spreadsheet would take for a formula gets a leading apostrophe, as in the CSV export. */
const safe = (v: string | number | Date | null) => (typeof v === 'string' && FORMULA.test(v) ? `'${v}` : v)

/** Each case's class by name in the reader's language (its code when the class is unknown). */
const classNames = (classes: readonly CaseClass[], locale: Locale) => {
  const names = new Map(classes.map((c) => [`${c.kind}:${c.smallCode}`, locale === 'en' ? (c.smallNameEn ?? c.smallName) : c.smallName]))
  return (c: CaseSummary) => names.get(`${c.classKind}:${c.classCode}`) ?? c.classCode
}

/** The district's local time as Excel shows it: Excel dates have no zone, so the local wall-clock time is written. */
const local = (d: Date, offsetMinutes: number) => new Date(d.getTime() + offsetMinutes * 60_000)

/** A CSV cell: quoted when it holds a quote, comma, line break or edge spaces; a line break inside a cell is a bare LF. */
function csvField(value: string | number | Date | null, utcOffsetMinutes: number): string {
  if (value === null) return ''
  if (value instanceof Date) return local(value, utcOffsetMinutes).toISOString().slice(0, 16).replace('T', ' ')
  const text = String(safe(value)).replace(/\r\n?/g, '\n')
  return /[",\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The cases as CSV for Excel: UTF-8 with a byte-order mark (so Excel reads Chinese text), CRLF between records and only
 * there (so a reader counts records by counting CRLF), local times as "yyyy-mm-dd hh:mm". An error while reading ends the
 * stream with that error.
 */
export function casesCsv(cases: AsyncIterable<CaseSummary>, classes: readonly CaseClass[], locale: Locale, utcOffsetMinutes = 480): Readable {
  const className = classNames(classes, locale)
  async function* lines() {
    yield '\uFEFF' + COLUMNS.map((col) => csvField(col.header[locale], utcOffsetMinutes)).join(',') + '\r\n'
    let chunk = ''
    let rows = 0
    for await (const c of cases) {
      chunk += COLUMNS.map((col) => csvField(col.value(c, { locale, className }), utcOffsetMinutes)).join(',') + '\r\n'
      if (++rows % 500 === 0) {
        yield chunk
        chunk = ''
      }
    }
    if (chunk) yield chunk
  }
  return Readable.from(lines(), { objectMode: false })
}

/**
 * Writes the cases to a new workbook on the returned stream (pipe it to the reply). Errors while reading end the
 * stream with that error, so a half-written file is never handed out as complete.
 */
export function casesWorkbook(cases: AsyncIterable<CaseSummary>, classes: readonly CaseClass[], locale: Locale, utcOffsetMinutes = 480): PassThrough {
  const out = new PassThrough()
  const className = classNames(classes, locale)
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false })
  workbook.creator = 'Xiuhua 绣花'
  const sheet = workbook.addWorksheet(locale === 'en' ? 'Cases' : '案卷', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = COLUMNS.map((col, i) => ({ key: String(i), header: col.header[locale], width: col.width }))
  sheet.getRow(1).font = { bold: true }
  sheet.getRow(1).commit()
  const write = async () => {
    for await (const c of cases) {
      const row = sheet.addRow(COLUMNS.map((col) => {
        const v = col.value(c, { locale, className })
        return v instanceof Date ? local(v, utcOffsetMinutes) : safe(v)
      }))
      for (const i of [12, 13]) row.getCell(i).numFmt = 'yyyy-mm-dd hh:mm'
      row.commit()
    }
    sheet.commit()
    await workbook.commit()
  }
  write().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))))
  return out
}
