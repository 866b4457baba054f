// Bulk import of devices (设备批量导入) from CSV or Excel (.xlsx), all or nothing per file: every row is checked first,
// and any problem answers a per-row report with nothing stored. Devices created get tokens, answered this once. Also
// the template workbook with the columns, what each holds, and the models.
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { AppError, type ErrorCode, formatMessage, type Locale } from '../../platform/errors.js'
import { isCrs } from '../../platform/geo/coords.js'
import { COLUMN_NAMES, DEVICE_COLUMNS, type DeviceColumn, type DeviceInput, type DeviceModel, type DeviceRegistry, type DeviceValues } from './registry.js'

/** Rows one file may hold (a district has a few thousand devices of a kind). */
export const MAX_IMPORT_ROWS = 10_000
/** Bytes one file may have: 10,000 rows are about 1.5 MB of CSV and less as .xlsx. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024

/** One problem of one cell: the row as a spreadsheet numbers it (the heading is row 1), the column's key. */
export interface RowError {
  row: number
  column: DeviceColumn | string | null
  code: ErrorCode
  messages: Record<Locale, string>
}

export interface ImportReport {
  /** Devices stored: 0 when the file had any problem, and on a dry run. */
  created: number
  /** Data rows read from the file. */
  rows: number
  dryRun: boolean
  errors: RowError[]
  /** The new devices' tokens, shown this once. */
  tokens: Array<{ code: string; token: string }>
}

interface Table {
  header: string[]
  rows: Array<{ row: number; cells: string[] }>
}

const unreadable = (zh: string, en: string) => new AppError('DEVICE_IMPORT_UNREADABLE', { reason: { 'zh-CN': zh, en } })

const rowError = (row: number, column: string | null, error: AppError): RowError => ({
  row, column, code: error.code, messages: { 'zh-CN': formatMessage(error.code, 'zh-CN', error.params), en: formatMessage(error.code, 'en', error.params) },
})

/** A heading names its column by key ("code"), by Chinese or English name ("设备编号"), or as the template writes it ("设备编号 (code)"). */
const HEADINGS = new Map<string, DeviceColumn>(DEVICE_COLUMNS.flatMap((column) => [
  [column, column], [COLUMN_NAMES[column]['zh-CN'], column], [COLUMN_NAMES[column].en.toLowerCase(), column],
]))
HEADINGS.set('编号', 'code').set('名称', 'name').set('设备型号', 'model').set('安装地址', 'address').set('longitude', 'lng').set('latitude', 'lat')

function columnOf(heading: string): DeviceColumn | undefined {
  const text = heading.trim().toLowerCase()
  const key = /\(([a-z_]+)\)$/.exec(text)?.[1]
  return HEADINGS.get(key ?? text)
}

// ---- reading the file ----------------------------------------------------------------------------------------------

/** Text as Excel on a Chinese Windows saves CSV (GB18030) unless it is valid UTF-8. */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}

function readCsv(bytes: Buffer): Table {
  let records: Array<{ record: string[]; info: { lines: number } }>
  try {
    records = parse(decode(bytes), { bom: true, info: true, relax_column_count: true, skip_empty_lines: false, trim: true }) as unknown as typeof records
  } catch (error) {
    throw unreadable(`CSV 格式有误（${(error as Error).message}）`, `malformed CSV (${(error as Error).message})`)
  }
  const [head, ...body] = records
  return { header: head?.record ?? [], rows: body.map((r) => ({ row: r.info.lines, cells: r.record })) }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('')
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue)
    if ('text' in value) return String(value.text)
    return ''
  }
  return String(value).trim()
}

async function readXlsx(bytes: Buffer): Promise<Table> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch {
    throw unreadable('不是有效的 .xlsx 文件', 'not a valid .xlsx file')
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) return { header: [], rows: [] }
  if (sheet.actualRowCount - 1 > MAX_IMPORT_ROWS) throw new AppError('DEVICE_IMPORT_TOO_MANY_ROWS', { rows: sheet.actualRowCount - 1, limit: MAX_IMPORT_ROWS })
  const table: Table = { header: [], rows: [] }
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells = Array.from({ length: Math.max(row.cellCount, 0) }, (_, i) => cellText(row.getCell(i + 1).value).trim())
    if (number === 1) table.header = cells
    else table.rows.push({ row: number, cells })
  })
  return table
}

/** The file's table, from an .xlsx (recognised by its bytes) or else a CSV; an old binary .xls is refused. */
async function readTable(bytes: Buffer): Promise<Table> {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return readXlsx(bytes)
  if (bytes.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) throw unreadable('请另存为 .xlsx 或 CSV 后导入', 'save it as .xlsx or CSV first')
  return readCsv(bytes)
}

// ---- checking and storing ------------------------------------------------------------------------------------------

function numberIn(text: string, min: number, max: number): number | null | undefined {
  if (!text) return null
  const n = Number(text)
  return Number.isFinite(n) && n >= min && n <= max ? n : undefined
}

/** Excel's day 0 (its serial numbers count days from here, with 1900 wrongly taken for a leap year). */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30)

/** A day as people write it in a sheet (2026-4-2, 2026/04/02, or Excel's serial number of a date cell) as YYYY-MM-DD. */
function dayText(text: string): string {
  if (/^\d{5}(\.\d+)?$/.test(text)) return new Date(EXCEL_EPOCH + Math.floor(Number(text)) * 86_400_000).toISOString().slice(0, 10)
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text)
  return match ? `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}` : text
}

/**
 * Imports a file of devices: checks every row, and stores them all (with new tokens) only when no row has a problem
 * and this is not a dry run. Whole-file problems (unreadable, too many rows) are errors; row problems are the report.
 */
export async function importDevices(registry: DeviceRegistry, principal: Principal, file: { bytes: Buffer; filename: string }, options: { dryRun: boolean; crs?: string | undefined }): Promise<ImportReport> {
  const crs = options.crs ?? 'wgs84'
  if (!isCrs(crs)) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': 'crs 应为 wgs84、gcj02 或 bd09', en: 'crs must be wgs84, gcj02 or bd09' } })
  const table = await readTable(file.bytes)
  const rows = table.rows.filter((r) => r.cells.some((cell) => cell !== ''))
  if (rows.length > MAX_IMPORT_ROWS) throw new AppError('DEVICE_IMPORT_TOO_MANY_ROWS', { rows: rows.length, limit: MAX_IMPORT_ROWS })
  const report: ImportReport = { created: 0, rows: rows.length, dryRun: options.dryRun, errors: [], tokens: [] }

  // the heading: every column known, none twice, the required ones there
  const positions = new Map<DeviceColumn, number>()
  table.header.forEach((heading, i) => {
    if (!heading) return
    const column = columnOf(heading)
    if (!column) report.errors.push(rowError(1, heading, new AppError('DEVICE_FIELD_INVALID', { column: heading, reason: { 'zh-CN': '未知的列', en: 'unknown column' } })))
    else if (positions.has(column)) report.errors.push(rowError(1, column, new AppError('DEVICE_FIELD_INVALID', { column: COLUMN_NAMES[column], reason: { 'zh-CN': '列重复', en: 'the column appears twice' } })))
    else positions.set(column, i)
  })
  for (const column of ['code', 'name', 'model'] as const) {
    if (!positions.has(column)) report.errors.push(rowError(1, column, new AppError('DEVICE_FIELD_INVALID', { column: COLUMN_NAMES[column], reason: { 'zh-CN': '缺少此列', en: 'the column is missing' } })))
  }
  if (report.errors.length) return report
  if (rows.length === 0) throw unreadable('文件中没有设备行', 'the file has no device rows')

  const models = await registry.modelsByKey()
  const modelNamed = new Map<string, string>()
  for (const model of models.values()) for (const name of [model.key, model.name, model.nameEn.toLowerCase()]) modelNamed.set(name, model.key)
  const checked: Array<{ row: number; values: DeviceValues }> = []
  const firstRowOf = new Map<string, number>()
  for (const { row, cells } of rows) {
    const cell = (column: DeviceColumn) => {
      const at = positions.get(column)
      return at === undefined ? '' : (cells[at] ?? '').trim()
    }
    const problems: Array<{ column: DeviceColumn; error: AppError }> = []
    const lng = numberIn(cell('lng'), -180, 180)
    const lat = numberIn(cell('lat'), -90, 90)
    for (const [column, value] of [['lng', lng], ['lat', lat]] as const) {
      if (value === undefined) problems.push({ column, error: new AppError('DEVICE_FIELD_INVALID', { column: COLUMN_NAMES[column], reason: { 'zh-CN': '应为经纬度数值', en: 'expected a number in degrees' } }) })
    }
    const ownerText = cell('owner_unit')
    const ownerUnitId = ownerText ? registry.unitNamed(ownerText) : null
    if (ownerUnitId === undefined) problems.push({ column: 'owner_unit', error: new AppError('DEVICE_OWNER_UNKNOWN', { unit: ownerText }) })
    const modelText = cell('model')
    const input: DeviceInput = {
      code: cell('code'),
      name: cell('name'),
      modelKey: modelNamed.get(modelText) ?? modelNamed.get(modelText.toLowerCase()) ?? modelText,
      // a position with a bad half is reported once, for that half
      lng: lng === undefined || lat === undefined ? null : lng,
      lat: lng === undefined || lat === undefined ? null : lat,
      crs,
      address: cell('address'),
      facilityKind: cell('facility_kind'),
      facilityName: cell('facility_name'),
      facilityRef: cell('facility_ref'),
      ownerUnitId: ownerUnitId ?? null,
      installedOn: dayText(cell('installed_on')) || null,
    }
    const result = registry.check(principal, input, models)
    problems.push(...result.problems)
    const code = result.values.code
    if (code) {
      const first = firstRowOf.get(code)
      if (first === undefined) firstRowOf.set(code, row)
      else problems.push({ column: 'code', error: new AppError('DEVICE_CODE_REPEATED', { code, first }) })
    }
    for (const p of problems) report.errors.push(rowError(row, p.column, p.error))
    if (problems.length === 0) checked.push({ row, values: result.values })
  }
  const taken = await registry.takenCodes(checked.map((c) => c.values.code))
  for (const c of checked) if (taken.has(c.values.code)) report.errors.push(rowError(c.row, 'code', new AppError('DEVICE_CODE_TAKEN', { code: c.values.code })))
  report.errors.sort((a, b) => a.row - b.row || DEVICE_COLUMNS.indexOf(a.column as DeviceColumn) - DEVICE_COLUMNS.indexOf(b.column as DeviceColumn))
  if (report.errors.length || options.dryRun) return report

  const created = await registry.insert(actorOf(principal), checked.map((c) => c.values), { action: 'device.import', file: file.filename.slice(0, 200) })
  return { ...report, created: created.length, tokens: created.map((c) => ({ code: c.code, token: c.token })) }
}

// ---- the template --------------------------------------------------------------------------------------------------

const HELP: Record<DeviceColumn, { need: boolean; 'zh-CN': string; en: string; example: string }> = {
  code: { need: true, 'zh-CN': '设备编号，全区唯一，最多 64 个字符', en: 'Device number, unique in the district, at most 64 characters', example: 'JG-ZC-0001' },
  name: { need: true, 'zh-CN': '设备名称', en: 'Device name', example: '邾城大道1号井盖' },
  model: { need: true, 'zh-CN': '型号：型号键或中文名称（见“型号”表）', en: 'Model: its key or Chinese name (see the Models sheet)', example: 'manhole_cover' },
  lng: { need: false, 'zh-CN': '经度（WGS84，十进制度）；与纬度同时填写或同时留空', en: 'Longitude (WGS84, decimal degrees); give both or neither', example: '114.8012' },
  lat: { need: false, 'zh-CN': '纬度（WGS84，十进制度）', en: 'Latitude (WGS84, decimal degrees)', example: '30.8421' },
  address: { need: false, 'zh-CN': '安装地址', en: 'Address', example: '邾城大道1号' },
  facility_kind: { need: false, 'zh-CN': '所监测设施的类型，如 公厕、部件、中转站', en: 'Kind of facility watched, e.g. public toilet, component, transfer station', example: '部件' },
  facility_name: { need: false, 'zh-CN': '设施名称', en: 'Facility name', example: '污水井盖' },
  facility_ref: { need: false, 'zh-CN': '设施编号（如部件普查编号）', en: 'Facility reference (e.g. the component census number)', example: '420117001001' },
  owner_unit: { need: false, 'zh-CN': '权属单位：单位名称、代码或 ID', en: 'Owner unit: its name, code or id', example: '区水务和湖泊局' },
  installed_on: { need: false, 'zh-CN': '安装日期 YYYY-MM-DD', en: 'Installation date, YYYY-MM-DD', example: '2026-03-01' },
}

/** The import template: the heading row to fill in, a sheet explaining each column, and the models. */
export async function importTemplate(locale: Locale, models: DeviceModel[]): Promise<Buffer> {
  const zh = locale === 'zh-CN'
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Xiuhua 绣花'
  const sheet = workbook.addWorksheet(zh ? '设备' : 'Devices', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = DEVICE_COLUMNS.map((column) => ({ header: `${COLUMN_NAMES[column][locale]} (${column})`, key: column, width: column === 'name' || column === 'address' ? 28 : 16 }))
  sheet.getRow(1).font = { bold: true }
  // codes, references and dates as text, so leading zeros and the written form survive
  for (const column of ['code', 'facility_ref', 'installed_on'] as const) sheet.getColumn(column).numFmt = '@'

  const help = workbook.addWorksheet(zh ? '说明' : 'Help')
  help.columns = [
    { header: zh ? '列' : 'Column', width: 24 },
    { header: zh ? '必填' : 'Required', width: 8 },
    { header: zh ? '说明' : 'What it holds', width: 60 },
    { header: zh ? '示例' : 'Example', width: 20 },
  ]
  help.getRow(1).font = { bold: true }
  for (const column of DEVICE_COLUMNS) {
    const h = HELP[column]
    help.addRow([`${COLUMN_NAMES[column][locale]} (${column})`, h.need ? (zh ? '是' : 'yes') : '', h[locale], h.example])
  }
  help.addRow([])
  help.addRow([zh ? `每个文件最多 ${MAX_IMPORT_ROWS} 行；任何一行有误时整个文件都不会导入。` : `At most ${MAX_IMPORT_ROWS} rows per file; if any row is wrong, nothing of the file is imported.`])

  const list = workbook.addWorksheet(zh ? '型号' : 'Models')
  list.columns = [{ header: zh ? '型号键' : 'Key', width: 18 }, { header: zh ? '名称' : 'Name', width: 20 }, { header: 'English', width: 28 }]
  list.getRow(1).font = { bold: true }
  for (const model of models) list.addRow([model.key, model.name, model.nameEn])
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
