// Grid cells through the API: point lookup (index vs PostGIS), coordinate systems, GeoJSON import and export, scope.
import gcoord from 'gcoord'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp } from '../../../../test/helpers.js'

let t: TestApp
let admin: string
beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
})
afterAll(() => t?.close())

const lookup = (token: string, lng: number, lat: number, crs = 'wgs84') => t.app.inject({ method: 'GET', url: `/api/grid/lookup?lng=${lng}&lat=${lat}&crs=${crs}`, headers: bearer(token) }).then((r) => r.json())

/** The source of truth: PostGIS, boundary included, lowest code wins. */
async function postgisCell(lng: number, lat: number): Promise<string | null> {
  const rows = await sql<{ code: string }>`select code from grid_cells where ST_Intersects(geom, ST_SetSRID(ST_MakePoint(${lng}, ${lat}), 4326)) order by code limit 1`.execute(t.db.kysely)
  return rows.rows[0]?.code ?? null
}

describe('point → grid cell', () => {
  it('answers which cell, community, street and who is responsible for a point in the demo supervisor’s cells', async () => {
    const cell = await sql<{ code: string; lng: number; lat: number }>`
      select c.code, ST_X(ST_PointOnSurface(c.geom)) as lng, ST_Y(ST_PointOnSurface(c.geom)) as lat
      from grid_cells c join grid_cell_people p on p.grid_cell_id = c.id join users u on u.id = p.user_id
      where u.username = 'supervisor' order by c.code limit 1`.execute(t.db.kysely)
    const { code, lng, lat } = cell.rows[0]!
    const answer = await lookup(admin, lng, lat)
    expect(answer.cell.code).toBe(code)
    expect(answer.street).toMatchObject({ code: '420117001', name: '邾城街道' })
    expect(answer.community.code).toBe(code.slice(0, 12))
    expect(answer.district).toMatchObject({ code: '420117', name: '新洲区' })
    expect(answer.people).toEqual(expect.arrayContaining([
      expect.objectContaining({ displayName: '刘监督员', duty: 'supervisor' }),
      expect.objectContaining({ displayName: '邾城街道处置员', duty: 'responsible' }),
    ]))
  })

  it('gives a point on a shared border or corner to the cell with the lowest code, as PostGIS does', async () => {
    const corners = await sql<{ lng: number; lat: number }>`
      select ST_X(p) as lng, ST_Y(p) as lat from (
        select (ST_DumpPoints(geom)).geom as p from grid_cells where code like '420117001%' order by code limit 40) t`.execute(t.db.kysely)
    expect(corners.rows.length).toBeGreaterThan(10)
    for (const { lng, lat } of corners.rows) {
      const expected = await postgisCell(lng, lat)
      expect((await lookup(admin, lng, lat)).cell?.code ?? null, `${lng},${lat}`).toBe(expected)
    }
    const shared = await sql<{ a: string; b: string; lng: number; lat: number }>`
      select a.code as a, b.code as b, ST_X(ST_LineInterpolatePoint(ST_LineMerge(ST_Intersection(a.geom, b.geom)), 0.5)) as lng,
             ST_Y(ST_LineInterpolatePoint(ST_LineMerge(ST_Intersection(a.geom, b.geom)), 0.5)) as lat
      from grid_cells a join grid_cells b on a.code < b.code and ST_Touches(a.geom, b.geom)
      where a.code like '420117001001%' and GeometryType(ST_LineMerge(ST_Intersection(a.geom, b.geom))) = 'LINESTRING' limit 1`.execute(t.db.kysely)
    const edge = shared.rows[0]!
    expect((await lookup(admin, edge.lng, edge.lat)).cell.code).toBe(edge.a)
  })

  it('answers "no cell" for a point outside every cell', async () => {
    const answer = await lookup(admin, 116.39, 39.9)
    expect(answer).toMatchObject({ cell: null, community: null, street: null, people: [] })
  })

  it('converts GCJ-02 and BD-09 points from Chinese phones and maps to WGS84 before the lookup', async () => {
    const wgs: [number, number] = [114.8012, 30.8411]
    const direct = await lookup(admin, ...wgs)
    for (const [crs, system] of [['gcj02', gcoord.GCJ02], ['bd09', gcoord.BD09]] as const) {
      const shifted = gcoord.transform(wgs, gcoord.WGS84, system) as [number, number]
      const answer = await lookup(admin, shifted[0], shifted[1], crs)
      expect(answer.cell.code, crs).toBe(direct.cell.code)
      expect(Math.abs(answer.point[0] - wgs[0])).toBeLessThan(1e-5)
    }
  })

  it('agrees with PostGIS on 500 random points across the district', async () => {
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    for (let i = 0; i < 500; i++) {
      const lng = 114.45 + random() * 0.7
      const lat = 30.55 + random() * 0.7
      expect((await lookup(admin, lng, lat)).cell?.code ?? null).toBe(await postgisCell(lng, lat))
    }
  })

  it('refuses a point off the globe', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/grid/lookup?lng=200&lat=30', headers: bearer(admin) })
    expect(response.statusCode).toBe(400)
  })
})

const square = (lng: number, lat: number, size = 0.001) => ({
  type: 'Polygon' as const,
  coordinates: [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
})

describe('GeoJSON import and export', () => {
  const community = '420117001001'
  const importCells = (token: string, features: unknown[]) =>
    t.app.inject({ method: 'POST', url: '/api/grid/cells/import', headers: bearer(token), payload: { type: 'FeatureCollection', features } })

  it('imports new cells, updates existing ones by code, and the lookup sees them at once (in another process too)', async () => {
    const other = await t.secondProcess()
    const created = await importCells(admin, [{ type: 'Feature', geometry: square(114.40, 30.50), properties: { code: `${community}901`, name: '导入网格' } }])
    expect(created.json()).toEqual({ created: 1, updated: 0, errors: [] })
    expect((await lookup(admin, 114.4005, 30.5005)).cell).toMatchObject({ code: `${community}901`, name: '导入网格' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const otherAnswer = await other.app.inject({ method: 'GET', url: '/api/grid/lookup?lng=114.4005&lat=30.5005', headers: bearer(admin) })
    expect(otherAnswer.json().cell.code).toBe(`${community}901`)

    const moved = await importCells(admin, [{ type: 'Feature', geometry: square(114.41, 30.50), properties: { code: `${community}901` } }])
    expect(moved.json()).toMatchObject({ created: 0, updated: 1 })
    expect((await lookup(admin, 114.4005, 30.5005)).cell).toBeNull()
    expect((await lookup(admin, 114.4105, 30.5005)).cell.code).toBe(`${community}901`)
  })

  it('refuses a file with an invalid geometry whole, naming the feature, and stores nothing from it', async () => {
    const before = await t.db.kysely.selectFrom('grid_cells').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const bowtie = { type: 'Polygon', coordinates: [[[114.42, 30.5], [114.421, 30.501], [114.421, 30.5], [114.42, 30.501], [114.42, 30.5]]] }
    const response = await importCells(admin, [
      { type: 'Feature', geometry: square(114.43, 30.5), properties: { code: `${community}902` } },
      { type: 'Feature', geometry: bowtie, properties: { code: `${community}903` } },
    ])
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('INVALID_GEOMETRY')
    expect(response.json().error.details).toEqual([expect.objectContaining({ index: 1, code: `${community}903` })])
    const after = await t.db.kysely.selectFrom('grid_cells').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))

    const unclosed = { type: 'Polygon', coordinates: [[[114.42, 30.5], [114.421, 30.5], [114.421, 30.501], [114.42, 30.501]]] }
    expect((await importCells(admin, [{ type: 'Feature', geometry: unclosed, properties: { code: `${community}904` } }])).json().error.code).toBe('INVALID_GEOMETRY')
    const offGlobe = square(190, 30.5)
    expect((await importCells(admin, [{ type: 'Feature', geometry: offGlobe, properties: { code: `${community}905` } }])).statusCode).toBe(400)
    const tooFewPoints = { type: 'Polygon', coordinates: [[[114.42, 30.5], [114.421, 30.5], [114.42, 30.5]]] }
    expect((await importCells(admin, [{ type: 'Feature', geometry: tooFewPoints, properties: { code: `${community}906` } }])).json().error.code).toBe('VALIDATION_FAILED')
    const unknownCommunity = await importCells(admin, [{ type: 'Feature', geometry: square(114.44, 30.5), properties: { code: '420117999999001' } }])
    expect(unknownCommunity.json().error.code).toBe('BAD_REQUEST')
  })

  it('refuses import to a user without grid:write and to a community outside the caller’s scope', async () => {
    const supervisor = await t.login('supervisor')
    expect((await importCells(supervisor, [{ type: 'Feature', geometry: square(114.45, 30.5), properties: { code: `${community}907` } }])).statusCode).toBe(403)
  })

  it('exports the cells of a street as GeoJSON that imports back unchanged', async () => {
    const units = (await t.app.inject({ method: 'GET', url: '/api/org/units?kind=street', headers: bearer(admin) })).json().items
    const cangbu = units.find((u: { code: string }) => u.code === '420117003')
    const response = await t.app.inject({ method: 'GET', url: `/api/grid/cells/export?streetId=${cangbu.id}`, headers: bearer(admin) })
    expect(response.headers['content-disposition']).toContain('attachment')
    const collection = response.json()
    expect(collection.type).toBe('FeatureCollection')
    expect(collection.features.length).toBeGreaterThan(50)
    expect(collection.features.every((f: { properties: { code: string; streetName: string } }) => f.properties.code.startsWith('420117003') && f.properties.streetName === '仓埠街道')).toBe(true)
    const again = await importCells(admin, collection.features.slice(0, 20).map((f: { geometry: unknown; properties: { code: string } }) => ({ type: 'Feature', geometry: f.geometry, properties: { code: f.properties.code } })))
    expect(again.json()).toMatchObject({ created: 0, updated: 20 })
  })

  it('draws the map from cells inside a bbox', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/grid/cells.geojson?bbox=114.79,30.83,114.81,30.85', headers: bearer(admin) })
    const features = response.json().features as Array<{ properties: { code: string } }>
    expect(features.length).toBeGreaterThan(10)
    expect(features.length).toBeLessThan(1000) // ~2 km × 2 km of 100 m cells, not the whole district
    expect((await t.app.inject({ method: 'GET', url: '/api/grid/cells.geojson?bbox=1,2,3', headers: bearer(admin) })).statusCode).toBe(400)
  })
})

describe('grid lists in scope', () => {
  it("lists only the street's cells to a street user and the responsible people with each", async () => {
    const zhucheng = await t.login('zhucheng')
    const list = (await t.app.inject({ method: 'GET', url: '/api/grid/cells?pageSize=500', headers: bearer(zhucheng) })).json()
    expect(list.total).toBeGreaterThan(100)
    expect(list.items.every((c: { code: string; streetName: string }) => c.code.startsWith('420117001') && c.streetName === '邾城街道')).toBe(true)
    expect(list.items.some((c: { people: Array<{ displayName: string }> }) => c.people.some((p) => p.displayName === '刘监督员'))).toBe(true)
    const all = (await t.app.inject({ method: 'GET', url: '/api/grid/cells?pageSize=1', headers: bearer(admin) })).json()
    expect(all.total).toBeGreaterThan(3000)
  })
})

describe('people responsible for a cell', () => {
  it('sets the people of a cell, shows them in the lookup, audits the change, and refuses people outside the scope', async () => {
    const cells = (await t.app.inject({ method: 'GET', url: '/api/grid/cells?q=420117002&pageSize=1', headers: bearer(admin) })).json()
    const cell = cells.items[0]
    const users = (await t.app.inject({ method: 'GET', url: '/api/users?pageSize=100', headers: bearer(admin) })).json().items as Array<{ id: string; username: string }>
    const officer = users.find((u) => u.username === 'officer')!
    const updated = await t.app.inject({ method: 'PUT', url: `/api/grid/cells/${cell.id}/people`, headers: bearer(admin), payload: { people: [{ userId: officer.id, duty: 'grid_worker' }] } })
    expect(updated.statusCode).toBe(200)
    expect(updated.json().people).toEqual([{ userId: officer.id, displayName: '周执法队员', duty: 'grid_worker' }])
    const audit = (await t.app.inject({ method: 'GET', url: `/api/audit?entityId=${cell.id}`, headers: bearer(admin) })).json().items
    expect(audit[0]).toMatchObject({ action: 'grid.cell.people', actorName: 'admin' })

    const unknown = await t.app.inject({ method: 'PUT', url: `/api/grid/cells/${cell.id}/people`, headers: bearer(admin), payload: { people: [{ userId: '00000000-0000-4000-8000-000000000000', duty: 'supervisor' }] } })
    expect(unknown.statusCode).toBe(404)
    const supervisor = await t.login('supervisor')
    expect((await t.app.inject({ method: 'PUT', url: `/api/grid/cells/${cell.id}/people`, headers: bearer(supervisor), payload: { people: [] } })).statusCode).toBe(403)
    const zhucheng = await t.login('zhucheng')
    expect((await t.app.inject({ method: 'GET', url: `/api/grid/cells/${cell.id}`, headers: bearer(zhucheng) })).json().error.code).toBe('OUT_OF_SCOPE')
  })
})

describe('where the map opens', () => {
  it("opens a street's staff on their street and the district staff on the whole district", async () => {
    const extentOf = async (prefix: string) => {
      const r = await sql<{ a: number; b: number; c: number; d: number }>`
        select ST_XMin(e) a, ST_YMin(e) b, ST_XMax(e) c, ST_YMax(e) d from (select ST_Extent(geom) e from grid_cells where code like ${prefix + '%'}) t`.execute(t.db.kysely)
      const { a: minLng, b: minLat, c: maxLng, d: maxLat } = r.rows[0]!
      return [minLng, minLat, maxLng, maxLat]
    }
    const all = (await t.app.inject({ method: 'GET', url: '/api/grid/extent', headers: bearer(admin) })).json().bbox as number[]
    const street = (await t.app.inject({ method: 'GET', url: '/api/grid/extent', headers: bearer(await t.login('supervisor')) })).json().bbox as number[]
    expect(all).toEqual(await extentOf('420117'))
    expect(street).toEqual(await extentOf('420117001'))
    expect(street).not.toEqual(all)
  })
})
