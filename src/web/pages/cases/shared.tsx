// Pieces the case pages share: the light (coloured dot + text), the state tag, class names, sorting by light.
import { useCallback } from 'react'
import { Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import { listClasses, listUsers, type CaseClass, type CaseLight, type CaseState, type Lang } from '../../api/client'
import { localName } from '../../app/i18n'
import { useLoad } from '../../app/useLoad'
import { STATE_COLOURS } from './workflow'

export const LIGHT_COLOURS: Record<CaseLight, string> = { green: '#52c41a', yellow: '#faad14', red: '#f5222d' }

/** The time light of a case: a coloured dot and 正常/将到期/超期; a dash when no time limit runs. */
export function LightBadge({ light }: { light: CaseLight | null }) {
  const { t } = useTranslation()
  return (
    <span className="xh-light" data-testid="case-light" data-light={light ?? 'none'}>
      <span className="xh-light-dot" style={{ background: light ? LIGHT_COLOURS[light] : '#d9d9d9' }} aria-hidden />
      <span>{t(`light.${light ?? 'none'}`)}</span>
    </span>
  )
}

export function StateTag({ state, testId }: { state: string; testId?: string }) {
  const { t } = useTranslation()
  return (
    <Tag color={STATE_COLOURS[state as CaseState] ?? 'default'} data-testid={testId} data-state={state} style={{ marginInlineEnd: 0 }}>
      {t(`caseState.${state}`, { defaultValue: state })}
    </Tag>
  )
}

let classCache: Promise<CaseClass[]> | null = null

/** The class table (loaded once per page load): a name for a case's class code, and the list for pickers. */
export function useClasses(): { classes: CaseClass[]; className: (kind: string, code: string) => string } {
  const { i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { data } = useLoad(() => {
    classCache ??= listClasses().then((r) => r.items).catch((e: unknown) => {
      classCache = null
      throw e
    })
    return classCache
  }, [] as CaseClass[], [])
  const className = useCallback((kind: string, code: string) => {
    const cls = data.find((c) => c.kind === kind && c.smallCode === code)
    return cls ? localName(cls.smallName, cls.smallNameEn, lang) : code
  }, [data, lang])
  return { classes: data, className }
}

/** Display names of the people in the user's scope, when they may read people (else the timeline shows roles only). */
export function useUserNames(enabled: boolean): Map<string, string> {
  const { data } = useLoad(
    () => (enabled ? listUsers({ page: 1, pageSize: 500 }).then((r) => new Map(r.items.map((u) => [u.id, u.displayName]))) : Promise.resolve(new Map<string, string>())),
    new Map<string, string>(),
    [enabled],
  )
  return data
}

/** A role key, or the channel of a report (the report entry records its source as the role), in the UI language. */
export function roleName(t: (key: string, options?: Record<string, unknown>) => string, role: string): string {
  return t(`roleNames.${role}`, { defaultValue: t(`caseSource.${role}`, { defaultValue: role }) })
}
