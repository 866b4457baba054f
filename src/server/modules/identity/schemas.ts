// TypeBox schemas of the identity routes: sign-in, users, roles.
import { Type } from 'typebox'
import { Nullable, Obj, Uuid } from '../../platform/http.js'
import { Kind } from '../org/schemas.js'

export const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })
const Password = Type.String({ minLength: 1, maxLength: 128 })
const RoleKey = Type.String({ minLength: 2, maxLength: 40, pattern: '^[a-z][a-z0-9_]+$' })
const Phone = Type.String({ minLength: 3, maxLength: 30, pattern: '^[0-9+() -]+$' })
const DisplayName = Type.String({ minLength: 1, maxLength: 60 })

export const LoginBody = Obj({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Password })

export const UnitBrief = Obj({ id: Uuid, name: Type.String(), nameEn: Nullable(Type.String()), kind: Kind, code: Type.String(), path: Type.String() })

export const Me = Obj({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  phone: Nullable(Type.String()),
  unit: UnitBrief,
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  mustChangePassword: Type.Boolean(),
})

export const LoginReply = Obj({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: Me })

export const PasswordBody = Obj({ currentPassword: Password, newPassword: Password })

export const User = Obj({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  phone: Nullable(Type.String()),
  unitId: Uuid,
  unitName: Type.String(),
  roles: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  locked: Type.Boolean(),
  lastLoginAt: Nullable(Type.String()),
  version: Type.Integer(),
})

export const UserQuery = Obj({
  q: Type.Optional(Type.String({ maxLength: 64 })),
  unitId: Type.Optional(Uuid),
  role: Type.Optional(RoleKey),
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
})

export const UserList = Obj({ items: Type.Array(User), total: Type.Integer() })

export const CreateUserBody = Obj({
  username: Username,
  displayName: DisplayName,
  phone: Type.Optional(Phone),
  unitId: Uuid,
  roles: Type.Array(RoleKey, { maxItems: 10 }),
  password: Password,
})

export const UpdateUserBody = Obj({
  version: Type.Integer({ minimum: 1 }),
  displayName: Type.Optional(DisplayName),
  phone: Type.Optional(Nullable(Phone)),
  unitId: Type.Optional(Uuid),
  roles: Type.Optional(Type.Array(RoleKey, { maxItems: 10 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
})

export const ResetPasswordBody = Obj({ password: Password })

export const IdParams = Obj({ id: Uuid })

export const Role = Obj({
  key: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  permissions: Type.Array(Type.String()),
  builtin: Type.Boolean(),
  version: Type.Integer(),
})

export const RoleParams = Obj({ key: RoleKey })

export const UpdateRoleBody = Obj({
  version: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 1, maxLength: 40 }),
  nameEn: Type.String({ minLength: 1, maxLength: 60 }),
  permissions: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 200 }),
})

export const PermissionList = Obj({
  items: Type.Array(Obj({ key: Type.String(), group: Type.String(), name: Type.String(), nameEn: Type.String() })),
})
