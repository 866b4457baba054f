// One case on the supervisor's phone: what and where (class, address, distance, description), the photos before and
// after, the map, and big buttons for the steps the server says the user may take now — each step's form is the
// desktop's ActionDialog, with the photos it needs taken by the camera. Follows changes made elsewhere live.
import { Link, useLocation, useNavigate, useParams } from 'react-router'
import { Alert, Button, Card, Result, Spin, Tag, Typography } from 'antd'
import { ArrowLeftOutlined, ProfileOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { errorMessage } from '../../app/ServerError'
import { ActionDialog } from '../cases/ActionDialog'
import { CaseMap } from '../cases/CaseMap'
import { BeforeAfter } from '../cases/CaseTimeline'
import { LightBadge, StateTag, useClasses } from '../cases/shared'
import { ACTION_ORDER, DANGER_ACTIONS, PRIMARY_ACTIONS } from '../cases/workflow'
import { distanceMetres, formatDistance, useGeolocation } from './geo'
import { useLiveCase } from '../cases/useLiveCase'

export default function FieldCasePage() {
  const { id = '' } = useParams()
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const navigate = useNavigate()
  const location = useLocation()
  // Back to the list as it was (its tab) when the user came from it; to the tasks when the page was opened directly.
  const back = () => (location.key !== 'default' ? navigate(-1) : navigate('/field'))
  const { className } = useClasses()
  const geo = useGeolocation()
  const { loaded, detail, action, setAction, conflict, setConflict, dialog } = useLiveCase(id)

  if (loaded.error && !detail) {
    return (
      <div className="xh-page">
        <Result status="warning" title={t('cases.notFound')} subTitle={errorMessage(loaded.error)}
          extra={<Button size="large" onClick={back}>{t('field.case.back')}</Button>} />
      </div>
    )
  }
  if (!detail || detail.id !== id) return <div className="xh-center"><Spin size="large" /></div>

  const available = ACTION_ORDER.filter((a) => detail.actions.includes(a))
  const distance = geo.fix ? distanceMetres([geo.fix.lng, geo.fix.lat], detail.position) : null

  return (
    <div className="xh-page xh-field-page xh-field-case" data-testid="field-case-page" data-case-id={detail.id} data-version={detail.version}>
      <div className="xh-case-title" style={{ marginBottom: 8 }}>
        <Button type="text" size="large" icon={<ArrowLeftOutlined />} onClick={back} aria-label={t('field.case.back')} />
        <h1 data-testid="case-ticket">{detail.ticket}</h1>
        <StateTag state={detail.state} testId="case-state" />
      </div>
      <div className="xh-field-case-sub">
        {detail.light && <LightBadge light={detail.light} />}
        {detail.deadline && <Typography.Text type="secondary">{t('cases.deadline')} {formatDateTime(detail.deadline, lang)}</Typography.Text>}
      </div>

      {conflict && (
        <Alert type="warning" showIcon closable onClose={() => setConflict(null)} style={{ marginBottom: 12 }} data-testid="case-conflict"
          title={conflict} description={t('cases.form.reloaded')} />
      )}

      <Card size="small" style={{ marginBottom: 12 }}>
        <div className="xh-field-card-top">
          <Tag color={detail.classKind === 'component' ? 'geekblue' : 'magenta'}>{t(`classes.kinds.${detail.classKind}`, { defaultValue: detail.classKind })}</Tag>
          {distance !== null && <span className="xh-field-card-distance" data-testid="field-case-distance">{formatDistance(distance, lang)}</span>}
        </div>
        <div className="xh-field-card-class" data-testid="case-class">{className(detail.classKind, detail.classCode)}</div>
        <div className="xh-field-card-address">{detail.address || '—'}</div>
        <Typography.Text type="secondary">{[detail.streetName, t(`urgency.${detail.urgency}`)].filter(Boolean).join(' · ')}</Typography.Text>
        <Typography.Paragraph style={{ margin: '8px 0 0', whiteSpace: 'pre-wrap' }} data-testid="field-case-description">{detail.description}</Typography.Paragraph>
      </Card>

      <Card size="small" title={t('cases.photos')} style={{ marginBottom: 12 }}>
        <BeforeAfter detail={detail} />
      </Card>
      <Card size="small" title={t('cases.map')} style={{ marginBottom: 12 }} styles={{ body: { padding: 8 } }}>
        <CaseMap position={detail.position} />
      </Card>
      <Link to={`/cases/${detail.id}`}><Button block icon={<ProfileOutlined />}>{t('field.case.full')}</Button></Link>

      <div className="xh-field-actions" data-testid="field-actions">
        {available.length ? available.map((a) => (
          <Button
            key={a}
            size="large"
            block
            type={PRIMARY_ACTIONS.has(a) ? 'primary' : 'default'}
            danger={DANGER_ACTIONS.has(a)}
            onClick={() => setAction(a)}
            data-testid={`field-action-${a}`}
          >
            {t(`caseAction.${a}`)}
          </Button>
        )) : (
          <Typography.Text type="secondary" data-testid="field-no-actions">{t('cases.noActions')}</Typography.Text>
        )}
      </div>

      <ActionDialog
        detail={detail}
        action={action}
        units={[]}
        lang={lang}
        camera
        {...dialog}
      />
    </div>
  )
}
