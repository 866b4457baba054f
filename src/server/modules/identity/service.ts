// Identity use cases: sign-in with lockout, users and their roles, role permission sets; every change audited.
import type { FastifyRequest } from 'fastify'
import type { Db } from '../../platform/db/engine.js'
import { type Actor, audit } from '../../platform/audit.js'
import { isPermission, type Permission } from '../../platform/auth/permissions.js'
import { actorOf, type Principal, requirePermission, requireScope } from '../../platform/auth/principal.js'
import { AppError, notFound } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import type { OrgService } from '../org/service.js'
import { staleVersion } from '../org/service.js'
import { checkPasswordPolicy, dummyVerify, hashPassword, type PasswordPolicy, verifyPassword } from './passwords.js'
import * as repo from './repository.js'
import type { UserRow } from './repository.js'
import { hashToken, Sessions, type SessionPolicy } from './sessions.js'

export interface IdentityPolicy extends SessionPolicy, PasswordPolicy {
  lockoutThreshold: number
  lockoutMinutes: number
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

const requestActor = (request: FastifyRequest, user?: { id: string; username: string }): Actor => ({
  userId: user?.id ?? null,
  username: user?.username ?? null,
  ip: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
})

export class IdentityService {
  readonly sessions: Sessions
  private rolePermissions = new Map<string, ReadonlySet<Permission>>()
  private roleLoads = 0

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly org: OrgService,
    private readonly policy: IdentityPolicy,
  ) {
    this.sessions = new Sessions(db, events, org, (roles) => this.permissionsOf(roles), policy)
    events.on('auth.roles.changed', () => void this.loadRoles())
  }

  async loadRoles(): Promise<void> {
    const load = ++this.roleLoads
    const roles = await repo.listRoles(this.db.kysely)
    if (load !== this.roleLoads) return // a later load read newer rows
    this.rolePermissions = new Map(roles.map((role) => [role.key, new Set(role.permissions.filter(isPermission))]))
  }

  permissionsOf(roles: string[]): ReadonlySet<Permission> {
    if (roles.length === 1) return this.rolePermissions.get(roles[0] as string) ?? new Set()
    const all = new Set<Permission>()
    for (const role of roles) for (const permission of this.rolePermissions.get(role) ?? []) all.add(permission)
    return all
  }

  async login(request: FastifyRequest, username: string, password: string, kind: 'cookie' | 'bearer') {
    const user = await repo.findUserByUsername(this.db.kysely, username)
    const refuse = async (reason: string, actor: Actor) => {
      await audit(this.db.kysely, actor, { action: 'auth.login', entityType: 'user', entityId: user?.id ?? username.slice(0, 64), outcome: 'refused', details: { reason } })
    }
    if (!user) {
      await dummyVerify(password)
      await refuse('unknown user', requestActor(request))
      throw new AppError('INVALID_CREDENTIALS')
    }
    const actor = requestActor(request, user)
    const lockedMinutes = minutesUntil(user.locked_until)
    if (lockedMinutes > 0) {
      await refuse('locked', actor)
      throw new AppError('ACCOUNT_LOCKED', { minutes: lockedMinutes })
    }
    if (!(await verifyPassword(user.password_hash, password))) {
      const after = await repo.recordFailedLogin(this.db.kysely, user.id, this.policy.lockoutThreshold, this.policy.lockoutMinutes)
      const nowLocked = minutesUntil(after.locked_until)
      await refuse(nowLocked > 0 ? 'wrong password; account locked' : 'wrong password', actor)
      if (nowLocked > 0) throw new AppError('ACCOUNT_LOCKED', { minutes: nowLocked })
      throw new AppError('INVALID_CREDENTIALS')
    }
    if (user.status !== 'active') {
      await refuse('disabled', actor)
      throw new AppError('ACCOUNT_DISABLED')
    }
    await repo.recordLogin(this.db.kysely, user.id)
    const session = await this.sessions.create(user.id, kind, request.ip, request.headers['user-agent'] ?? null)
    await audit(this.db.kysely, actor, { action: 'auth.login', entityType: 'user', entityId: user.id, details: { kind } })
    return { ...session, user }
  }

  async logout(principal: Principal): Promise<void> {
    await this.sessions.revoke(principal.tokenHash)
    await audit(this.db.kysely, actorOf(principal), { action: 'auth.logout', entityType: 'user', entityId: principal.userId })
  }

  async logoutToken(token: string): Promise<void> {
    await this.sessions.revoke(hashToken(token))
  }

  async me(principal: Principal) {
    const user = await repo.findUserById(this.db.kysely, principal.userId)
    if (!user) throw new AppError('UNAUTHENTICATED')
    const unit = this.org.unit(user.unit_id)
    return {
      id: user.id,
      username: user.username,
      displayName: user.display_name,
      phone: user.phone,
      unit: { id: user.unit_id, name: unit?.name ?? '', nameEn: unit?.nameEn ?? null, kind: unit?.kind ?? 'district', code: unit?.code ?? '', path: unit?.path ?? '' },
      roles: user.roles,
      permissions: [...principal.permissions].sort(),
      mustChangePassword: user.must_change_password,
    }
  }

  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await repo.findUserById(this.db.kysely, principal.userId)
    if (!user) throw new AppError('UNAUTHENTICATED')
    if (!(await verifyPassword(user.password_hash, currentPassword))) throw new AppError('INVALID_CREDENTIALS')
    checkPasswordPolicy(newPassword, user.username, this.policy)
    if (await verifyPassword(user.password_hash, newPassword)) {
      throw new AppError('WEAK_PASSWORD', { reason: { 'zh-CN': '新密码不能与旧密码相同', en: 'the new password must differ from the old one' } })
    }
    const passwordHash = await hashPassword(newPassword)
    await this.db.kysely.transaction().execute(async (trx) => {
      await repo.setPassword(trx, user.id, passwordHash, false)
      await audit(trx, actorOf(principal), { action: 'user.password.change', entityType: 'user', entityId: user.id })
    })
    await this.sessions.userChanged(user.id, false)
  }

  // users

  private present(row: UserRow): User {
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      phone: row.phone,
      unitId: row.unit_id,
      unitName: this.org.unit(row.unit_id)?.name ?? '',
      roles: row.roles,
      status: row.status,
      locked: minutesUntil(row.locked_until) > 0,
      lastLoginAt: row.last_login_at?.toISOString() ?? null,
      version: row.version,
    }
  }

  private async scopedUser(principal: Principal, id: string): Promise<UserRow> {
    const row = await repo.findUserById(this.db.kysely, id)
    if (!row) throw notFound('用户', 'user')
    requireScope(principal, this.org.unit(row.unit_id)?.path ?? '')
    return row
  }

  private unitInScope(principal: Principal, unitId: string) {
    const unit = this.org.unit(unitId)
    if (!unit) throw notFound('单位', 'unit')
    requireScope(principal, unit.path)
    return unit
  }

  private checkRoles(roles: string[]): void {
    const unknown = roles.filter((role) => !this.rolePermissions.has(role)) // the roles held in memory, kept current by events
    if (unknown.length) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `不存在的角色：${unknown.join(', ')}`, en: `unknown roles: ${unknown.join(', ')}` } })
  }

  async listUsers(principal: Principal, filter: { q?: string | undefined; unitId?: string | undefined; role?: string | undefined }, page: number, pageSize: number) {
    const scope = filter.unitId ? this.unitInScope(principal, filter.unitId).path : principal.scopePath
    const unitIds = scope === this.org.district()?.path ? undefined : this.org.idsUnder(scope)
    const { items, total } = await repo.listUsers(this.db.kysely, { q: filter.q, role: filter.role, unitIds }, page, pageSize)
    return { items: items.map((row) => this.present(row)), total }
  }

  async getUser(principal: Principal, id: string): Promise<User> {
    return this.present(await this.scopedUser(principal, id))
  }

  /** Brief facts of users for other modules (e.g. the people responsible for a grid cell). */
  async briefs(ids: string[]): Promise<Map<string, { displayName: string; phone: string | null }>> {
    const rows = await repo.findUsersByIds(this.db.kysely, [...new Set(ids)])
    return new Map(rows.map((row) => [row.id, { displayName: row.display_name, phone: row.phone }]))
  }

  async createUser(principal: Principal, input: { username: string; displayName: string; phone?: string | undefined; unitId: string; roles: string[]; password: string }): Promise<User> {
    requirePermission(principal, 'user:write')
    this.unitInScope(principal, input.unitId)
    this.checkRoles(input.roles)
    if (await repo.findUserByUsername(this.db.kysely, input.username)) {
      throw new AppError('CONFLICT', { reason: { 'zh-CN': `用户名 ${input.username} 已存在`, en: `user name ${input.username} is taken` } })
    }
    checkPasswordPolicy(input.password, input.username, this.policy)
    const passwordHash = await hashPassword(input.password)
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const created = await repo.insertUser(trx, { username: input.username, display_name: input.displayName, phone: input.phone ?? null, unit_id: input.unitId, roles: input.roles, password_hash: passwordHash, must_change_password: true })
      await audit(trx, actorOf(principal), { action: 'user.create', entityType: 'user', entityId: created.id, details: { username: created.username, unitId: created.unit_id, roles: created.roles } })
      return created
    })
    return this.present(row)
  }

  async updateUser(principal: Principal, id: string, input: { version: number; displayName?: string | undefined; phone?: string | null | undefined; unitId?: string | undefined; roles?: string[] | undefined; status?: 'active' | 'disabled' | undefined }): Promise<User> {
    requirePermission(principal, 'user:write')
    const before = await this.scopedUser(principal, id)
    if (input.unitId) this.unitInScope(principal, input.unitId)
    if (input.roles) this.checkRoles(input.roles)
    if (id === principal.userId && input.status === 'disabled') {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '不能停用自己的账号', en: 'you cannot disable your own account' } })
    }
    const changes = {
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.phone !== undefined ? { phone: input.phone } : {}),
      ...(input.unitId !== undefined ? { unit_id: input.unitId } : {}),
      ...(input.roles !== undefined ? { roles: input.roles } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
    }
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await repo.updateUser(trx, id, input.version, changes)
      if (!updated) throw staleVersion()
      await audit(trx, actorOf(principal), { action: 'user.update', entityType: 'user', entityId: id, details: { before: { displayName: before.display_name, phone: before.phone, unitId: before.unit_id, roles: before.roles, status: before.status }, changes } })
      return updated
    })
    await this.sessions.userChanged(id, input.status === 'disabled')
    return this.present(row)
  }

  async unlock(principal: Principal, id: string): Promise<User> {
    requirePermission(principal, 'user:write')
    await this.scopedUser(principal, id)
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await repo.unlockUser(trx, id)
      await audit(trx, actorOf(principal), { action: 'user.unlock', entityType: 'user', entityId: id })
      return updated
    })
    if (!row) throw notFound('用户', 'user')
    return this.present(row)
  }

  async resetPassword(principal: Principal, id: string, password: string): Promise<void> {
    requirePermission(principal, 'user:write')
    const user = await this.scopedUser(principal, id)
    checkPasswordPolicy(password, user.username, this.policy)
    const passwordHash = await hashPassword(password)
    await this.db.kysely.transaction().execute(async (trx) => {
      await repo.setPassword(trx, id, passwordHash, true)
      await audit(trx, actorOf(principal), { action: 'user.password.reset', entityType: 'user', entityId: id })
    })
    await this.sessions.userChanged(id, true)
  }

  // roles

  async listRoles(): Promise<Role[]> {
    return (await repo.listRoles(this.db.kysely)).map((row) => ({ key: row.key, name: row.name, nameEn: row.name_en, permissions: row.permissions, builtin: row.builtin, version: row.version }))
  }

  async updateRole(principal: Principal, key: string, input: { version: number; name: string; nameEn: string; permissions: string[] }): Promise<Role> {
    requirePermission(principal, 'role:write')
    const unknown = input.permissions.filter((p) => !isPermission(p))
    if (unknown.length) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `不存在的权限：${unknown.join(', ')}`, en: `unknown permissions: ${unknown.join(', ')}` } })
    const before = await repo.findRole(this.db.kysely, key)
    if (!before) throw notFound('角色', 'role')
    if (key === 'admin' && principal.roles.includes('admin') && !input.permissions.includes('role:write')) {
      throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': '不能移除管理员的角色维护权限', en: 'the admin role must keep role:write' } })
    }
    const permissions = [...new Set(input.permissions)].sort()
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await repo.updateRole(trx, key, input.version, { name: input.name, name_en: input.nameEn, permissions })
      if (!updated) throw staleVersion()
      await audit(trx, actorOf(principal), { action: 'role.update', entityType: 'role', entityId: key, details: { before: before.permissions, after: permissions } })
      return updated
    })
    await this.loadRoles()
    await this.events.publish({ type: 'auth.roles.changed' })
    return { key: row.key, name: row.name, nameEn: row.name_en, permissions: row.permissions, builtin: row.builtin, version: row.version }
  }
}

function minutesUntil(at: Date | null): number {
  if (!at) return 0
  const ms = at.getTime() - Date.now()
  return ms > 0 ? Math.ceil(ms / 60_000) : 0
}
