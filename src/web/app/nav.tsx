// The navigation items: route, icon and the permission that shows each one.
import type { ReactNode } from 'react'
import {
  AimOutlined, AlertOutlined, AreaChartOutlined, DesktopOutlined, ApartmentOutlined, ApiOutlined, ControlOutlined, AppstoreOutlined, AuditOutlined, BorderOuterOutlined, CameraOutlined, EnvironmentOutlined, HomeOutlined,
  InboxOutlined, ProfileOutlined, SafetyCertificateOutlined, ScheduleOutlined, SettingOutlined, TeamOutlined, TrophyOutlined,
} from '@ant-design/icons'

export type NavKey =
  | 'home' | 'field' | 'fieldReport' | 'inbox' | 'cases' | 'command' | 'analysis' | 'screen' | 'iotDevices' | 'iotAlarms' | 'iotRules' | 'map' | 'units' | 'people' | 'roles'
  | 'grid' | 'classes' | 'caseSettings' | 'audit' | 'evaluation'

export interface NavItem {
  key: NavKey
  path: string
  icon: ReactNode
  /** Shown only to users holding this permission; none = everyone signed in. */
  permission?: string
  /** Shown only to users holding one of these roles as well (the field tasks are the supervisor's). */
  roles?: readonly string[]
}

export const NAV_ITEMS: readonly NavItem[] = [
  { key: 'home', path: '/', icon: <HomeOutlined /> },
  { key: 'field', path: '/field', icon: <ScheduleOutlined />, permission: 'case:act', roles: ['supervisor'] },
  { key: 'fieldReport', path: '/field/report', icon: <CameraOutlined />, permission: 'case:report' },
  { key: 'inbox', path: '/inbox', icon: <InboxOutlined />, permission: 'case:act' },
  { key: 'cases', path: '/cases', icon: <ProfileOutlined />, permission: 'case:read' },
  { key: 'command', path: '/command', icon: <AimOutlined />, permission: 'case:read' },
  { key: 'evaluation', path: '/evaluation', icon: <TrophyOutlined />, permission: 'evaluation:read' },
  { key: 'analysis', path: '/analysis', icon: <AreaChartOutlined />, permission: 'analytics:read' },
  // the command screen (大屏) opens full screen, outside the app's frame
  { key: 'screen', path: '/screen', icon: <DesktopOutlined />, permission: 'analytics:read' },
  { key: 'iotDevices', path: '/iot/devices', icon: <ApiOutlined />, permission: 'device:read' },
  { key: 'iotAlarms', path: '/iot/alarms', icon: <AlertOutlined />, permission: 'alarm:read' },
  { key: 'iotRules', path: '/iot/rules', icon: <ControlOutlined />, permission: 'device:read' },
  { key: 'map', path: '/map', icon: <EnvironmentOutlined />, permission: 'map:view' },
  { key: 'units', path: '/units', icon: <ApartmentOutlined />, permission: 'org:read' },
  { key: 'people', path: '/people', icon: <TeamOutlined />, permission: 'user:read' },
  { key: 'roles', path: '/roles', icon: <SafetyCertificateOutlined />, permission: 'role:read' },
  { key: 'grid', path: '/grid', icon: <BorderOuterOutlined />, permission: 'grid:read' },
  { key: 'classes', path: '/classes', icon: <AppstoreOutlined />, permission: 'class:read' },
  { key: 'caseSettings', path: '/case-settings', icon: <SettingOutlined />, permission: 'case:read', roles: ['admin', 'leader', 'dispatcher', 'shift_leader', 'acceptor'] },
  { key: 'audit', path: '/audit', icon: <AuditOutlined />, permission: 'audit:read' },
]

/** Whether the menu shows this item to a user with these permissions and roles. */
export function navAllowed(item: NavItem, can: (permission: string) => boolean, roles: readonly string[]): boolean {
  return (!item.permission || can(item.permission)) && (!item.roles || item.roles.some((role) => roles.includes(role)))
}

/** The item whose route holds this path (longest match), for the menu's selection. */
export function navKeyOf(pathname: string): NavKey | undefined {
  const match = NAV_ITEMS.filter((item) => item.path === '/' ? pathname === '/' : pathname === item.path || pathname.startsWith(`${item.path}/`))
  return match.sort((a, b) => b.path.length - a.path.length)[0]?.key
}
