// IoT staff routes of the registry: device models, devices (list, map, detail, create, edit, tokens), bulk import with
// its template, and telemetry chart series.
import multipart from '@fastify/multipart'
import { Type } from 'typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import type { Db } from '../../platform/db/engine.js'
import { AppError, pickLocale } from '../../platform/errors.js'
import { type App, Nullable, Obj, OkReply, readOneFile, Uuid } from '../../platform/http.js'
import { importDevices, importTemplate, MAX_IMPORT_BYTES } from './import.js'
import type { DeviceRegistry } from './registry.js'
import { DEFAULT_POINTS, MAX_POINTS, telemetrySeries } from './telemetry-query.js'

const ClassKind = Type.Union([Type.Literal('component'), Type.Literal('event')])
const State = Type.Union([Type.Literal('never'), Type.Literal('online'), Type.Literal('offline')])
const Severity = Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor'), Type.Literal('warning')])
const Crs = Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')])
const Text = Type.String({ maxLength: 200 })

const TelemetryKey = Type.Object({
  key: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  unit: Type.Optional(Type.String()),
  type: Type.Union([Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string')]),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
})

const Model = Obj({
  key: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  telemetry: Type.Array(TelemetryKey),
  intervalSeconds: Type.Integer({ description: 'expected reporting interval; offline is counted in these' }),
  classKind: Nullable(ClassKind),
  classCode: Nullable(Type.String()),
  builtin: Type.Boolean(),
  updatedAt: Type.String(),
})

const ModelBody = Obj({
  ranges: Type.Optional(Type.Array(Obj({ key: Type.String({ maxLength: 40 }), min: Type.Optional(Nullable(Type.Number())), max: Type.Optional(Nullable(Type.Number())) }), { maxItems: 50, description: 'valid ranges of number keys; keys not named keep theirs, null removes a bound' })),
  intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 604800 })),
  classKind: Type.Optional(Nullable(ClassKind)),
  classCode: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{4,6}$' }))),
})

const Latest = Type.Record(Type.String(), Type.Object({ v: Type.Union([Type.Number(), Type.Boolean(), Type.String()]), ts: Type.Number(), q: Type.Integer({ description: '0 ok, 1 out of range, 2 unknown key' }) }))
const Badge = Obj({ open: Type.Integer(), worst: Nullable(Severity) })

const DeviceItem = Obj({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  modelKey: Type.String(),
  modelName: Type.String(),
  state: State,
  enabled: Type.Boolean(),
  lng: Nullable(Type.Number()),
  lat: Nullable(Type.Number()),
  address: Nullable(Type.String()),
  streetId: Nullable(Type.String()),
  streetName: Nullable(Type.String()),
  communityName: Nullable(Type.String()),
  lastSeen: Nullable(Type.String()),
  latest: Latest,
  alarms: Badge,
  version: Type.Integer(),
})

const DeviceDetail = Obj({
  ...DeviceItem.properties,
  model: Model,
  cellId: Nullable(Type.String()),
  communityId: Nullable(Type.String()),
  orgPath: Type.String(),
  facilityKind: Nullable(Type.String()),
  facilityName: Nullable(Type.String()),
  facilityRef: Nullable(Type.String()),
  ownerUnitId: Nullable(Type.String()),
  ownerUnitName: Nullable(Type.String()),
  installedOn: Nullable(Type.String()),
  token: Nullable(Obj({ hint: Type.String(), issuedAt: Type.String() }, { description: 'null while revoked' })),
  latestAt: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  counters: Obj({ rejected: Type.Integer(), flagged: Type.Integer(), lastReject: Nullable(Type.String()) }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const Fields = {
  code: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  modelKey: Type.String({ minLength: 1, maxLength: 40 }),
  lng: Nullable(Type.Number({ minimum: -180, maximum: 180 })),
  lat: Nullable(Type.Number({ minimum: -90, maximum: 90 })),
  crs: Crs,
  address: Nullable(Text),
  facilityKind: Nullable(Text),
  facilityName: Nullable(Text),
  facilityRef: Nullable(Text),
  ownerUnitId: Nullable(Uuid),
  installedOn: Nullable(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
}

const Optional = {
  lng: Type.Optional(Fields.lng),
  lat: Type.Optional(Fields.lat),
  crs: Type.Optional(Fields.crs),
  address: Type.Optional(Fields.address),
  facilityKind: Type.Optional(Fields.facilityKind),
  facilityName: Type.Optional(Fields.facilityName),
  facilityRef: Type.Optional(Fields.facilityRef),
  ownerUnitId: Type.Optional(Fields.ownerUnitId),
  installedOn: Type.Optional(Fields.installedOn),
}

const CreateBody = Obj({ code: Fields.code, name: Fields.name, modelKey: Fields.modelKey, ...Optional })

const PatchBody = Obj({
  version: Type.Integer({ minimum: 1, description: 'the version you saw; an edit made meanwhile answers 409' }),
  code: Type.Optional(Fields.code),
  name: Type.Optional(Fields.name),
  modelKey: Type.Optional(Fields.modelKey),
  ...Optional,
  enabled: Type.Optional(Type.Boolean({ description: 'false: the device is refused on MQTT and HTTP' })),
})

const Filters = {
  q: Type.Optional(Type.String({ maxLength: 100, description: 'in code, name, address or facility name' })),
  model: Type.Optional(Type.String({ maxLength: 40 })),
  state: Type.Optional(State),
  streetId: Type.Optional(Uuid),
  alarm: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('none'), Severity], { description: 'open: with an open alarm; none: without; a severity: with an open alarm of it' })),
}

const ListQuery = Obj({
  ...Filters,
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
})

const MapReply = Obj({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Obj({
    type: Type.Literal('Feature'),
    id: Uuid,
    geometry: Obj({ type: Type.Literal('Point'), coordinates: Type.Tuple([Type.Number(), Type.Number()]) }),
    properties: Obj({ id: Uuid, code: Type.String(), name: Type.String(), modelKey: Type.String(), state: State, enabled: Type.Boolean(), alarms: Type.Integer(), worstAlarm: Nullable(Severity) }),
  })),
})

const IdParams = Obj({ id: Uuid })
const TokenReply = Obj({ token: Type.String({ description: 'the access token (MQTT user name, HTTP path); shown this once' }) })

const RowError = Obj({
  row: Type.Integer({ description: 'the row as a spreadsheet numbers it; the heading is row 1' }),
  column: Nullable(Type.String()),
  code: Type.String(),
  messages: Obj({ 'zh-CN': Type.String(), en: Type.String() }),
})
const ImportReply = Obj({
  created: Type.Integer({ description: 'devices stored: 0 when any row has a problem, and on a dry run' }),
  rows: Type.Integer(),
  dryRun: Type.Boolean(),
  errors: Type.Array(RowError),
  tokens: Type.Array(Obj({ code: Type.String(), token: Type.String() }), { description: 'the new devices’ tokens, shown this once' }),
})

const SeriesQuery = Obj({
  key: Type.String({ minLength: 1, maxLength: 40 }),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'default: a day before to' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
  points: Type.Integer({ minimum: 2, maximum: MAX_POINTS, default: DEFAULT_POINTS }),
})
const SeriesReply = Obj({
  key: Type.String(),
  unit: Nullable(Type.String()),
  bucketSeconds: Type.Integer({ description: '0: raw readings (avg = min = max)' }),
  points: Type.Array(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]), { description: '[ms, avg, min, max]' }),
})

export function iotRoutes(app: App, devices: DeviceRegistry, db: Db) {
  const tags = ['iot']

  app.get('/api/iot/models', {
    config: { permission: 'device:read' },
    schema: { tags, summary: 'Device models: telemetry keys with units and valid ranges, reporting interval, default case class', response: { 200: Obj({ items: Type.Array(Model) }) } },
  }, async () => ({ items: await devices.models() }))

  app.put('/api/iot/models/:key', {
    config: { permission: 'device:write' },
    schema: { tags, summary: 'Edit a model: valid ranges, reporting interval, default case class (fields left out are kept; audited)', params: Obj({ key: Type.String({ maxLength: 40 }) }), body: ModelBody, response: { 200: Model } },
  }, async (request) => devices.updateModel(principalOf(request), request.params.key, request.body))

  app.get('/api/iot/devices', {
    config: { permission: 'device:read' },
    schema: { tags, summary: 'Devices in your scope (placed there or owned by your unit), by code, with latest values and open-alarm badge', querystring: ListQuery, response: { 200: Obj({ items: Type.Array(DeviceItem), total: Type.Integer() }) } },
  }, async (request) => {
    const { page, pageSize, ...filter } = request.query
    return devices.list(principalOf(request), filter, page, pageSize)
  })

  app.get('/api/iot/devices/map', {
    config: { permission: 'device:read' },
    schema: { tags, summary: 'The placed devices in your scope as GeoJSON points with state and worst open alarm', querystring: Obj(Filters), response: { 200: MapReply } },
  }, async (request, reply) => {
    // many points: plain JSON.stringify of the exact documented shape is faster than the schema serialiser's unions
    const answer = await devices.map(principalOf(request), request.query)
    return reply.serializer(JSON.stringify).send(answer)
  })

  app.post('/api/iot/devices', {
    config: { permission: 'device:write' },
    schema: { tags, summary: 'Register a device: placed in its grid cell, community and street; answers its access token this once', body: CreateBody, response: { 200: Obj({ device: DeviceDetail, token: Type.String() }) } },
  }, async (request) => devices.create(principalOf(request), request.body))

  app.get('/api/iot/devices/import/template.xlsx', {
    config: { permission: 'device:write' },
    schema: { tags, summary: 'The import template (.xlsx, headings in the Accept-Language): columns, what each holds, the models' },
  }, async (request, reply) => {
    const locale = pickLocale(request.headers['accept-language'])
    reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    reply.header('content-disposition', `attachment; filename="device-import-template.xlsx"`)
    return reply.send(await importTemplate(locale, await devices.models()))
  })

  // Multipart parsing only for the import: every other route still refuses a multipart body with 415.
  void app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: MAX_IMPORT_BYTES } })
    scope.post('/api/iot/devices/import', {
      config: { permission: 'device:write' },
      schema: {
        tags,
        summary: 'Import devices from CSV or .xlsx (multipart field "file"), all or nothing: a per-row error report, or the devices created with their tokens',
        description: 'Columns: code, name, model (key or Chinese name), lng, lat, address, facility_kind, facility_name, facility_ref, owner_unit (name, code or id), installed_on. At most 10,000 rows and 5 MB. `dryRun=true` only checks.',
        consumes: ['multipart/form-data'],
        querystring: Obj({ dryRun: Type.Boolean({ default: false }), crs: Type.Optional(Crs) }),
        response: { 200: ImportReply },
      },
    }, async (request) => importDevices(devices, principalOf(request), await readOneFile(request, MAX_IMPORT_BYTES), { dryRun: request.query.dryRun, crs: request.query.crs }))
  })

  app.get('/api/iot/devices/:id', {
    config: { permission: 'device:read' },
    schema: { tags, summary: 'One device: its fields, model, latest values, client attributes, counters, open alarms', params: IdParams, response: { 200: DeviceDetail } },
  }, async (request) => devices.get(principalOf(request), request.params.id))

  app.patch('/api/iot/devices/:id', {
    config: { permission: 'device:write' },
    schema: { tags, summary: 'Edit a device (optimistic: the version you saw); lng/lat null unplace it (audited)', params: IdParams, body: PatchBody, response: { 200: DeviceDetail } },
  }, async (request) => {
    const { version, ...changes } = request.body
    return devices.update(principalOf(request), request.params.id, version, changes)
  })

  app.post('/api/iot/devices/:id/token', {
    config: { permission: 'device:write' },
    schema: { tags, summary: 'Issue a new access token (shown this once); the old one is refused at once', params: IdParams, response: { 200: TokenReply } },
  }, async (request) => devices.issueToken(principalOf(request), request.params.id))

  app.delete('/api/iot/devices/:id/token', {
    config: { permission: 'device:write' },
    schema: { tags, summary: 'Revoke the access token: refused on MQTT and HTTP until a new one is issued', params: IdParams, response: { 200: OkReply } },
  }, async (request) => {
    await devices.revokeToken(principalOf(request), request.params.id)
    return { ok: true }
  })

  app.get('/api/iot/devices/:id/telemetry', {
    config: { permission: 'device:read' },
    schema: { tags, summary: 'A chart series of one key: raw readings while few, else at most `points` buckets of [ms, avg, min, max] (booleans as 0/1)', params: IdParams, querystring: SeriesQuery, response: { 200: SeriesReply } },
  }, async (request) => {
    const row = await devices.row(principalOf(request), request.params.id)
    const model = await devices.model(row.model_key)
    if (!model) throw new AppError('INTERNAL')
    return telemetrySeries(db, row.id, model, request.query)
  })
}
