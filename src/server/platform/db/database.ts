// Kysely's view of the tables. Each table belongs to one module (named beside it); only that module's repository touches it.
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type CreatedAt = ColumnType<Date, Date | string | undefined, never>
/** PostGIS geometry: written through SQL functions, read through ST_AsGeoJSON. */
type Geometry = ColumnType<string, string, string>

// org module
export interface OrgUnitsTable {
  id: Generated<string>
  parent_id: string | null
  kind: 'district' | 'street' | 'zone' | 'community' | 'department' | 'sub_unit'
  code: string
  name: string
  name_en: string | null
  path: string
  sort: Generated<number>
  centre: ColumnType<string | null, string | null | undefined, string | null>
  population: number | null
  demo: Generated<boolean>
  active: Generated<boolean>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
}

// org module
export interface GridCellsTable {
  id: Generated<string>
  code: string
  name: string | null
  community_id: string
  org_path: string
  geom: Geometry
  area_m2: number
  demo: Generated<boolean>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
}

// org module
export interface GridRevisionTable {
  id: Generated<boolean>
  revision: number
}

// org module
export interface GridCellPeopleTable {
  grid_cell_id: string
  user_id: string
  duty: 'supervisor' | 'grid_worker' | 'responsible'
  created_at: CreatedAt
}

// classes module
export interface CaseClassesTable {
  kind: 'component' | 'event'
  small_code: string
  big_code: string
  big_name: string
  big_name_en: string | null
  small_name: string
  small_name_en: string | null
  default_urgency: 'urgent' | 'important' | 'normal' | 'complex'
  citizen_choice: string | null
  status: Generated<'provisional' | 'official' | 'local'>
  active: Generated<boolean>
}

// identity module
export interface RolesTable {
  key: string
  name: string
  name_en: string
  permissions: string[]
  builtin: Generated<boolean>
  version: Generated<number>
  updated_at: Timestamp
}

// identity module
export interface UsersTable {
  id: Generated<string>
  username: string
  display_name: string
  phone: string | null
  unit_id: string
  roles: string[]
  status: Generated<'active' | 'disabled'>
  password_hash: string
  password_changed_at: Timestamp
  must_change_password: Generated<boolean>
  failed_attempts: Generated<number>
  locked_until: Date | null
  last_login_at: Date | null
  demo: Generated<boolean>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
}

// identity module
export interface SessionsTable {
  token_hash: string
  user_id: string
  kind: 'cookie' | 'bearer'
  created_at: CreatedAt
  last_seen_at: Timestamp
  expires_at: Timestamp
  ip: string | null
  user_agent: string | null
  revoked_at: Date | null
}

// platform/audit
export interface AuditLogTable {
  id: Generated<number>
  at: CreatedAt
  actor_id: string | null
  actor_name: string | null
  action: string
  entity_type: string | null
  entity_id: string | null
  outcome: Generated<'ok' | 'refused' | 'failed'>
  ip: string | null
  user_agent: string | null
  details: ColumnType<Record<string, unknown>, string | undefined, never>
  /** Sealing (audit_seal, 0013) sets these three; NULL until then. */
  chain_seq: ColumnType<number | null, never, never>
  prev_hash: ColumnType<string | null, never, never>
  hash: ColumnType<string | null, never, never>
}

// platform/jobs
export interface JobsTable {
  id: Generated<number>
  kind: string
  payload: ColumnType<Record<string, unknown>, string | undefined, string>
  run_at: Timestamp
  attempts: Generated<number>
  max_attempts: Generated<number>
  locked_by: string | null
  locked_until: Date | null
  last_error: string | null
  done_at: Date | null
  created_at: CreatedAt
  unique_key: string | null
}

// cases module
export interface CasesTable {
  id: Generated<string>
  ticket: string
  source: string
  client_id: string
  reported_by: string | null
  class_kind: string
  class_code: string
  urgency: 'urgent' | 'important' | 'normal' | 'complex'
  description: string
  address: string | null
  position: Geometry
  grid_cell_id: string | null
  community_id: string | null
  street_id: string | null
  org_path: string
  state: string
  step_started_at: Timestamp
  step_deadline: Date | null
  assigned_unit_id: string | null
  assigned_unit_path: string | null
  disposal_deadline: Date | null
  pending_extension: ColumnType<Record<string, unknown> | null, string | null, string | null>
  pending_suspension: ColumnType<Record<string, unknown> | null, string | null, string | null>
  reject_reason: string | null
  merged_into: string | null
  counters: ColumnType<Record<string, number>, string, string>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
  closed_at: Date | null
  possible_duplicates: Generated<string[]>
  overdue_marked_deadline: Date | null
  due_at: Date | null
  yellow_at: Date | null
  public_description: Generated<boolean>
  public_reply: string | null
  /** an unsatisfied citizen rating waiting for the centre's review: { rating, comment, ratedAt } */
  pending_review: ColumnType<Record<string, unknown> | null, string | null, string | null>
}

// cases module
export interface CaseTimelineTable {
  id: Generated<number>
  case_id: string
  kind: string
  action: string
  at: Timestamp
  actor_id: string | null
  role: string
  unit_id: string | null
  from_state: string
  to_state: string
  comment: string | null
  reason: string | null
  photo_ids: string[]
  detail: ColumnType<Record<string, unknown>, string, never>
  /** The deadline of the step this entry ended (disposal deadline while a unit held the case, else the step deadline). */
  due_at: Date | null
  /** The unit that held the case when the step was taken (before a dispatch: none). */
  holder_unit_id: string | null
}

// cases module
export interface DispatchRulesTable {
  id: Generated<string>
  class_kind: 'component' | 'event'
  big_code: string
  small_code: string | null
  area_unit_id: string
  unit_id: string
  auto: Generated<boolean>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
}

// files module
export interface FilesTable {
  id: string
  kind: 'photo'
  content_type: string
  size_bytes: number
  sha256: string
  storage_key: string
  width: number | null
  height: number | null
  thumbnail_key: string | null
  /** null: an anonymous citizen's photo */
  uploaded_by: string | null
  uploaded_at: CreatedAt
  case_id: string | null
  /** staff marked it fit for the public (no faces, plates or personal data) */
  public: Generated<boolean>
}

// citizen module
export interface Open311KeysTable {
  id: Generated<string>
  name: string
  key_sha256: string
  key_hint: string
  requests_per_minute: Generated<number>
  webhook_url: string | null
  webhook_secret: string | null
  created_by: string | null
  created_at: CreatedAt
  revoked_at: Date | null
  revoked_by: string | null
}

// citizen module
export interface CitizenReportsTable {
  case_id: string
  channel: 'web' | 'open311'
  service_code: string
  token: string
  phone: string | null
  phone_sha256: string | null
  first_name: string | null
  last_name: string | null
  email: string | null
  device_id: string | null
  account_id: string | null
  api_key_id: string | null
  attributes: ColumnType<Record<string, unknown>, string | undefined, string>
  media_url: string | null
  ip: string | null
  suspect: string | null
  notified_stage: string | null
  created_at: CreatedAt
}

// citizen module
export interface CaseRatingsTable {
  id: Generated<string>
  case_id: string
  rating: 'satisfied' | 'basically_satisfied' | 'unsatisfied'
  comment: string | null
  closed_at: Date
  at: CreatedAt
}

// citizen module
export interface CitizenCodesTable {
  id: Generated<string>
  phone_sha256: string
  code_sha256: string
  expires_at: Date
  attempts: Generated<number>
  used_at: Date | null
  created_at: CreatedAt
}

// notifications module
export interface NotificationsTable {
  id: Generated<string>
  user_id: string
  kind: string
  case_id: string | null
  payload: ColumnType<Record<string, unknown>, string | undefined, string>
  created_at: CreatedAt
  read_at: Date | null
}

// system settings
export interface SettingsTable {
  key: string
  value: ColumnType<unknown, string, string>
  updated_at: Timestamp
  updated_by: string | null
}

// iot module
export interface DeviceModelsTable {
  key: string
  name: string
  name_en: string
  /** TelemetryKey[] (modules/iot/models.ts) */
  telemetry: ColumnType<unknown, string, string>
  interval_seconds: number
  class_kind: 'component' | 'event' | null
  class_code: string | null
  builtin: Generated<boolean>
  updated_at: Timestamp
}

export interface DevicesTable {
  id: Generated<string>
  code: string
  name: string
  model_key: string
  lng: number | null
  lat: number | null
  cell_id: string | null
  street_id: string | null
  community_id: string | null
  address: string | null
  org_path: string
  facility_kind: string | null
  facility_name: string | null
  facility_ref: string | null
  owner_unit_id: string | null
  owner_unit_path: string | null
  installed_on: ColumnType<string | null, string | null | undefined, string | null>
  /** SHA-256 of the access token; null = revoked */
  token_sha256: string | null
  token_hint: string | null
  token_issued_at: Date | null
  state: Generated<'never' | 'online' | 'offline'>
  last_seen: Date | null
  rejected_count: ColumnType<string, never, string | number>
  flagged_count: ColumnType<string, never, string | number>
  last_reject: string | null
  attributes: ColumnType<Record<string, unknown>, string | undefined, string>
  enabled: Generated<boolean>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface TelemetryTable {
  device_id: string
  ts: Timestamp
  values: ColumnType<Record<string, number | boolean | string>, string, never>
  flags: ColumnType<{ unknown?: string[]; outOfRange?: string[] } | null, string | null, never>
}

export interface DeviceLatestTable {
  device_id: string
  ts: Timestamp
  /** { key: { v, ts (ms), q (0 ok, 1 out of range, 2 unknown key) } } */
  values: ColumnType<Record<string, { v: number | boolean | string; ts: number; q: number }>, string, string>
}

export interface IotRulesTable {
  id: Generated<string>
  model_key: string
  device_id: string | null
  name: string
  name_en: string
  severity: 'critical' | 'major' | 'minor' | 'warning'
  /** { all: Condition[] } (modules/iot/models.ts) */
  condition: ColumnType<unknown, string, string>
  create_case: Generated<boolean>
  class_kind: 'component' | 'event' | null
  class_code: string | null
  enabled: Generated<boolean>
  builtin: Generated<boolean>
  version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface AlarmsTable {
  id: Generated<string>
  device_id: string
  rule_id: string
  severity: 'critical' | 'major' | 'minor' | 'warning'
  state: 'active' | 'acknowledged' | 'cleared'
  raised_at: Timestamp
  last_at: Timestamp
  repeats: Generated<number>
  detail: ColumnType<Record<string, unknown>, string | undefined, string>
  acknowledged_at: Date | null
  acknowledged_by: string | null
  cleared_at: Date | null
  cleared_by: string | null
  clear_reason: string | null
  case_id: string | null
}

// evaluation module
export interface EvaluationSettingsTable {
  district_id: string
  settings: ColumnType<unknown, string, string>
  version: Generated<number>
  updated_by: string | null
  updated_at: Timestamp
}

export interface EvaluationPeriodsTable {
  district_id: string
  period: string
  period_from: Date
  period_to: Date
  settings: ColumnType<unknown, string, string>
  results: ColumnType<unknown, string, string>
  frozen_by: string | null
  frozen_at: Timestamp
}

// analytics module: the hot spots' copy of the counted reports (0017), kept up to date by hotspot_refresh()
export interface HotspotPathsTable {
  id: Generated<number>
  org_path: string
  /** '' while not dispatched */
  unit_path: string
}

export interface HotspotReportsTable {
  case_id: string
  grid_cell_id: string
  class_kind: string
  class_code: string
  reported_at: Date
  /** the counted report before this one in the same cell and class */
  previous_at: Date | null
  path_id: number
}

export interface HotspotStaleTable {
  case_id: string
}

export interface Database {
  hotspot_paths: HotspotPathsTable
  hotspot_reports: HotspotReportsTable
  hotspot_stale: HotspotStaleTable
  evaluation_settings: EvaluationSettingsTable
  evaluation_periods: EvaluationPeriodsTable
  device_models: DeviceModelsTable
  devices: DevicesTable
  telemetry: TelemetryTable
  device_latest: DeviceLatestTable
  iot_rules: IotRulesTable
  alarms: AlarmsTable
  open311_keys: Open311KeysTable
  citizen_reports: CitizenReportsTable
  case_ratings: CaseRatingsTable
  citizen_codes: CitizenCodesTable
  notifications: NotificationsTable
  settings: SettingsTable
  dispatch_rules: DispatchRulesTable
  cases: CasesTable
  case_timeline: CaseTimelineTable
  org_units: OrgUnitsTable
  grid_cells: GridCellsTable
  grid_revision: GridRevisionTable
  grid_cell_people: GridCellPeopleTable
  case_classes: CaseClassesTable
  roles: RolesTable
  users: UsersTable
  sessions: SessionsTable
  audit_log: AuditLogTable
  jobs: JobsTable
  files: FilesTable
}
