// Bulk import of devices as an operator does it: a CSV, the downloaded template filled in Excel, a file with mistakes
// (a per-row report, nothing stored), a dry run, and the files refused whole (too many rows, too large, unreadable).
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, multipart, pointInCells, type Point, type TestApp, unitIdOf } from '../../../../test/helpers.js'
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from './import.js'

let t: TestApp
let admin: string
let zhucheng: Point
let yangluo: Point

type Report = { created: number; rows: number; dryRun: boolean; errors: Array<{ row: number; column: string | null; code: string; messages: { 'zh-CN': string; en: string } }>; tokens: Array<{ code: string; token: string }> }

async function upload(data: Buffer | string, options: { filename?: string; query?: string; token?: string; field?: string } = {}) {
  const body = multipart([{ name: options.field ?? 'file', filename: options.filename ?? 'devices.csv', type: 'application/octet-stream', data }])
  return t.app.inject({ method: 'POST', url: `/api/iot/devices/import${options.query ?? ''}`, headers: { ...body.headers, ...bearer(options.token ?? admin) }, payload: body.payload })
}

async function report(data: Buffer | string, options: Parameters<typeof upload>[1] = {}): Promise<Report> {
  const response = await upload(data, options)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Report
}

async function refused(data: Buffer | string, status: number, code: string, options: Parameters<typeof upload>[1] = {}) {
  const response = await upload(data, options)
  expect(response.statusCode, response.body).toBe(status)
  expect(response.json().error.code).toBe(code)
}

const deviceCount = async () => Number((await t.db.kysely.selectFrom('devices').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

async function detail(code: string) {
  const row = await t.db.kysely.selectFrom('devices').select('id').where('code', '=', code).executeTakeFirstOrThrow()
  const response = await t.app.inject({ method: 'GET', url: `/api/iot/devices/${row.id}`, headers: bearer(admin) })
  return response.json()
}

const HEADING = 'code,name,model,lng,lat,address,facility_kind,facility_name,facility_ref,owner_unit,installed_on'

beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
  zhucheng = await pointInCells(t.db, '420117001')
  yangluo = await pointInCells(t.db, '420117002')
})
afterAll(() => t?.close())

describe('importing devices', () => {
  it('imports a good CSV: models by key or name, owners by name, positions placed, tokens answered once', async () => {
    const csv = [
      HEADING,
      `IMP-1,邾城井盖1,智能井盖,${zhucheng.lng},${zhucheng.lat},"邾城大道 1 号, 东侧",部件,污水井盖,420117001001,区水务和湖泊局,2026-03-01`,
      `IMP-2,阳逻垃圾桶,bin_fill,${yangluo.lng},${yangluo.lat},,,,,环卫作业中心,2026/4/2`,
      '',
      'IMP-3,库存烟感,Smoke detector,,,,,,,,',
    ].join('\r\n')
    const before = await deviceCount()
    const answer = await report(`\uFEFF${csv}\r\n`)
    expect(answer).toMatchObject({ created: 3, rows: 3, dryRun: false, errors: [] })
    expect(answer.tokens.map((x) => x.code)).toEqual(['IMP-1', 'IMP-2', 'IMP-3'])
    expect(await deviceCount()).toBe(before + 3)
    for (const { code, token } of answer.tokens) expect((await t.context.devices.byToken(token))?.code).toBe(code)

    const first = await detail('IMP-1')
    expect(first).toMatchObject({ modelKey: 'manhole_cover', streetId: await unitIdOf(t.db, '420117001'), address: '邾城大道 1 号, 东侧', facilityKind: '部件', facilityName: '污水井盖', facilityRef: '420117001001', ownerUnitName: '区水务和湖泊局', installedOn: '2026-03-01' })
    expect(first.token.hint).toBe(answer.tokens[0]!.token.slice(0, 4))
    expect(await detail('IMP-2')).toMatchObject({ modelKey: 'bin_fill', streetId: await unitIdOf(t.db, '420117002'), ownerUnitName: '环卫作业中心', installedOn: '2026-04-02' })
    expect(await detail('IMP-3')).toMatchObject({ modelKey: 'smoke_detector', lng: null, streetId: null, ownerUnitId: null })
    const entry = await t.db.kysely.selectFrom('audit_log').select(['actor_name', 'details']).where('action', '=', 'device.import').executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ actor_name: 'admin', details: { file: 'devices.csv', count: 3, codes: ['IMP-1', 'IMP-2', 'IMP-3'] } })
  })

  it('reads a CSV that Excel saved in GB18030', async () => {
    // "GBK-1,邾城井盖,智能井盖" as Excel on a Chinese Windows writes it
    const gbk = Buffer.concat([Buffer.from('code,name,model\r\nGBK-1,'), Buffer.from('dba5b3c7beaeb8c7', 'hex'), Buffer.from(','), Buffer.from('d6c7c4dcbeaeb8c7', 'hex'), Buffer.from('\r\n')])
    expect((await report(gbk)).created).toBe(1)
    expect(await detail('GBK-1')).toMatchObject({ name: '邾城井盖', modelKey: 'manhole_cover' })
  })

  it('imports the downloaded template filled in Excel (numbers, dates and rich text in cells)', async () => {
    const template = await t.app.inject({ method: 'GET', url: '/api/iot/devices/import/template.xlsx', headers: { ...bearer(admin), 'accept-language': 'zh-CN' } })
    expect(template.statusCode).toBe(200)
    expect(template.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(template.rawPayload as unknown as ArrayBuffer)
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['设备', '说明', '型号'])
    const sheet = workbook.worksheets[0]!
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['设备编号 (code)', '设备名称 (name)', '型号 (model)', '经度 (lng)', '纬度 (lat)', '地址 (address)', '设施类型 (facility_kind)', '设施名称 (facility_name)', '设施编号 (facility_ref)', '权属单位 (owner_unit)', '安装日期 (installed_on)'])
    expect(workbook.worksheets[2]!.getColumn(1).values).toContain('toilet_air')

    sheet.addRow([20260001, { richText: [{ text: '公厕' }, { text: '环境监测', font: { bold: true } }] }, '公厕环境监测', zhucheng.lng, zhucheng.lat, null, '公厕', null, null, null, new Date(Date.UTC(2026, 3, 2))])
    sheet.addRow(['XLSX-2', '燃气探测', 'gas_detector'])
    const answer = await report(Buffer.from(await workbook.xlsx.writeBuffer()), { filename: 'filled.xlsx' })
    expect(answer).toMatchObject({ created: 2, rows: 2, errors: [] })
    expect(await detail('20260001')).toMatchObject({ name: '公厕环境监测', modelKey: 'toilet_air', installedOn: '2026-04-02', facilityKind: '公厕' })
    expect(await detail('XLSX-2')).toMatchObject({ modelKey: 'gas_detector', lng: null })

    const english = await t.app.inject({ method: 'GET', url: '/api/iot/devices/import/template.xlsx', headers: { ...bearer(admin), 'accept-language': 'en' } })
    const en = new ExcelJS.Workbook()
    await en.xlsx.load(english.rawPayload as unknown as ArrayBuffer)
    expect(en.worksheets.map((s) => s.name)).toEqual(['Devices', 'Help', 'Models'])
  })

  it('reports every bad row with its column and stores nothing of the file', async () => {
    const csv = [
      'code,name,model,lng,lat,owner_unit,installed_on',
      `BAD-1,fine,manhole_cover,${zhucheng.lng},${zhucheng.lat},,`,
      'BAD-2,,teapot,,,,',
      'BAD-1,again,manhole_cover,,,,',
      'XZ-JG-001,taken,manhole_cover,,,,',
      'BAD-5,outside,manhole_cover,116.4,39.9,,',
      'BAD-6,half,manhole_cover,114.8,,,',
      'BAD-7,not a number,manhole_cover,abc,30.8,,',
      'BAD-8,owner,manhole_cover,,,不存在的单位,',
      'BAD-9,date,manhole_cover,,,,2026-13-01',
    ].join('\n')
    const before = await deviceCount()
    const answer = await report(csv)
    expect(answer.created).toBe(0)
    expect(answer.tokens).toEqual([])
    expect(answer.errors.map(({ row, column, code }) => ({ row, column, code }))).toEqual([
      { row: 3, column: 'name', code: 'DEVICE_FIELD_REQUIRED' },
      { row: 3, column: 'model', code: 'DEVICE_MODEL_UNKNOWN' },
      { row: 4, column: 'code', code: 'DEVICE_CODE_REPEATED' },
      { row: 5, column: 'code', code: 'DEVICE_CODE_TAKEN' },
      { row: 6, column: 'lng', code: 'DEVICE_OUTSIDE_DISTRICT' },
      { row: 7, column: 'lat', code: 'DEVICE_POSITION_INCOMPLETE' },
      { row: 8, column: 'lng', code: 'DEVICE_FIELD_INVALID' },
      { row: 9, column: 'owner_unit', code: 'DEVICE_OWNER_UNKNOWN' },
      { row: 10, column: 'installed_on', code: 'DEVICE_FIELD_INVALID' },
    ])
    const repeated = answer.errors.find((e) => e.code === 'DEVICE_CODE_REPEATED')!
    expect(repeated.messages['zh-CN']).toContain('第 2 行')
    expect(repeated.messages.en).toContain('row 2')
    expect(answer.errors.find((e) => e.code === 'DEVICE_MODEL_UNKNOWN')!.messages.en).toContain('teapot')
    expect(await deviceCount()).toBe(before)
    expect(await t.db.kysely.selectFrom('devices').select('id').where('code', 'like', 'BAD-%').execute()).toEqual([])
  })

  it('reports unknown, repeated and missing columns on row 1', async () => {
    const answer = await report('code,name,colour,name\nH-1,x,red,y\n')
    expect(answer.errors.map(({ row, column, code }) => ({ row, column, code }))).toEqual([
      { row: 1, column: 'colour', code: 'DEVICE_FIELD_INVALID' },
      { row: 1, column: 'name', code: 'DEVICE_FIELD_INVALID' },
      { row: 1, column: 'model', code: 'DEVICE_FIELD_INVALID' },
    ])
    expect(answer.created).toBe(0)
  })

  it('only checks on a dry run', async () => {
    const csv = `${HEADING}\nDRY-1,试运行,bin_fill,${zhucheng.lng},${zhucheng.lat},,,,,,\nDRY-2,试运行,bin_fill,,,,,,,,\n`
    const before = await deviceCount()
    expect(await report(csv, { query: '?dryRun=true' })).toEqual({ created: 0, rows: 2, dryRun: true, errors: [], tokens: [] })
    expect(await deviceCount()).toBe(before)
    expect((await report(csv)).created).toBe(2)
    // the same file again: every code is taken now
    expect((await report(csv, { query: '?dryRun=true' })).errors.map((e) => e.code)).toEqual(['DEVICE_CODE_TAKEN', 'DEVICE_CODE_TAKEN'])
  })

  it('refuses whole files that are too long, too large, unreadable or empty', async () => {
    const long = [HEADING, ...Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `LONG-${i},n,bin_fill,,,,,,,,`)].join('\n')
    await refused(long, 400, 'DEVICE_IMPORT_TOO_MANY_ROWS')
    await refused(Buffer.alloc(MAX_IMPORT_BYTES + 1, 0x41), 413, 'PAYLOAD_TOO_LARGE')
    await refused(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 400, 'DEVICE_IMPORT_UNREADABLE', { filename: 'old.xls' })
    await refused(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), 400, 'DEVICE_IMPORT_UNREADABLE', { filename: 'broken.xlsx' })
    await refused(`${HEADING}\n"unclosed,n,bin_fill\n`, 400, 'DEVICE_IMPORT_UNREADABLE')
    await refused(`${HEADING}\n`, 400, 'DEVICE_IMPORT_UNREADABLE')
    await refused('x', 400, 'BAD_REQUEST', { field: 'upload' })
    const json = await t.app.inject({ method: 'POST', url: '/api/iot/devices/import', headers: bearer(admin), payload: { rows: [] } })
    expect(json.statusCode).toBe(415)
  })

  it('is for device:write only, the template too', async () => {
    const acceptor = await t.login('acceptor')
    await refused(`${HEADING}\nNO-1,n,bin_fill,,,,,,,,\n`, 403, 'FORBIDDEN', { token: acceptor })
    const template = await t.app.inject({ method: 'GET', url: '/api/iot/devices/import/template.xlsx', headers: bearer(acceptor) })
    expect(template.statusCode).toBe(403)
  })
})
