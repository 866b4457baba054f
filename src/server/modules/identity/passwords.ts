// Password hashing (argon2id) and the password policy (等保 2.0: length and character classes).
import { hash, verify } from '@node-rs/argon2'
import { AppError } from '../../platform/errors.js'

export const hashPassword = (password: string) => hash(password)

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** A hash of nothing anybody knows, verified for unknown users so a login takes the same time either way. */
let dummyHash: Promise<string> | undefined
export function dummyVerify(password: string): Promise<boolean> {
  dummyHash ??= hash('no-such-user-' + Math.random())
  return dummyHash.then((h) => verifyPassword(h, password))
}

export interface PasswordPolicy {
  minLength: number
}

/** Throws WEAK_PASSWORD naming the first rule the password breaks. */
export function checkPasswordPolicy(password: string, username: string, policy: PasswordPolicy): void {
  const fail = (zh: string, en: string) => {
    throw new AppError('WEAK_PASSWORD', { reason: { 'zh-CN': zh, en } })
  }
  if (password.length < policy.minLength) fail(`长度至少 ${policy.minLength} 位`, `at least ${policy.minLength} characters`)
  if (password.length > 128) fail('长度不超过 128 位', 'at most 128 characters')
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length
  if (classes < 3) fail('须包含大写字母、小写字母、数字、符号中的至少三类', 'use at least three of: lower case, upper case, digits, symbols')
  if (password.toLowerCase().includes(username.toLowerCase())) fail('不能包含用户名', 'must not contain the user name')
}
