// Comprehensive evaluation (综合考核): a period's ranking of units, streets, communities, cells, supervisors, acceptors or
// dispatchers, with the formula beside it, the change against the previous period, a drill-down from every figure to its
// cases, the report as Excel or a printable page, and — for leaders — the weights, publishing (freezing) a period and its
// difference report. A subject with nothing counted in the period shows "no data" after the ranked ones.
// Subject and period are kept in the address (?subject=, ?period= or ?from=&to=).
import { useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { Alert, Button, DatePicker, Modal, Segmented, Space, Table, Tabs, Tag, Tooltip, Typography, App as AntApp } from 'antd'
import type { TableColumnsType } from 'antd'
import { ArrowDownOutlined, ArrowUpOutlined, DiffOutlined, FileExcelOutlined, LockOutlined, MinusOutlined, PrinterOutlined, SettingOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useTranslation } from 'react-i18next'
import { freezePeriod, getRanking, reportHtmlUrl, reportXlsxUrl, type EvaluationSubject, type PeriodQuery, type Ranking, type RankingRow } from '../../api/evaluation'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { DiffDrawer } from './DiffDrawer'
import { DrillDrawer } from './DrillDrawer'
import { SettingsDrawer } from './SettingsDrawer'
import { COLUMNS, FAMILY, formatIndicator, reportSubjects, SUBJECTS } from './shared'

/** The current month in the district (UTC+8). */
const thisMonth = () => dayjs(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7) + '-01')

function Change({ row }: { row: RankingRow }) {
  const { t } = useTranslation()
  if (row.rank === null) return <span data-testid="rank-change" className="xh-eval-same">—</span>
  if (row.previousRank === null) return <Tag data-testid="rank-change">{t('evaluation.changeNew')}</Tag>
  const d = row.previousRank - row.rank
  const title = t('evaluation.previous', { rank: row.previousRank, composite: row.previousComposite?.toFixed(2) ?? '—' })
  if (d === 0) return <Tooltip title={title}><span data-testid="rank-change" className="xh-eval-same"><MinusOutlined /></span></Tooltip>
  return (
    <Tooltip title={title}>
      <span data-testid="rank-change" className={d > 0 ? 'xh-eval-up' : 'xh-eval-down'}>{d > 0 ? <ArrowUpOutlined /> : <ArrowDownOutlined />} {Math.abs(d)}</span>
    </Tooltip>
  )
}

export default function EvaluationPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { can } = useAuth()
  const { message } = AntApp.useApp()
  const mobile = useIsMobile()
  const [params, setParams] = useSearchParams()
  const subject = (SUBJECTS as readonly string[]).includes(params.get('subject') ?? '') ? (params.get('subject') as EvaluationSubject) : 'units'
  const from = params.get('from')
  const to = params.get('to')
  const month = params.get('period') ?? thisMonth().format('YYYY-MM')
  const period: PeriodQuery = from && to ? { from, to } : { period: month }
  const periodKey = from && to ? `${from}..${to}` : month
  const [drill, setDrill] = useState<{ row: RankingRow; indicator: string } | null>(null)
  const [settingsOpen, setSettingsOpen] = useState(false)
  const [diffOpen, setDiffOpen] = useState(false)

  const ranking = useLoad<Ranking | null>(() => getRanking(subject, period), null, [subject, periodKey])
  const data = ranking.data
  const family = FAMILY[subject]

  const set = (next: Record<string, string | null>) => {
    const merged = new URLSearchParams(params)
    for (const [k, v] of Object.entries(next)) {
      if (v === null) merged.delete(k)
      else merged.set(k, v)
    }
    setParams(merged, { replace: true })
  }

  const over = data ? new Date(data.period.to).getTime() <= Date.now() : false
  const freeze = () => {
    Modal.confirm({
      title: t('evaluation.freezeConfirm', { period: data?.period.label ?? periodKey }),
      content: t('evaluation.freezeConfirmText'),
      okText: t('evaluation.freeze'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'freeze-confirm' } as Record<string, string>,
      onOk: async () => {
        try {
          await freezePeriod(periodKey)
          void message.success(t('evaluation.frozenOk'))
          ranking.reload()
        } catch (error) {
          void message.error(errorMessage(error))
        }
      },
    })
  }

  const columns = useMemo<TableColumnsType<RankingRow>>(() => {
    const figure = (key: string) => (row: RankingRow) => {
      const value = row.indicators[key]
      return (
        <Button type="link" size="small" className="xh-eval-figure" data-testid={`figure-${key}`} onClick={() => setDrill({ row, indicator: key })}>
          {formatIndicator(key, value ?? null, lang)}
        </Button>
      )
    }
    return [
      { title: t('evaluation.rank'), dataIndex: 'rank', width: 64, fixed: 'left', render: (rank: number | null) => <b data-testid="rank">{rank ?? '—'}</b> },
      { title: t('evaluation.name'), dataIndex: 'name', width: mobile ? 120 : 180, fixed: 'left', render: (_: string, row) => <span data-testid="subject-name">{localName(row.name, row.nameEn, lang)}</span> },
      {
        title: t('evaluation.composite'), dataIndex: 'composite', width: 96,
        render: (v: number | null) => (v === null
          ? <Tooltip title={t('evaluation.noDataHint')}><Tag data-testid="no-data">{t('evaluation.noData')}</Tag></Tooltip>
          : <b data-testid="composite">{v.toFixed(2)}</b>),
      },
      { title: t('evaluation.change'), key: 'change', width: 80, render: (_: unknown, row) => <Change row={row} /> },
      ...COLUMNS[family].map((key) => ({ title: t(`evaluation.indicators.${family}.${key}`), key, width: 100, align: 'right' as const, render: (_: unknown, row: RankingRow) => figure(key)(row) })),
    ]
  }, [family, lang, mobile, t])

  return (
    <div className="xh-page" data-testid="evaluation-page">
      <div className="xh-page-header">
        <h1>{t('evaluation.title')}</h1>
        <Space wrap>
          <Segmented
            data-testid="period-mode"
            value={from && to ? 'days' : 'month'}
            options={[{ value: 'month', label: t('evaluation.month') }, { value: 'days', label: t('evaluation.days') }]}
            onChange={(mode) => (mode === 'month'
              ? set({ from: null, to: null, period: month })
              : set({ period: null, from: dayjs(month + '-01').format('YYYY-MM-DD'), to: dayjs(month + '-01').endOf('month').format('YYYY-MM-DD') }))}
          />
          {from && to
            ? (
              <DatePicker.RangePicker
                data-testid="period-days"
                allowClear={false}
                value={[dayjs(from), dayjs(to)]}
                onChange={(range) => { if (range?.[0] && range[1]) set({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') }) }}
              />
            )
            : (
              <DatePicker
                picker="month"
                data-testid="period-month"
                allowClear={false}
                value={dayjs(month + '-01')}
                onChange={(value: Dayjs | null) => value && set({ period: value.format('YYYY-MM') })}
              />
            )}
          <Button icon={<FileExcelOutlined />} href={reportXlsxUrl(period, reportSubjects(subject))} data-testid="export-xlsx">{t('evaluation.exportXlsx')}</Button>
          <Button icon={<PrinterOutlined />} href={reportHtmlUrl(period, lang, reportSubjects(subject))} target="_blank" data-testid="print-report">{t('evaluation.print')}</Button>
          {can('evaluation:configure') && <Button icon={<SettingOutlined />} onClick={() => setSettingsOpen(true)} data-testid="open-settings">{t('evaluation.settings')}</Button>}
          {data?.frozen && <Button icon={<DiffOutlined />} onClick={() => setDiffOpen(true)} data-testid="open-diff">{t('evaluation.diff')}</Button>}
          {can('evaluation:publish') && data && !data.frozen && (
            <Tooltip title={over ? undefined : t('evaluation.notOver')}>
              <Button type="primary" icon={<LockOutlined />} disabled={!over} onClick={freeze} data-testid="freeze">{t('evaluation.freeze')}</Button>
            </Tooltip>
          )}
        </Space>
      </div>

      <Tabs
        activeKey={subject}
        onChange={(key) => set({ subject: key })}
        items={SUBJECTS.map((s) => ({ key: s, label: <span data-testid={`subject-tab-${s}`}>{t(`evaluation.subjects.${s}`)}</span> }))}
      />

      <ServerError error={ranking.error} style={{ marginBottom: 12 }} />
      {data && (
        <Space direction="vertical" size={8} style={{ width: '100%', marginBottom: 12 }}>
          <Space wrap>
            <Typography.Text strong data-testid="period-label">{t('evaluation.period')}: {data.period.label}</Typography.Text>
            {data.frozen
              ? <Tag color="blue" icon={<LockOutlined />} data-testid="frozen-tag">{t('evaluation.frozen', { at: dayjs(data.frozenAt).format('YYYY-MM-DD HH:mm') })}</Tag>
              : <Tag data-testid="provisional-tag">{t('evaluation.provisional')}</Tag>}
          </Space>
          <Alert type="info" showIcon data-testid="formula" message={<span className="xh-eval-formula">{data.formula[lang]}</span>} />
          {data.rows.some((r) => r.composite === null) && <Typography.Text type="secondary" data-testid="no-data-note">{t('evaluation.noDataHint')}</Typography.Text>}
        </Space>
      )}
      <Table<RankingRow>
        data-testid="ranking-table"
        rowKey="id"
        size="small"
        loading={ranking.loading}
        columns={columns}
        dataSource={data?.rows ?? []}
        rowClassName={(row) => (row.composite === null ? 'xh-eval-no-data' : '')}
        pagination={subject === 'cells' || subject === 'communities' ? { pageSize: 50, showSizeChanger: false } : false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('evaluation.noRows') }}
      />

      {drill && <DrillDrawer subject={subject} row={drill.row} indicator={drill.indicator} period={period} frozen={data?.frozen ?? false} onClose={() => setDrill(null)} />}
      {settingsOpen && <SettingsDrawer onClose={() => setSettingsOpen(false)} onSaved={ranking.reload} />}
      {diffOpen && data && <DiffDrawer period={periodKey} label={data.period.label} onClose={() => setDiffOpen(false)} />}
    </div>
  )
}
