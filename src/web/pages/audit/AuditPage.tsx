// Audit log (等保 2.0): who did what to which record, when, from where, and whether it was allowed.
import { useEffect, useState } from 'react'
import { Button, DatePicker, Input, Select, Table, Tag, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listAudit, listUsers, type AuditEntry, type AuditQuery } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { usePagedList } from '../../app/usePagedList'

type Filters = Pick<AuditQuery, 'action' | 'actorId' | 'entityType' | 'from' | 'to'>
const OUTCOME_COLOURS = { ok: 'green', refused: 'orange', failed: 'red' } as const

/** Picks the actor by searching people when the user may read them; otherwise no actor filter is offered. */
function ActorPicker({ value, onChange }: { value?: string; onChange: (id: string | undefined) => void }) {
  const { t } = useTranslation()
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([])
  const [q, setQ] = useState('')
  useEffect(() => {
    let live = true
    const timer = window.setTimeout(() => {
      listUsers({ q: q.trim() || undefined, page: 1, pageSize: 20 }).then(
        (r) => { if (live) setOptions(r.items.map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))) },
        () => undefined,
      )
    }, 250)
    return () => { live = false; window.clearTimeout(timer) }
  }, [q])
  return (
    <Select
      allowClear
      placeholder={t('audit.actor')}
      value={value}
      onChange={onChange}
      options={options}
      showSearch={{ filterOption: false, onSearch: setQ }}
      style={{ width: 200 }}
    />
  )
}

export default function AuditPage() {
  const { t, i18n } = useTranslation()
  const { can } = useAuth()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const list = usePagedList<AuditEntry, Filters>(listAudit, {}, 50)

  const columns: TableColumnsType<AuditEntry> = [
    { title: t('audit.at'), dataIndex: 'at', key: 'at', width: 180, render: (v: string) => formatDateTime(v, lang) },
    { title: t('audit.actor'), dataIndex: 'actorName', key: 'actor', width: 140, render: (v: string | null) => v ?? '—' },
    { title: t('audit.action'), dataIndex: 'action', key: 'action', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      title: t('audit.entity'), key: 'entity',
      render: (_, e) => (e.entityType ? <span>{e.entityType}{e.entityId ? <Typography.Text type="secondary"> · {e.entityId}</Typography.Text> : null}</span> : '—'),
    },
    {
      title: t('audit.outcome'), dataIndex: 'outcome', key: 'outcome', width: 100,
      render: (o: AuditEntry['outcome']) => <Tag color={OUTCOME_COLOURS[o] ?? 'default'}>{t(`audit.outcomes.${o}`, { defaultValue: o })}</Tag>,
    },
    { title: t('audit.ip'), dataIndex: 'ip', key: 'ip', width: 140, responsive: ['md'], render: (v: string | null) => v ?? '—' },
  ]

  const f = list.filters
  return (
    <div className="xh-page" data-testid="audit-page">
      <div className="xh-page-header">
        <h1>{t('nav.audit')}</h1>
        <Button icon={<ReloadOutlined />} onClick={list.reload}>{t('common.reload')}</Button>
      </div>
      <div className="xh-toolbar">
        <Input.Search
          allowClear
          placeholder={t('audit.actionPlaceholder')}
          onSearch={(action) => list.setFilters({ ...f, action: action.trim() || undefined })}
          className="xh-search"
          data-testid="audit-action-filter"
        />
        <Input.Search
          allowClear
          placeholder={t('audit.entityTypePlaceholder')}
          onSearch={(entityType) => list.setFilters({ ...f, entityType: entityType.trim() || undefined })}
          className="xh-search"
        />
        {can('user:read') && <ActorPicker value={f.actorId} onChange={(actorId) => list.setFilters({ ...f, actorId })} />}
        <DatePicker.RangePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          placeholder={[t('audit.from'), t('audit.to')]}
          onChange={(range) =>
            list.setFilters({ ...f, from: range?.[0]?.toISOString() ?? undefined, to: range?.[1]?.toISOString() ?? undefined })
          }
          style={{ minWidth: 300 }}
        />
      </div>
      <ServerError error={list.error} />
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        {...list.table(t)}
        columns={columns}
        scroll={{ x: 860 }}
        expandable={{
          rowExpandable: (e) => e.details !== null && e.details !== undefined && JSON.stringify(e.details) !== '{}',
          expandedRowRender: (e) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{JSON.stringify(e.details, null, 2)}</pre>,
        }}
      />
    </div>
  )
}
