// The one error hierarchy: every failure a client sees is an AppError with a stable code and zh-CN/en messages.

export type Locale = 'zh-CN' | 'en'

interface ErrorDef {
  status: number
  'zh-CN': string
  en: string
}

/** Stable error codes. Clients and scripts match on these; never rename one. */
export const ERRORS = {
  BAD_REQUEST: { status: 400, 'zh-CN': '请求参数有误：{reason}', en: 'Invalid request: {reason}' },
  VALIDATION_FAILED: { status: 400, 'zh-CN': '请求数据未通过校验', en: 'The request did not pass validation' },
  INVALID_JSON: { status: 400, 'zh-CN': '请求体不是合法的 JSON', en: 'The request body is not valid JSON' },
  INVALID_GEOMETRY: { status: 400, 'zh-CN': '几何图形无效：{reason}', en: 'Invalid geometry: {reason}' },
  PAGE_TOO_DEEP: { status: 400, 'zh-CN': '列表只能翻阅前 {cap} 条结果，请缩小筛选范围，或导出全部', en: 'A list pages through its first {cap} matches only; narrow the filters, or export them all' },
  WEAK_PASSWORD: { status: 400, 'zh-CN': '密码不符合安全策略：{reason}', en: 'The password does not meet the policy: {reason}' },
  UNAUTHENTICATED: { status: 401, 'zh-CN': '请先登录', en: 'Please sign in first' },
  SESSION_EXPIRED: { status: 401, 'zh-CN': '会话已过期，请重新登录', en: 'Your session has expired; please sign in again' },
  INVALID_CREDENTIALS: { status: 401, 'zh-CN': '用户名或密码错误', en: 'Wrong user name or password' },
  ACCOUNT_LOCKED: { status: 423, 'zh-CN': '账号已锁定，请 {minutes} 分钟后再试或联系管理员', en: 'The account is locked; try again in {minutes} minutes or ask an administrator' },
  ACCOUNT_DISABLED: { status: 403, 'zh-CN': '账号已停用', en: 'The account is disabled' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, 'zh-CN': '请先修改初始密码', en: 'Change your initial password first' },
  FORBIDDEN: { status: 403, 'zh-CN': '没有执行此操作的权限', en: 'You are not allowed to do this' },
  INVALID_API_KEY: { status: 403, 'zh-CN': 'api_key 缺失、无效或已吊销', en: 'Missing, invalid or revoked api_key' },
  INVALID_DEVICE_TOKEN: { status: 401, 'zh-CN': '设备令牌无效或已吊销', en: 'Unknown or revoked device token' },
  TELEMETRY_REJECTED: { status: 400, 'zh-CN': '设备数据格式有误（{reason}），已拒收并计数', en: 'Malformed device message ({reason}); refused and counted' },
  OUT_OF_SCOPE: { status: 403, 'zh-CN': '该数据不在您的管辖范围内', en: 'This record is outside your data scope' },
  NOT_FOUND: { status: 404, 'zh-CN': '未找到{what}', en: '{what} not found' },
  ROUTE_NOT_FOUND: { status: 404, 'zh-CN': '接口不存在', en: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, 'zh-CN': '不支持该请求方法', en: 'Method not allowed' },
  CONFLICT: { status: 409, 'zh-CN': '数据冲突：{reason}', en: 'Conflict: {reason}' },
  PAYLOAD_TOO_LARGE: { status: 413, 'zh-CN': '请求体过大', en: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, 'zh-CN': '不支持的内容类型', en: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; please try again later' },
  UNAVAILABLE: { status: 503, 'zh-CN': '服务暂不可用：{reason}', en: 'Service unavailable: {reason}' },
  INTERNAL: { status: 500, 'zh-CN': '服务器内部错误', en: 'Internal server error' },
  // IoT device registry (modules/iot)
  DEVICE_MODEL_UNKNOWN: { status: 400, 'zh-CN': '不存在的设备型号：{model}', en: 'Unknown device model: {model}' },
  DEVICE_CODE_TAKEN: { status: 409, 'zh-CN': '设备编号 {code} 已存在', en: 'Device code {code} is already in use' },
  DEVICE_CODE_REPEATED: { status: 400, 'zh-CN': '设备编号 {code} 在文件中重复（首次出现在第 {first} 行）', en: 'Device code {code} appears twice in the file (first on row {first})' },
  DEVICE_OUTSIDE_DISTRICT: { status: 400, 'zh-CN': '位置 ({lng}, {lat}) 不在本区任何网格内', en: 'The position ({lng}, {lat}) lies in no grid cell of the district' },
  DEVICE_POSITION_INCOMPLETE: { status: 400, 'zh-CN': '经度和纬度须同时填写或同时留空', en: 'Give both longitude and latitude, or neither' },
  DEVICE_OWNER_UNKNOWN: { status: 400, 'zh-CN': '找不到权属单位：{unit}', en: 'No such owner unit: {unit}' },
  DEVICE_FIELD_REQUIRED: { status: 400, 'zh-CN': '{column}不能为空', en: '{column} is required' },
  DEVICE_FIELD_INVALID: { status: 400, 'zh-CN': '{column}有误：{reason}', en: 'Invalid {column}: {reason}' },
  DEVICE_IMPORT_UNREADABLE: { status: 400, 'zh-CN': '无法读取导入文件：{reason}', en: 'The import file cannot be read: {reason}' },
  DEVICE_IMPORT_TOO_MANY_ROWS: { status: 400, 'zh-CN': '导入文件有 {rows} 行，超过上限 {limit} 行，请分批导入', en: 'The import file has {rows} rows, more than the limit of {limit}; import it in parts' },
  TELEMETRY_KEY_UNKNOWN: { status: 400, 'zh-CN': '型号 {model} 没有可绘图的数值项 {key}', en: 'Model {model} has no numeric telemetry key {key}' },
  TELEMETRY_RANGE_INVALID: { status: 400, 'zh-CN': '时间范围有误：{reason}', en: 'Invalid time range: {reason}' },
} as const satisfies Record<string, ErrorDef>

export type ErrorCode = keyof typeof ERRORS

/** A parameter is the same in both languages, or given per language. */
export type ErrorParams = Record<string, string | number | Record<Locale, string>>

export class AppError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    readonly details?: unknown,
  ) {
    super(formatMessage(code, 'en', params))
    this.name = 'AppError'
    this.status = ERRORS[code].status
  }
}

export function formatMessage(code: ErrorCode, locale: Locale, params: ErrorParams = {}): string {
  return ERRORS[code][locale].replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key]
    if (value === undefined) return ''
    return typeof value === 'object' ? value[locale] : String(value)
  })
}

/** zh-CN unless the client prefers English first. */
export function pickLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh-CN'
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? ''
  return first.startsWith('en') ? 'en' : 'zh-CN'
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; messages: Record<Locale, string>; details?: unknown }
}

export function errorBody(err: AppError, locale: Locale): ErrorBody {
  const messages = { 'zh-CN': formatMessage(err.code, 'zh-CN', err.params), en: formatMessage(err.code, 'en', err.params) }
  return { error: { code: err.code, message: messages[locale], messages, ...(err.details === undefined ? {} : { details: err.details }) } }
}

/** NOT_FOUND naming its subject in both languages: notFound('用户', 'user'). */
export const notFound = (zh: string, en: string) => new AppError('NOT_FOUND', { what: { 'zh-CN': zh, en } })
