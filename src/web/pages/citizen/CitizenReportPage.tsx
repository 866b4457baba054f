// Report a problem (我要反映问题), in one step on one page: the type and its questions, up to three photos (shrunk on
// the phone), the place on a map, a description and an optional phone number; the upload shows its progress and the
// answer is the ticket number, kept on this device with the token that follows and rates the report.
import { useMemo, useState } from 'react'
import { Link } from 'react-router'
import { Button, Form, Input, Progress, Result, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { getCatalogue, submitCitizenReport, type Catalogue, type SubmitReply } from '../../api/client'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { PhotoPicker } from '../field/PhotoPicker'
import type { PinnedPosition } from '../field/PositionPicker'
import { AttributeFields } from './AttributeFields'
import { CitizenPosition } from './CitizenPosition'
import { saveReport } from './myReports'
import { shrinkPhoto } from './shrink'
import { TypePicker } from './TypePicker'

interface Values {
  serviceCode?: string
  attributes?: Record<string, string | string[] | number | null | undefined>
  photos?: File[]
  position?: PinnedPosition
  address?: string
  description?: string
  phone?: string
}

const EMPTY: Catalogue = { types: [], maxPhotos: 3 }

function clientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** The answers as the server reads them: text, or lists of keys; empty ones left out. */
function answers(values: Values['attributes']): Record<string, string | string[]> | undefined {
  const out: Record<string, string | string[]> = {}
  for (const [code, v] of Object.entries(values ?? {})) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue
    out[code] = Array.isArray(v) ? v : String(v)
  }
  return Object.keys(out).length ? out : undefined
}

function Done({ reply, onAgain }: { reply: SubmitReply; onAgain: () => void }) {
  const { t } = useTranslation()
  return (
    <Result
      status="success"
      data-testid="citizen-report-done"
      title={t('citizen.report.sent')}
      subTitle={t('citizen.report.sentHint')}
      extra={
        <div className="xh-citizen-done">
          <div className="xh-citizen-ticket-label">{t('citizen.report.ticket')}</div>
          <Typography.Text copyable={{ text: reply.ticket, tooltips: [t('citizen.report.copy'), t('citizen.report.copied')] }}
            className="xh-citizen-ticket" data-testid="citizen-report-ticket">{reply.ticket}</Typography.Text>
          <Link to={`/citizen/follow/${reply.token}`} data-testid="citizen-report-follow">
            <Button type="primary" size="large" block>{t('citizen.report.follow')}</Button>
          </Link>
          <Button size="large" block onClick={onAgain} data-testid="citizen-report-again">{t('citizen.report.again')}</Button>
          <Link to="/citizen"><Button size="large" block type="text">{t('citizen.backHome')}</Button></Link>
        </div>
      }
    />
  )
}

function ReportForm({ id, onDone }: { id: string; onDone: (reply: SubmitReply) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<Values>()
  const { data: catalogue, error: loadError } = useLoad(getCatalogue, EMPTY, [])
  const [progress, setProgress] = useState<number | null>(null)
  const [error, setError] = useState<unknown>(null)
  const serviceCode = Form.useWatch('serviceCode', form)
  const type = useMemo(() => catalogue.types.find((c) => c.serviceCode === serviceCode), [catalogue, serviceCode])

  const submit = async (values: Values) => {
    if (!values.serviceCode || !values.position) return
    setError(null)
    setProgress(0)
    try {
      const photos = await Promise.all((values.photos ?? []).map((file, i) => shrinkPhoto(file, i)))
      const reply = await submitCitizenReport({
        serviceCode: values.serviceCode,
        description: values.description?.trim() || undefined,
        lng: Number(values.position.lng.toFixed(7)),
        lat: Number(values.position.lat.toFixed(7)),
        crs: 'wgs84', // the browser's geolocation and our map are both WGS-84
        address: values.address?.trim() || undefined,
        phone: values.phone?.trim() || undefined,
        clientId: id,
        attributes: answers(values.attributes),
      }, photos, setProgress)
      saveReport(reply.ticket, reply.token)
      onDone(reply)
    } catch (e) {
      setError(e)
    } finally {
      setProgress(null)
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      disabled={progress !== null}
      initialValues={{ photos: [] }}
      onValuesChange={(changed: Partial<Values>) => {
        if (changed.serviceCode) form.setFieldValue('attributes', {}) // another type asks other questions
      }}
      onFinish={(v) => void submit(v)}
      scrollToFirstError
    >
      <ServerError error={loadError} />
      <Form.Item name="serviceCode" label={t('citizen.report.type')} rules={[{ required: true, message: t('citizen.report.typeRequired') }]}>
        <TypePicker types={catalogue.types} />
      </Form.Item>
      {type && type.attributes.length > 0 && <AttributeFields attributes={type.attributes} />}
      <Form.Item name="photos" label={t('citizen.report.photos', { max: catalogue.maxPhotos })} extra={t('citizen.report.photosHint')}>
        <PhotoPicker max={catalogue.maxPhotos} />
      </Form.Item>
      <Form.Item name="position" label={t('citizen.report.position')} rules={[{ required: true, message: t('citizen.report.positionRequired') }]}>
        <CitizenPosition />
      </Form.Item>
      <Form.Item name="address" label={t('citizen.report.address')} rules={[{ max: 200, message: t('validation.max', { count: 200 }) }]}>
        <Input size="large" placeholder={t('citizen.report.addressPlaceholder')} maxLength={200} data-testid="citizen-address" />
      </Form.Item>
      <Form.Item name="description" label={t('citizen.report.description')} rules={[{ max: 500, message: t('validation.max', { count: 500 }) }]}>
        <Input.TextArea placeholder={t('citizen.report.descriptionPlaceholder')} autoSize={{ minRows: 3, maxRows: 8 }} maxLength={500} showCount data-testid="citizen-description" />
      </Form.Item>
      <Form.Item name="phone" label={t('citizen.report.phone')} extra={t('citizen.report.phoneNote')}
        rules={[{ pattern: /^\s*(\+?86)?[\s-]*1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}\s*$/, message: t('citizen.report.phoneInvalid') }]}>
        <Input size="large" type="tel" inputMode="tel" autoComplete="tel" maxLength={20} placeholder={t('citizen.report.phonePlaceholder')} data-testid="citizen-phone" />
      </Form.Item>
      <ServerError error={error} />
      {progress !== null && (
        <div data-testid="citizen-report-progress" style={{ marginBottom: 12 }}>
          <Progress percent={Math.round(progress * 100)} status="active" />
          <Typography.Text type="secondary">{progress < 1 ? t('citizen.report.uploading') : t('citizen.report.saving')}</Typography.Text>
        </div>
      )}
      <Button type="primary" htmlType="submit" size="large" block loading={progress !== null} className="xh-citizen-big" data-testid="citizen-report-submit">
        {t('citizen.report.submit')}
      </Button>
    </Form>
  )
}

export default function CitizenReportPage() {
  const { t } = useTranslation()
  // one client id per report: a retried upload answers the same ticket
  const [id, setId] = useState(clientId)
  const [reply, setReply] = useState<SubmitReply | null>(null)
  return (
    <div className="xh-citizen-page" data-testid="citizen-report-page">
      <div className="xh-citizen-title">
        <h1>{t('citizen.report.title')}</h1>
        <Link to="/citizen">{t('citizen.backHome')}</Link>
      </div>
      {reply
        ? <Done reply={reply} onAgain={() => { setReply(null); setId(clientId()) }} />
        : <ReportForm key={id} id={id} onDone={setReply} />}
    </div>
  )
}
