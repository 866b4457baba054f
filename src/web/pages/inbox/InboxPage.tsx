// Inbox (待办): the cases waiting for the user's roles, one tab per kind of work with its count, most urgent first.
import { useMemo, type HTMLAttributes } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { Alert, Badge, Button, Empty, Space, Spin, Table, Tabs, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { ReloadOutlined, UnorderedListOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listCases, type CaseState, type CaseSummary, type Me } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { useLoad } from '../../app/useLoad'
import { LightBadge, StateTag, useClasses } from '../cases/shared'
import { OPEN_STATES } from '../cases/workflow'

type TabKey = 'verify' | 'check' | 'accept' | 'close' | 'review' | 'dispatch' | 'extension' | 'suspension' | 'sign' | 'dispose' | 'overdue'

interface TabDef {
  states: readonly CaseState[]
  overdue?: true
  /** Only cases with this request waiting. */
  pending?: 'extension' | 'suspension' | 'review'
  /** Only cases dispatched to the user's unit or a unit under it (a street's staff also see the street's other cases). */
  mine?: true
}

const TABS: Record<TabKey, TabDef> = {
  verify: { states: ['verifying'] },
  check: { states: ['disposed'] },
  accept: { states: ['reported', 'verified'] },
  close: { states: ['checked'] },
  // a citizen is unsatisfied with a closing: keep it closed or reopen it (不满意复核)
  review: { states: ['closed'], pending: 'review' },
  dispatch: { states: ['filed'] },
  extension: { states: ['in_disposal'], pending: 'extension' },
  suspension: { states: ['in_disposal'], pending: 'suspension' },
  sign: { states: ['dispatched'], mine: true },
  dispose: { states: ['in_disposal', 'suspended'], mine: true },
  overdue: { states: OPEN_STATES, overdue: true },
}
const TAB_ORDER = Object.keys(TABS) as TabKey[]

/** The work each role waits for (the workflow's roles per action, DOMAIN.md). */
const ROLE_TABS: Record<string, readonly TabKey[]> = {
  supervisor: ['verify', 'check'],
  acceptor: ['accept', 'close', 'review'],
  dispatcher: ['dispatch', 'extension'],
  shift_leader: ['suspension', 'review'],
  disposal: ['sign', 'dispose'],
  officer: ['sign', 'dispose'],
  leader: ['overdue'],
  admin: ['accept', 'close', 'review', 'dispatch', 'extension', 'suspension'],
}

/** How many cases a tab fetches, most pressing first (the list links to the rest). */
const LIMIT = 200

interface TabResult {
  items: CaseSummary[]
  /** The count shown on the tab: every case that waits, fetched or not. */
  count: number
  /** More cases matched than were fetched. */
  truncated: boolean
  error?: unknown
}

/** One tab's cases: the server filters (state, overdue, mine, pending) and sorts by light. */
async function loadTab(def: TabDef): Promise<TabResult> {
  const page = await listCases({ state: def.states, overdue: def.overdue, mine: def.mine, pending: def.pending, sort: 'light', page: 1, pageSize: LIMIT })
  return { items: page.items, count: page.total, truncated: page.total > page.items.length }
}

function tabsFor(me: Pick<Me, 'roles'>): TabKey[] {
  const wanted = new Set(me.roles.flatMap((role) => ROLE_TABS[role] ?? []))
  return TAB_ORDER.filter((key) => wanted.has(key))
}

export default function InboxPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { me, can } = useAuth()
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const [params, setParams] = useSearchParams()
  const { className } = useClasses()
  const tabs = useMemo(() => (me ? tabsFor(me) : []), [me])

  const { data, loading, error, reload } = useLoad(async () => {
    const results = await Promise.all(tabs.map((key) => loadTab(TABS[key]).catch((e: unknown): TabResult => ({ items: [], count: 0, truncated: false, error: e }))))
    return Object.fromEntries(tabs.map((key, i) => [key, results[i]!])) as Partial<Record<TabKey, TabResult>>
  }, {} as Partial<Record<TabKey, TabResult>>, [tabs.join(',')])

  // A case changed somewhere in the user's scope: count and list again (once per burst of changes).
  const reloadSoon = useDebounced(reload, 800)
  useLiveEvents(reloadSoon)

  const requested = params.get('tab') as TabKey | null
  const active = requested && tabs.includes(requested) ? requested : tabs[0]

  const columns: TableColumnsType<CaseSummary> = [
    { title: t('cases.light'), key: 'light', width: 100, render: (_, c) => <LightBadge light={c.light} /> },
    {
      title: t('cases.ticket'), dataIndex: 'ticket', key: 'ticket', width: 200,
      render: (ticket: string, c) => <Link to={`/cases/${c.id}`} data-testid={`case-link-${ticket}`} onClick={(e) => e.stopPropagation()}>{ticket}</Link>,
    },
    { title: t('cases.state'), dataIndex: 'state', key: 'state', width: 110, render: (s: string) => <StateTag state={s} /> },
    { title: t('cases.class'), key: 'class', width: 150, ellipsis: true, render: (_, c) => className(c.classKind, c.classCode) },
    { title: t('cases.street'), dataIndex: 'streetName', key: 'street', render: (v: string | null) => v ?? '—' },
    { title: t('cases.unit'), dataIndex: 'assignedUnitName', key: 'unit', responsive: ['lg'], render: (v: string | null) => v ?? '—' },
    { title: t('cases.deadline'), dataIndex: 'deadline', key: 'deadline', width: 180, render: (v: string | null) => formatDateTime(v, lang) },
    {
      title: t('cases.description'), dataIndex: 'description', key: 'description', responsive: ['xl'], ellipsis: true,
      render: (v: string) => <Typography.Text type="secondary">{v}</Typography.Text>,
    },
  ]

  const result = active ? data[active] : undefined
  const badge = (key: TabKey) => {
    const r = data[key]
    if (!r) return null
    const urgent = r.items.some((c) => c.light === 'red')
    return <Badge count={r.count} showZero overflowCount={999} color={r.count === 0 ? '#bfbfbf' : urgent ? '#f5222d' : '#1f5fa8'} data-testid={`inbox-count-${key}`} data-count={r.count} />
  }

  return (
    <div className="xh-page" data-testid="inbox-page">
      <div className="xh-page-header">
        <h1>{t('inbox.title')}</h1>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={reload} data-testid="inbox-reload">{t('common.reload')}</Button>
          {can('case:read') && <Link to="/cases"><Button icon={<UnorderedListOutlined />}>{t('inbox.allCases')}</Button></Link>}
        </Space>
      </div>
      <ServerError error={error} />
      {tabs.length === 0 ? (
        <Empty description={t('inbox.noTabs')} />
      ) : (
        <>
          <Tabs
            activeKey={active}
            onChange={(key) => setParams({ tab: key }, { replace: true })}
            items={tabs.map((key) => ({
              key,
              label: <span data-testid={`inbox-tab-${key}`}>{t(`inbox.tabs.${key}`)} {badge(key)}</span>,
            }))}
          />
          <ServerError error={result?.error} />
          {result?.truncated && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('inbox.more', { shown: LIMIT, total: result.count })} />}
          {mobile ? (
            <Spin spinning={loading}>
              <div className="xh-inbox-list" data-testid={`inbox-table-${active}`}>
                {(result?.items ?? []).map((c) => (
                  <div key={c.id} className="xh-inbox-item xh-row-link" data-testid={`inbox-row-${c.ticket}`} onClick={() => navigate(`/cases/${c.id}`)}>
                    <div className="xh-inbox-line">
                      <LightBadge light={c.light} />
                      <Link to={`/cases/${c.id}`} data-testid={`case-link-${c.ticket}`} onClick={(e) => e.stopPropagation()} className="xh-ticket">{c.ticket}</Link>
                      <StateTag state={c.state} />
                    </div>
                    <div className="xh-inbox-line">
                      <Typography.Text strong>{className(c.classKind, c.classCode)}</Typography.Text>
                      <Typography.Text type="secondary">{c.streetName ?? '—'}</Typography.Text>
                    </div>
                    {c.deadline && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('cases.deadline')} {formatDateTime(c.deadline, lang)}</Typography.Text>}
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 1 }} style={{ margin: 0, fontSize: 12 }}>{c.description}</Typography.Paragraph>
                  </div>
                ))}
                {!loading && (result?.items.length ?? 0) === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inbox.empty')} />}
              </div>
            </Spin>
          ) : (
            <Table<CaseSummary>
              rowKey="id"
              size="middle"
              data-testid={`inbox-table-${active}`}
              loading={loading}
              columns={columns}
              dataSource={result?.items ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inbox.empty')} /> }}
              scroll={{ x: 760 }}
              onRow={(c) => ({
                'data-testid': `inbox-row-${c.ticket}`,
                className: 'xh-row-link',
                onClick: () => navigate(`/cases/${c.id}`),
              }) as HTMLAttributes<HTMLElement>}
            />
          )}
        </>
      )}
    </div>
  )
}
