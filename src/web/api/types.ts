// Shapes of the server's JSON, derived from the server's own TypeBox schemas (type-only imports), so the contract has one source.
import type { Geometry } from 'geojson'
import type { Static } from 'typebox'
import type * as analytics from '../../server/modules/analytics/schemas'
import type * as cases from '../../server/modules/cases/schemas'
import type * as workflow from '../../server/modules/cases/workflow-table'
import type { CalendarRules as ServerCalendarRules } from '../../server/modules/cases/calendar-settings'
import type { DayInfo } from '../../server/modules/cases/calendar'
import type { DispatchRule as ServerDispatchRule } from '../../server/modules/cases/matrix'
import type * as citizen from '../../server/modules/citizen/schemas'
import type * as classes from '../../server/modules/classes/schemas'
import type { Condition as IotCondition, Severity, TelemetryKey } from '../../server/modules/iot/models'
import type * as identity from '../../server/modules/identity/schemas'
import type * as org from '../../server/modules/org/schemas'
import type * as system from '../../server/modules/system/schemas'
import type { ErrorReply } from '../../server/platform/http'

export type Lang = 'zh-CN' | 'en'
export type ErrorBody = Static<typeof ErrorReply>

export type AppConfig = Static<typeof system.AppConfig>
export type BaseMap = AppConfig['baseMap']
export type Bbox = AppConfig['bbox']
export type AuditEntry = Static<typeof system.AuditEntry>

export type Me = Static<typeof identity.Me>
export type UnitRef = Me['unit']
export type LoginResult = Static<typeof identity.LoginReply>
export type User = Static<typeof identity.User>
export type Role = Static<typeof identity.Role>
export type Permission = Static<typeof identity.PermissionList>['items'][number]

export type Unit = Static<typeof org.Unit>
export type UnitKind = Static<typeof org.Kind>
export type Duty = Static<typeof org.Duty>
export type Cell = Static<typeof org.Cell>
export type CellPerson = Cell['people'][number]
export type CellFeatureProps = Static<typeof org.CellFeatureProps>
export type LookupResult = Static<typeof org.LookupReply>
export type PlaceRef = NonNullable<LookupResult['street']>
export type ImportResult = Static<typeof org.ImportReply>

export type CaseClass = Static<typeof classes.CaseClass>

/** One row of the case list (with its light); `Case` is the same shape. */
export type CaseSummary = Static<typeof cases.CaseSummary>
export type Case = CaseSummary
export type CaseDetail = Static<typeof cases.CaseDetail>
export type CaseTimelineEntry = CaseDetail['timeline'][number]
export type CaseLight = NonNullable<CaseSummary['light']>
export type Urgency = CaseSummary['urgency']
// The schemas build these unions from the workflow's lists (not tuples), so the names come from its table's types.
export type CaseState = workflow.CaseState
export type CaseSource = workflow.CaseSource
export type CaseActionType = workflow.ActionType
export type RejectReason = workflow.RejectReason
export type CaseActionBody = Omit<Static<typeof cases.ActionBody>, 'type' | 'rejectReason'> & { type: CaseActionType; rejectReason?: RejectReason }
export type CaseReport = Omit<Static<typeof cases.ReportBody>, 'source'> & { source: CaseSource }
export type CaseReportReply = Static<typeof cases.ReportReply>

/** One open case on the command map (GET /api/cases/map): where it is and how pressing it is. */
export type CaseMapItem = Static<typeof cases.MapCase>
/** `truncated`: more than the server's ceiling (10,000) matched; the most pressing are sent. */
export type CaseMapReply = Static<typeof cases.MapReply>

/** One notification of the signed-in user (GET /api/notifications). */
export interface AppNotification {
  id: string
  kind: string
  caseId: string | null
  payload: { ticket?: string; state?: string; deadline?: string; into?: string | null }
  createdAt: string
  readAt: string | null
}
export interface NotificationList {
  unread: number
  items: AppNotification[]
}

/** A rule of the responsibility matrix (class × area → disposal unit); `smallCode` null covers the whole big class. */
export type DispatchRule = ServerDispatchRule
export type DispatchRuleInput = Omit<DispatchRule, 'id'>

export type CalendarRules = ServerCalendarRules
export interface CalendarYear {
  rules: CalendarRules
  year: number
  hasOfficialData: boolean
  minutesPerDay: number
  specialDays: DayInfo[]
}

/** An uploaded file (photo): `POST /api/files` answers with its id and where to load it and its thumbnail. */
export interface StoredFile {
  id: string
  url: string
  thumbnailUrl: string
}

export interface Page<T> {
  items: T[]
  total: number
  /** The case list counts up to 2,000: more match than `total`. */
  totalCapped?: boolean
}

export interface CellCollection {
  type: 'FeatureCollection'
  features: Array<{ type: 'Feature'; id?: string | number; geometry: Geometry; properties: CellFeatureProps }>
}

// Citizen service (public pages; nothing personal in any of these)
export type ProblemType = Static<typeof citizen.ProblemTypeReply>
export type ProblemAttribute = ProblemType['attributes'][number]
export type Catalogue = Static<typeof citizen.CatalogueReply>
/** What anyone may see of a case: stage, class, place, dates; the text and photos only once staff published them. */
export type PublicCase = Static<typeof citizen.PublicCaseReply>
export type PublicStage = PublicCase['stage']
/** The reporter's view (by the secret token): the public case with their rating and whether they may rate now. */
export type ReporterView = Static<typeof citizen.ReporterReply>
export type SubmitReply = Static<typeof citizen.SubmitReply>
export type Rating = Static<typeof citizen.RateBody>['rating']
export type MyReports = Static<typeof citizen.MyReportsReply>
export type PublicMapReply = Static<typeof citizen.MapReply>
/** Staff: a citizen report's contact, channel, suspicion and ratings. */
export type ReporterOf = Static<typeof citizen.ReporterOfReply>
export type Publication = Static<typeof citizen.PublicationBody>

// ---- IoT (物联感知): devices, telemetry, rules, alarms (docs/iot.md, "HTTP API (staff)") -------------------------

export type { IotCondition, Severity, TelemetryKey }

export type DeviceState = 'never' | 'online' | 'offline'
export type AlarmState = 'active' | 'acknowledged' | 'cleared'
export type ClassKind = 'component' | 'event'

/** A device model (设备型号): the keys its devices send, with units and valid ranges, and how often they report. */
export interface DeviceModel {
  key: string
  name: string
  nameEn: string
  telemetry: TelemetryKey[]
  intervalSeconds: number
  classKind: ClassKind | null
  classCode: string | null
  builtin: boolean
  updatedAt: string
}

/** The newest value of a key: value, when (ms), and its quality (0 ok, 1 out of range, 2 unknown key). */
export interface LatestValue {
  v: number | boolean | string
  ts: number
  q: number
}

/** One row of the device list (GET /api/iot/devices): with its newest values and open-alarm badge. */
export interface DeviceSummary {
  id: string
  code: string
  name: string
  modelKey: string
  modelName: string
  state: DeviceState
  enabled: boolean
  lng: number | null
  lat: number | null
  address: string | null
  streetId: string | null
  streetName: string | null
  communityName: string | null
  lastSeen: string | null
  latest: Record<string, LatestValue>
  /** How many alarms are open and the worst one's severity. */
  alarms: { open: number; worst: Severity | null }
  version: number
}

/** The device detail (GET /api/iot/devices/:id): the row, its model, token state, attributes and counters. */
export interface DeviceDetail extends DeviceSummary {
  model: DeviceModel
  cellId: string | null
  communityId: string | null
  orgPath: string
  facilityKind: string | null
  facilityName: string | null
  facilityRef: string | null
  ownerUnitId: string | null
  ownerUnitName: string | null
  installedOn: string | null
  /** The first characters of the access token and when it was issued; null while revoked. */
  token: { hint: string; issuedAt: string } | null
  latestAt: string | null
  /** Client attributes the device sent (firmware, SIM …). */
  attributes: Record<string, unknown>
  /** Messages refused as malformed, stored with a flag, and the last refusal's reason. */
  counters: { rejected: number; flagged: number; lastReject: string | null }
  createdAt: string
  updatedAt: string
}

/** A device to register (POST /api/iot/devices): placed in its grid cell, community and street by its position. */
export interface NewDevice {
  code: string
  name: string
  modelKey: string
  lng?: number | null
  lat?: number | null
  crs?: 'wgs84' | 'gcj02' | 'bd09'
  address?: string | null
  facilityKind?: string | null
  facilityName?: string | null
  facilityRef?: string | null
  ownerUnitId?: string | null
  installedOn?: string | null
}

/** GET /api/iot/devices/map: the placed devices in scope as GeoJSON points. */
export interface DeviceMapFeatureProps {
  id: string
  code: string
  name: string
  modelKey: string
  state: DeviceState
  enabled: boolean
  /** Open alarms, and the worst one's severity. */
  alarms: number
  worstAlarm: Severity | null
}
export interface DeviceMapReply {
  type: 'FeatureCollection'
  features: Array<{ type: 'Feature'; id: string; geometry: { type: 'Point'; coordinates: [number, number] }; properties: DeviceMapFeatureProps }>
}

/** A row of the import's error report: the row as a spreadsheet numbers it, the column, why (code), in both languages. */
export interface DeviceImportError {
  row: number
  column: string | null
  code: string
  messages: Record<Lang, string>
}
export interface DeviceImportReply {
  /** Devices stored: 0 when any row has a problem, and on a dry run. */
  created: number
  rows: number
  dryRun: boolean
  errors: DeviceImportError[]
  /** The new devices' tokens, shown this once. */
  tokens: Array<{ code: string; token: string }>
}

/** A chart series: raw readings (bucketSeconds 0: avg = min = max) or buckets, as [ms, avg, min, max]; booleans as 0/1. */
export interface TelemetrySeries {
  key: string
  unit: string | null
  bucketSeconds: number
  points: Array<[number, number, number, number]>
}

/** A rule of a model (deviceId null) or of one device (replacing the model's rule of the same name). */
export interface IotRule {
  id: string
  modelKey: string
  deviceId: string | null
  name: string
  nameEn: string
  severity: Severity
  condition: { all: IotCondition[] }
  createCase: boolean
  classKind: ClassKind | null
  classCode: string | null
  enabled: boolean
  builtin: boolean
  version: number
  updatedAt: string
  /** Asked for a device: a model's rule its own rule of the same name replaces. */
  overridden: boolean
}
/** What a rule is made of when it is created (POST) or saved (PUT, with the version seen). */
export type IotRuleInput = Pick<IotRule, 'name' | 'nameEn' | 'severity' | 'condition' | 'createCase' | 'classKind' | 'classCode' | 'enabled'>

/** One alarm of the console (GET /api/iot/alarms) with its device and rule. */
export interface Alarm {
  id: string
  severity: Severity
  state: AlarmState
  raisedAt: string
  lastAt: string
  /** Times it fired again while open. */
  repeats: number
  detail: unknown
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  clearedAt: string | null
  clearedBy: string | null
  /** 'auto', 'manual' or 'rule_changed'. */
  clearReason: string | null
  device: { id: string; code: string; name: string; modelKey: string; position: number[] | null; streetId: string | null; address: string | null }
  rule: { id: string; name: string; nameEn: string }
  caseId: string | null
  caseTicket: string | null
}
export interface AlarmList extends Page<Alarm> {
  /** Open alarms by severity (the console's counters). */
  counts: Record<Severity, number>
}

// The city management brain (城管大脑): GET /api/analytics/*
export type AnalyticsSummary = Static<typeof analytics.Summary>
export type OverdueCase = AnalyticsSummary['overdue'][number]
export type Trends = Static<typeof analytics.Trends>
export type TrendBy = Static<typeof analytics.TrendQuery>['by']
export type TrendInterval = Static<typeof analytics.TrendQuery>['interval']
export type Hotspots = Static<typeof analytics.Hotspots>
export type Hotspot = Hotspots['items'][number]
export type StreetSources = Static<typeof analytics.StreetSources>
export type Forecast = Static<typeof analytics.Forecast>
/** A name in both languages, as the analytics routes give it. */
export type Names = Record<Lang, string>

/** GET /api/evaluation/rankings — the evaluation module's ranking (综合考核排名), as the command screen shows it. */
export type { Ranking as EvaluationRanking } from './evaluation'
