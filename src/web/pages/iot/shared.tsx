// Pieces the IoT pages share: device state and alarm severity badges, the device models (loaded once), telemetry
// values with their units, and how long ago something happened.
import { useCallback } from 'react'
import { Badge, Tag, Tooltip } from 'antd'
import { WarningFilled } from '@ant-design/icons'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { listDeviceModels, type AlarmState, type DeviceModel, type DeviceState, type Lang, type LatestValue, type Severity, type TelemetryKey } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { localName } from '../../app/i18n'
import { useLoad } from '../../app/useLoad'

/** Worst first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'warning']
export const DEVICE_STATES: readonly DeviceState[] = ['online', 'offline', 'never']

export const SEVERITY_COLOURS: Record<Severity, string> = { critical: '#cf1322', major: '#fa541c', minor: '#faad14', warning: '#1677ff' }
export const STATE_COLOURS: Record<DeviceState, string> = { online: '#52c41a', offline: '#8c8c8c', never: '#d9d9d9' }

/** The UI language of react-i18next as the API's Lang. */
export function useLang(): Lang {
  const { i18n } = useTranslation()
  return i18n.language === 'en' ? 'en' : 'zh-CN'
}

/** 在线 / 离线 / 未上线 with a coloured dot. */
export function DeviceStateBadge({ state }: { state: DeviceState }) {
  const { t } = useTranslation()
  return (
    <span data-testid="device-state" data-state={state} className="xh-nowrap">
      <Badge color={STATE_COLOURS[state]} text={t(`iot.state.${state}`)} />
    </span>
  )
}

/** The severity of an alarm as a coloured tag (紧急 / 重要 / 次要 / 提示). */
export function SeverityTag({ severity, count }: { severity: Severity; count?: number }) {
  const { t } = useTranslation()
  return (
    <Tag color={SEVERITY_COLOURS[severity]} data-testid="severity" data-severity={severity} style={{ marginInlineEnd: 0 }}>
      {severity === 'critical' && <WarningFilled style={{ marginInlineEnd: 4 }} />}
      {t(`iot.severity.${severity}`)}
      {count !== undefined && count > 1 ? ` ×${count}` : ''}
    </Tag>
  )
}

const ALARM_STATE_COLOURS: Record<AlarmState, string> = { active: 'red', acknowledged: 'orange', cleared: 'default' }

export function AlarmStateTag({ state }: { state: AlarmState }) {
  const { t } = useTranslation()
  return <Tag color={ALARM_STATE_COLOURS[state]} data-testid="alarm-state" data-state={state} style={{ marginInlineEnd: 0 }}>{t(`iot.alarmState.${state}`)}</Tag>
}

let modelCache: Promise<DeviceModel[]> | null = null

/** Forget the shared models after one was changed. */
export function invalidateModels(): void {
  modelCache = null
}

/** The device models (loaded once per page load): a model by key, its name in the UI language, and the list. */
export function useDeviceModels(): {
  models: DeviceModel[]
  loading: boolean
  error: unknown
  modelOf: (key: string) => DeviceModel | undefined
  modelName: (key: string) => string
} {
  const lang = useLang()
  const { data, loading, error } = useLoad(() => {
    modelCache ??= listDeviceModels().then((r) => r.items).catch((e: unknown) => {
      modelCache = null
      throw e
    })
    return modelCache
  }, [] as DeviceModel[], [])
  const modelOf = useCallback((key: string) => data.find((m) => m.key === key), [data])
  const modelName = useCallback((key: string) => {
    const model = data.find((m) => m.key === key)
    return model ? localName(model.name, model.nameEn, lang) : key
  }, [data, lang])
  return { models: data, loading, error, modelOf, modelName }
}

/** A value as people read it: a number with its unit, yes/no for a boolean. */
export function formatValue(value: LatestValue['v'], spec: TelemetryKey | undefined, t: TFunction, lang: Lang): string {
  if (typeof value === 'boolean') return t(value ? 'iot.yes' : 'iot.no')
  if (typeof value === 'number') {
    const text = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value)
    return spec?.unit ? `${text} ${spec.unit}` : text
  }
  return value
}

/** The valid range of a key as text (0–100 %), or null when it has none. */
export function rangeText(spec: TelemetryKey, lang: Lang): string | null {
  if (spec.min === undefined && spec.max === undefined) return null
  const n = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 })
  return `${spec.min === undefined ? '−∞' : n.format(spec.min)} – ${spec.max === undefined ? '∞' : n.format(spec.max)}${spec.unit ? ` ${spec.unit}` : ''}`
}

/** One latest value with its unit; out of range (q = 1) in red with a mark, an unknown key (q = 2) in grey. */
export function ValueText({ value, spec, name }: { value: LatestValue; spec: TelemetryKey | undefined; name?: string }) {
  const { t } = useTranslation()
  const lang = useLang()
  const text = formatValue(value.v, spec, t, lang)
  const body = (
    <span className={value.q === 1 ? 'xh-iot-value xh-iot-value-out' : value.q === 2 ? 'xh-iot-value xh-iot-value-unknown' : 'xh-iot-value'} data-testid="iot-value" data-quality={value.q}>
      {name ? <span className="xh-iot-value-name">{name}</span> : null}
      {text}
      {value.q === 1 && <WarningFilled aria-label={t('iot.outOfRange')} style={{ marginInlineStart: 4 }} />}
    </span>
  )
  if (value.q === 0) return body
  const why = value.q === 1 ? `${t('iot.outOfRange')}${spec && rangeText(spec, lang) ? `（${rangeText(spec, lang)}）` : ''}` : t('iot.unknownKey')
  return <Tooltip title={why}>{body}</Tooltip>
}

/** "3 分钟前" / "3 minutes ago", with the full time in a tooltip; a dash when never. */
export function Ago({ at, testId }: { at: string | number | null; testId?: string }) {
  const lang = useLang()
  if (!at) return <span data-testid={testId}>—</span>
  return (
    <Tooltip title={formatDateTime(new Date(at).toISOString(), lang)}>
      <span data-testid={testId} className="xh-nowrap">{formatAgo(at, lang)}</span>
    </Tooltip>
  )
}

export function formatAgo(at: string | number, lang: Lang, now = Date.now()): string {
  const seconds = Math.round((new Date(at).getTime() - now) / 1000)
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })
  const abs = Math.abs(seconds)
  if (abs < 60) return format.format(seconds, 'second')
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return format.format(Math.round(seconds / 3600), 'hour')
  if (abs < 86400 * 30) return format.format(Math.round(seconds / 86400), 'day')
  return formatDateTime(new Date(at).toISOString(), lang)
}
