// Rule and alarm routes: the rules of models and devices (/api/iot/rules), the alarms in one's scope with their counts
// by severity (/api/iot/alarms), acknowledging and clearing by hand.
import { Type } from 'typebox'
import { principalOf } from '../../../platform/auth/plugin.js'
import { type App, Nullable, Obj, Page, Uuid } from '../../../platform/http.js'
import type { AlarmService } from './alarms.js'
import type { RuleStore } from './rules.js'

const Severity = Type.Union([Type.Literal('critical'), Type.Literal('major'), Type.Literal('minor'), Type.Literal('warning')])
const Op = Type.Union([Type.Literal('above'), Type.Literal('below')])
const Key = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$', description: 'a telemetry key of the model' })
const Seconds = Type.Number({ exclusiveMinimum: 0, maximum: 604_800 })
const ModelKey = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' })
const ClassKind = Nullable(Type.Union([Type.Literal('component'), Type.Literal('event')]))
const ClassCode = Nullable(Type.String({ pattern: '^[0-9]{4,6}$' }))

/** One part of a condition (models.ts `Condition`); the keys are checked against the model by the service. */
const Part = Type.Union([
  Obj({ type: Type.Literal('threshold'), key: Key, op: Op, value: Type.Number(), clear: Type.Optional(Type.Number({ description: 'hysteresis: clears once back at or past this (default: value)' })) }),
  Obj({ type: Type.Literal('sustained'), key: Key, op: Op, value: Type.Number(), seconds: Seconds, clear: Type.Optional(Type.Number()) }),
  Obj({ type: Type.Literal('rate'), key: Key, change: Type.Number({ exclusiveMinimum: 0 }), seconds: Seconds }),
  Obj({ type: Type.Literal('offline'), intervals: Type.Integer({ minimum: 1, maximum: 1000 }) }),
])
const Condition = Obj({ all: Type.Array(Part, { minItems: 1, maxItems: 10, description: 'the rule fires when every part holds' }) })

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 60 }),
  nameEn: Type.String({ minLength: 1, maxLength: 100 }),
  severity: Severity,
  condition: Condition,
  createCase: Type.Boolean({ description: 'an alarm files a case in the case loop' }),
  classKind: Type.Optional(ClassKind),
  classCode: Type.Optional(ClassCode),
  enabled: Type.Boolean(),
}

const Rule = Obj({
  id: Uuid,
  modelKey: Type.String(),
  deviceId: Nullable(Type.String()),
  name: Type.String(),
  nameEn: Type.String(),
  severity: Severity,
  condition: Type.Unknown({ description: '{ all: [threshold | sustained | rate | offline] }' }),
  createCase: Type.Boolean(),
  classKind: Nullable(Type.String()),
  classCode: Nullable(Type.String()),
  enabled: Type.Boolean(),
  builtin: Type.Boolean(),
  version: Type.Integer(),
  updatedAt: Type.String(),
  overridden: Type.Boolean({ description: "a model's rule the device's own rule of the same name replaces" }),
})

const AlarmState = Type.Union([Type.Literal('active'), Type.Literal('acknowledged'), Type.Literal('cleared')])

const Alarm = Obj({
  id: Uuid,
  severity: Severity,
  state: AlarmState,
  raisedAt: Type.String(),
  lastAt: Type.String(),
  repeats: Type.Integer(),
  detail: Type.Unknown({ description: '{ raised: { values, ts }, last, cleared, comment, case: { skipped | error } }' }),
  acknowledgedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.String()),
  clearedAt: Nullable(Type.String()),
  clearedBy: Nullable(Type.String()),
  clearReason: Nullable(Type.String({ description: "'auto', 'manual' or 'rule_changed'" })),
  device: Obj({
    id: Uuid, code: Type.String(), name: Type.String(), modelKey: Type.String(),
    position: Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })), streetId: Nullable(Type.String()), address: Nullable(Type.String()),
  }),
  rule: Obj({ id: Uuid, name: Type.String(), nameEn: Type.String() }),
  caseId: Nullable(Type.String()),
  caseTicket: Nullable(Type.String()),
})

const Counts = Obj({ critical: Type.Integer(), major: Type.Integer(), minor: Type.Integer(), warning: Type.Integer() })

export function ruleRoutes(app: App, rules: RuleStore, alarms: AlarmService) {
  const tags = ['iot']

  app.get('/api/iot/rules', {
    config: { permission: 'device:read' },
    schema: {
      tags, summary: "Rules of a model, or those that apply to a device (its model's and its own)",
      querystring: Obj({ model: Type.Optional(ModelKey), deviceId: Type.Optional(Uuid) }),
      response: { 200: Obj({ items: Type.Array(Rule) }) },
    },
  }, async (request) => ({ items: await rules.list(principalOf(request), request.query) }))

  app.post('/api/iot/rules', {
    config: { permission: 'device:write' },
    schema: {
      tags, summary: "A rule of a model, or of one device (replacing its model's rule of the same name)",
      body: Obj({ modelKey: ModelKey, deviceId: Type.Optional(Nullable(Uuid)), ...Fields }),
      response: { 200: Rule },
    },
  }, async (request) => rules.create(principalOf(request), request.body))

  app.put('/api/iot/rules/:id', {
    config: { permission: 'device:write' },
    schema: {
      tags, summary: 'Edit a rule (`version` as you saw it); a changed condition or a rule switched off ends its open alarms',
      params: Obj({ id: Uuid }),
      body: Obj({ version: Type.Integer({ minimum: 1 }), ...Fields }),
      response: { 200: Rule },
    },
  }, async (request) => {
    const { version, ...fields } = request.body
    return rules.update(principalOf(request), request.params.id, version, fields)
  })

  app.get('/api/iot/alarms', {
    config: { permission: 'alarm:read' },
    schema: {
      tags, summary: 'Alarms in your scope, newest first, with the open ones counted by severity',
      querystring: Obj({
        state: Type.Optional(Type.Union([Type.Literal('open'), AlarmState], { description: "'open': active or acknowledged" })),
        severity: Type.Optional(Severity),
        model: Type.Optional(ModelKey),
        deviceId: Type.Optional(Uuid),
        streetId: Type.Optional(Uuid),
        ...Page.properties,
      }),
      response: { 200: Obj({ items: Type.Array(Alarm), total: Type.Integer(), counts: Counts }) },
    },
  }, async (request) => {
    const { page = 1, pageSize = 20, ...filter } = request.query
    return alarms.list(principalOf(request), filter, page, pageSize)
  })

  app.post('/api/iot/alarms/:id/acknowledge', {
    config: { permission: 'alarm:act' },
    schema: { tags, summary: 'Acknowledge an active alarm (someone is on it)', params: Obj({ id: Uuid }), response: { 200: Alarm } },
  }, async (request) => alarms.acknowledge(principalOf(request), request.params.id))

  app.post('/api/iot/alarms/:id/clear', {
    config: { permission: 'alarm:act' },
    schema: {
      tags, summary: 'Clear an alarm by hand, saying why; while the condition still holds, no new alarm until the value was back to normal',
      params: Obj({ id: Uuid }),
      body: Obj({ comment: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) }),
      response: { 200: Alarm },
    },
  }, async (request) => alarms.clear(principalOf(request), request.params.id, request.body.comment))
}
