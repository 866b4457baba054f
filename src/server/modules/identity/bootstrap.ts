// The first administrator of a production installation, created by a command (never a default password).
import { randomBytes, randomUUID } from 'node:crypto'
import type { Db } from '../../platform/db/engine.js'
import { audit, SYSTEM_ACTOR } from '../../platform/audit.js'
import { codeProblem } from '../org/units.js'
import * as orgRepo from '../org/repository.js'
import { checkPasswordPolicy, hashPassword } from './passwords.js'
import * as repo from './repository.js'

export async function bootstrapAdmin(db: Db, input: { districtCode: string; districtName: string; username: string; password?: string | undefined; minLength: number }) {
  const problem = codeProblem('district', input.districtCode, null)
  if (problem) throw new Error(problem.en)
  const generatedPassword = input.password ? undefined : `${randomBytes(9).toString('base64url')}-Aa1`
  const password = input.password ?? generatedPassword!
  checkPasswordPolicy(password, input.username, { minLength: input.minLength })
  const passwordHash = await hashPassword(password)
  await db.kysely.transaction().execute(async (trx) => {
    const id = randomUUID()
    await orgRepo.insertUnit(trx, { id, parent_id: null, kind: 'district', code: input.districtCode, name: input.districtName, name_en: null, path: `/${id}/`, sort: 0 })
    const user = await repo.insertUser(trx, { username: input.username, display_name: '系统管理员', phone: null, unit_id: id, roles: ['admin'], password_hash: passwordHash, must_change_password: true })
    await audit(trx, SYSTEM_ACTOR, { action: 'user.bootstrap-admin', entityType: 'user', entityId: user.id, details: { district: input.districtCode } })
  })
  return { username: input.username, generatedPassword }
}
