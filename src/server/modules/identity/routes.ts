// Identity routes: sign-in and sign-out, the caller's own account, users and roles.
import { Type } from 'typebox'
import { principalOf, SESSION_COOKIE, tokenOf } from '../../platform/auth/plugin.js'
import { PERMISSIONS } from '../../platform/auth/permissions.js'
import { type App, OkReply } from '../../platform/http.js'
import type { IdentityService } from './service.js'
import * as s from './schemas.js'

export function identityRoutes(app: App, identity: IdentityService, options: { cookieSecure: boolean }) {
  const auth = ['auth']
  const users = ['users']

  app.post('/api/auth/login', {
    config: { public: true },
    schema: { tags: auth, summary: 'Sign in: sets the session cookie and returns a bearer token', body: s.LoginBody, response: { 200: s.LoginReply } },
  }, async (request, reply) => {
    const { token, expiresAt } = await identity.login(request, request.body.username, request.body.password, 'cookie')
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: options.cookieSecure, expires: expiresAt })
    const principal = await identity.sessions.authenticate(token, request)
    return { token, expiresAt: expiresAt.toISOString(), user: await identity.me(principal) }
  })

  app.post('/api/auth/logout', {
    config: { public: true },
    schema: { tags: auth, summary: 'Sign out: ends the session of the cookie or bearer token', response: { 200: OkReply } },
  }, async (request, reply) => {
    const token = tokenOf(request)
    if (token) {
      try {
        await identity.logout(await identity.sessions.authenticate(token, request))
      } catch {
        await identity.logoutToken(token) // an expired session is ended all the same
      }
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return { ok: true }
  })

  app.get('/api/auth/me', {
    config: { beforePasswordChange: true },
    schema: { tags: auth, summary: 'The signed-in user, their unit, roles and permissions', response: { 200: s.Me } },
  }, async (request) => identity.me(principalOf(request)))

  app.post('/api/auth/password', {
    config: { beforePasswordChange: true },
    schema: { tags: auth, summary: 'Change your own password (password policy applies)', body: s.PasswordBody, response: { 200: OkReply } },
  }, async (request) => {
    await identity.changePassword(principalOf(request), request.body.currentPassword, request.body.newPassword)
    return { ok: true }
  })

  app.get('/api/users', {
    config: { permission: 'user:read' },
    schema: { tags: users, summary: 'People in your data scope', querystring: s.UserQuery, response: { 200: s.UserList } },
  }, async (request) => {
    const { page, pageSize, ...filter } = request.query
    return identity.listUsers(principalOf(request), filter, page, pageSize)
  })

  app.get('/api/users/:id', {
    config: { permission: 'user:read' },
    schema: { tags: users, summary: 'One person', params: s.IdParams, response: { 200: s.User } },
  }, async (request) => identity.getUser(principalOf(request), request.params.id))

  app.post('/api/users', {
    config: { permission: 'user:write' },
    schema: { tags: users, summary: 'Create a person with an initial password (to be changed at first sign-in)', body: s.CreateUserBody, response: { 200: s.User } },
  }, async (request) => identity.createUser(principalOf(request), request.body))

  app.patch('/api/users/:id', {
    config: { permission: 'user:write' },
    schema: { tags: users, summary: 'Change a person (optimistic concurrency by version)', params: s.IdParams, body: s.UpdateUserBody, response: { 200: s.User } },
  }, async (request) => identity.updateUser(principalOf(request), request.params.id, request.body))

  app.post('/api/users/:id/unlock', {
    config: { permission: 'user:write' },
    schema: { tags: users, summary: 'Unlock an account locked after failed sign-ins', params: s.IdParams, response: { 200: s.User } },
  }, async (request) => identity.unlock(principalOf(request), request.params.id))

  app.post('/api/users/:id/reset-password', {
    config: { permission: 'user:write' },
    schema: { tags: users, summary: "Set a new password; the person's sessions end and they must change it", params: s.IdParams, body: s.ResetPasswordBody, response: { 200: OkReply } },
  }, async (request) => {
    await identity.resetPassword(principalOf(request), request.params.id, request.body.password)
    return { ok: true }
  })

  app.get('/api/roles', {
    config: { permission: 'role:read' },
    schema: { tags: ['roles'], summary: 'Roles and their permission sets', response: { 200: Type.Object({ items: Type.Array(s.Role) }) } },
  }, async () => ({ items: await identity.listRoles() }))

  app.put('/api/roles/:key', {
    config: { permission: 'role:write' },
    schema: { tags: ['roles'], summary: "Change a role's names and permission set", params: s.RoleParams, body: s.UpdateRoleBody, response: { 200: s.Role } },
  }, async (request) => identity.updateRole(principalOf(request), request.params.key, request.body))

  app.get('/api/permissions', {
    config: { permission: 'role:read' },
    schema: { tags: ['roles'], summary: 'The permission catalogue', response: { 200: s.PermissionList } },
  }, async () => ({ items: Object.entries(PERMISSIONS).map(([key, p]) => ({ key, group: p.group, name: p.name, nameEn: p.nameEn })) }))
}
