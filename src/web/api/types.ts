// Shapes of the server's JSON, as the API contract defines them; the client functions return these.
import type { Geometry } from 'geojson'

export type Lang = 'zh-CN' | 'en'
export type UnitKind = 'district' | 'street' | 'zone' | 'community' | 'department' | 'sub_unit'
export type BaseMap = 'none' | 'osm' | 'tianditu'
export type Duty = 'supervisor' | 'grid_worker' | 'responsible'
export type Bbox = [number, number, number, number]

export interface ErrorBody {
  error: { code: string; message: string; messages?: Partial<Record<Lang, string>>; details?: unknown }
}

export interface AppConfig {
  districtName: string
  districtNameEn: string
  districtCode: string
  centre: [number, number]
  bbox: Bbox
  baseMap: BaseMap
  tiandituKey?: string
  demo: boolean
  version: string
  /** Not in the first contract: the password policy's minimum length, when the server tells it. */
  passwordMinLength?: number
}

export interface UnitRef {
  id: string
  name: string
  nameEn: string | null
  kind: UnitKind
  code: string
  path: string
}

export interface Me {
  id: string
  username: string
  displayName: string
  phone: string | null
  unit: UnitRef
  roles: string[]
  permissions: string[]
  mustChangePassword: boolean
}

export interface LoginResult {
  token: string
  expiresAt: string
  user: Me
}

export interface Unit {
  id: string
  parentId: string | null
  kind: UnitKind
  code: string
  name: string
  nameEn: string | null
  path: string
  sort: number
  active: boolean
  demo: boolean
  version: number
}

export interface Page<T> {
  items: T[]
  total: number
}

export interface User {
  id: string
  username: string
  displayName: string
  phone: string | null
  unitId: string
  unitName: string
  roles: string[]
  status: 'active' | 'disabled'
  locked: boolean
  lastLoginAt: string | null
  version: number
}

export interface Role {
  key: string
  name: string
  nameEn: string
  permissions: string[]
  builtin: boolean
  version: number
}

export interface Permission {
  key: string
  group: string
  name: string
  nameEn: string
}

export interface CellPerson {
  userId: string
  displayName: string
  duty: Duty
}

export interface Cell {
  id: string
  code: string
  name: string | null
  communityId: string
  communityName: string
  streetId: string
  streetName: string
  areaM2: number
  people: CellPerson[]
  demo: boolean
  version: number
}

export interface CellFeatureProps {
  code: string
  name: string | null
  communityName: string
  streetName: string
  streetCode: string
}

export interface CellCollection {
  type: 'FeatureCollection'
  features: Array<{
    type: 'Feature'
    id?: string | number
    geometry: Geometry
    properties: CellFeatureProps
  }>
}

export interface PlaceRef {
  id: string
  code: string
  name: string
}

export interface LookupResult {
  point: [number, number]
  cell: PlaceRef | null
  community: PlaceRef | null
  street: PlaceRef | null
  district: PlaceRef | null
  people: Array<{ userId: string; displayName: string; phone: string | null; duty: Duty }>
}

export interface ImportResult {
  created: number
  updated: number
  errors: Array<{ index: number; code?: string; message: string; messages?: Partial<Record<Lang, string>> }>
}

export interface CaseClass {
  kind: 'component' | 'event'
  bigCode: string
  bigName: string
  bigNameEn: string | null
  smallCode: string
  smallName: string
  smallNameEn: string | null
  defaultUrgency: 'urgent' | 'important' | 'normal' | 'complex'
  citizenChoice: string | null
  status: 'provisional' | 'official' | 'local'
  active: boolean
}

export interface AuditEntry {
  id: string | number
  at: string
  actorId: string | null
  actorName: string | null
  action: string
  entityType: string | null
  entityId: string | null
  outcome: 'ok' | 'refused' | 'failed'
  ip: string | null
  details: unknown
}
