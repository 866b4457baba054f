// The built-in device models and their default rules, put in place at every start: a new built-in model or rule
// appears, and what an admin changed of an existing one is kept. And the demo's devices, seeded with the demo.
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../platform/db/database.js'
import type { Db } from '../../platform/db/engine.js'
import { BUILTIN_MODELS } from './models.js'
import { TOKEN_HINT_LENGTH, tokenHash } from './registry.js'

export async function seedModels(db: Db): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    for (const model of BUILTIN_MODELS) {
      await trx.insertInto('device_models').values({
        key: model.key, name: model.name, name_en: model.nameEn, telemetry: JSON.stringify(model.telemetry), interval_seconds: model.intervalSeconds,
        class_kind: model.classOf?.kind ?? null, class_code: model.classOf?.code ?? null, builtin: true,
      }).onConflict((oc) => oc.column('key').doNothing()).execute()
      for (const rule of model.rules) {
        const exists = await trx.selectFrom('iot_rules').select('id').where('model_key', '=', model.key).where('device_id', 'is', null).where('name', '=', rule.name).executeTakeFirst()
        if (exists) continue
        await trx.insertInto('iot_rules').values({
          model_key: model.key, device_id: null, name: rule.name, name_en: rule.nameEn, severity: rule.severity, condition: JSON.stringify(rule.condition),
          create_case: Boolean(rule.createCase), class_kind: rule.createCase?.kind ?? null, class_code: rule.createCase?.code ?? null, builtin: true,
        }).execute()
      }
    }
    // keep the statistics fresh for the planner after a first seed
    await sql`ANALYZE device_models`.execute(trx)
  })
}

// ---- the demo's devices --------------------------------------------------------------------------------------------

/**
 * The well-known access token of a demo device, so the simulator can drive the demo's devices: `demo-<device code>`.
 * Seeded in demo mode only (like the Open311 demo key); a device issued a new token loses it.
 */
export const demoDeviceToken = (code: string) => `demo-${code}`

/** How many demo devices of each model, their code prefix, facility and owner (a department or squad by English name). */
const DEMO_FLEET: ReadonlyArray<{ model: string; prefix: string; count: number | 'toilets'; facility: [kind: string, name: string]; owner: string | null }> = [
  { model: 'manhole_cover', prefix: 'JG', count: 14, facility: ['部件', '污水井盖'], owner: 'Water and Lakes Bureau' },
  { model: 'bin_fill', prefix: 'LJ', count: 12, facility: ['垃圾桶', '分类垃圾桶'], owner: 'Sanitation Operations Centre' },
  { model: 'streetlight', prefix: 'LD', count: 10, facility: ['部件', '路灯'], owner: 'City Management and Law Enforcement Bureau' },
  { model: 'toilet_air', prefix: 'GC', count: 'toilets', facility: ['公厕', '智慧公厕'], owner: 'Sanitation Operations Centre' },
  { model: 'gas_detector', prefix: 'RQ', count: 6, facility: ['餐饮店', '沿街餐饮'], owner: 'Housing and Urban Renewal Bureau' },
  { model: 'smoke_detector', prefix: 'YG', count: 6, facility: ['农贸市场', '农贸市场'], owner: 'Market Supervision Bureau' },
  { model: 'underpass_water', prefix: 'JS', count: 4, facility: ['下穿通道', '下穿通道'], owner: 'Water and Lakes Bureau' },
]

/** A street of the demo geometry as the demo devices need it. */
export interface DemoDeviceStreet {
  code: string
  name: string
  communities: ReadonlyArray<{ cells: ReadonlyArray<{ code: string }> }>
}

/**
 * Seeds the demo's devices (in the demo seed's transaction): every model, each model's first device in the first
 * urban street and every other one in an urban street, the rest spread over all streets; each placed in a cell of
 * its street and given its well-known demo token. `toilets`: the demo's smart public toilets. Answers the count.
 */
export async function seedDemoDevices(trx: Kysely<Database>, streets: readonly DemoDeviceStreet[], options: { urban: readonly string[]; toilets: number }): Promise<number> {
  const urban = streets.filter((s) => options.urban.includes(s.code))
  if (urban.length === 0 || streets.length === 0) return 0
  const cellsOf = new Map(streets.map((s) => [s.code, s.communities.flatMap((c) => c.cells.map((cell) => cell.code))]))
  const used = new Map<string, number>()
  const planned: Array<{ code: string; name: string; model: string; cellCode: string; facility: [string, string]; owner: string | null }> = []
  for (const fleet of DEMO_FLEET) {
    const count = fleet.count === 'toilets' ? options.toilets : fleet.count
    for (let i = 0; i < count; i++) {
      const street = i % 2 === 0 ? urban[(i / 2) % urban.length]! : streets[((i - 1) / 2) % streets.length]!
      const cells = cellsOf.get(street.code) ?? []
      if (cells.length === 0) continue
      // successive devices of a street are spread over its cells rather than packed into the first
      const n = used.get(street.code) ?? 0
      used.set(street.code, n + 1)
      const number = String(i + 1).padStart(3, '0')
      planned.push({ code: `XZ-${fleet.prefix}-${number}`, name: `${street.name}${fleet.facility[1]}${number}`, model: fleet.model, cellCode: cells[(n * 37 + 5) % cells.length]!, facility: fleet.facility, owner: fleet.owner })
    }
  }
  const cells = await sql<{ id: string; code: string; community_id: string; org_path: string; street_id: string | null; lng: number; lat: number }>`
    select c.id, c.code, c.community_id, c.org_path, u.parent_id as street_id, ST_X(ST_PointOnSurface(c.geom)) as lng, ST_Y(ST_PointOnSurface(c.geom)) as lat
    from grid_cells c join org_units u on u.id = c.community_id where c.code = any(${planned.map((p) => p.cellCode)})`.execute(trx)
  const cellByCode = new Map(cells.rows.map((c) => [c.code, c]))
  const owners = new Map((await trx.selectFrom('org_units').select(['id', 'path', 'name_en']).where('name_en', 'in', DEMO_FLEET.flatMap((f) => (f.owner ? [f.owner] : []))).execute()).map((u) => [u.name_en, u]))
  const issuedAt = new Date()
  const rows = planned.flatMap((p) => {
    const cell = cellByCode.get(p.cellCode)
    if (!cell) return []
    const owner = p.owner ? owners.get(p.owner) : undefined
    const token = demoDeviceToken(p.code)
    return [{
      code: p.code, name: p.name, model_key: p.model, lng: Number(cell.lng), lat: Number(cell.lat), cell_id: cell.id, street_id: cell.street_id, community_id: cell.community_id,
      org_path: cell.org_path, facility_kind: p.facility[0], facility_name: p.facility[1], owner_unit_id: owner?.id ?? null, owner_unit_path: owner?.path ?? null,
      installed_on: '2025-11-01', token_sha256: tokenHash(token), token_hint: token.slice(0, TOKEN_HINT_LENGTH), token_issued_at: issuedAt,
    }]
  })
  if (rows.length) await trx.insertInto('devices').values(rows).execute()
  return rows.length
}
