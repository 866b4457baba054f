// A device's telemetry over time (GET /api/iot/devices/:id/telemetry): pick a key and a range (1 h, 24 h, 7 d, 30 d or
// custom); the server sends buckets (downsampled for long ranges) drawn as the average line inside the min–max band,
// with the alarm thresholds of the device's rules for that key as dashed lines.
import { useMemo, useState } from 'react'
import { Button, DatePicker, Empty, Segmented, Select, Space, Spin, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useTranslation } from 'react-i18next'
import { deviceTelemetry, type Lang, type TelemetryKey, type TelemetrySeries } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { keyName } from './ruleText'
import { useLang } from './shared'
import { useChart, type ChartOption } from '../../charts/useChart'

type Preset = '1h' | '24h' | '7d' | '30d' | 'custom'
const PRESETS: readonly Preset[] = ['1h', '24h', '7d', '30d', 'custom']
const PRESET_MS: Record<Exclude<Preset, 'custom'>, number> = { '1h': 3600_000, '24h': 86400_000, '7d': 7 * 86400_000, '30d': 30 * 86400_000 }
/** Buckets asked of the server: about one per two pixels of a wide chart. */
const POINTS = 400

/** A threshold line on the chart: a rule's value for the key, in the rule's severity colour. */
export interface Threshold {
  value: number
  label: string
  colour: string
}

/** The bucket length in words (每 5 分钟 / every 5 min), or null for raw readings. */
function bucketText(seconds: number, t: (key: string, options?: Record<string, unknown>) => string): string | null {
  if (seconds <= 0) return null
  if (seconds < 60) return t('iot.chart.bucketSeconds', { count: seconds })
  if (seconds < 3600) return t('iot.chart.bucketMinutes', { count: Math.round(seconds / 60) })
  if (seconds < 86400) return t('iot.chart.bucketHours', { count: Math.round(seconds / 3600) })
  return t('iot.chart.bucketDays', { count: Math.round(seconds / 86400) })
}

function chartOption(series: TelemetrySeries, name: string, thresholds: Threshold[], lang: Lang, labels: { avg: string; range: string; min: string; max: string }): ChartOption {
  const unit = series.unit ?? ''
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 })
  const withUnit = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${number.format(v)}${unit ? ` ${unit}` : ''}`)
  const banded = series.bucketSeconds > 0
  const colour = '#1f5fa8'
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 36, bottom: 48, containLabel: true },
    legend: { top: 0, data: banded ? [labels.avg, labels.range] : [labels.avg], selectedMode: false },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined
        const point = first?.dataIndex === undefined ? undefined : series.points[first.dataIndex]
        if (!point) return ''
        const [ms, avg, min, max] = point
        const head = `<b>${formatDateTime(new Date(ms).toISOString(), lang)}</b><br/>${name}`
        return banded
          ? `${head}<br/>${labels.avg}: ${withUnit(avg)}<br/>${labels.min}: ${withUnit(min)}<br/>${labels.max}: ${withUnit(max)}`
          : `${head}: ${withUnit(avg)}`
      },
    },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', scale: true, name: unit, nameTextStyle: { align: 'left' } },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    series: [
      ...(banded
        ? [
            // the band: min, then max − min stacked on it and filled
            { name: 'min', type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, silent: true, data: series.points.map(([ms, , min]) => [ms, min]) },
            {
              name: labels.range, type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, silent: true,
              areaStyle: { color: 'rgba(31, 95, 168, 0.18)' }, itemStyle: { color: 'rgba(31, 95, 168, 0.35)' },
              data: series.points.map(([ms, , min, max]) => [ms, min === null || max === null ? null : max - min]),
            },
          ] satisfies ChartOption['series']
        : []),
      {
        name: labels.avg,
        type: 'line',
        symbol: series.points.length <= 60 ? 'circle' : 'none',
        symbolSize: 5,
        showSymbol: series.points.length <= 60,
        itemStyle: { color: colour },
        lineStyle: { width: 2, color: colour },
        data: series.points.map(([ms, avg]) => [ms, avg]),
        markLine: thresholds.length
          ? {
              symbol: 'none',
              silent: true,
              data: thresholds.map((th) => ({ yAxis: th.value, lineStyle: { color: th.colour, type: 'dashed' }, label: { formatter: th.label, position: 'insideEndTop', color: th.colour } })),
            }
          : undefined,
      },
    ],
  }
}

export default function TelemetryChart({ deviceId, keys, thresholdsOf, reloadKey }: {
  deviceId: string
  /** The model's keys that can be charted (numbers; booleans as 0/1). */
  keys: TelemetryKey[]
  thresholdsOf: (key: string) => Threshold[]
  /** Changes when the page wants the series again (the device sent something). */
  reloadKey: number
}) {
  const { t } = useTranslation()
  const lang = useLang()
  const mobile = useIsMobile()
  const [key, setKey] = useState<string | undefined>(keys[0]?.key)
  const [preset, setPreset] = useState<Preset>('24h')
  const [custom, setCustom] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(3, 'day').startOf('day'), dayjs()])
  const [tick, setTick] = useState(0)
  const current = keys.find((k) => k.key === key) ?? keys[0]

  const range = useMemo(() => {
    if (preset === 'custom') return { from: custom[0].toISOString(), to: custom[1].toISOString() }
    const to = Date.now()
    return { from: new Date(to - PRESET_MS[preset]).toISOString(), to: new Date(to).toISOString() }
    // tick and reloadKey move a relative range's end to now
  }, [preset, custom, tick, reloadKey])

  const { data, loading, error } = useLoad(
    () => (current ? deviceTelemetry(deviceId, { key: current.key, from: range.from, to: range.to, points: POINTS }) : Promise.resolve(null)),
    null as TelemetrySeries | null,
    [deviceId, current?.key, range.from, range.to],
  )

  const name = current ? keyName(current.key, current, lang) : ''
  const thresholds = useMemo(() => (current ? thresholdsOf(current.key) : []), [current, thresholdsOf])
  const option = useMemo(() => (data && data.points.length > 0
    ? chartOption(data, name, thresholds, lang, { avg: t('iot.chart.avg'), range: t('iot.chart.range'), min: t('iot.chart.min'), max: t('iot.chart.max') })
    : null), [data, name, thresholds, lang, t])
  const chartRef = useChart(option, lang)

  if (keys.length === 0) return <Empty description={t('iot.chart.noKeys')} />
  const bucket = data ? bucketText(data.bucketSeconds, t) : null
  const empty = !loading && data !== null && data.points.length === 0

  return (
    <div data-testid="telemetry-chart" data-key={current?.key} data-points={data?.points.length ?? 0} data-loading={loading}>
      <div className="xh-iot-chart-bar">
        <Select
          value={current?.key}
          onChange={setKey}
          options={keys.map((k) => ({ value: k.key, label: `${keyName(k.key, k, lang)}${k.unit ? ` (${k.unit})` : ''}` }))}
          style={{ minWidth: 160 }}
          aria-label={t('iot.chart.key')}
          data-testid="telemetry-key"
        />
        <Button icon={<ReloadOutlined />} onClick={() => setTick((n) => n + 1)} aria-label={t('common.reload')} />
        <Segmented<Preset>
          value={preset}
          onChange={setPreset}
          options={PRESETS.map((p) => ({ value: p, label: t(`iot.chart.preset.${p}`) }))}
          block={mobile}
          className="xh-iot-range"
          data-testid="telemetry-range"
        />
        {preset === 'custom' && (
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            value={custom}
            allowClear={false}
            onChange={(value) => {
              if (value?.[0] && value[1]) setCustom([value[0], value[1]])
            }}
            data-testid="telemetry-custom"
          />
        )}
      </div>
      <ServerError error={error} />
      <div className="xh-iot-chart-box">
        <div ref={chartRef} className="xh-iot-chart" data-testid="telemetry-canvas" style={{ visibility: option ? 'visible' : 'hidden' }} />
        {loading && <div className="xh-iot-chart-overlay"><Spin /></div>}
        {empty && <div className="xh-iot-chart-overlay"><Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('iot.chart.empty')} /></div>}
      </div>
      <Space size={12} wrap>
        {bucket && <Typography.Text type="secondary" data-testid="telemetry-bucket">{t('iot.chart.downsampled', { bucket })}</Typography.Text>}
        {data && data.points.length > 0 && <Typography.Text type="secondary">{t('iot.chart.points', { count: data.points.length })}</Typography.Text>}
      </Space>
    </div>
  )
}
