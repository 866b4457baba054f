// What of a case the public sees (citizen pages, the public map, Open311): its stage, class, place and dates; the
// reporter's text and photos only once staff have published them; never who reported it or who handled it by name.
import type { Locale } from '../../platform/errors.js'
import type { CaseState } from './workflow.js'

/** The stages a citizen follows; several internal states share one. */
export const PUBLIC_STAGES = {
  submitted: { 'zh-CN': '待受理', en: 'Submitted' },
  accepted: { 'zh-CN': '已受理', en: 'Accepted' },
  in_progress: { 'zh-CN': '处理中', en: 'In progress' },
  closed: { 'zh-CN': '已办结', en: 'Resolved' },
  declined: { 'zh-CN': '不予受理', en: 'Not accepted' },
} as const satisfies Record<string, Record<Locale, string>>

export type PublicStage = keyof typeof PUBLIC_STAGES

const STAGE_OF: Record<Exclude<CaseState, 'merged'>, PublicStage> = {
  reported: 'submitted',
  verifying: 'accepted',
  verified: 'accepted',
  filed: 'accepted',
  dispatched: 'in_progress',
  in_disposal: 'in_progress',
  suspended: 'in_progress',
  disposed: 'in_progress',
  checked: 'in_progress',
  closed: 'closed',
  rejected: 'declined',
  invalid: 'declined',
  cancelled: 'declined',
}

/** The public stage of a case; a merged report follows the case it joined (`joinedState`). */
export function publicStage(state: CaseState, joinedState?: CaseState | null): PublicStage {
  if (state === 'merged') return joinedState && joinedState !== 'merged' ? STAGE_OF[joinedState] : 'accepted'
  return STAGE_OF[state]
}

/** Open311's two statuses. */
export function open311Status(stage: PublicStage): 'open' | 'closed' {
  return stage === 'closed' || stage === 'declined' ? 'closed' : 'open'
}

/** Open311 service codes name a class: `component-0101`, `event-0302`. */
export const serviceCodeOf = (kind: string, code: string) => `${kind}-${code}`

export function parseServiceCode(serviceCode: string): { kind: 'component' | 'event'; code: string } | undefined {
  const match = /^(component|event)-([0-9]{4,6})$/.exec(serviceCode)
  return match ? { kind: match[1] as 'component' | 'event', code: match[2]! } : undefined
}

export interface PublicCase {
  ticket: string
  serviceCode: string
  className: string
  classNameEn: string | null
  stage: PublicStage
  status: 'open' | 'closed'
  /** [longitude, latitude], WGS84 */
  position: [number, number]
  /** Only once staff published the reporter's text. */
  address: string | null
  description: string | null
  photos: Array<{ url: string; thumbnailUrl: string }>
  /** The centre's reply to the reporter, or null. */
  reply: string | null
  /** The unit that holds the case, or the district centre. */
  agency: string
  reportedAt: string
  updatedAt: string
  closedAt: string | null
  /** When the unit must have fixed it, while it is being fixed. */
  expectedAt: string | null
}
