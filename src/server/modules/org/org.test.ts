// Organisation, users and roles through the API: data scope by unit, audited changes, optimistic concurrency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, PASSWORD, type TestApp } from '../../../../test/helpers.js'

let t: TestApp
let admin: string
let units: Array<{ id: string; code: string; kind: string; name: string; version: number; path: string }>
const unit = (code: string) => units.find((u) => u.code === code)!

beforeAll(async () => {
  t = await createTestApp()
  admin = await t.login('admin')
  units = (await t.app.inject({ method: 'GET', url: '/api/org/units', headers: bearer(admin) })).json().items
})
afterAll(() => t?.close())

describe('the four-level network of the demo', () => {
  it('has the district, 14 streets/towns, 1 development zone, 9 departments and communities under each street', () => {
    expect(units.filter((u) => u.kind === 'district').map((u) => u.code)).toEqual(['420117'])
    expect(units.filter((u) => u.kind === 'street')).toHaveLength(14)
    expect(units.filter((u) => u.kind === 'zone').map((u) => u.name)).toEqual(['阳逻经济开发区'])
    expect(units.filter((u) => u.kind === 'department')).toHaveLength(9)
    expect(units.filter((u) => u.kind === 'sub_unit').map((u) => u.name)).toContain('城管执法一中队')
    for (const street of units.filter((u) => u.kind === 'street' || u.kind === 'zone')) {
      const communities = units.filter((u) => u.kind === 'community' && u.path.startsWith(street.path) && u.code.startsWith(street.code))
      expect(communities.length, street.name).toBeGreaterThanOrEqual(3)
    }
  })
})

describe('data scope', () => {
  it("lets a street's staff see their own street and its communities, and refuses another street's unit", async () => {
    const zhucheng = await t.login('zhucheng')
    const own = (await t.app.inject({ method: 'GET', url: '/api/org/units', headers: bearer(zhucheng) })).json().items as Array<{ path: string; code: string }>
    expect(own.length).toBeGreaterThan(1)
    expect(own.every((u) => u.code.startsWith('420117001'))).toBe(true)
    expect((await t.app.inject({ method: 'GET', url: `/api/org/units/${unit('420117001').id}`, headers: bearer(zhucheng) })).statusCode).toBe(200)
    const other = await t.app.inject({ method: 'GET', url: `/api/org/units/${unit('420117002').id}`, headers: bearer(zhucheng) })
    expect(other.statusCode).toBe(403)
    expect(other.json().error.code).toBe('OUT_OF_SCOPE')
    const district = await t.app.inject({ method: 'GET', url: `/api/org/units/${unit('420117').id}`, headers: bearer(zhucheng) })
    expect(district.statusCode).toBe(403)
  })

  it("lets a department's staff see only their department", async () => {
    const dept = await t.login('dept')
    const items = (await t.app.inject({ method: 'GET', url: '/api/org/units', headers: bearer(dept) })).json().items as Array<{ kind: string; name: string }>
    expect(items.map((u) => u.name)).toEqual(['区水务和湖泊局'])
  })

  it('keeps a street administrator to the people of their street', async () => {
    const created = await t.app.inject({
      method: 'POST', url: '/api/users', headers: bearer(admin),
      payload: { username: 'zc-admin', displayName: '邾城管理员', unitId: unit('420117001').id, roles: ['admin'], password: 'Street-Admin-1' },
    })
    expect(created.statusCode).toBe(200)
    expect(created.json()).toMatchObject({ username: 'zc-admin', unitName: '邾城街道', roles: ['admin'] })
    const initial = await t.login('zc-admin', 'Street-Admin-1')
    // until the initial password is changed, only the account's own routes are open
    const blocked = await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(initial) })
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(initial) })).json().mustChangePassword).toBe(true)
    const changed = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(initial), payload: { currentPassword: 'Street-Admin-1', newPassword: 'Street-Admin-2' } })
    expect(changed.json()).toEqual({ ok: true })
    const streetAdmin = initial
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(streetAdmin) })).json().mustChangePassword).toBe(false)
    const listed = (await t.app.inject({ method: 'GET', url: '/api/users?pageSize=100', headers: bearer(streetAdmin) })).json()
    expect(listed.items.map((u: { username: string }) => u.username).sort()).toEqual(['supervisor', 'zc-admin', 'zhucheng'])
    const leader = (await t.app.inject({ method: 'GET', url: '/api/users?q=leader', headers: bearer(admin) })).json().items[0]
    const refused = await t.app.inject({ method: 'GET', url: `/api/users/${leader.id}`, headers: bearer(streetAdmin) })
    expect(refused.json().error.code).toBe('OUT_OF_SCOPE')
    const elsewhere = await t.app.inject({
      method: 'POST', url: '/api/users', headers: bearer(streetAdmin),
      payload: { username: 'yl-staff', displayName: '阳逻人员', unitId: unit('420117002').id, roles: ['disposal'], password: 'Some-Pass-123' },
    })
    expect(elsewhere.statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/api/users?q=yl-staff', headers: bearer(admin) })).json().total).toBe(0)
  })

  it('makes a new user change the initial password, and refuses an initial password that breaks the policy', async () => {
    const weak = await t.app.inject({
      method: 'POST', url: '/api/users', headers: bearer(admin),
      payload: { username: 'weakling', displayName: '弱密码', unitId: unit('420117').id, roles: [], password: 'password' },
    })
    expect(weak.json().error.code).toBe('WEAK_PASSWORD')
    const created = await t.app.inject({
      method: 'POST', url: '/api/users', headers: bearer(admin),
      payload: { username: 'newcomer', displayName: '新同事', unitId: unit('420117').id, roles: ['leader'], password: 'Initial-Pass-1' },
    })
    expect(created.statusCode).toBe(200)
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'newcomer', password: 'Initial-Pass-1' } })
    expect(login.json().user.mustChangePassword).toBe(true)
  })
})

describe('changes', () => {
  it('creates a community under a street with a code that extends the street code, refusing bad and taken codes', async () => {
    const payload = { parentId: unit('420117001').id, kind: 'community', code: '420117001900', name: '测试社区' }
    const created = await t.app.inject({ method: 'POST', url: '/api/org/units', headers: bearer(admin), payload })
    expect(created.statusCode).toBe(200)
    expect(created.json()).toMatchObject({ code: '420117001900', kind: 'community', demo: false, version: 1 })
    const taken = await t.app.inject({ method: 'POST', url: '/api/org/units', headers: bearer(admin), payload })
    expect(taken.statusCode).toBe(409)
    const wrongPrefix = await t.app.inject({ method: 'POST', url: '/api/org/units', headers: bearer(admin), payload: { ...payload, code: '420117002901' } })
    expect(wrongPrefix.statusCode).toBe(400)
    const wrongParent = await t.app.inject({ method: 'POST', url: '/api/org/units', headers: bearer(admin), payload: { ...payload, parentId: unit('420117').id, code: '420117901' } })
    expect(wrongParent.statusCode).toBe(400)
  })

  it('refuses an update based on a stale version with CONFLICT and keeps the newer change', async () => {
    const target = unit('420117003')
    const first = await t.app.inject({ method: 'PATCH', url: `/api/org/units/${target.id}`, headers: bearer(admin), payload: { version: target.version, name: '仓埠街道（改）' } })
    expect(first.json().version).toBe(target.version + 1)
    const stale = await t.app.inject({ method: 'PATCH', url: `/api/org/units/${target.id}`, headers: bearer(admin), payload: { version: target.version, name: '仓埠街道（旧）' } })
    expect(stale.statusCode).toBe(409)
    expect((await t.app.inject({ method: 'GET', url: `/api/org/units/${target.id}`, headers: bearer(admin) })).json().name).toBe('仓埠街道（改）')
    const audit = (await t.app.inject({ method: 'GET', url: `/api/audit?entityId=${target.id}`, headers: bearer(admin) })).json().items
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'org.unit.update', actorName: 'admin' })
  })

  it('refuses changes to a user without the permission', async () => {
    const leader = await t.login('leader')
    const response = await t.app.inject({ method: 'POST', url: '/api/org/units', headers: bearer(leader), payload: { parentId: unit('420117001').id, kind: 'community', code: '420117001901', name: 'x' } })
    expect(response.statusCode).toBe(403)
  })

  it("applies a role's new permission set to its users at once", async () => {
    const leader = await t.login('leader')
    expect((await t.app.inject({ method: 'GET', url: '/api/audit', headers: bearer(leader) })).statusCode).toBe(403)
    const roles = (await t.app.inject({ method: 'GET', url: '/api/roles', headers: bearer(admin) })).json().items
    const role = roles.find((r: { key: string }) => r.key === 'leader')
    const updated = await t.app.inject({ method: 'PUT', url: '/api/roles/leader', headers: bearer(admin), payload: { version: role.version, name: role.name, nameEn: role.nameEn, permissions: [...role.permissions, 'audit:read'] } })
    expect(updated.json().permissions).toContain('audit:read')
    expect((await t.app.inject({ method: 'GET', url: '/api/audit', headers: bearer(leader) })).statusCode).toBe(200)
    const unknown = await t.app.inject({ method: 'PUT', url: '/api/roles/leader', headers: bearer(admin), payload: { version: role.version + 1, name: role.name, nameEn: role.nameEn, permissions: ['fly:plane'] } })
    expect(unknown.statusCode).toBe(400)
    expect((await t.app.inject({ method: 'PUT', url: '/api/roles/leader', headers: bearer(leader), payload: { version: 1, name: 'x', nameEn: 'x', permissions: [] } })).statusCode).toBe(403)
  })

  it('gives every role of PRODUCT.md a demo user who can sign in', async () => {
    const roles = (await t.app.inject({ method: 'GET', url: '/api/roles', headers: bearer(admin) })).json().items.map((r: { key: string }) => r.key)
    expect(roles).toEqual(expect.arrayContaining(['admin', 'leader', 'acceptor', 'shift_leader', 'dispatcher', 'supervisor', 'disposal', 'officer']))
    for (const username of ['leader', 'acceptor', 'shiftleader', 'dispatcher', 'supervisor', 'zhucheng', 'dept', 'officer']) {
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } })
      expect(response.statusCode, username).toBe(200)
    }
  })
})
