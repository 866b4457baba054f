// The rule list's conditions in words, in both UI languages, with the locale files the app ships.
import { createInstance, type TFunction } from 'i18next'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DeviceModel } from '../../api/client'
import en from '../../app/locales/en.json'
import zhCN from '../../app/locales/zh-CN.json'
import { BUILTIN_MODELS } from '../../../server/modules/iot/models'
import { conditionText, durationText, keyName } from './ruleText'

const spec = BUILTIN_MODELS.find((m) => m.key === 'manhole_cover')!
const model: DeviceModel = {
  key: spec.key, name: spec.name, nameEn: spec.nameEn, telemetry: spec.telemetry, intervalSeconds: spec.intervalSeconds,
  classKind: null, classCode: null, builtin: true, updatedAt: '2026-01-01T00:00:00Z',
}

let zh: TFunction
let english: TFunction

beforeAll(async () => {
  const make = async (lng: string) => {
    const i18n = createInstance()
    await i18n.init({ resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, lng, fallbackLng: 'zh-CN', interpolation: { escapeValue: false } })
    return i18n.t
  }
  zh = await make('zh-CN')
  english = await make('en')
})

describe('rule conditions in words', () => {
  it('a threshold with hysteresis names the key, its unit and where it clears', () => {
    const c = { type: 'threshold', key: 'tilt', op: 'above', value: 15, clear: 10 } as const
    expect(conditionText(c, model, zh, 'zh-CN')).toBe('倾角 > 15 °（低于 10 ° 恢复）')
    expect(conditionText(c, model, english, 'en')).toBe('Tilt angle > 15 ° (clears below 10 °)')
    // no clear value, or the same as the threshold: nothing to add
    expect(conditionText({ type: 'threshold', key: 'battery', op: 'below', value: 20 }, model, zh, 'zh-CN')).toBe('电量 < 20 %')
  })

  it('a sustained threshold says for how long, in the largest whole unit', () => {
    const c = { type: 'sustained', key: 'water_level', op: 'above', value: 150, seconds: 600, clear: 120 } as const
    expect(conditionText(c, model, zh, 'zh-CN')).toBe('井内水位 > 150 cm 持续 10 分钟（低于 120 cm 恢复）')
    expect(conditionText(c, model, english, 'en')).toBe('Water level in the well > 150 cm for 10 minutes (clears below 120 cm)')
    expect(durationText(90, english)).toBe('90 seconds')
    expect(durationText(7200, zh)).toBe('2 小时')
    expect(durationText(86400, english)).toBe('1 day')
  })

  it('a rate of change and an offline rule (counted in the model’s reporting interval)', () => {
    expect(conditionText({ type: 'rate', key: 'water_level', change: 10, seconds: 600 }, model, zh, 'zh-CN')).toBe('井内水位在 10 分钟内变化 ≥ 10 cm')
    expect(conditionText({ type: 'offline', intervals: 3 }, model, zh, 'zh-CN')).toBe('3 个上报周期（15 分钟）无消息')
    expect(conditionText({ type: 'offline', intervals: 1 }, model, english, 'en')).toBe('no message for 1 reporting interval (5 minutes)')
  })

  it('a key the model does not know keeps its own name', () => {
    expect(keyName('pressure', undefined, 'en')).toBe('pressure')
    expect(conditionText({ type: 'threshold', key: 'pressure', op: 'above', value: 2 }, model, english, 'en')).toBe('pressure > 2')
  })
})
