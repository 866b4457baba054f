// Following a report: by the secret token (the reporter: with their rating) or by ticket number (anyone: the public
// view only). The stage as steps, the centre's reply, the dates, the published text and photos; once resolved the
// reporter rates it (满意 / 基本满意 / 不满意) with a comment, and sees the rating afterwards.
import { useState, type ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { Alert, Button, Card, Descriptions, Image, Input, Result, Space, Spin, Steps, Typography } from 'antd'
import { FrownOutlined, MehOutlined, ReloadOutlined, SmileOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { followReport, publicReport, rateReport, type Lang, type PublicCase, type Rating, type ReporterView } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { publicClassName, StageTag } from './shared'
import { STAGE_STEPS } from './stages'

const RATINGS: ReadonlyArray<{ value: Rating; icon: ReactNode }> = [
  { value: 'satisfied', icon: <SmileOutlined /> },
  { value: 'basically_satisfied', icon: <MehOutlined /> },
  { value: 'unsatisfied', icon: <FrownOutlined /> },
]

function StageSteps({ stage }: { stage: PublicCase['stage'] }) {
  const { t } = useTranslation()
  if (stage === 'declined') {
    return (
      <Steps size="small" responsive={false} titlePlacement="vertical" current={1} status="error" data-testid="citizen-steps" data-stage={stage}
        items={[{ title: t('citizen.stage.submitted') }, { title: t('citizen.stage.declined') }]} />
    )
  }
  const current = STAGE_STEPS.indexOf(stage)
  return (
    <Steps size="small" responsive={false} titlePlacement="vertical" current={current} status={stage === 'closed' ? 'finish' : 'process'} data-testid="citizen-steps" data-stage={stage}
      items={STAGE_STEPS.map((s) => ({ title: t(`citizen.stage.${s}`) }))} />
  )
}

function RatingBox({ token, view, onRated }: { token: string; view: ReporterView; onRated: (view: ReporterView) => void }) {
  const { t } = useTranslation()
  const [rating, setRating] = useState<Rating | null>(null)
  const [comment, setComment] = useState('')
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  if (!view.canRate) {
    if (!view.rating) return null
    return (
      <Card size="small" title={t('citizen.follow.yourRating')} data-testid="citizen-rated" data-rating={view.rating.rating}>
        <Typography.Text strong style={{ fontSize: 18 }}>{t(`citizen.rating.${view.rating.rating}`)}</Typography.Text>
        {view.rating.comment && <Typography.Paragraph style={{ margin: '6px 0 0', whiteSpace: 'pre-wrap' }}>{view.rating.comment}</Typography.Paragraph>}
        {view.rating.rating === 'unsatisfied' && <Typography.Paragraph type="secondary" style={{ margin: '6px 0 0' }}>{t('citizen.follow.reviewNote')}</Typography.Paragraph>}
      </Card>
    )
  }
  const save = async () => {
    if (!rating) return
    setSaving(true)
    setError(null)
    try {
      onRated(await rateReport(token, rating, comment))
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Card size="small" title={t('citizen.follow.rate')} data-testid="citizen-rate">
      <div className="xh-citizen-ratings">
        {RATINGS.map((r) => (
          <Button key={r.value} size="large" icon={r.icon} type={rating === r.value ? 'primary' : 'default'} danger={r.value === 'unsatisfied' && rating === r.value}
            onClick={() => setRating(r.value)} aria-pressed={rating === r.value} data-testid={`citizen-rate-${r.value}`}>
            {t(`citizen.rating.${r.value}`)}
          </Button>
        ))}
      </div>
      <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={500} showCount autoSize={{ minRows: 2, maxRows: 6 }}
        placeholder={t('citizen.follow.commentPlaceholder')} style={{ margin: '12px 0 28px' }} data-testid="citizen-rate-comment" />
      <ServerError error={error} />
      <Button type="primary" size="large" block disabled={!rating} loading={saving} onClick={() => void save()} data-testid="citizen-rate-submit">
        {t('citizen.follow.rateSubmit')}
      </Button>
    </Card>
  )
}

function CaseView({ view, lang }: { view: PublicCase; lang: Lang }) {
  const { t } = useTranslation()
  const dates = [
    { key: 'reported', label: t('citizen.follow.reportedAt'), children: formatDateTime(view.reportedAt, lang) },
    { key: 'updated', label: t('citizen.follow.updatedAt'), children: formatDateTime(view.updatedAt, lang) },
    ...(view.expectedAt ? [{ key: 'expected', label: t('citizen.follow.expectedAt'), children: formatDateTime(view.expectedAt, lang) }] : []),
    ...(view.closedAt ? [{ key: 'closed', label: t('citizen.follow.closedAt'), children: formatDateTime(view.closedAt, lang) }] : []),
    { key: 'agency', label: t('citizen.follow.agency'), children: view.agency || '—' },
    ...(view.address ? [{ key: 'address', label: t('citizen.follow.address'), children: view.address }] : []),
  ]
  return (
    <div className="xh-citizen-stack">
      <Card size="small" className="xh-citizen-case-head">
        <div className="xh-citizen-case-line">
          <Typography.Text strong style={{ fontSize: 18 }} data-testid="citizen-follow-class">{publicClassName(view, lang)}</Typography.Text>
          <StageTag stage={view.stage} />
        </div>
        <Typography.Text type="secondary" className="xh-ticket" data-testid="citizen-follow-ticket">{t('citizen.report.ticket')} {view.ticket}</Typography.Text>
        <div style={{ marginTop: 16 }}><StageSteps stage={view.stage} /></div>
      </Card>
      {view.reply
        ? <Alert type={view.stage === 'closed' ? 'success' : 'info'} showIcon data-testid="citizen-follow-reply" title={t('citizen.follow.reply')} description={<span style={{ whiteSpace: 'pre-wrap' }}>{view.reply}</span>} />
        : <Typography.Text type="secondary" data-testid="citizen-follow-no-reply">{t('citizen.follow.noReply')}</Typography.Text>}
      <Card size="small">
        <Descriptions size="small" column={1} items={dates} />
        {view.description && <Typography.Paragraph style={{ margin: '8px 0 0', whiteSpace: 'pre-wrap' }} data-testid="citizen-follow-description">{view.description}</Typography.Paragraph>}
        {view.photos.length > 0 && (
          <div className="xh-photos" style={{ marginTop: 8 }} data-testid="citizen-follow-photos">
            <Image.PreviewGroup>
              {view.photos.map((p) => <Image key={p.url} src={p.thumbnailUrl} preview={{ src: p.url }} width={72} height={72} alt="" />)}
            </Image.PreviewGroup>
          </div>
        )}
      </Card>
    </div>
  )
}

export default function CitizenFollowPage() {
  const { token, ticket } = useParams()
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const loaded = useLoad<PublicCase | ReporterView | null>(
    () => (token ? followReport(token) : publicReport(ticket ?? '')),
    null, [token, ticket],
  )
  const [rated, setRated] = useState<ReporterView | null>(null)
  const view = rated ?? loaded.data

  return (
    <div className="xh-citizen-page" data-testid="citizen-follow-page">
      <div className="xh-citizen-title">
        <h1>{t('citizen.follow.title')}</h1>
        <Space size={4}>
          <Button type="text" icon={<ReloadOutlined />} onClick={() => { setRated(null); loaded.reload() }} aria-label={t('common.reload')} data-testid="citizen-follow-reload" />
          <Link to="/citizen">{t('citizen.backHome')}</Link>
        </Space>
      </div>
      {loaded.error && !view ? (
        <Result status="warning" title={t('citizen.follow.notFound')} subTitle={errorMessage(loaded.error)} data-testid="citizen-follow-missing"
          extra={<Link to="/citizen"><Button size="large">{t('citizen.backHome')}</Button></Link>} />
      ) : !view ? (
        <div className="xh-center"><Spin size="large" /></div>
      ) : (
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <CaseView view={view} lang={lang} />
          {token && 'canRate' in view && <RatingBox token={token} view={view as ReporterView} onRated={setRated} />}
          {!token && <Typography.Text type="secondary">{t('citizen.follow.byTicketNote')}</Typography.Text>}
        </Space>
      )}
    </div>
  )
}
