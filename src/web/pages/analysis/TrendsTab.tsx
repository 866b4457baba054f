// Trends: cases reported per day, week or month by class, source, street or disposal unit (the largest as their own
// bars, the rest as "other"), and the top sources of problems in each street.
import { useMemo, useState } from 'react'
import { Card, Segmented, Space, Table, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { analyticsStreetSources, analyticsTrends, type Lang, type StreetSources, type TrendBy, type TrendInterval, type Trends } from '../../api/client'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { useChart, type ChartOption } from './charts'
import { lastDays, PeriodPicker } from './PeriodPicker'

const BYS: TrendBy[] = ['class', 'source', 'street', 'unit']
const INTERVALS: TrendInterval[] = ['day', 'week', 'month']
const DEFAULT_DAYS: Record<TrendInterval, number> = { day: 30, week: 91, month: 365 }

function trendOption(trends: Trends, lang: Lang, other: string): ChartOption {
  const series = [
    ...trends.series.map((s) => ({ type: 'bar' as const, stack: 'all', name: s.name[lang], data: s.counts })),
    ...(trends.other ? [{ type: 'bar' as const, stack: 'all', name: other, data: trends.other.counts, itemStyle: { color: '#bfbfbf' } }] : []),
  ]
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
    legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    xAxis: { type: 'category', data: trends.buckets },
    yAxis: { type: 'value', minInterval: 1 },
    series,
  }
}

export function TrendsTab() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [by, setBy] = useState<TrendBy>('class')
  const [interval, setInterval] = useState<TrendInterval>('day')
  const [period, setPeriod] = useState(lastDays(30))
  const trends = useLoad(() => analyticsTrends({ by, interval, limit: 8, ...period }), null as Trends | null, [by, interval, period.from, period.to])
  const sources = useLoad(() => analyticsStreetSources({ ...period, top: 3 }), null as StreetSources | null, [period.from, period.to])
  const option = useMemo(() => (trends.data ? trendOption(trends.data, lang, t('analysis.other')) : null), [trends.data, lang, t])
  const ref = useChart(option, lang)

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <Segmented value={by} onChange={(v) => setBy(v as TrendBy)} options={BYS.map((b) => ({ value: b, label: t(`analysis.by.${b}`) }))} data-testid="analysis-trend-by" />
        <Segmented
          value={interval}
          onChange={(v) => {
            setInterval(v as TrendInterval)
            setPeriod(lastDays(DEFAULT_DAYS[v as TrendInterval]))
          }}
          options={INTERVALS.map((i) => ({ value: i, label: t(`analysis.interval.${i}`) }))}
        />
        <PeriodPicker value={period} onChange={setPeriod} />
        {trends.data && <Typography.Text type="secondary" data-testid="analysis-trend-total" data-count={trends.data.total}>{t('analysis.total', { count: trends.data.total })}</Typography.Text>}
      </Space>
      {trends.error !== null && <ServerError error={trends.error} />}
      <Card size="small"><div ref={ref} style={{ height: 360 }} data-testid="analysis-trend-chart" /></Card>
      <Card size="small" title={t('analysis.sources')}>
        {sources.error !== null && <ServerError error={sources.error} />}
        <Table
          size="small"
          rowKey={(r) => r.streetId ?? 'none'}
          loading={sources.loading}
          dataSource={sources.data?.items ?? []}
          pagination={false}
          data-testid="analysis-sources"
          columns={[
            { title: t('analysis.street'), render: (_, r) => r.streetName?.[lang] ?? '—' },
            { title: t('analysis.count'), dataIndex: 'total', align: 'right', width: 100 },
            {
              title: t('analysis.sourceTop'),
              render: (_, r) => r.sources.map((s) => <Tag key={s.source}>{s.name[lang]} {Math.round(s.share * 100)}%</Tag>),
            },
          ]}
        />
      </Card>
    </Space>
  )
}
