// What re-computing a published period now would change: per subject, the rows whose rank, composite or figures moved.
import { Alert, Drawer, Empty, Table, Tabs } from 'antd'
import { useTranslation } from 'react-i18next'
import { getPeriodDiff, type PeriodDiff, type RowDifference } from '../../api/evaluation'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { FAMILY, formatIndicator, SUBJECTS } from './shared'

export function DiffDrawer({ period, label, onClose }: { period: string; label: string; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const mobile = useIsMobile()
  const diff = useLoad<PeriodDiff | null>(() => getPeriodDiff(period), null, [period])
  const ranked = (r: RowDifference['published']) => (!r ? '—' : r.composite === null ? t('evaluation.noData') : `#${r.rank} · ${r.composite.toFixed(2)}`)
  return (
    <Drawer open title={t('evaluation.diffTitle', { period: label })} width={mobile ? '100%' : 820} onClose={onClose} data-testid="diff-drawer" destroyOnHidden>
      <ServerError error={diff.error} />
      {diff.data && <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('evaluation.diffNote', { at: formatDateTime(diff.data.frozenAt, lang) })} />}
      {diff.data && (
        <Tabs
          items={SUBJECTS.map((s) => {
            const rows = diff.data!.subjects[s] ?? []
            return {
              key: s,
              label: `${t(`evaluation.subjects.${s}`)} (${rows.length})`,
              children: rows.length === 0
                ? <Empty data-testid={`diff-empty-${s}`} description={t('evaluation.diffEmpty')} />
                : (
                  <Table<RowDifference>
                    data-testid={`diff-table-${s}`}
                    rowKey="id"
                    size="small"
                    pagination={false}
                    dataSource={rows}
                    scroll={{ x: 'max-content' }}
                    columns={[
                      { title: t('evaluation.name'), dataIndex: 'name' },
                      { title: t('evaluation.published'), key: 'published', render: (_: unknown, r) => ranked(r.published) },
                      { title: t('evaluation.now'), key: 'now', render: (_: unknown, r) => ranked(r.now) },
                      {
                        title: t('evaluation.changedFigures'), key: 'indicators',
                        render: (_: unknown, r) => Object.entries(r.indicators).map(([k, [a, b]]) => (
                          <div key={k}>{t(`evaluation.indicators.${FAMILY[s]}.${k}`)}: {formatIndicator(k, a, lang)} → {formatIndicator(k, b, lang)}</div>
                        )),
                      },
                    ]}
                  />
                ),
            }
          })}
        />
      )}
    </Drawer>
  )
}
