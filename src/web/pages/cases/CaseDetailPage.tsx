// One case: header (ticket, state, light, deadline), the steps the user may take now, facts, map, photos before and
// after, and the full timeline. A step answers with the new case; when someone acted first (409) the page reloads.
import { useCallback } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { Alert, Button, Card, Col, Descriptions, Result, Row, Space, Spin, Tag, Typography } from 'antd'
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { getCase, type Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { localName } from '../../app/i18n'
import { errorMessage } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { useUnits } from '../units/unitTree'
import { ActionDialog, possibleDuplicates } from './ActionDialog'
import { CaseMap } from './CaseMap'
import { CitizenPanel } from './CitizenPanel'
import { BeforeAfter, CaseTimeline, type NameLookups } from './CaseTimeline'
import { LightBadge, StateTag, useClasses, useUserNames } from './shared'
import { ACTION_ORDER, COUNTERS, DANGER_ACTIONS, PRIMARY_ACTIONS } from './workflow'
import { useLiveCase } from './useLiveCase'

/** Steps whose reason the next person to act must read: a return, a failed check (rework), a refused request. */
const SENT_BACK: ReadonlySet<string> = new Set(['return', 'check_fail', 'deny_extension', 'deny_suspension'])

/** Links to the cases a report may duplicate, by ticket. */
function DuplicateLinks({ ids }: { ids: string[] }) {
  const { data } = useLoad(
    () => Promise.all(ids.map((caseId) => getCase(caseId).then((c) => ({ id: caseId, ticket: c.ticket }), () => ({ id: caseId, ticket: caseId.slice(0, 8) })))),
    ids.map((caseId) => ({ id: caseId, ticket: caseId.slice(0, 8) })),
    [ids.join(',')],
  )
  return <Space wrap>{data.map((c) => <Link key={c.id} to={`/cases/${c.id}`}>{c.ticket}</Link>)}</Space>
}

export default function CaseDetailPage() {
  const { id = '' } = useParams()
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const { me, can } = useAuth()
  const { className } = useClasses()
  const { units } = useUnits(can('org:read'))
  const users = useUserNames(can('user:read'))
  const { loaded, detail, action, setAction, conflict, setConflict, dialog, reload } = useLiveCase(id)

  const names: NameLookups = {
    userName: useCallback((userId: string | null) => {
      if (!userId) return null
      if (userId === me?.id) return me.displayName
      return users.get(userId) ?? null
    }, [me, users]),
    unitName: useCallback((unitId: string | null | undefined) => {
      if (!unitId) return null
      const unit = units.find((u) => u.id === unitId)
      if (unit) return localName(unit.name, unit.nameEn, lang)
      if (unitId === me?.unit.id) return localName(me.unit.name, me.unit.nameEn, lang)
      if (unitId === detail?.assignedUnitId) return detail.assignedUnitName
      return null
    }, [units, me, lang, detail]),
  }

  if (loaded.error && !detail) {
    return (
      <div className="xh-page">
        <Result
          status="warning"
          title={t('cases.notFound')}
          subTitle={errorMessage(loaded.error)}
          extra={<Button onClick={() => navigate(-1)}>{t('cases.back')}</Button>}
        />
      </div>
    )
  }
  if (!detail || detail.id !== id) return <div className="xh-center"><Spin size="large" /></div>

  const available = ACTION_ORDER.filter((a) => detail.actions.includes(a))
  const pendingExtension = detail.pendingExtension as { newDeadline?: string; reason?: string } | null
  const pendingSuspension = detail.pendingSuspension as { reason?: string } | null
  const pendingReview = detail.pendingReview as { comment?: string | null; ratedAt?: string } | null
  const counters = COUNTERS.filter((c) => (detail.counters[c] ?? 0) > 0)
  // A step that sent the case back or refused a request: whoever acts next needs its reason at hand.
  const latest = detail.timeline.at(-1)
  const lastStep = latest && SENT_BACK.has(latest.action) ? latest : null

  const facts = [
    {
      key: 'class', label: t('cases.class'),
      children: (
        <Space size={4} wrap>
          <Tag color={detail.classKind === 'component' ? 'geekblue' : 'magenta'}>{t(`classes.kinds.${detail.classKind}`, { defaultValue: detail.classKind })}</Tag>
          <span data-testid="case-class">{className(detail.classKind, detail.classCode)}</span>
          <Typography.Text type="secondary">{detail.classCode}</Typography.Text>
        </Space>
      ),
    },
    { key: 'urgency', label: t('cases.urgency'), children: t(`urgency.${detail.urgency}`) },
    { key: 'source', label: t('cases.source'), children: t(`caseSource.${detail.source}`, { defaultValue: detail.source }) },
    { key: 'createdAt', label: t('cases.createdAt'), children: formatDateTime(detail.createdAt, lang) },
    { key: 'street', label: t('cases.street'), children: detail.streetName ?? '—' },
    { key: 'unit', label: t('cases.unit'), children: <span data-testid="case-unit">{names.unitName(detail.assignedUnitId) ?? detail.assignedUnitName ?? '—'}</span> },
    { key: 'address', label: t('cases.address'), children: detail.address ?? '—' },
    { key: 'position', label: t('cases.position'), children: `${detail.position[0].toFixed(6)}, ${detail.position[1].toFixed(6)}` },
    {
      key: 'counters', label: t('cases.counters'),
      children: (
        <span data-testid="case-counters">
          {counters.length
            ? <Space size={4} wrap>{counters.map((c) => <Tag key={c}>{t(`caseCounters.${c}`)} × {detail.counters[c]}</Tag>)}</Space>
            : t('cases.noCounters')}
        </span>
      ),
    },
    { key: 'description', label: t('cases.description'), span: 'filled' as const, children: <span style={{ whiteSpace: 'pre-wrap' }}>{detail.description}</span> },
  ]

  return (
    <div className="xh-page" data-testid="case-detail-page" data-case-id={detail.id} data-version={detail.version}>
      <div className="xh-page-header" style={{ flexWrap: 'nowrap', alignItems: 'flex-start' }}>
        <div className="xh-case-title">
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('cases.back')} />
          <h1 data-testid="case-ticket">{detail.ticket}</h1>
          <StateTag state={detail.state} testId="case-state" />
        </div>
        <Button icon={<ReloadOutlined />} onClick={reload} loading={loaded.loading} aria-label={t('common.reload')}>{mobile ? null : t('common.reload')}</Button>
      </div>
      {(detail.light || detail.deadline) && (
        <div className="xh-case-sub">
          {detail.light && <LightBadge light={detail.light} />}
          {detail.deadline && (
            <Typography.Text type="secondary" data-testid="case-deadline">
              {t('cases.deadline')} {formatDateTime(detail.deadline, lang)}
            </Typography.Text>
          )}
        </div>
      )}

      {conflict && (
        <Alert type="warning" showIcon closable onClose={() => setConflict(null)} style={{ marginBottom: 12 }} data-testid="case-conflict"
          title={conflict} description={t('cases.form.reloaded')} />
      )}
      {pendingExtension && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="case-pending-extension"
          title={t('cases.pending.extension', { deadline: formatDateTime(pendingExtension.newDeadline, lang), reason: pendingExtension.reason ?? '' })} />
      )}
      {pendingSuspension && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="case-pending-suspension"
          title={t('cases.pending.suspension', { reason: pendingSuspension.reason ?? '' })} />
      )}
      {pendingReview && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} data-testid="case-pending-review"
          title={t('cases.pending.review', { comment: pendingReview.comment || '—' })}
          description={pendingReview.ratedAt ? formatDateTime(pendingReview.ratedAt, lang) : undefined} />
      )}
      {lastStep && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="case-last-step" data-action={lastStep.action}
          title={t(`cases.lastStep.${lastStep.action}`, { unit: lastStep.unitName ?? names.unitName(lastStep.unitId) ?? '', reason: lastStep.reason ?? '' })} />
      )}
      {possibleDuplicates(detail).length > 0 && detail.state !== 'merged' && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="case-duplicates"
          title={t('cases.duplicates')} description={<DuplicateLinks ids={possibleDuplicates(detail)} />} />
      )}
      {detail.rejectReason && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }}
          title={t('cases.rejectReasonShown', { reason: t(`rejectReason.${detail.rejectReason}`, { defaultValue: detail.rejectReason }) })} />
      )}
      {detail.mergedInto && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('cases.mergedInto')}
          action={<Link to={`/cases/${detail.mergedInto}`}>{t('cases.viewMerged')}</Link>} />
      )}

      {can('case:act') && (
        <Card size="small" title={t('cases.actions')} style={{ marginBottom: 16 }}>
          {available.length ? (
            <div className="xh-case-actions" data-testid="case-actions">
              {available.map((a) => (
                <Button
                  key={a}
                  type={PRIMARY_ACTIONS.has(a) ? 'primary' : 'default'}
                  danger={DANGER_ACTIONS.has(a)}
                  onClick={() => setAction(a)}
                  data-testid={`case-action-${a}`}
                >
                  {t(`caseAction.${a}`)}
                </Button>
              ))}
            </div>
          ) : (
            <Typography.Text type="secondary" data-testid="case-no-actions">{t('cases.noActions')}</Typography.Text>
          )}
        </Card>
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small" title={t('cases.facts')}>
              <Descriptions size="small" column={{ xs: 1, sm: 2 }} items={facts} />
            </Card>
            <Card size="small" title={t('cases.timeline')}>
              <CaseTimeline detail={detail} names={names} lang={lang} />
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={10}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small" title={t('cases.map')} styles={{ body: { padding: 8 } }}>
              <CaseMap position={detail.position} />
            </Card>
            <Card size="small" title={t('cases.photos')}>
              <BeforeAfter detail={detail} />
            </Card>
            <CitizenPanel detail={detail} lang={lang} />
          </Space>
        </Col>
      </Row>

      <ActionDialog
        detail={detail}
        action={action}
        units={units}
        lang={lang}
        {...dialog}
      />
    </div>
  )
}
