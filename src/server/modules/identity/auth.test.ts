// Sign-in, sign-out, lockout, expiry and the audit trail of each, as a user and an API client see them.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, PASSWORD, type TestApp } from '../../../../test/helpers.js'
import { sealAudit } from '../../platform/audit.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ XIUHUA_LOCKOUT_THRESHOLD: '3', XIUHUA_SESSION_IDLE_MINUTES: '30' })
})
afterAll(() => t?.close())

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, headers })

describe('sign-in', () => {
  it('sets an HTTP-only session cookie and returns a bearer token and the user', async () => {
    const response = await login('admin', PASSWORD)
    expect(response.statusCode).toBe(200)
    const cookie = response.cookies.find((c) => c.name === 'xiuhua_session')
    expect(cookie?.httpOnly).toBe(true)
    expect(cookie?.sameSite).toBe('Lax')
    const body = response.json()
    expect(body.user.username).toBe('admin')
    expect(body.user.permissions).toContain('role:write')
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { xiuhua_session: cookie!.value } })
    expect(me.json().username).toBe('admin')
    const viaBearer = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(body.token) })
    expect(viaBearer.json().unit.kind).toBe('district')
  })

  it('refuses a wrong password with INVALID_CREDENTIALS in both languages', async () => {
    const response = await login('leader', 'Wrong-password-1')
    expect(response.statusCode).toBe(401)
    expect(response.json().error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误', messages: { en: 'Wrong user name or password' } })
    const english = await login('leader', 'Wrong-password-1', { 'accept-language': 'en-US,en;q=0.9' })
    expect(english.json().error.message).toBe('Wrong user name or password')
  })

  it('refuses an unknown user the same way as a wrong password', async () => {
    const response = await login('nobody', PASSWORD)
    expect(response.statusCode).toBe(401)
    expect(response.json().error.code).toBe('INVALID_CREDENTIALS')
  })

  it('locks the account after repeated failures, even against the right password, until an admin unlocks it', async () => {
    expect((await login('officer', 'Wrong-1a')).statusCode).toBe(401)
    expect((await login('officer', 'Wrong-2a')).statusCode).toBe(401)
    const third = await login('officer', 'Wrong-3a')
    expect(third.statusCode).toBe(423)
    expect(third.json().error.code).toBe('ACCOUNT_LOCKED')
    const right = await login('officer', PASSWORD)
    expect(right.statusCode).toBe(423)

    const admin = await t.login('admin')
    const users = await t.app.inject({ method: 'GET', url: '/api/users?q=officer', headers: bearer(admin) })
    const officer = users.json().items.find((u: { username: string }) => u.username === 'officer')
    expect(officer.locked).toBe(true)
    const unlocked = await t.app.inject({ method: 'POST', url: `/api/users/${officer.id}/unlock`, headers: bearer(admin) })
    expect(unlocked.json().locked).toBe(false)
    expect((await login('officer', PASSWORD)).statusCode).toBe(200)
  })

  it('refuses a disabled account and ends its sessions at once', async () => {
    const token = await t.login('dept')
    const admin = await t.login('admin')
    const users = await t.app.inject({ method: 'GET', url: '/api/users?q=dept', headers: bearer(admin) })
    const dept = users.json().items.find((u: { username: string }) => u.username === 'dept')
    const disabled = await t.app.inject({ method: 'PATCH', url: `/api/users/${dept.id}`, headers: bearer(admin), payload: { version: dept.version, status: 'disabled' } })
    expect(disabled.json().status).toBe('disabled')
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(401)
    const again = await login('dept', PASSWORD)
    expect(again.statusCode).toBe(403)
    expect(again.json().error.code).toBe('ACCOUNT_DISABLED')
  })
})

describe('sessions', () => {
  it('ends with logout: the token no longer works', async () => {
    const token = await t.login('acceptor')
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(200)
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })).json()).toEqual({ ok: true })
    const after = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })
    expect(after.statusCode).toBe(401)
    expect(after.json().error.code).toBe('UNAUTHENTICATED')
  })

  it('expires at its absolute expiry time with SESSION_EXPIRED', async () => {
    const token = await t.login('dispatcher')
    await sql`update sessions set expires_at = now() - interval '1 second'`.execute(t.db.kysely)
    // a fresh process (no cached session) sees the expiry from the database
    const other = await t.secondProcess()
    const response = await other.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })
    expect(response.statusCode).toBe(401)
    expect(response.json().error.code).toBe('SESSION_EXPIRED')
  })

  it('expires after the idle time without requests', async () => {
    const token = await t.login('leader')
    await sql`update sessions set last_seen_at = now() - interval '31 minutes' where expires_at > now()`.execute(t.db.kysely)
    const other = await t.secondProcess()
    const response = await other.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })
    expect(response.json().error.code).toBe('SESSION_EXPIRED')
  })

  it('logout in one process is honoured by another process at once', async () => {
    const other = await t.secondProcess()
    const token = await t.login('shiftleader')
    expect((await other.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(200)
    await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })
    await new Promise((resolve) => setTimeout(resolve, 200)) // NOTIFY delivery
    expect((await other.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })).statusCode).toBe(401)
  })
})

describe('passwords', () => {
  it('enforces the password policy on change and accepts a strong new password', async () => {
    const token = await t.login('supervisor')
    const weak = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(token), payload: { currentPassword: PASSWORD, newPassword: 'short' } })
    expect(weak.statusCode).toBe(400)
    expect(weak.json().error.code).toBe('WEAK_PASSWORD')
    const noClasses = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(token), payload: { currentPassword: PASSWORD, newPassword: 'alllowercaseletters' } })
    expect(noClasses.json().error.code).toBe('WEAK_PASSWORD')
    const wrongCurrent = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(token), payload: { currentPassword: 'Nope-nope-1', newPassword: 'Strong-Pass-42' } })
    expect(wrongCurrent.statusCode).toBe(401)
    const ok = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(token), payload: { currentPassword: PASSWORD, newPassword: 'Strong-Pass-42' } })
    expect(ok.json()).toEqual({ ok: true })
    expect((await login('supervisor', 'Strong-Pass-42')).statusCode).toBe(200)
    expect((await login('supervisor', PASSWORD)).statusCode).toBe(401)
  })
})

describe('audit', () => {
  it('records every sign-in, refusal and change with who, when and from where, in a hash chain that cannot be edited', async () => {
    const admin = await t.login('admin')
    const log = await t.app.inject({ method: 'GET', url: '/api/audit?action=auth.login&pageSize=200', headers: bearer(admin) })
    const items = log.json().items as Array<{ actorName: string | null; outcome: string; ip: string; at: string; details: { reason?: string } }>
    expect(items.some((e) => e.actorName === 'leader' && e.outcome === 'refused' && e.details.reason === 'wrong password')).toBe(true)
    expect(items.some((e) => e.actorName === 'admin' && e.outcome === 'ok' && e.ip === '127.0.0.1')).toBe(true)
    const changes = await t.app.inject({ method: 'GET', url: '/api/audit?action=user.&pageSize=200', headers: bearer(admin) })
    expect(changes.json().items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.unlock', 'user.update', 'user.password.change']))
    await expect(sql`update audit_log set action = 'x'`.execute(t.db.kysely)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log`.execute(t.db.kysely)).rejects.toThrow(/append-only/)
    await sealAudit(t.db.kysely)
    const rows = await t.db.kysely.selectFrom('audit_log').select(['chain_seq', 'prev_hash', 'hash']).orderBy('chain_seq').execute()
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash)
    expect(rows.every((row) => row.chain_seq !== null)).toBe(true)
  })

  it('detects an entry edited behind the trigger’s back (e.g. by a database superuser)', async () => {
    const admin = await t.login('admin')
    const before = (await t.app.inject({ method: 'GET', url: '/api/audit/verify', headers: bearer(admin) })).json()
    expect(before).toMatchObject({ ok: true, firstBrokenId: null })
    expect(before.checked).toBeGreaterThan(10)
    const victim = await t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'auth.login').orderBy('id').executeTakeFirstOrThrow()
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(t.db.kysely)
    await sql`update audit_log set actor_name = 'someone-else' where id = ${victim.id}`.execute(t.db.kysely)
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(t.db.kysely)
    const after = (await t.app.inject({ method: 'GET', url: '/api/audit/verify', headers: bearer(admin) })).json()
    expect(after).toMatchObject({ ok: false, firstBrokenId: victim.id })
  })

  it('refuses the audit log to a user without audit:read', async () => {
    const token = await t.login('leader')
    const response = await t.app.inject({ method: 'GET', url: '/api/audit', headers: bearer(token) })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('FORBIDDEN')
  })
})
