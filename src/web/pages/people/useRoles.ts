// The role list for pickers and labels; empty (keys shown as they are) when the user may not read roles.
import { useEffect, useState } from 'react'
import { listRoles, type Lang, type Role } from '../../api/client'
import { localName } from '../../app/i18n'

export function useRoles(enabled: boolean): Role[] {
  const [roles, setRoles] = useState<Role[]>([])
  useEffect(() => {
    if (!enabled) return
    let live = true
    listRoles().then((r) => { if (live) setRoles(r.items) }, () => undefined)
    return () => { live = false }
  }, [enabled])
  return roles
}

export function roleLabel(roles: Role[], key: string, lang: Lang): string {
  const role = roles.find((r) => r.key === key)
  return role ? localName(role.name, role.nameEn, lang) : key
}
