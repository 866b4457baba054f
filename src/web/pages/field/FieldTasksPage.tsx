// The field supervisor's tasks (现场任务): the cases waiting for them to verify on site (核实) and to check a disposal
// (核查), most pressing first, as big cards with the light, class, address and the distance from the phone.
import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router'
import { Badge, Button, Empty, Segmented, Spin, Typography } from 'antd'
import { CameraOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listCases, type CaseState, type CaseSummary, type Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { useLoad } from '../../app/useLoad'
import { LightBadge, useClasses } from '../cases/shared'
import { distanceMetres, formatDistance, useGeolocation, type Fix } from './geo'
import { useWaitingCount } from './OutboxPanel'

export type TaskKind = 'verify' | 'check'

/** The state each tab lists: waiting for the supervisor's verification, or for their check. */
const TASKS: Record<TaskKind, { state: CaseState }> = {
  verify: { state: 'verifying' },
  check: { state: 'disposed' },
}
const KINDS = Object.keys(TASKS) as TaskKind[]
const LIMIT = 200

/** The cases waiting in the supervisor's own grid cells (the server filters and sorts: red, yellow, green, nearest deadline). */
async function loadTasks(kind: TaskKind): Promise<CaseSummary[]> {
  const page = await listCases({ state: [TASKS[kind].state], myCells: true, sort: 'light', page: 1, pageSize: LIMIT })
  return page.items
}

function TaskCard({ c, here, lang, className }: { c: CaseSummary; here: Fix | null; lang: Lang; className: (kind: string, code: string) => string }) {
  const { t } = useTranslation()
  const distance = here ? distanceMetres([here.lng, here.lat], c.position) : null
  return (
    <Link to={`/field/cases/${c.id}`} className="xh-field-card" data-testid={`field-task-${c.ticket}`} data-light={c.light ?? 'none'}>
      <div className="xh-field-card-top">
        <LightBadge light={c.light} />
        {distance !== null && <span className="xh-field-card-distance" data-testid="field-task-distance">{formatDistance(distance, lang)}</span>}
      </div>
      <div className="xh-field-card-class">{className(c.classKind, c.classCode)}</div>
      <div className="xh-field-card-address">{c.address || c.streetName || '—'}</div>
      <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} className="xh-field-card-text">{c.description}</Typography.Paragraph>
      <div className="xh-field-card-meta">
        <span className="xh-ticket">{c.ticket}</span>
        {c.deadline && <span>{t('cases.deadline')} {formatDateTime(c.deadline, lang)}</span>}
      </div>
    </Link>
  )
}

export default function FieldTasksPage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [params, setParams] = useSearchParams()
  const geo = useGeolocation()
  const waiting = useWaitingCount()
  const { className } = useClasses()
  const requested = params.get('tab') as TaskKind | null
  const active: TaskKind = requested && KINDS.includes(requested) ? requested : 'verify'

  const { data, loading, error, reload } = useLoad(
    async () => Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await loadTasks(k)] as const))) as Record<TaskKind, CaseSummary[]>,
    null as Record<TaskKind, CaseSummary[]> | null,
    [],
  )
  // A case changed somewhere in the user's scope: list again (once per burst of changes).
  const reloadSoon = useDebounced(reload, 800)
  useLiveEvents((event) => {
    if (event.type !== 'notification') reloadSoon()
  })

  const items = data?.[active] ?? []
  const options = useMemo(() => KINDS.map((k) => ({
    value: k,
    label: (
      <span data-testid={`field-tab-${k}`} data-count={data?.[k].length ?? ''}>
        {t(`field.tasks.${k}`)} <Badge count={data?.[k].length ?? 0} showZero color={data?.[k].length ? '#1f5fa8' : '#bfbfbf'} />
      </span>
    ),
  })), [data, t])

  return (
    <div className="xh-page xh-field-page" data-testid="field-tasks-page">
      <div className="xh-page-header">
        <h1>{t('field.tasks.title')}</h1>
        <Button icon={<ReloadOutlined />} onClick={() => { reload(); geo.locate() }} loading={loading} aria-label={t('common.reload')} data-testid="field-tasks-reload" />
      </div>
      <Link to="/field/report" className="xh-field-report-link">
        <Button type="primary" size="large" block icon={<CameraOutlined />} data-testid="field-report-link">
          {t('field.report.title')}
          {waiting > 0 && <span className="xh-field-waiting" data-testid="field-waiting">{t('field.outbox.waiting', { count: waiting })}</span>}
        </Button>
      </Link>
      <ServerError error={error} />
      <Segmented<TaskKind>
        block
        size="large"
        value={active}
        onChange={(tab) => setParams({ tab }, { replace: true })}
        options={options}
        style={{ marginBottom: 12 }}
      />
      {geo.problem && <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('field.tasks.noDistance')}</Typography.Paragraph>}
      <Spin spinning={loading && !data}>
        <div className="xh-field-cards" data-testid={`field-tasks-${active}`}>
          {items.map((c) => <TaskCard key={c.id} c={c} here={geo.fix} lang={lang} className={className} />)}
          {data && items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(`field.tasks.empty.${active}`)} />}
        </div>
      </Spin>
    </div>
  )
}
