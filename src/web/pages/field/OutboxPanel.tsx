// The reports waiting to go up ("待上传 N"), each with its state and progress, and the ones that went up from the queue.
import { Link } from 'react-router'
import { Badge, Button, Card, Popconfirm, Progress, Tag, Typography } from 'antd'
import { CheckCircleFilled, CloudUploadOutlined, DisconnectOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { discard, flush, useOutbox, type OutboxSnapshot, type QueuedReport } from './outbox'

type ItemState = 'sending' | 'refused' | 'offline' | 'retrying' | 'queued'

function stateOf(item: QueuedReport, snapshot: OutboxSnapshot): ItemState {
  if (snapshot.sending?.clientId === item.clientId) return 'sending'
  if (item.refused) return 'refused'
  if (!snapshot.online) return 'offline'
  if (item.attempts > 0) return 'retrying'
  return 'queued'
}

const timeOf = (ms: number, lang: Lang) =>
  new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(ms))

const STATE_COLOURS: Record<ItemState, string> = { sending: 'processing', refused: 'error', offline: 'default', retrying: 'warning', queued: 'blue' }

/** The number of reports waiting, for a badge elsewhere. */
export function useWaitingCount(): number {
  return useOutbox().items.length
}

export function OutboxPanel({ lang }: { lang: Lang }) {
  const { t } = useTranslation()
  const snapshot = useOutbox()
  const { items, sent, online, sending } = snapshot
  if (items.length === 0 && sent.length === 0) return null

  return (
    <Card
      size="small"
      className="xh-field-outbox"
      data-testid="field-outbox"
      title={
        <span className="xh-field-outbox-title">
          <CloudUploadOutlined />
          <span data-testid="field-outbox-count" data-count={items.length}>{t('field.outbox.waiting', { count: items.length })}</span>
          {!online && <Tag icon={<DisconnectOutlined />} data-testid="field-offline">{t('field.outbox.offline')}</Tag>}
        </span>
      }
      extra={online && items.some((i) => !i.refused) && !sending
        ? <Button size="small" onClick={() => void flush(true)} data-testid="field-outbox-send">{t('field.outbox.sendNow')}</Button>
        : null}
    >
      {items.map((item) => {
        const state = stateOf(item, snapshot)
        return (
          <div key={item.clientId} className="xh-field-outbox-item" data-testid="field-outbox-item" data-state={state} data-client-id={item.clientId}>
            <div className="xh-field-outbox-line">
              <Badge status={STATE_COLOURS[state] as 'processing' | 'error' | 'default' | 'warning'} />
              <Typography.Text ellipsis style={{ flex: 1, minWidth: 0 }}>{item.fields.description}</Typography.Text>
              <Tag>{t('field.outbox.photos', { count: item.photos.length })}</Tag>
            </div>
            <div className="xh-field-outbox-line">
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(new Date(item.queuedAt).toISOString(), lang)} · {t(`field.outbox.state.${state}`, {
                  attempts: item.attempts, at: timeOf(item.nextAttemptAt, lang),
                })}
              </Typography.Text>
            </div>
            {state === 'sending' && sending && (
              <Progress percent={Math.round(sending.progress.fraction * 100)} size="small" data-testid="field-outbox-progress"
                format={() => sending.progress.step === 'photo'
                  ? t('field.progress.photo', { n: Math.min(sending.progress.done + 1, sending.progress.total), total: sending.progress.total })
                  : t('field.progress.report')} />
            )}
            {state === 'refused' && (
              <div className="xh-field-outbox-line">
                <Typography.Text type="danger" style={{ flex: 1 }}>{item.refused}</Typography.Text>
                <Popconfirm title={t('field.outbox.discardConfirm')} onConfirm={() => void discard(item.clientId)} okText={t('common.remove')} cancelText={t('common.cancel')}>
                  <Button size="small" danger>{t('field.outbox.discard')}</Button>
                </Popconfirm>
              </div>
            )}
          </div>
        )
      })}
      {sent.map((s) => (
        <div key={s.clientId} className="xh-field-outbox-item" data-testid="field-outbox-sent" data-ticket={s.ticket}>
          <div className="xh-field-outbox-line">
            <CheckCircleFilled style={{ color: '#52c41a' }} />
            <Typography.Text style={{ flex: 1, minWidth: 0 }} ellipsis>
              {t('field.outbox.sent')} <Link to={`/cases/${s.caseId}`} className="xh-ticket">{s.ticket}</Link>
            </Typography.Text>
          </div>
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>{s.description}</Typography.Text>
        </div>
      ))}
    </Card>
  )
}
