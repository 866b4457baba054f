// The permission catalogue and the built-in roles of PRODUCT.md as permission sets.

export const PERMISSIONS = {
  'map:view': { group: 'map', name: '查看地图', nameEn: 'View the map' },
  'org:read': { group: 'org', name: '查看组织机构', nameEn: 'View units' },
  'org:write': { group: 'org', name: '维护组织机构', nameEn: 'Edit units' },
  'user:read': { group: 'user', name: '查看人员', nameEn: 'View people' },
  'user:write': { group: 'user', name: '维护人员', nameEn: 'Edit people' },
  'role:read': { group: 'role', name: '查看角色', nameEn: 'View roles' },
  'role:write': { group: 'role', name: '维护角色权限', nameEn: 'Edit roles and permissions' },
  'grid:read': { group: 'grid', name: '查看网格', nameEn: 'View grid cells' },
  'grid:write': { group: 'grid', name: '维护网格', nameEn: 'Edit and import grid cells' },
  'class:read': { group: 'class', name: '查看部件事件分类', nameEn: 'View component/event classes' },
  'class:write': { group: 'class', name: '维护部件事件分类', nameEn: 'Edit component/event classes' },
  'audit:read': { group: 'audit', name: '查看审计日志', nameEn: 'Read the audit log' },
  'case:read': { group: 'case', name: '查看案卷', nameEn: 'View cases' },
  'case:report': { group: 'case', name: '上报/登记案卷', nameEn: 'Report and register cases' },
  'case:configure': { group: 'case', name: '配置派遣规则', nameEn: 'Configure the responsibility matrix' },
  'case:act': { group: 'case', name: '办理案卷', nameEn: 'Act on cases (the workflow decides which steps)' },
  'device:read': { group: 'device', name: '查看物联设备', nameEn: 'View IoT devices and telemetry' },
  'device:write': { group: 'device', name: '维护物联设备与规则', nameEn: 'Edit IoT devices, models and rules' },
  'alarm:read': { group: 'alarm', name: '查看告警', nameEn: 'View alarms' },
  'alarm:act': { group: 'alarm', name: '处理告警', nameEn: 'Acknowledge and clear alarms' },
  'evaluation:read': { group: 'evaluation', name: '查看综合考核', nameEn: 'View evaluation rankings (units and streets: their own rows)' },
  'evaluation:configure': { group: 'evaluation', name: '设置考核权重', nameEn: 'Set evaluation weights and deductions' },
  'evaluation:publish': { group: 'evaluation', name: '发布考核通报', nameEn: 'Publish (freeze) an evaluation period' },
  'analytics:read': { group: 'analytics', name: '查看分析研判与大屏', nameEn: 'View analysis, forecasts and the command screen' },
} as const

export type Permission = keyof typeof PERMISSIONS

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[]

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value)
}

const READ_BASICS: Permission[] = ['map:view', 'grid:read', 'class:read', 'org:read', 'case:read', 'case:act']
/** The command centre watches devices and handles their alarms (物联感知). */
const IOT_WATCH: Permission[] = ['device:read', 'alarm:read', 'alarm:act']
/** The evaluation (综合考核): the centre reads every row; leaders also set weights and publish. */
const EVALUATION_LEAD: Permission[] = ['evaluation:read', 'evaluation:configure', 'evaluation:publish']
/** The city management brain (城管大脑): analysis, forecasts and the command screen, over the user's data scope. */
const ANALYSIS: Permission[] = ['analytics:read']
const FIELD_BASICS: Permission[] = ['map:view', 'grid:read', 'class:read', 'case:read', 'case:act']

/** Built-in roles (PRODUCT.md, "People who use it every day"); admins may change their permission sets. */
export const BUILTIN_ROLES: Array<{ key: string; name: string; nameEn: string; permissions: Permission[] }> = [
  { key: 'admin', name: '系统管理员', nameEn: 'Administrator', permissions: ALL_PERMISSIONS },
  { key: 'leader', name: '领导', nameEn: 'Leader', permissions: [...READ_BASICS, ...IOT_WATCH, ...EVALUATION_LEAD, ...ANALYSIS, 'user:read', 'case:report'] },
  { key: 'shift_leader', name: '值班长', nameEn: 'Shift leader', permissions: [...READ_BASICS, ...IOT_WATCH, 'evaluation:read', ...ANALYSIS, 'user:read', 'case:report'] },
  { key: 'acceptor', name: '受理员', nameEn: 'Acceptor', permissions: [...READ_BASICS, ...IOT_WATCH, 'evaluation:read', ...ANALYSIS, 'case:report'] },
  { key: 'dispatcher', name: '派遣员', nameEn: 'Dispatcher', permissions: [...READ_BASICS, ...IOT_WATCH, 'evaluation:read', ...ANALYSIS, 'user:read'] },
  { key: 'supervisor', name: '监督员', nameEn: 'Field supervisor', permissions: [...FIELD_BASICS, 'case:report'] },
  { key: 'disposal', name: '处置单位人员', nameEn: 'Disposal unit staff', permissions: [...READ_BASICS, 'evaluation:read', ...ANALYSIS] },
  { key: 'officer', name: '执法队员', nameEn: 'Enforcement officer', permissions: [...FIELD_BASICS] },
]
