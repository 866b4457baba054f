// Forecasts: the expected reports of the days and weeks ahead for a class and/or street, drawn after the actual
// history, with the backtest (the last weeks forecast from the data before them) on the same chart and its error
// (MAE, MAPE) in words, so users know how far to trust it; and the next 7 and 28 days of every street and largest class.
import { useMemo, useState } from 'react'
import { Alert, Card, Col, InputNumber, Row, Select, Space, Spin, Table } from 'antd'
import { useTranslation } from 'react-i18next'
import { analyticsForecast, type Forecast, type Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { useClasses } from '../cases/shared'
import { useUnits } from '../units/unitTree'
import { shortDate, useChart, type ChartOption } from './charts'

function forecastOption(f: Forecast, labels: { history: string; expected: string; backtest: string }): ChartOption {
  const dates = [...new Set([...f.history.map((d) => d.date), ...f.forecast.map((d) => d.date)])].sort()
  const index = new Map(dates.map((d, i) => [d, i]))
  const at = <T,>(items: T[], date: (item: T) => string, value: (item: T) => number) => {
    const values: Array<number | null> = dates.map(() => null)
    for (const item of items) {
      const i = index.get(date(item))
      if (i !== undefined) values[i] = Math.round(value(item) * 10) / 10
    }
    return values
  }
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: { type: 'category', data: dates.map(shortDate) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { type: 'bar', name: labels.history, data: at(f.history, (d) => d.date, (d) => d.count), itemStyle: { color: '#91caff' } },
      { type: 'line', name: labels.backtest, data: at(f.backtest.points, (d) => d.date, (d) => d.expected), symbol: 'circle', symbolSize: 4, lineStyle: { type: 'dotted', color: '#fa8c16' }, itemStyle: { color: '#fa8c16' } },
      { type: 'line', name: labels.expected, data: at(f.forecast, (d) => d.date, (d) => d.expected), symbol: 'circle', symbolSize: 5, lineStyle: { type: 'dashed', width: 2, color: '#1f5fa8' }, itemStyle: { color: '#1f5fa8' } },
    ],
  }
}

const one = (n: number) => n.toFixed(1)

export function ForecastTab() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { can } = useAuth()
  const { classes } = useClasses()
  const { units } = useUnits(can('org:read'))
  const streets = useMemo(() => units.filter((u) => u.kind === 'street' || u.kind === 'zone'), [units])
  const [classValue, setClassValue] = useState<string | undefined>(undefined)
  const [streetId, setStreetId] = useState<string | undefined>(undefined)
  const [horizon, setHorizon] = useState(28)
  const [classKind, classCode] = classValue ? classValue.split(':') : [undefined, undefined]
  const { data, loading, error } = useLoad(() => analyticsForecast({ classKind, classCode, streetId, horizon }), null as Forecast | null, [classValue, streetId, horizon])
  const option = useMemo(() => (data ? forecastOption(data, { history: t('analysis.history'), expected: t('analysis.expected'), backtest: t('analysis.backtest') }) : null), [data, t])
  const ref = useChart(option, lang)
  const test = data?.backtest
  const trust = test && test.mae !== null
    ? t('analysis.trust', { weeks: test.weeks, mae: one(test.mae), mape: test.mape === null ? '—' : `${Math.round(test.mape * 100)}%` })
    : t('analysis.trustNone')
  const aheadColumns = [
    { title: '', render: (_: unknown, r: Forecast['breakdown']['streets'][number]) => r.name[lang] },
    { title: t('analysis.historyDays', { count: data?.breakdown.days ?? 0 }), dataIndex: 'history', align: 'right' as const, width: 110 },
    { title: t('analysis.next7'), render: (_: unknown, r: Forecast['breakdown']['streets'][number]) => one(r.next7), align: 'right' as const, width: 100 },
    { title: t('analysis.next28'), render: (_: unknown, r: Forecast['breakdown']['streets'][number]) => one(r.next28), align: 'right' as const, width: 100 },
  ]

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <span>{t('analysis.forecastOf')}</span>
        <Select
          allowClear showSearch optionFilterProp="label" style={{ width: 220 }} placeholder={t('analysis.allClasses')} value={classValue} onChange={setClassValue}
          options={classes.map((c) => ({ value: `${c.kind}:${c.smallCode}`, label: `${c.smallCode} ${lang === 'en' ? c.smallNameEn ?? c.smallName : c.smallName}` }))}
          data-testid="analysis-forecast-class"
        />
        <Select allowClear style={{ width: 180 }} placeholder={t('analysis.allStreets')} value={streetId} onChange={setStreetId} options={streets.map((s) => ({ value: s.id, label: lang === 'en' ? s.nameEn ?? s.name : s.name }))} />
        <span>{t('analysis.horizon')}</span>
        <InputNumber min={7} max={56} value={horizon} onChange={(v) => v && setHorizon(v)} style={{ width: 80 }} />
      </Space>
      {error !== null && <ServerError error={error} />}
      {data && <Alert type={test?.mape !== null && test?.mape !== undefined && test.mape > 0.5 ? 'warning' : 'info'} showIcon title={trust} description={t('analysis.model', { days: 182 })} data-testid="analysis-trust" />}
      <Card size="small"><Spin spinning={loading} delay={200}><div ref={ref} style={{ height: 340 }} data-testid="analysis-forecast-chart" /></Spin></Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('analysis.nextWeeks')}>
            <Table size="small" pagination={false} rowKey="from" dataSource={data?.weekly ?? []} columns={[
              { title: '', render: (_, w) => t('analysis.weekOf', { from: shortDate(w.from), to: shortDate(w.to) }) },
              { title: t('analysis.expected'), render: (_, w) => one(w.expected), align: 'right' },
            ]} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('analysis.byStreet')}>
            <Table size="small" pagination={false} rowKey={(r) => r.key ?? 'none'} dataSource={data?.breakdown.streets ?? []} columns={aheadColumns} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('analysis.byClass')}>
            <Table size="small" pagination={false} rowKey={(r) => r.key ?? 'none'} dataSource={data?.breakdown.classes ?? []} columns={aheadColumns} />
          </Card>
        </Col>
      </Row>
    </Space>
  )
}
