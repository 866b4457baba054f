// Authentication and authorisation on every route: private unless a route declares itself public.
import type { FastifyReply, FastifyRequest } from 'fastify'
import '@fastify/cookie'
import fp from 'fastify-plugin'
import { AppError } from '../errors.js'
import type { Permission } from './permissions.js'
import { type Principal, requirePermission } from './principal.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in. Every other route requires a session. */
    public?: boolean
    /** Open to a user who must still change an initial password (sign-out, own account, password change). */
    beforePasswordChange?: boolean
    /** The permission a caller needs; checked before the body is even read. */
    permission?: Permission
  }
  interface FastifyRequest {
    principal: Principal | null
  }
}

export const SESSION_COOKIE = 'xiuhua_session'

export type Authenticate = (token: string, request: FastifyRequest) => Promise<Principal>

export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined
  return request.cookies?.[SESSION_COOKIE] || undefined
}

/** Returns the principal of a private route; a public route's handler gets null. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED')
  return request.principal
}

export const authPlugin = fp<{ authenticate: Authenticate }>(async (app, { authenticate }) => {
  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const config = request.routeOptions.config
    // Unmatched URLs fall through to the not-found handler, which decides (SPA page or JSON 404).
    if (config.public || request.is404) return
    const token = tokenOf(request)
    if (!token) throw new AppError('UNAUTHENTICATED')
    request.principal = await authenticate(token, request)
    if (request.principal.mustChangePassword && !config.beforePasswordChange) throw new AppError('PASSWORD_CHANGE_REQUIRED')
    if (config.permission) requirePermission(request.principal, config.permission)
  })
}, { name: 'xiuhua-auth', dependencies: ['@fastify/cookie'] })
