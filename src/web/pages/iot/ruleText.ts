// A rule's condition in words, for the rule list: "倾角 > 15 °（低于 10 ° 恢复）", "井内水位 > 150 cm 持续 10 分钟",
// "温度在 10 分钟内变化 ≥ 20 ℃", "3 个上报周期（15 分钟）无消息". Pure: the words come from the caller's t.
import type { TFunction } from 'i18next'
import type { DeviceModel, IotCondition, Lang, TelemetryKey } from '../../api/client'

/** A telemetry key's name in the UI language (the key itself when the model does not know it). */
export function keyName(key: string, spec: TelemetryKey | undefined, lang: Lang): string {
  if (!spec) return key
  return lang === 'en' && spec.nameEn ? spec.nameEn : spec.name
}

/** Seconds as the largest whole unit: 600 → 10 分钟 / 10 min. */
export function durationText(seconds: number, t: TFunction): string {
  if (seconds % 86400 === 0) return t('iot.duration.days', { count: seconds / 86400 })
  if (seconds % 3600 === 0) return t('iot.duration.hours', { count: seconds / 3600 })
  if (seconds % 60 === 0) return t('iot.duration.minutes', { count: seconds / 60 })
  return t('iot.duration.seconds', { count: seconds })
}

export function conditionText(condition: IotCondition, model: DeviceModel | undefined, t: TFunction, lang: Lang): string {
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 })
  if (condition.type === 'offline') {
    const minutes = model ? durationText(condition.intervals * model.intervalSeconds, t) : null
    return t('iot.condition.offlineText', { count: condition.intervals, duration: minutes ?? '' })
  }
  const spec = model?.telemetry.find((k) => k.key === condition.key)
  const name = keyName(condition.key, spec, lang)
  const unit = spec?.unit ? ` ${spec.unit}` : ''
  if (condition.type === 'rate') {
    return t('iot.condition.rateText', { key: name, change: `${number.format(condition.change)}${unit}`, duration: durationText(condition.seconds, t) })
  }
  const sign = condition.op === 'above' ? '>' : '<'
  let text = `${name} ${sign} ${number.format(condition.value)}${unit}`
  if (condition.type === 'sustained') text += ` ${t('iot.condition.forText', { duration: durationText(condition.seconds, t) })}`
  if (condition.clear !== undefined && condition.clear !== condition.value) {
    text += t(condition.op === 'above' ? 'iot.condition.clearBelow' : 'iot.condition.clearAbove', { value: `${number.format(condition.clear)}${unit}` })
  }
  return text
}
