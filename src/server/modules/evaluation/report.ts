// The evaluation report (考核通报) of a period: an Excel workbook (one sheet per subject) and a print-styled HTML page
// that the browser prints to PDF. Headings in the reader's language; every table has its formula above it.
import ExcelJS from 'exceljs'
import type { Locale } from '../../platform/errors.js'
import { FAMILY, INDICATOR_NAMES, isRate, type Subject } from './indicators.js'
import type { Ranking } from './service.js'

type Names = Record<Locale, string>

export const SUBJECT_NAMES: Record<Subject, Names> = {
  units: { 'zh-CN': '处置单位', en: 'Disposal units' },
  streets: { 'zh-CN': '街道（开发区）', en: 'Streets and zone' },
  communities: { 'zh-CN': '社区', en: 'Communities' },
  cells: { 'zh-CN': '单元网格', en: 'Grid cells' },
  supervisors: { 'zh-CN': '监督员', en: 'Field supervisors' },
  acceptors: { 'zh-CN': '受理员', en: 'Acceptors' },
  dispatchers: { 'zh-CN': '派遣员', en: 'Dispatchers' },
}

/** The columns of a subject's table: the counts and rates its family has, in the order of INDICATOR_NAMES. */
const columnsOf = (subject: Subject) => Object.keys(INDICATOR_NAMES[FAMILY[subject]])

const TITLE: Names = { 'zh-CN': '数字城管综合考核通报', en: 'City management evaluation report' }
const HEAD = {
  rank: { 'zh-CN': '排名', en: 'Rank' },
  name: { 'zh-CN': '名称', en: 'Name' },
  composite: { 'zh-CN': '综合指标值', en: 'Composite' },
  change: { 'zh-CN': '较上期', en: 'Change' },
  period: { 'zh-CN': '考核期', en: 'Period' },
  published: { 'zh-CN': '已发布', en: 'Published' },
  provisional: { 'zh-CN': '未发布（实时计算）', en: 'Not published (computed now)' },
  noData: { 'zh-CN': '无数据', en: 'no data' },
  noDataNote: { 'zh-CN': '无数据：本考核期没有计入的案卷，不参与排名', en: 'No data: nothing was counted in the period; not ranked' },
} satisfies Record<string, Names>

const nameOf = (row: Ranking['rows'][number], locale: Locale) => (locale === 'en' ? (row.nameEn ?? row.name) : row.name)

/** ↑2 / ↓1 / – / new: how the rank moved since the previous period; '—' for a row with no data now. */
export function changeText(row: { rank: number | null; previousRank: number | null }, locale: Locale): string {
  if (row.rank === null) return '—'
  if (row.previousRank === null) return locale === 'en' ? 'new' : '新'
  const d = row.previousRank - row.rank
  return d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '–'
}

const cellValue = (key: string, v: number | null | undefined) => (v === null || v === undefined ? '—' : isRate(key) ? `${(v * 100).toFixed(1)}%` : String(v))

/** When a period was published, in the district's time (UTC+8), 'YYYY-MM-DD HH:mm'. */
const publishedAt = (iso: string | null) => (iso ? new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '')

export async function reportWorkbook(rankings: readonly Ranking[], locale: Locale): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Xiuhua 绣花'
  for (const r of rankings) {
    const subject = r.subject as Subject
    const keys = columnsOf(subject)
    const sheet = workbook.addWorksheet(SUBJECT_NAMES[subject][locale])
    sheet.addRow([`${TITLE[locale]} — ${SUBJECT_NAMES[subject][locale]}`]).font = { bold: true, size: 14 }
    sheet.addRow([`${HEAD.period[locale]}: ${r.period.label}`, r.frozen ? `${HEAD.published[locale]} ${publishedAt(r.frozenAt)}` : HEAD.provisional[locale]])
    sheet.addRow([r.formula[locale]])
    sheet.addRow(r.rows.some((row) => row.composite === null) ? [HEAD.noDataNote[locale]] : [])
    const header = sheet.addRow([HEAD.rank[locale], HEAD.name[locale], HEAD.composite[locale], HEAD.change[locale], ...keys.map((k) => INDICATOR_NAMES[FAMILY[subject]][k]![locale])])
    header.font = { bold: true }
    for (const row of r.rows) {
      const added = sheet.addRow([row.rank ?? '—', nameOf(row, locale), row.composite ?? HEAD.noData[locale], changeText(row, locale), ...keys.map((k) => row.indicators[k] ?? null)])
      keys.forEach((k, i) => { if (isRate(k)) added.getCell(5 + i).numFmt = '0.0%' })
      if (row.composite === null) added.font = { color: { argb: 'FF808080' } }
    }
    sheet.columns.forEach((c, i) => { c.width = i === 1 ? 22 : 11 })
    sheet.views = [{ state: 'frozen', ySplit: 5 }]
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** A self-contained page (no script, inline style) laid out for A4 landscape; the browser's print makes the PDF. */
export function reportHtml(rankings: readonly Ranking[], locale: Locale): string {
  const sections = rankings.map((r) => {
    const subject = r.subject as Subject
    const keys = columnsOf(subject)
    const names = INDICATOR_NAMES[FAMILY[subject]]
    const head = [HEAD.rank[locale], HEAD.name[locale], HEAD.composite[locale], HEAD.change[locale], ...keys.map((k) => names[k]![locale])]
    const rows = r.rows.map((row) => {
      const score = row.composite === null ? `<span class="nodata">${HEAD.noData[locale]}</span>` : `<b>${row.composite.toFixed(2)}</b>`
      return `<tr${row.composite === null ? ' class="nodata"' : ''}><td>${row.rank ?? '—'}</td><td class="name">${escape(nameOf(row, locale))}</td><td>${score}</td><td>${changeText(row, locale)}</td>${keys.map((k) => `<td>${cellValue(k, row.indicators[k])}</td>`).join('')}</tr>`
    }).join('\n')
    const note = r.rows.some((row) => row.composite === null) ? `<p class="formula">${escape(HEAD.noDataNote[locale])}</p>` : ''
    return `<section><h2>${escape(SUBJECT_NAMES[subject][locale])}</h2><p class="formula">${escape(r.formula[locale])}</p>${note}
<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table></section>`
  })
  const first = rankings[0]
  const status = first?.frozen ? `${HEAD.published[locale]} ${publishedAt(first.frozenAt)}` : HEAD.provisional[locale]
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escape(TITLE[locale])} ${escape(first?.period.label ?? '')}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #000; margin: 0 auto; max-width: 1200px; padding: 16px; }
h1 { text-align: center; font-size: 22px; margin: 0 0 4px; }
.meta { text-align: center; color: #333; margin-bottom: 12px; }
h2 { font-size: 16px; margin: 18px 0 4px; }
.formula { font-size: 12px; color: #333; margin: 0 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 11px; }
th, td { border: 1px solid #555; padding: 3px 4px; text-align: right; }
th { background: #eee; text-align: center; }
td.name { text-align: left; white-space: nowrap; }
tr.nodata td { color: #777; }
span.nodata { font-style: italic; }
tr { break-inside: avoid; }
section { break-inside: auto; }
@media print { .noprint { display: none; } }
</style></head>
<body><h1>${escape(TITLE[locale])}</h1><div class="meta">${escape(HEAD.period[locale])}: ${escape(first?.period.label ?? '')} · ${escape(status)}</div>
${sections.join('\n')}
</body></html>`
}
