// Typed client for the server's JSON API: one fetch wrapper (cookie session, Accept-Language, error shape) and a function per route.
import type {
  Alarm, AlarmList, AlarmState, DeviceDetail, DeviceImportReply, DeviceMapReply, DeviceModel, DeviceState, DeviceSummary, IotRule, IotRuleInput, NewDevice, Severity, TelemetrySeries,
  AppConfig, Catalogue, MyReports, PublicCase, PublicMapReply, Publication, Rating, ReporterOf, ReporterView, SubmitReply, AuditEntry, CalendarRules, CalendarYear, CaseLight, CaseMapReply, NotificationList, CaseActionBody, CaseClass, CaseDetail, CaseReport, CaseReportReply, CaseSource, CaseState, CaseSummary, Cell, CellCollection, CellPerson, DispatchRule, DispatchRuleInput, ErrorBody, ImportResult, Lang, LoginResult,
  LookupResult, Me, Page, Permission, Role, StoredFile, Unit, UnitKind, User,
  AnalyticsSummary, EvaluationRanking, Forecast, Hotspots, StreetSources, TrendBy, TrendInterval, Trends,
} from './types'

export type * from './types'

/** Every failed call: HTTP status, the server's stable code, its message in the UI language, and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

let language: Lang = 'zh-CN'
let unauthorizedHandler: (() => void) | undefined

/** The UI language; sent as Accept-Language so the server answers errors in it. */
export function setApiLanguage(lang: Lang): void {
  language = lang
}

/** Called when the session is gone (401 on anything but the login itself). */
export function onUnauthorized(handler: (() => void) | undefined): void {
  unauthorizedHandler = handler
}

type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>

/** The path with its query string; a list becomes the same parameter repeated (state=a&state=b). */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(key, item)
    else params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown
  try {
    body = await res.json()
  } catch {
    body = undefined
  }
  const err = (body as Partial<ErrorBody> | undefined)?.error
  if (err && typeof err.code === 'string') {
    const message = err.messages?.[language] ?? err.message ?? err.code
    return new ApiError(res.status, err.code, message, err.details)
  }
  return new ApiError(res.status, `HTTP_${res.status}`, res.statusText || `HTTP ${res.status}`)
}

const SESSION_CODES = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED', 'HTTP_401'])

export async function request<T>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'include',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    })
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause))
  }
  if (!res.ok) {
    const error = await toApiError(res)
    if (res.status === 401 && SESSION_CODES.has(error.code) && !path.startsWith('/api/auth/login')) unauthorizedHandler?.()
    throw error
  }
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

const get = <T>(path: string, query?: Query, init?: RequestInit) => request<T>('GET', withQuery(path, query), undefined, init)
const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {})
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body)
const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body)
const del = <T>(path: string) => request<T>('DELETE', path)
const id = encodeURIComponent

// Config and session
export const getConfig = () => get<AppConfig>('/api/config')
export const login = (username: string, password: string) => post<LoginResult>('/api/auth/login', { username, password })
export const logout = () => post<{ ok: true }>('/api/auth/logout')
export const getMe = () => get<Me>('/api/auth/me')
export const changePassword = (currentPassword: string, newPassword: string) =>
  post<{ ok: true }>('/api/auth/password', { currentPassword, newPassword })

// Organisation
export interface UnitQuery extends Query { kind?: UnitKind; parentId?: string; q?: string }
export interface NewUnit { parentId: string; kind: UnitKind; code: string; name: string; nameEn?: string; sort?: number }
export interface UnitChange { version: number; name?: string; nameEn?: string | null; sort?: number; active?: boolean }
export const listUnits = (query?: UnitQuery) => get<Page<Unit>>('/api/org/units', query)
export const getUnit = (unitId: string) => get<Unit>(`/api/org/units/${id(unitId)}`)
export const createUnit = (unit: NewUnit) => post<Unit>('/api/org/units', unit)
export const updateUnit = (unitId: string, change: UnitChange) => patch<Unit>(`/api/org/units/${id(unitId)}`, change)

// People
export interface UserQuery extends Query { q?: string; unitId?: string; role?: string; page?: number; pageSize?: number }
export interface NewUser { username: string; displayName: string; phone?: string; unitId: string; roles: string[]; password: string }
export interface UserChange {
  version: number; displayName?: string; phone?: string | null; unitId?: string; roles?: string[]; status?: User['status']
}
export const listUsers = (query?: UserQuery) => get<Page<User>>('/api/users', query)
export const createUser = (user: NewUser) => post<User>('/api/users', user)
export const updateUser = (userId: string, change: UserChange) => patch<User>(`/api/users/${id(userId)}`, change)
export const unlockUser = (userId: string) => post<User>(`/api/users/${id(userId)}/unlock`)
export const resetPassword = (userId: string, password: string) =>
  post<{ ok: true }>(`/api/users/${id(userId)}/reset-password`, { password })

// Roles and permissions
export interface RoleChange { version: number; name: string; nameEn: string; permissions: string[] }
export const listRoles = () => get<{ items: Role[] }>('/api/roles')
export const updateRole = (key: string, change: RoleChange) => put<Role>(`/api/roles/${id(key)}`, change)
export const listPermissions = () => get<{ items: Permission[] }>('/api/permissions')

// Grid
export interface CellQuery extends Query { q?: string; streetId?: string; communityId?: string; page?: number; pageSize?: number }
export const listCells = (query?: CellQuery) => get<Page<Cell>>('/api/grid/cells', query)
export const cellsGeoJson = (bbox: [number, number, number, number], signal?: AbortSignal, limit?: number) =>
  get<CellCollection>('/api/grid/cells.geojson', { bbox: bbox.map((n) => n.toFixed(6)).join(','), limit }, { signal })
export const lookup = (lng: number, lat: number, crs: 'wgs84' | 'gcj02' | 'bd09' = 'wgs84') =>
  get<LookupResult>('/api/grid/lookup', { lng: lng.toFixed(7), lat: lat.toFixed(7), crs })
export const setCellPeople = (cellId: string, people: Array<Pick<CellPerson, 'userId' | 'duty'>>) =>
  put<Cell>(`/api/grid/cells/${id(cellId)}/people`, { people })
/** Where the caller's map should open: the extent of the cells in their data scope (null when none). */
export const gridExtent = () => get<{ bbox: [number, number, number, number] | null }>('/api/grid/extent')
export const cellsExportUrl = (streetId?: string) => withQuery('/api/grid/cells/export', { streetId })

/** Sends a request through XMLHttpRequest (fetch cannot report upload progress), answering like request(). */
function xhrRequest<T>(path: string, body: XMLHttpRequestBodyInit, contentType: string | null, onProgress?: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.withCredentials = true
    if (contentType) xhr.setRequestHeader('Content-Type', contentType)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Accept-Language', language)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total)
    }
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'Network error'))
    xhr.onload = () => {
      const res = new Response(xhr.responseText || null, { status: xhr.status, statusText: xhr.statusText })
      if (xhr.status >= 200 && xhr.status < 300) {
        res.json().then((result) => resolve(result as T), reject)
      } else {
        toApiError(res).then((error) => {
          if (xhr.status === 401 && SESSION_CODES.has(error.code)) unauthorizedHandler?.()
          reject(error)
        }, reject)
      }
    }
    xhr.send(body)
  })
}

/** Uploads a FeatureCollection with upload progress (fetch cannot report it), answering like request(). */
export function importCells(collection: unknown, onProgress?: (fraction: number) => void): Promise<ImportResult> {
  return xhrRequest<ImportResult>('/api/grid/cells/import', JSON.stringify(collection), 'application/json', onProgress)
}

// Classes and audit
export const listClasses = (kind?: CaseClass['kind']) => get<{ items: CaseClass[] }>('/api/classes', { kind })
export const importClasses = (csv: string) => post<{ imported: number }>('/api/classes/import', { csv })
export interface AuditQuery extends Query {
  action?: string; actorId?: string; entityType?: string; entityId?: string; from?: string; to?: string; page?: number; pageSize?: number
}
export const listAudit = (query?: AuditQuery) => get<Page<AuditEntry>>('/api/audit', query)

// Cases
export interface CaseQuery extends Query {
  state?: readonly CaseState[]; classCode?: string; streetId?: string; assignedUnitId?: string; source?: CaseSource
  from?: string; to?: string; overdue?: boolean; page?: number; pageSize?: number
  /** created: newest first (default); deadline: nearest first; light: red, yellow, green. */
  sort?: 'created' | 'deadline' | 'light'
  /** Only cases dispatched to my unit or one under it. */
  mine?: boolean
  /** Only cases in the grid cells I am the responsible supervisor of. */
  myCells?: boolean
  /** review: an unsatisfied citizen rating waits for the centre (keep closed or reopen). */
  pending?: 'extension' | 'suspension' | 'review'
  light?: readonly CaseLight[]
}
export type CaseAction = Omit<CaseActionBody, 'version'>
export const listCases = (query?: CaseQuery, init?: RequestInit) => get<Page<CaseSummary>>('/api/cases', query, init)
export const getCase = (caseId: string) => get<CaseDetail>(`/api/cases/${id(caseId)}`)
/** One workflow step over the version the user saw; 409 CONFLICT when someone acted first. */
export const actOnCase = (caseId: string, version: number, action: CaseAction) =>
  post<CaseDetail>(`/api/cases/${id(caseId)}/actions`, { version, ...action })
export const reportCase = (report: CaseReport) => post<CaseReportReply>('/api/cases', report)
/** A report and its photos in one multipart request (stored together, one transaction), with upload progress. */
export function reportCaseWithPhotos(report: Omit<CaseReport, 'photoIds'>, photos: ReadonlyArray<{ blob: Blob; name: string }>, onProgress?: (fraction: number) => void): Promise<CaseReportReply> {
  const form = new FormData()
  for (const [name, value] of Object.entries(report)) if (value !== undefined && value !== null) form.append(name, String(value))
  for (const photo of photos) form.append('photo', photo.blob, photo.name)
  return xhrRequest<CaseReportReply>('/api/cases', form, null, onProgress)
}
export interface CaseMapQuery extends Query {
  bbox?: string; light?: readonly CaseLight[]; state?: readonly CaseState[]; classCode?: string; streetId?: string; source?: CaseSource
}
/** Open cases in a box (minLng,minLat,maxLng,maxLat), most pressing first, for the command map. */
export const caseMap = (query: CaseMapQuery, init?: RequestInit) => get<CaseMapReply>('/api/cases/map', query, init)

/**
 * Downloads the cases the filters match as the server writes them (Excel or CSV), reporting progress as the bytes
 * arrive: `done` counts bytes for Excel and records for CSV (one CRLF ends each), `total` is the number of cases (the
 * X-Total-Count header). Errors arrive as ApiError like every other call.
 */
export async function exportCases(format: 'xlsx' | 'csv', query: Omit<CaseQuery, 'page' | 'pageSize' | 'sort'>, onProgress: (done: number, total: number) => void, signal?: AbortSignal): Promise<Blob> {
  const res = await fetch(withQuery(`/api/cases/export.${format}`, query), { credentials: 'include', headers: { 'Accept-Language': language }, signal: signal ?? null })
  if (!res.ok) throw await toApiError(res)
  const total = Number(res.headers.get('x-total-count') ?? 0)
  const reader = res.body?.getReader()
  if (!reader) return res.blob()
  const parts: Uint8Array[] = []
  let bytes = 0
  let records = -1 // the heading's CRLF is not a case
  let previous = 0 // the byte before this chunk
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    bytes += value.length
    if (format === 'csv') {
      for (let i = value.indexOf(0x0a); i !== -1; i = value.indexOf(0x0a, i + 1)) if ((i > 0 ? value[i - 1] : previous) === 0x0d) records++
      previous = value[value.length - 1] ?? previous
    }
    onProgress(format === 'csv' ? Math.max(0, records) : bytes, total)
  }
  return new Blob(parts as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' })
}

// Notifications
export const listNotifications = (query?: { unread?: boolean; limit?: number }) => get<NotificationList>('/api/notifications', query)
export const markNotificationsRead = (ids?: string[]) => post<{ changed: number }>('/api/notifications/read', ids ? { ids } : {})

// Responsibility matrix
export const listDispatchRules = () => get<{ items: DispatchRule[] }>('/api/dispatch-rules')
/** Creates the rule for that class in that area, or replaces the one there is. */
export const putDispatchRule = (rule: DispatchRuleInput) => post<DispatchRule>('/api/dispatch-rules', rule)
export const removeDispatchRule = (ruleId: string) => del<{ ok: true }>(`/api/dispatch-rules/${id(ruleId)}`)

// Working calendar
export const getCalendar = (year: number) => get<CalendarYear>('/api/calendar', { year })
export const putCalendar = (rules: CalendarRules) => put<CalendarRules>('/api/calendar', rules)

// Files (photos)
/** Uploads one file as multipart field `file`, with upload progress. */
export function uploadFile(file: Blob, fileName: string, onProgress?: (fraction: number) => void): Promise<StoredFile> {
  const form = new FormData()
  form.append('file', file, fileName)
  return xhrRequest<StoredFile>('/api/files', form, null, onProgress)
}
export const fileUrl = (fileId: string) => `/api/files/${id(fileId)}`
export const thumbnailUrl = (fileId: string) => `/api/files/${id(fileId)}/thumbnail`

// Citizen service, staff side
/** A citizen report's contact (phone, name), channel, suspicion and ratings; staff who see the case. */
export const getCaseCitizen = (caseId: string) => get<ReporterOf>(`/api/cases/${id(caseId)}/citizen`)
/** Publishes the report text and the chosen photos (the others become private) and sets the reply to the reporter. */
export const putPublication = (caseId: string, publication: Publication) => put<{ ok: true }>(`/api/cases/${id(caseId)}/publication`, publication)

// Citizen service, public side (no sign-in)
export const getCatalogue = () => get<Catalogue>('/api/public/catalogue')
export interface CitizenReport {
  serviceCode: string
  description?: string
  lng: number
  lat: number
  crs: 'wgs84' | 'gcj02'
  address?: string
  phone?: string
  clientId: string
  attributes?: Record<string, string | string[]>
}
/** Sends a citizen's report with up to three photos as multipart (field "photo"), with upload progress. */
export function submitCitizenReport(report: CitizenReport, photos: Array<{ blob: Blob; name: string }>, onProgress?: (fraction: number) => void): Promise<SubmitReply> {
  const form = new FormData()
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined || value === '') continue
    form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value))
  }
  for (const photo of photos) form.append('photo', photo.blob, photo.name)
  return xhrRequest<SubmitReply>('/api/public/reports', form, null, onProgress)
}
export const publicReport = (ticket: string) => get<PublicCase>(`/api/public/reports/${id(ticket)}`)
export const followReport = (token: string) => get<ReporterView>(`/api/public/follow/${id(token)}`)
export const rateReport = (token: string, rating: Rating, comment?: string) =>
  post<ReporterView>(`/api/public/follow/${id(token)}/rating`, { rating, ...(comment?.trim() ? { comment: comment.trim() } : {}) })
export const requestCode = (phone: string) => post<{ expiresInSeconds: number }>('/api/public/codes', { phone })
export const verifyCode = (phone: string, code: string) => post<MyReports>('/api/public/codes/verify', { phone, code })
export const publicMap = (bbox: [number, number, number, number], init?: RequestInit) =>
  get<PublicMapReply>('/api/public/map', { bbox: bbox.map((n) => n.toFixed(6)).join(',') }, init)

// ---- Open311 API keys (admins) ---------------------------------------------------------------------------------

export interface Open311Key {
  id: string
  name: string
  keyHint: string
  requestsPerMinute: number
  webhookUrl: string | null
  createdAt: string
  revokedAt: string | null
}

export const listOpen311Keys = () => request<{ items: Open311Key[] }>('GET', '/api/open311/keys')
export const createOpen311Key = (body: { name: string; requestsPerMinute?: number; webhookUrl?: string }) =>
  request<Open311Key & { key: string; webhookSecret: string | null }>('POST', '/api/open311/keys', body)
export const revokeOpen311Key = (id: string) => request<Open311Key>('POST', `/api/open311/keys/${id}/revoke`)

// ---- IoT (物联感知) ----------------------------------------------------------------------------------------------

export const listDeviceModels = () => get<{ items: DeviceModel[] }>('/api/iot/models')
export interface DeviceQuery extends Query {
  q?: string; model?: string; state?: DeviceState; streetId?: string
  /** open: with an open alarm; none: without; a severity: with an open alarm of it. */
  alarm?: 'open' | 'none' | Severity
  page?: number; pageSize?: number
}
export const listDevices = (query?: DeviceQuery) => get<Page<DeviceSummary>>('/api/iot/devices', query)
export const deviceMap = (query?: Omit<DeviceQuery, 'page' | 'pageSize'>, init?: RequestInit) => get<DeviceMapReply>('/api/iot/devices/map', query, init)
export const getDevice = (deviceId: string) => get<DeviceDetail>(`/api/iot/devices/${id(deviceId)}`)
/** Registers a device; its access token is in the answer, this once. */
export const createDevice = (device: NewDevice) => post<{ device: DeviceDetail; token: string }>('/api/iot/devices', device)
/** A new access token (the old one is refused at once), shown this once. */
export const rotateDeviceToken = (deviceId: string) => post<{ token: string }>(`/api/iot/devices/${id(deviceId)}/token`)
/** Revokes the token: the device is refused until a new one is issued. */
export const revokeDeviceToken = (deviceId: string) => del<{ ok: true }>(`/api/iot/devices/${id(deviceId)}/token`)
/** Uploads a CSV or Excel file of devices (multipart `file`) with upload progress; a dry run only checks it. */
export function importDevices(file: File, dryRun: boolean, onProgress?: (fraction: number) => void): Promise<DeviceImportReply> {
  const form = new FormData()
  form.append('file', file, file.name)
  return xhrRequest<DeviceImportReply>(withQuery('/api/iot/devices/import', { dryRun }), form, null, onProgress)
}
export const deviceTemplateUrl = '/api/iot/devices/import/template.xlsx'
export interface TelemetryQuery extends Query { key: string; from: string; to: string; points?: number }
export const deviceTelemetry = (deviceId: string, query: TelemetryQuery, init?: RequestInit) =>
  get<TelemetrySeries>(`/api/iot/devices/${id(deviceId)}/telemetry`, query, init)

/** The rules of a model (its own and its devices'), or those that apply to one device (overridden ones marked). */
export const listIotRules = (query: { model?: string; deviceId?: string }) => get<{ items: IotRule[] }>('/api/iot/rules', query)
/** A rule of a model, or of one device of it (deviceId). */
export const createIotRule = (rule: IotRuleInput & { modelKey: string; deviceId: string | null }) => post<IotRule>('/api/iot/rules', rule)
/** Saves a rule over the version the user saw; 409 CONFLICT when someone changed it first. */
export const updateIotRule = (ruleId: string, version: number, rule: IotRuleInput) => put<IotRule>(`/api/iot/rules/${id(ruleId)}`, { ...rule, version })

export interface AlarmQuery extends Query {
  /** open: active or acknowledged. */
  state?: AlarmState | 'open'; severity?: Severity; model?: string; deviceId?: string; streetId?: string; page?: number; pageSize?: number
}
export const listAlarms = (query?: AlarmQuery, init?: RequestInit) => get<AlarmList>('/api/iot/alarms', query, init)
export const acknowledgeAlarm = (alarmId: string) => post<Alarm>(`/api/iot/alarms/${id(alarmId)}/acknowledge`)
export const clearAlarm = (alarmId: string, comment: string) => post<Alarm>(`/api/iot/alarms/${id(alarmId)}/clear`, { comment })

// The city management brain (城管大脑)
export interface PeriodQuery extends Query { from?: string; to?: string }
export const analyticsSummary = (init?: RequestInit) => get<AnalyticsSummary>('/api/analytics/summary', undefined, init)
export const analyticsTrends = (query: PeriodQuery & { by: TrendBy; interval: TrendInterval; limit?: number }, init?: RequestInit) =>
  get<Trends>('/api/analytics/trends', query, init)
export const analyticsHotspots = (query: PeriodQuery & { withinDays?: number; limit?: number }, init?: RequestInit) =>
  get<Hotspots>('/api/analytics/hotspots', query, init)
export const analyticsStreetSources = (query: PeriodQuery & { top?: number }, init?: RequestInit) => get<StreetSources>('/api/analytics/street-sources', query, init)
export interface ForecastQuery extends Query { classKind?: string; classCode?: string; streetId?: string; horizon?: number; historyDays?: number; backtestWeeks?: number }
export const analyticsForecast = (query: ForecastQuery, init?: RequestInit) => get<Forecast>('/api/analytics/forecast', query, init)

/**
 * The evaluation module's monthly ranking, or null while there is none: the route answers 404 until that module is
 * deployed, and an empty list before the first month is counted.
 */
export async function evaluationRankings(subject: 'units' | 'streets', period?: string, init?: RequestInit): Promise<EvaluationRanking | null> {
  try {
    const ranking = await get<EvaluationRanking>('/api/evaluation/rankings', { subject, period }, init)
    return ranking.rows?.length ? ranking : null
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return null
    throw error
  }
}
