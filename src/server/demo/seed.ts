// Seeds the Xinzhou demo (synthetic geometry, clearly marked demo) on an empty database, and the built-in roles always.
import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Db } from '../platform/db/engine.js'
import { audit, SYSTEM_ACTOR } from '../platform/audit.js'
import { BUILTIN_ROLES } from '../platform/auth/permissions.js'
import { parseClassCsv, upsertClasses } from '../modules/classes/service.js'
import { hashPassword } from '../modules/identity/passwords.js'
import { seedDemoDevices, seedModels } from '../modules/iot/seed.js'
import { ensureDemoKey } from '../modules/open311/keys.js'
import * as identityRepo from '../modules/identity/repository.js'
import { generateDemoGeometry } from '../modules/org/demo-geometry.js'
import * as orgRepo from '../modules/org/repository.js'

const SEED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../modules/org/seed')

/** The default demo password; it passes the password policy. Override with XIUHUA_DEMO_PASSWORD. */
export const DEFAULT_DEMO_PASSWORD = 'Xiuhua@2026'

interface DemoJson {
  district: { name: string; name_en: string; code: string; centre: [number, number]; bbox: [number, number, number, number] }
  streets: Array<{ name: string; name_en: string; code: string; centre: [number, number]; urban?: boolean }>
  zones: Array<{ name: string; name_en: string; code: string; centre: [number, number]; urban?: boolean }>
  departments: Array<{ name: string; name_en: string }>
  /** How many of the district's public toilets are smart toilets (the demo gives each an air monitor). */
  smart_toilets?: number
}

export function demoJson(): DemoJson {
  return JSON.parse(fs.readFileSync(path.join(SEED_DIR, 'xinzhou-demo.json'), 'utf8')) as DemoJson
}

/** Built-in roles and device models (with their rules) are part of every installation; an admin's later changes to them are kept. */
export async function ensureBuiltinRoles(db: Db): Promise<void> {
  for (const role of BUILTIN_ROLES) {
    await identityRepo.upsertBuiltinRole(db.kysely, { key: role.key, name: role.name, name_en: role.nameEn, permissions: role.permissions })
  }
  await seedModels(db)
}

export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.kysely.selectFrom('org_units').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n) === 0
}

/** The demo users of INTERFACES.md (plus a shift leader), with the unit each belongs to. */
export const DEMO_USERS = [
  { username: 'admin', displayName: '系统管理员', roles: ['admin'], unit: 'district' },
  { username: 'leader', displayName: '王局长', roles: ['leader'], unit: 'district' },
  { username: 'acceptor', displayName: '李受理', roles: ['acceptor'], unit: 'district' },
  { username: 'shiftleader', displayName: '赵值班长', roles: ['shift_leader', 'acceptor'], unit: 'district' },
  { username: 'dispatcher', displayName: '陈派遣', roles: ['dispatcher'], unit: 'district' },
  { username: 'supervisor', displayName: '刘监督员', roles: ['supervisor'], unit: 'zhucheng' },
  { username: 'zhucheng', displayName: '邾城街道处置员', roles: ['disposal'], unit: 'zhucheng' },
  { username: 'dept', displayName: '水务局处置员', roles: ['disposal'], unit: 'water' },
  { username: 'officer', displayName: '周执法队员', roles: ['officer'], unit: 'bureau' },
] as const

const SQUADS: Array<[string, string]> = [
  ['城管执法一中队', 'Enforcement Squad 1'],
  ['城管执法二中队', 'Enforcement Squad 2'],
  ['环卫作业中心', 'Sanitation Operations Centre'],
]

export interface SeedResult {
  units: number
  cells: number
  classes: number
  users: number
  devices: number
}

/** Seeds the demo into an empty database (one transaction). */
export async function seedDemo(db: Db, password: string): Promise<SeedResult> {
  const demo = demoJson()
  const geometry = generateDemoGeometry(demo)
  const classes = parseClassCsv(fs.readFileSync(path.join(SEED_DIR, 'classes-provisional.csv'), 'utf8'))
  const passwordHash = await hashPassword(password)
  return db.kysely.transaction().execute(async (trx) => {
    let units = 0
    const districtId = randomUUID()
    const district = await orgRepo.insertUnit(trx, { id: districtId, parent_id: null, kind: 'district', code: demo.district.code, name: demo.district.name, name_en: demo.district.name_en, path: `/${districtId}/`, sort: 0, demo: true, centre: demo.district.centre })
    units++
    const streetUnits = new Map<string, { id: string; path: string }>()
    for (const [sort, street] of geometry.streets.entries()) {
      const id = randomUUID()
      const row = await orgRepo.insertUnit(trx, { id, parent_id: district.id, kind: street.kind, code: street.code, name: street.name, name_en: street.nameEn, path: `${district.path}${id}/`, sort, demo: true, centre: street.centre })
      streetUnits.set(street.code, row)
      units++
      for (const [csort, community] of street.communities.entries()) {
        const cid = randomUUID()
        const crow = await orgRepo.insertUnit(trx, { id: cid, parent_id: row.id, kind: 'community', code: community.code, name: community.name, name_en: community.nameEn, path: `${row.path}${cid}/`, sort: csort, demo: true, centre: community.centre })
        units++
        const cells = community.cells.map((cell) => ({ code: cell.code, community_id: crow.id, org_path: crow.path, geojson: JSON.stringify({ type: 'Polygon', coordinates: [cell.polygon] }) }))
        for (let i = 0; i < cells.length; i += 200) await insertCells(trx, cells.slice(i, i + 200))
      }
    }
    const departments = new Map<string, string>()
    for (const [sort, dept] of demo.departments.entries()) {
      const id = randomUUID()
      await orgRepo.insertUnit(trx, { id, parent_id: district.id, kind: 'department', code: `${demo.district.code}-D${String(sort + 1).padStart(2, '0')}`, name: dept.name, name_en: dept.name_en, path: `${district.path}${id}/`, sort, demo: true })
      departments.set(dept.name_en, id)
      units++
    }
    // Sub-units (下属单位) of the bureau: the enforcement squads that dispose of street-order cases.
    const bureauId = departments.get('City Management and Law Enforcement Bureau')
    const bureau = bureauId ? await trx.selectFrom('org_units').select(['id', 'path', 'code']).where('id', '=', bureauId).executeTakeFirstOrThrow() : undefined
    for (const [sort, [name, nameEn]] of (bureau ? SQUADS : []).entries()) {
      const id = randomUUID()
      await orgRepo.insertUnit(trx, { id, parent_id: bureau!.id, kind: 'sub_unit', code: `${bureau!.code}-S${sort + 1}`, name, name_en: nameEn, path: `${bureau!.path}${id}/`, sort, demo: true })
      units++
    }
    await orgRepo.bumpGridRevision(trx)
    await upsertClasses(trx, classes)

    const unitOf = (key: (typeof DEMO_USERS)[number]['unit']): string => {
      if (key === 'district') return district.id
      if (key === 'zhucheng') return streetUnits.get('420117001')!.id
      if (key === 'water') return departments.get('Water and Lakes Bureau')!
      return departments.get('City Management and Law Enforcement Bureau')!
    }
    const users = new Map<string, string>()
    for (const user of DEMO_USERS) {
      const row = await identityRepo.insertUser(trx, { username: user.username, display_name: user.displayName, phone: null, unit_id: unitOf(user.unit), roles: [...user.roles], password_hash: passwordHash, demo: true })
      users.set(user.username, row.id)
    }
    // The demo supervisor patrols the cells of 邾城街道's first community; 邾城's disposal staff are responsible there too.
    const zhucheng = geometry.streets.find((s) => s.code === '420117001')
    const firstCommunity = zhucheng?.communities[0]
    if (firstCommunity) {
      const cellRows = await trx.selectFrom('grid_cells').select('id').where('code', 'in', firstCommunity.cells.map((c) => c.code)).execute()
      for (const cell of cellRows) {
        await orgRepo.assignCellPerson(trx, cell.id, users.get('supervisor')!, 'supervisor')
        await orgRepo.assignCellPerson(trx, cell.id, users.get('zhucheng')!, 'responsible')
      }
    }
    // the Open311 key of INTERFACES.md
    await ensureDemoKey(trx)
    // IoT devices of every model in the demo streets, with their well-known demo tokens (docs/iot.md, "Demo")
    const urban = [...demo.streets, ...demo.zones].filter((s) => s.urban).map((s) => s.code)
    const devices = await seedDemoDevices(trx, geometry.streets, { urban, toilets: demo.smart_toilets ?? 8 })
    const cellCount = geometry.streets.reduce((n, s) => n + s.communities.reduce((m, c) => m + c.cells.length, 0), 0)
    await audit(trx, SYSTEM_ACTOR, { action: 'demo.seed', details: { units, cells: cellCount, classes: classes.length, users: DEMO_USERS.length, devices } })
    return { units, cells: cellCount, classes: classes.length, users: DEMO_USERS.length, devices }
  })
}

async function insertCells(trx: Db['kysely'], cells: Array<{ code: string; community_id: string; org_path: string; geojson: string }>) {
  if (cells.length === 0) return
  await trx
    .insertInto('grid_cells')
    .values(cells.map((cell) => {
      const geom = sql<string>`ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${cell.geojson}), 4326))`
      return { code: cell.code, name: null, community_id: cell.community_id, org_path: cell.org_path, geom, area_m2: sql<number>`ST_Area(${geom}::geography)`, demo: true }
    }))
    .execute()
}

/** In demo mode every demo user's password is the configured demo password, whatever it was changed to. */
export async function resetDemoPasswords(db: Db, password: string): Promise<void> {
  const passwordHash = await hashPassword(password)
  await db.kysely.updateTable('users').set({ password_hash: passwordHash, failed_attempts: 0, locked_until: null, must_change_password: false }).where('demo', '=', true).execute()
}
