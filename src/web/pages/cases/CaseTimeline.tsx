// A case's history as a timeline (who in which role, when, what, why, with which photos), and its photos before/after.
import { Link } from 'react-router'
import { Empty, Image, Space, Timeline, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { fileUrl, thumbnailUrl, type CaseDetail, type CaseTimelineEntry, type Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { roleName, StateTag } from './shared'
import { AFTER_ACTIONS, BEFORE_ACTIONS, DANGER_ACTIONS } from './workflow'
import type { CaseActionType } from '../../api/client'

/** Shown while a photo (or its thumbnail) cannot be loaded. */
const PLACEHOLDER =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="72" height="72"><rect width="72" height="72" fill="#f0f0f0"/><path d="M20 50l12-14 9 10 6-7 9 11z" fill="#bfbfbf"/><circle cx="48" cy="26" r="5" fill="#bfbfbf"/></svg>')

export function Photos({ ids, testId }: { ids: readonly string[]; testId?: string }) {
  if (ids.length === 0) return null
  return (
    <Image.PreviewGroup>
      <div className="xh-photos" data-testid={testId}>
        {ids.map((id) => (
          <Image key={id} src={thumbnailUrl(id)} preview={{ src: fileUrl(id) }} fallback={PLACEHOLDER} width={72} height={72} alt="" data-photo-id={id} />
        ))}
      </div>
    </Image.PreviewGroup>
  )
}

interface EntryDetail {
  unitId?: string
  /** The server names the unit a step names (the unit dispatched to). */
  unitName?: string
  deadline?: string
  rejectReason?: string
  mergedInto?: string
  /** A citizen's rating of the closing (满意度). */
  rating?: string
  source?: string
}

export interface NameLookups {
  userName: (id: string | null) => string | null
  unitName: (id: string | null | undefined) => string | null
}

function colourOf(entry: CaseTimelineEntry): string {
  if (entry.action === 'report') return 'gray'
  if (DANGER_ACTIONS.has(entry.action as CaseActionType)) return 'red'
  if (entry.toState === 'closed' || entry.action === 'check_pass') return 'green'
  return 'blue'
}

export function CaseTimeline({ detail, names, lang }: { detail: CaseDetail; names: NameLookups; lang: Lang }) {
  const { t } = useTranslation()
  // Units outside the reader's scope (a unit the case was sent to before) are named by the server on the steps they took.
  const unitNames = new Map<string, string>()
  for (const e of detail.timeline) if (e.unitId && e.unitName) unitNames.set(e.unitId, e.unitName)
  if (detail.assignedUnitId && detail.assignedUnitName) unitNames.set(detail.assignedUnitId, detail.assignedUnitName)
  const unitName = (id: string | null | undefined) => names.unitName(id) ?? (id ? unitNames.get(id) : undefined) ?? null
  const items = detail.timeline.map((entry, i) => {
    const info = (entry.detail ?? {}) as EntryDetail
    // the server names the people and units of each step; the page's own lists give English unit names
    const who = [roleName(t, entry.role), entry.actorName ?? names.userName(entry.actorId)].filter(Boolean).join(' · ')
    const unit = unitName(entry.unitId)
    const lines: string[] = []
    if (info.unitId && (entry.action === 'dispatch' || entry.action === 'reassign')) {
      lines.push(t('cases.entry.dispatchedTo', { unit: unitName(info.unitId) ?? info.unitName ?? t('cases.entry.otherUnit') }))
    }
    if (info.deadline) lines.push(t('cases.entry.deadline', { deadline: formatDateTime(info.deadline, lang) }))
    if (info.rejectReason) lines.push(t('cases.entry.rejectReason', { reason: t(`rejectReason.${info.rejectReason}`, { defaultValue: info.rejectReason }) }))
    if (info.rating) lines.push(t('cases.entry.rating', { rating: t(`citizen.rating.${info.rating}`, { defaultValue: info.rating }) }))
    if (entry.reason) lines.push(t('cases.entry.reason', { reason: entry.reason }))
    if (entry.comment) lines.push(t('cases.entry.comment', { comment: entry.comment }))
    return {
      key: i,
      color: colourOf(entry),
      content: (
        <div data-testid={`timeline-entry-${entry.action}`} data-action={entry.action} data-to-state={entry.toState}>
          <Space size={6} wrap>
            <Typography.Text strong>{t(`caseAction.${entry.action}`, { defaultValue: entry.action })}</Typography.Text>
            {entry.fromState !== entry.toState && <StateTag state={entry.toState} />}
          </Space>
          <div className="xh-timeline-meta">
            {formatDateTime(entry.at, lang)} · {who}{unit ? ` · ${unit}` : ''}
          </div>
          {lines.map((line, n) => <div key={n} className="xh-timeline-text">{line}</div>)}
          {info.mergedInto && (
            <div className="xh-timeline-text"><Link to={`/cases/${info.mergedInto}`}>{t('cases.mergedInto')}</Link></div>
          )}
          {entry.photoIds.length > 0 && <div style={{ marginTop: 6 }}><Photos ids={entry.photoIds} /></div>}
        </div>
      ),
    }
  })
  return (
    <div data-testid="case-timeline" data-count={items.length}>
      <Timeline items={items} />
    </div>
  )
}

/** The problem's photos (report, verification) and the result's (disposal, check), side by side. */
export function BeforeAfter({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation()
  const before = detail.timeline.filter((e) => BEFORE_ACTIONS.has(e.action)).flatMap((e) => e.photoIds)
  const after = detail.timeline.filter((e) => AFTER_ACTIONS.has(e.action)).flatMap((e) => e.photoIds)
  if (before.length === 0 && after.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cases.noPhotos')} />
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <div>
        <Typography.Text type="secondary">{t('cases.photosBefore')}</Typography.Text>
        {before.length ? <Photos ids={before} testId="case-photos-before" /> : <div>—</div>}
      </div>
      <div>
        <Typography.Text type="secondary">{t('cases.photosAfter')}</Typography.Text>
        {after.length ? <Photos ids={after} testId="case-photos-after" /> : <div>—</div>}
      </div>
    </Space>
  )
}
