// The cases behind one figure of one subject (drill-down), each linking to its case page.
import { Link } from 'react-router'
import { Alert, Drawer, Table, Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import { getDrill, type Drill, type DrillCase, type EvaluationSubject, type PeriodQuery, type RankingRow } from '../../api/evaluation'
import { formatDateTime } from '../../app/format'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { FAMILY, formatIndicator } from './shared'

/** Facts that count against the subject (red). */
const LATE = new Set(['disposed_late', 'ended_late', 'open_overdue', 'closed_late', 'verified_late', 'checked_late', 'recurrent', 'missed', 'filed_wrong', 'filed_late', 'dispatch_returned', 'dispatched_late'])

export function DrillDrawer({ subject, row, indicator, period, frozen, onClose }: {
  subject: EvaluationSubject
  row: RankingRow
  indicator: string
  period: PeriodQuery
  frozen: boolean
  onClose: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const mobile = useIsMobile()
  const family = FAMILY[subject]
  const drill = useLoad<Drill | null>(() => getDrill(subject, row.id, indicator, period), null, [subject, row.id, indicator, JSON.stringify(period)])
  const title = `${localName(row.name, row.nameEn, lang)} · ${t(`evaluation.indicators.${family}.${indicator}`)} ${formatIndicator(indicator, row.indicators[indicator] ?? null, lang)}`
  return (
    <Drawer open title={title} width={mobile ? '100%' : 760} onClose={onClose} data-testid="drill-drawer" destroyOnHidden>
      {frozen && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('evaluation.liveNote')} />}
      <ServerError error={drill.error} />
      <Table<DrillCase>
        data-testid="drill-table"
        rowKey={(c) => `${c.id}:${c.fact}:${c.at}`}
        size="small"
        loading={drill.loading}
        dataSource={drill.data?.items ?? []}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('evaluation.ticket'), dataIndex: 'ticket', render: (ticket: string, c) => <Link to={`/cases/${c.id}`} data-testid="drill-case">{ticket}</Link> },
          { title: t('evaluation.fact'), dataIndex: 'fact', render: (fact: string) => <Tag color={LATE.has(fact) ? 'red' : 'green'}>{t(`evaluation.facts.${fact}`)}</Tag> },
          { title: t('evaluation.at'), dataIndex: 'at', render: (at: string) => formatDateTime(at, lang) },
          { title: t('evaluation.state'), dataIndex: 'state', render: (state: string) => t(`caseState.${state}`, { defaultValue: state }) },
          { title: t('evaluation.address'), dataIndex: 'address', render: (a: string | null) => a ?? '—' },
        ]}
      />
      {drill.data?.truncated && <Alert type="info" message={t('evaluation.truncated')} />}
    </Drawer>
  )
}
