// Form rules that mirror the server's checks (identity schemas, password policy, unit rules), caught before a round trip.
import type { FormRule as Rule } from 'antd'
import type { TFunction } from 'i18next'
import type { UnitKind } from '../api/client'

/** Username schema: letters, digits, _ . - ; 2 to 64 characters. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{2,64}$/
/** Phone schema: 3 to 30 of digits, + ( ) space and -. */
export const PHONE_PATTERN = /^[0-9+() -]{3,30}$/
/** Server default of XIUHUA_PASSWORD_MIN_LENGTH. */
export const DEFAULT_PASSWORD_MIN = 10

export function required(t: TFunction): Rule {
  return { required: true, whitespace: true, message: t('validation.required') }
}

export function maxLength(t: TFunction, max: number): Rule {
  return { max, message: t('validation.max', { count: max }) }
}

/** The password policy: length, three of four character classes, not containing the user name. */
export function passwordRules(t: TFunction, minLength = DEFAULT_PASSWORD_MIN, username?: () => string | undefined): Rule[] {
  return [
    { required: true, message: t('validation.required') },
    { min: minLength, message: t('validation.passwordMin', { count: minLength }) },
    { max: 128, message: t('validation.max', { count: 128 }) },
    {
      validator: (_, value: string | undefined) => {
        if (!value) return Promise.resolve()
        const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length
        if (classes < 3) return Promise.reject(new Error(t('validation.passwordClasses')))
        const name = username?.()?.trim().toLowerCase()
        if (name && value.toLowerCase().includes(name)) return Promise.reject(new Error(t('validation.passwordUsername')))
        return Promise.resolve()
      },
    },
  ]
}

/** Which kinds of unit may sit under a parent of this kind (the server's PARENT_KINDS, read the other way). */
export const CHILD_KINDS: Record<UnitKind, UnitKind[]> = {
  district: ['street', 'zone', 'department'],
  street: ['community'],
  zone: ['community'],
  community: [],
  department: ['sub_unit'],
  sub_unit: ['sub_unit'],
}

/** The unit code rule: region codes are digits extending the parent's code; department codes are short tokens. */
export function unitCodeProblem(t: TFunction, kind: UnitKind | undefined, code: string, parentCode: string | undefined): string | null {
  const digits = (n: number) => new RegExp(`^[0-9]{${n}}$`).test(code)
  switch (kind) {
    case undefined:
      return null
    case 'district':
      return digits(6) ? null : t('validation.code.district')
    case 'street':
    case 'zone':
      if (!digits(9)) return t('validation.code.street')
      break
    case 'community':
      if (!digits(12)) return t('validation.code.community')
      break
    case 'department':
    case 'sub_unit':
      return /^[A-Za-z0-9_-]{2,32}$/.test(code) ? null : t('validation.code.department')
  }
  if (parentCode && !code.startsWith(parentCode)) return t('validation.code.parent', { code: parentCode })
  return null
}
