// The citizen's start page: report a problem (the big button), follow one by ticket or by phone with a one-time code,
// the reports made on this device, and the public map.
import { useEffect, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { App, Button, Card, Empty, Form, Input, Segmented, Space, Typography } from 'antd'
import { EnvironmentOutlined, MessageOutlined, RightOutlined, SearchOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { followReport, requestCode, verifyCode, type Lang, type PublicCase } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { saveReport, savedReports, type SavedReport } from './myReports'
import { publicClassName, StageTag } from './shared'

function ReportLine({ ticket, token, view, lang }: { ticket: string; token: string; view?: PublicCase | null; lang: Lang }) {
  return (
    <Link to={`/citizen/follow/${token}`} className="xh-citizen-report-line" data-testid={`citizen-my-${ticket}`}>
      <span className="xh-citizen-report-main">
        <span className="xh-ticket">{ticket}</span>
        {view && <Typography.Text strong>{publicClassName(view, lang)}</Typography.Text>}
        {view && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(view.reportedAt, lang)}</Typography.Text>}
      </span>
      {view && <StageTag stage={view.stage} />}
      <RightOutlined />
    </Link>
  )
}

/** 我的反映: the reports kept on this device, each with its stage as it is now. */
function MyReports({ lang }: { lang: Lang }) {
  const { t } = useTranslation()
  const [saved] = useState<SavedReport[]>(savedReports)
  const [views, setViews] = useState<Record<string, PublicCase | null>>({})
  useEffect(() => {
    let live = true
    for (const r of saved.slice(0, 20)) {
      followReport(r.token).then((v) => live && setViews((m) => ({ ...m, [r.token]: v })), () => live && setViews((m) => ({ ...m, [r.token]: null })))
    }
    return () => {
      live = false
    }
  }, [saved])
  return (
    <Card size="small" title={t('citizen.home.mine')} data-testid="citizen-my-reports">
      {saved.length === 0
        ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('citizen.home.mineEmpty')} />
        : saved.map((r) => <ReportLine key={r.token} ticket={r.ticket} token={r.token} view={views[r.token]} lang={lang} />)}
    </Card>
  )
}

/** 查询进度: by ticket number, or by the phone number the report left with a one-time code. */
function FollowBox({ lang }: { lang: Lang }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const { message } = App.useApp()
  const [mode, setMode] = useState<'ticket' | 'phone'>('ticket')
  const [ticket, setTicket] = useState('')
  const [phone, setPhone] = useState('')
  const [code, setCode] = useState('')
  const [sending, setSending] = useState(false)
  const [sent, setSent] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [found, setFound] = useState<Array<{ token: string; case: PublicCase }> | null>(null)

  const send = async () => {
    setError(null)
    setSending(true)
    try {
      await requestCode(phone.trim())
      setSent(true)
      message.success(t('citizen.home.codeSent'))
    } catch (e) {
      setError(e)
    } finally {
      setSending(false)
    }
  }
  const verify = async () => {
    setError(null)
    try {
      const { reports } = await verifyCode(phone.trim(), code.trim())
      // kept on this device too, so they show under 我的反映 next time
      for (const r of [...reports].reverse()) saveReport(r.case.ticket, r.token)
      setFound(reports)
    } catch (e) {
      setError(e)
    }
  }

  return (
    <Card size="small" title={t('citizen.home.follow')} data-testid="citizen-follow-box">
      <Segmented<'ticket' | 'phone'>
        block
        value={mode}
        onChange={(m) => { setMode(m); setError(null) }}
        options={[{ value: 'ticket', label: t('citizen.home.byTicket') }, { value: 'phone', label: t('citizen.home.byPhone') }]}
        style={{ marginBottom: 12 }}
        data-testid="citizen-follow-mode"
      />
      {mode === 'ticket' ? (
        <Form layout="vertical" onFinish={() => ticket.trim() && navigate(`/citizen/ticket/${encodeURIComponent(ticket.trim())}`)}>
          <Space.Compact block>
            <Input size="large" value={ticket} onChange={(e) => setTicket(e.target.value)} placeholder={t('citizen.home.ticketPlaceholder')}
              inputMode="numeric" data-testid="citizen-ticket-input" />
            <Button size="large" type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="citizen-ticket-go">{t('citizen.home.query')}</Button>
          </Space.Compact>
        </Form>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }} size={8}>
          <Space.Compact block>
            <Input size="large" type="tel" inputMode="tel" value={phone} onChange={(e) => setPhone(e.target.value)} placeholder={t('citizen.home.phonePlaceholder')}
              data-testid="citizen-code-phone" />
            <Button size="large" onClick={() => void send()} loading={sending} disabled={phone.trim().length < 11} data-testid="citizen-code-send">
              {sent ? t('citizen.home.resend') : t('citizen.home.sendCode')}
            </Button>
          </Space.Compact>
          <Space.Compact block>
            <Input size="large" inputMode="numeric" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} placeholder={t('citizen.home.codePlaceholder')}
              autoComplete="one-time-code" data-testid="citizen-code-input" />
            <Button size="large" type="primary" onClick={() => void verify()} disabled={!sent || code.trim().length !== 6} data-testid="citizen-code-verify">
              {t('citizen.home.query')}
            </Button>
          </Space.Compact>
          {found && (
            <div data-testid="citizen-code-found">
              {found.length === 0
                ? <Typography.Text type="secondary">{t('citizen.home.noneForPhone')}</Typography.Text>
                : found.map((r) => <ReportLine key={r.token} ticket={r.case.ticket} token={r.token} view={r.case} lang={lang} />)}
            </div>
          )}
        </Space>
      )}
      <ServerError error={error} />
    </Card>
  )
}

export default function CitizenHomePage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  return (
    <div className="xh-citizen-page" data-testid="citizen-home">
      <section className="xh-citizen-hero">
        <h1>{t('citizen.home.title')}</h1>
        <p>{t('citizen.home.subtitle')}</p>
        <Link to="/citizen/report" data-testid="citizen-report-link">
          <Button type="primary" size="large" block icon={<MessageOutlined />} className="xh-citizen-big">{t('citizen.home.report')}</Button>
        </Link>
      </section>
      <FollowBox lang={lang} />
      <MyReports lang={lang} />
      <Link to="/citizen/map" data-testid="citizen-map-link">
        <Button size="large" block icon={<EnvironmentOutlined />}>{t('citizen.home.map')}</Button>
      </Link>
    </div>
  )
}
