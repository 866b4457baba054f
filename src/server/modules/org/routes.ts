// Organisation and grid routes: units, grid cells, point lookup, GeoJSON import and export.
import { principalOf } from '../../platform/auth/plugin.js'
import { AppError } from '../../platform/errors.js'
import type { App } from '../../platform/http.js'
import type { IdentityService } from '../identity/service.js'
import type { GridService } from './grid.js'
import * as s from './schemas.js'
import type { OrgService } from './service.js'

function parseBbox(text: string | undefined): [number, number, number, number] | undefined {
  if (!text) return undefined
  const [minLng, minLat, maxLng, maxLat] = text.split(',').map(Number) as [number, number, number, number]
  const ok = [minLng, maxLng].every((v) => v >= -180 && v <= 180) && [minLat, maxLat].every((v) => v >= -90 && v <= 90) && minLng <= maxLng && minLat <= maxLat
  if (!ok) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': 'bbox 应为 最小经度,最小纬度,最大经度,最大纬度', en: 'bbox must be minLng,minLat,maxLng,maxLat' } })
  return [minLng, minLat, maxLng, maxLat]
}

type Listed = Awaited<ReturnType<GridService['get']>>
const named = (cell: Listed, names: Map<string, { displayName: string }>) => ({ ...cell, people: cell.people.map((p) => ({ ...p, displayName: names.get(p.userId)?.displayName ?? '' })) })

export function orgRoutes(app: App, org: OrgService, grid: GridService, identity: IdentityService) {
  const withNames = async (cell: Listed) => named(cell, await identity.briefs(cell.people.map((p) => p.userId)))

  const units = ['org']
  const cells = ['grid']

  app.get('/api/org/units', {
    config: { permission: 'org:read' },
    schema: { tags: units, summary: 'Units in your data scope (district, streets, zone, communities, departments)', querystring: s.UnitQuery, response: { 200: s.UnitList } },
  }, async (request) => {
    const items = org.list(principalOf(request), request.query)
    return { items, total: items.length }
  })

  app.get('/api/org/units/:id', {
    config: { permission: 'org:read' },
    schema: { tags: units, summary: 'One unit (403 outside your scope)', params: s.IdParams, response: { 200: s.Unit } },
  }, async (request) => org.get(principalOf(request), request.params.id))

  app.post('/api/org/units', {
    config: { permission: 'org:write' },
    schema: { tags: units, summary: 'Create a unit under a parent in your scope', body: s.CreateUnitBody, response: { 200: s.Unit } },
  }, async (request) => org.create(principalOf(request), request.body))

  app.patch('/api/org/units/:id', {
    config: { permission: 'org:write' },
    schema: { tags: units, summary: 'Change a unit (optimistic concurrency by version)', params: s.IdParams, body: s.UpdateUnitBody, response: { 200: s.Unit } },
  }, async (request) => org.update(principalOf(request), request.params.id, request.body))

  app.get('/api/grid/cells', {
    config: { permission: 'grid:read' },
    schema: { tags: cells, summary: 'Grid cells in your scope, with the people responsible', querystring: s.CellQuery, response: { 200: s.CellList } },
  }, async (request) => {
    const { page, pageSize, ...filter } = request.query
    const result = await grid.list(principalOf(request), filter, page, pageSize)
    const names = await identity.briefs(result.items.flatMap((cell) => cell.people.map((p) => p.userId)))
    return { total: result.total, items: result.items.map((cell) => named(cell, names)) }
  })

  app.get('/api/grid/extent', {
    config: { permission: 'grid:read' },
    schema: { tags: cells, summary: 'The extent of the grid cells in your data scope (where your map opens)', response: { 200: s.ExtentReply } },
  }, async (request) => ({ bbox: await grid.scopeExtent(principalOf(request)) }))

  app.get('/api/grid/cells/:id', {
    config: { permission: 'grid:read' },
    schema: { tags: cells, summary: 'One grid cell with the people responsible', params: s.IdParams, response: { 200: s.Cell } },
  }, async (request) => withNames(await grid.get(principalOf(request), request.params.id)))

  app.put('/api/grid/cells/:id/people', {
    config: { permission: 'grid:write' },
    schema: { tags: cells, summary: 'Set who is responsible for a cell (supervisor, grid worker, responsible person)', params: s.IdParams, body: s.CellPeopleBody, response: { 200: s.Cell } },
  }, async (request) => {
    const principal = principalOf(request)
    for (const person of request.body.people) await identity.getUser(principal, person.userId) // exists and in scope
    await grid.setPeople(principal, request.params.id, request.body.people)
    return withNames(await grid.get(principal, request.params.id))
  })

  app.get('/api/grid/cells.geojson', {
    config: { permission: 'grid:read' },
    schema: { tags: cells, summary: 'Grid cells as GeoJSON, inside a bbox, for the map', querystring: s.GeoJsonQuery, response: { 200: s.FeatureCollection } },
  }, async (request) => grid.featureCollection(principalOf(request), { bbox: parseBbox(request.query.bbox), limit: request.query.limit }))

  app.get('/api/grid/cells/export', {
    config: { permission: 'grid:read' },
    schema: { tags: cells, summary: 'Export grid cells as a GeoJSON file', querystring: s.ExportQuery, response: { 200: s.FeatureCollection } },
  }, async (request, reply) => {
    reply.header('content-disposition', `attachment; filename="grid-cells.geojson"`)
    return grid.featureCollection(principalOf(request), { unitId: request.query.streetId })
  })

  app.post('/api/grid/cells/import', {
    config: { permission: 'grid:write' },
    bodyLimit: 64 * 1024 * 1024,
    schema: { tags: cells, summary: 'Import grid cells from a GeoJSON FeatureCollection (upsert by code)', body: s.ImportBody, response: { 200: s.ImportReply } },
  }, async (request) => grid.import(principalOf(request), request.body.features))

  app.get('/api/grid/lookup', {
    config: { permission: 'grid:read' },
    schema: { tags: cells, summary: 'Which cell, community and street a point is in, and who is responsible', querystring: s.LookupQuery, response: { 200: s.LookupReply } },
  }, async (request) => {
    const { lng, lat, crs } = request.query
    const result = await grid.lookup(principalOf(request), lng, lat, crs)
    const names = await identity.briefs(result.people.map((p) => p.userId))
    return { ...result, people: result.people.map((p) => ({ ...p, displayName: names.get(p.userId)?.displayName ?? '', phone: names.get(p.userId)?.phone ?? null })) }
  })
}
