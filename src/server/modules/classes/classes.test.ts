// The component/event class table: the demo's provisional table, and a district loading its own from CSV.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp } from '../../../../test/helpers.js'
import { parseClassCsv } from './service.js'

let t: TestApp
let admin: string
beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
})
afterAll(() => t?.close())

const HEADER = 'kind,big_code,big_name,big_name_en,small_code,small_name,small_name_en,default_urgency,citizen_choice,status'
const importCsv = (token: string, csv: string) => t.app.inject({ method: 'POST', url: '/api/classes/import', headers: bearer(token), payload: { csv } })
const classes = async () => (await t.app.inject({ method: 'GET', url: '/api/classes', headers: bearer(admin) })).json().items as Array<{ kind: string; smallCode: string; smallName: string; status: string }>

describe('class table', () => {
  it('seeds the demo with every row of the provisional table, components and events', async () => {
    const file = parseClassCsv(fs.readFileSync(new URL('../org/seed/classes-provisional.csv', import.meta.url), 'utf8'))
    const listed = await classes()
    expect(listed).toHaveLength(file.length)
    expect(new Set(listed.map((c) => c.kind))).toEqual(new Set(['component', 'event']))
    expect(listed.find((c) => c.kind === 'component' && c.smallCode === '0101')?.smallName).toBe('上水井盖')
  })

  it("loads a district's own rows (quoted fields with commas too) and updates existing ones, audited", async () => {
    const csv = `${HEADER}\ncomponent,01,公用设施,public utilities,0101,"上水井盖（供水, 自来水）",water cover,urgent,井盖缺损,official\nevent,07,本地扩展,local,070101,"共享单车乱停放",shared bikes,normal,单车乱停,local\n`
    const response = await importCsv(admin, csv)
    expect(response.json()).toEqual({ imported: 2 })
    const listed = await classes()
    expect(listed.find((c) => c.smallCode === '0101' && c.kind === 'component')).toMatchObject({ smallName: '上水井盖（供水, 自来水）', status: 'official' })
    expect(listed.find((c) => c.smallCode === '070101')).toMatchObject({ kind: 'event', status: 'local' })
    const audit = (await t.app.inject({ method: 'GET', url: '/api/audit?action=classes.import', headers: bearer(admin) })).json().items
    expect(audit[0]).toMatchObject({ actorName: 'admin', details: { rows: 2 } })
  })

  it('refuses a table with a bad row, naming the line, and changes nothing', async () => {
    const before = await classes()
    const csv = `${HEADER}\ncomponent,01,公用设施,,0102,改名的污水井盖,,urgent,,official\ncomponent,01,公用设施,,0299,错误的小类,,urgent,,official\n`
    const response = await importCsv(admin, csv)
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toMatchObject({ code: 'BAD_REQUEST', details: { line: 3 } })
    expect(response.json().error.messages['zh-CN']).toContain('第 3 行')
    expect(await classes()).toEqual(before)
    expect((await importCsv(admin, 'kind,big_code\ncomponent,01\n')).json().error.messages.en).toContain('missing columns')
    expect((await importCsv(admin, `${HEADER}\ncomponent,01,a,,0101,b,,someday,,\n`)).statusCode).toBe(400)
  })

  it('refuses the import to a user without class:write', async () => {
    expect((await importCsv(await t.login('leader'), `${HEADER}\n`)).statusCode).toBe(403)
  })
})
