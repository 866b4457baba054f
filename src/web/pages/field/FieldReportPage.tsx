// Report a problem from the street (现场上报): class, camera photos, the position from the phone on a small map, address,
// description and urgency. Online it goes up at once (photos, then the report) and shows the ticket; without a
// connection, or when the network or the server fails, it waits in the outbox and goes up by itself later.
import { useMemo, useState } from 'react'
import { Link } from 'react-router'
import { Alert, Button, Form, Input, Progress, Radio, Result, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import type { CaseReportReply, CaseSource, Lang, Urgency } from '../../api/client'
import { useAuth } from '../../app/auth'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useClasses } from '../cases/shared'
import { ClassPicker, rememberClass, type ClassRef } from './ClassPicker'
import { enqueue, isTransient, newClientId, sendReport, useOutbox, type QueuedPhoto, type ReportFields, type SendProgress } from './outbox'
import { OutboxPanel } from './OutboxPanel'
import { MAX_PHOTOS, PhotoPicker } from './PhotoPicker'
import { PositionPicker, type PinnedPosition } from './PositionPicker'

const URGENCIES: readonly Urgency[] = ['normal', 'important', 'urgent', 'complex']

/** The channel a report from this page goes in as: the supervisor's own; others may only register what they were told. */
/**
 * The channels this user may report through (as the server allows them: POST /api/cases): a supervisor from the street,
 * a leader's instruction, and the centre's entry of a 12319 hotline call, a citizen's report or a media report.
 */
export function reportSources(roles: readonly string[]): CaseSource[] {
  const sources = new Set<CaseSource>()
  if (roles.includes('supervisor')) sources.add('supervisor')
  if (roles.some((r) => ['acceptor', 'shift_leader', 'admin'].includes(r))) for (const s of ['hotline', 'citizen', 'media'] as const) sources.add(s)
  if (roles.some((r) => ['leader', 'admin'].includes(r))) sources.add('leader')
  return [...sources]
}

/** The channel a report goes in by default. */
export function reportSource(roles: readonly string[]): CaseSource {
  return reportSources(roles)[0] ?? 'citizen'
}

interface Values {
  source?: CaseSource
  cls?: ClassRef
  photos?: File[]
  position?: PinnedPosition
  address?: string
  description?: string
  urgency?: Urgency
}

type Outcome = { kind: 'sent'; reply: CaseReportReply } | { kind: 'queued'; clientId: string }

function ProgressLine({ progress }: { progress: SendProgress }) {
  const { t } = useTranslation()
  return (
    <div data-testid="field-report-progress" style={{ marginBottom: 12 }}>
      <Progress percent={Math.round(progress.fraction * 100)} status="active" />
      <Typography.Text type="secondary">
        {progress.step === 'photo' ? t('field.progress.photo', { n: Math.min(progress.done + 1, progress.total), total: progress.total }) : t('field.progress.report')}
      </Typography.Text>
    </div>
  )
}

function ReportForm({ clientId, onOutcome }: { clientId: string; onOutcome: (outcome: Outcome) => void }) {
  const { t } = useTranslation()
  const { me } = useAuth()
  const { classes } = useClasses()
  const outbox = useOutbox()
  const [form] = Form.useForm<Values>()
  const [progress, setProgress] = useState<SendProgress | null>(null)
  const [error, setError] = useState<unknown>(null)
  const sources = useMemo(() => reportSources(me?.roles ?? []), [me])
  const chosen = Form.useWatch('source', form) as CaseSource | undefined
  // photos are the supervisor's evidence from the street; a call or an instruction may come without one
  const photosRequired = (chosen ?? sources[0]) === 'supervisor'

  const submit = async (values: Values) => {
    const { cls, position, photos = [] } = values
    const source = values.source ?? sources[0] ?? 'citizen'
    if (!cls || !position) return
    rememberClass(cls)
    const fields: ReportFields = {
      clientId, source, classKind: cls.kind, classCode: cls.code, urgency: values.urgency,
      description: (values.description ?? '').trim(), lng: position.lng, lat: position.lat, crs: 'wgs84',
      ...(values.address?.trim() ? { address: values.address.trim() } : {}),
    }
    const queued: QueuedPhoto[] = photos.map((file, i) => ({ name: file.name || `photo-${i + 1}.jpg`, blob: file }))
    setError(null)
    try {
      // Offline, or older reports still waiting: this one queues behind them, so they go up in order.
      if (!navigator.onLine || outbox.items.some((item) => !item.refused)) {
        await enqueue(fields, queued)
        onOutcome({ kind: 'queued', clientId })
        return
      }
      setProgress({ step: 'photo', done: 0, total: queued.length, fraction: 0 })
      try {
        onOutcome({ kind: 'sent', reply: await sendReport(fields, queued, setProgress) })
      } catch (e) {
        if (!isTransient(e)) throw e
        await enqueue(fields, queued, errorMessage(e))
        onOutcome({ kind: 'queued', clientId })
      }
    } catch (e) {
      setError(e)
    } finally {
      setProgress(null)
    }
  }

  const required = { required: true, message: t('validation.required') }
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark
      disabled={progress !== null}
      initialValues={{ urgency: 'normal', photos: [], source: sources[0] }}
      onValuesChange={(changed: Partial<Values>) => {
        // The class's default urgency, until the user chooses one.
        if (changed.cls && !form.isFieldTouched('urgency')) {
          const cls = classes.find((c) => c.kind === changed.cls!.kind && c.smallCode === changed.cls!.code)
          if (cls) form.setFieldValue('urgency', cls.defaultUrgency)
        }
      }}
      onFinish={(v) => void submit(v)}
      scrollToFirstError
    >
      {sources.length > 1 && (
        <Form.Item name="source" label={t('cases.source')}>
          <Radio.Group optionType="button" buttonStyle="solid" data-testid="field-report-source"
            options={sources.map((v) => ({ value: v, label: t(`caseSource.${v}`) }))} />
        </Form.Item>
      )}
      <Form.Item name="cls" label={t('field.report.class')} rules={[required]}>
        <ClassPicker classes={classes} />
      </Form.Item>
      <Form.Item
        name="photos"
        label={t('field.report.photos', { max: MAX_PHOTOS })}
        rules={[{ validator: async (_, files: File[] | undefined) => { if (photosRequired && !files?.length) throw new Error(t('field.photos.required')) } }]}
        required={photosRequired}
      >
        <PhotoPicker />
      </Form.Item>
      <Form.Item name="position" label={t('field.report.position')} rules={[{ required: true, message: t('field.position.required') }]}>
        <PositionPicker />
      </Form.Item>
      <Form.Item name="address" label={t('field.report.address')} rules={[{ max: 200, message: t('validation.max', { count: 200 }) }]}>
        <Input size="large" placeholder={t('field.report.addressPlaceholder')} data-testid="field-address" maxLength={200} />
      </Form.Item>
      <Form.Item name="description" label={t('field.report.description')} rules={[{ ...required, whitespace: true }, { max: 2000, message: t('validation.max', { count: 2000 }) }]}>
        <Input.TextArea placeholder={t('field.report.descriptionPlaceholder')} autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} showCount data-testid="field-description" />
      </Form.Item>
      <Form.Item name="urgency" label={t('field.report.urgency')}>
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          size="large"
          className="xh-field-urgency"
          data-testid="field-urgency"
          options={URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
        />
      </Form.Item>
      <ServerError error={error} />
      {progress && <ProgressLine progress={progress} />}
      <Button type="primary" htmlType="submit" size="large" block loading={progress !== null} data-testid="field-report-submit">
        {t('field.report.submit')}
      </Button>
    </Form>
  )
}

export default function FieldReportPage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  // One client id per report: a retry of this report (now or from the outbox) answers the same case.
  const [clientId, setClientId] = useState(newClientId)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const { online, sent } = useOutbox()
  // A queued report that went up meanwhile shows its ticket like one sent at once.
  const uploaded = outcome?.kind === 'queued' ? sent.find((s) => s.clientId === outcome.clientId) : undefined
  const done = outcome?.kind === 'sent' ? { id: outcome.reply.case.id, ticket: outcome.reply.case.ticket } : uploaded ? { id: uploaded.caseId, ticket: uploaded.ticket } : null
  const again = () => {
    setOutcome(null)
    setClientId(newClientId())
  }

  return (
    <div className="xh-page xh-field-page" data-testid="field-report-page">
      <div className="xh-page-header">
        <h1>{t('field.report.title')}</h1>
        <Link to="/field">{t('field.tasks.title')}</Link>
      </div>
      <OutboxPanel lang={lang} />
      {done && (
        <Result
          status="success"
          data-testid="field-report-done"
          title={t('field.report.sent')}
          subTitle={<span>{t('field.report.ticket')} <Typography.Text strong copyable className="xh-ticket" data-testid="field-report-ticket">{done.ticket}</Typography.Text></span>}
          extra={[
            <Button key="again" type="primary" size="large" onClick={again} data-testid="field-report-again">{t('field.report.again')}</Button>,
            <Link key="view" to={`/field/cases/${done.id}`} data-testid="field-report-view"><Button size="large">{t('field.report.view')}</Button></Link>,
          ]}
        />
      )}
      {outcome?.kind === 'queued' && !uploaded && (
        <Result
          status="info"
          data-testid="field-report-queued"
          title={t('field.report.queued')}
          subTitle={t('field.report.queuedHint')}
          extra={<Button type="primary" size="large" onClick={again} data-testid="field-report-again">{t('field.report.again')}</Button>}
        />
      )}
      {!outcome && (
        <>
          {!online && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('field.report.offlineHint')} />}
          <ReportForm key={clientId} clientId={clientId} onOutcome={setOutcome} />
        </>
      )}
    </div>
  )
}
