// Who is calling: the signed-in user, their unit (which fixes their data scope) and their permissions.
import { AppError } from '../errors.js'
import type { Actor } from '../audit.js'
import type { Permission } from './permissions.js'

export interface Principal {
  userId: string
  username: string
  displayName: string
  unitId: string
  unitName: string
  /** '/…/<unit id>/': the user sees records whose org path starts with this (数据权限). */
  scopePath: string
  roles: string[]
  permissions: ReadonlySet<Permission>
  sessionKind: 'cookie' | 'bearer'
  /** An initial or reset password: until it is changed, only the routes of changing it are open. */
  mustChangePassword: boolean
  tokenHash: string
  ip: string | null
  userAgent: string | null
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission)
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) throw new AppError('FORBIDDEN', {}, { permission })
}

/** True when a record under orgPath lies inside the principal's data scope. */
export function inScope(principal: Principal, orgPath: string): boolean {
  return orgPath.startsWith(principal.scopePath)
}

export function requireScope(principal: Principal, orgPath: string): void {
  if (!inScope(principal, orgPath)) throw new AppError('OUT_OF_SCOPE')
}

export function actorOf(principal: Principal): Actor {
  return { userId: principal.userId, username: principal.username, ip: principal.ip, userAgent: principal.userAgent }
}
