// The built-in device models (设备型号) of issue 5 and their default rules: the seed of device_models and iot_rules.
// A model says which telemetry keys a type of device sends, their units and valid ranges, and how often it reports.

export type ValueType = 'number' | 'boolean' | 'string'

export interface TelemetryKey {
  key: string
  name: string
  nameEn: string
  unit?: string
  type: ValueType
  /** Valid range of a number; a value outside is stored but marked out of range. */
  min?: number
  max?: number
}

export type Op = 'above' | 'below'

/** One part of a rule's condition; a rule fires when all its parts hold. */
export type Condition =
  /** value above/below `value`; clears only once it is back past `clear` (hysteresis), default `value`. */
  | { type: 'threshold'; key: string; op: Op; value: number; clear?: number }
  /** the threshold held without a break for `seconds`. */
  | { type: 'sustained'; key: string; op: Op; value: number; seconds: number; clear?: number }
  /** the value changed by at least `change` (either way) within `seconds`. */
  | { type: 'rate'; key: string; change: number; seconds: number }
  /** no message for `intervals` times the model's reporting interval. */
  | { type: 'offline'; intervals: number }

export type Severity = 'critical' | 'major' | 'minor' | 'warning'
export const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'warning']

export interface RuleSpec {
  name: string
  nameEn: string
  severity: Severity
  condition: { all: Condition[] }
  /** File a case in the case loop with this class when the alarm is raised. */
  createCase?: { kind: 'component' | 'event'; code: string }
}

export interface ModelSpec {
  key: string
  name: string
  nameEn: string
  intervalSeconds: number
  telemetry: TelemetryKey[]
  /** The case class an alarm of this model files unless its rule says otherwise. */
  classOf?: { kind: 'component' | 'event'; code: string }
  rules: RuleSpec[]
}

const battery: TelemetryKey = { key: 'battery', name: '电量', nameEn: 'Battery', unit: '%', type: 'number', min: 0, max: 100 }
const temperature: TelemetryKey = { key: 'temperature', name: '温度', nameEn: 'Temperature', unit: '℃', type: 'number', min: -40, max: 85 }
const offline = (intervals: number): RuleSpec => ({ name: '设备离线', nameEn: 'Device offline', severity: 'minor', condition: { all: [{ type: 'offline', intervals }] } })

export const BUILTIN_MODELS: readonly ModelSpec[] = [
  {
    key: 'manhole_cover',
    name: '智能井盖',
    nameEn: 'Manhole cover sensor',
    intervalSeconds: 300,
    telemetry: [
      { key: 'tilt', name: '倾角', nameEn: 'Tilt angle', unit: '°', type: 'number', min: 0, max: 90 },
      { key: 'open', name: '开启', nameEn: 'Open', type: 'boolean' },
      { key: 'water_level', name: '井内水位', nameEn: 'Water level in the well', unit: 'cm', type: 'number', min: 0, max: 500 },
      battery,
    ],
    classOf: { kind: 'component', code: '0113' },
    rules: [
      { name: '井盖倾斜', nameEn: 'Cover tilted', severity: 'critical', condition: { all: [{ type: 'threshold', key: 'tilt', op: 'above', value: 15, clear: 10 }] }, createCase: { kind: 'component', code: '0113' } },
      { name: '井内水位过高', nameEn: 'Water high in the well', severity: 'major', condition: { all: [{ type: 'sustained', key: 'water_level', op: 'above', value: 150, seconds: 600, clear: 120 }] } },
      { name: '电量低', nameEn: 'Battery low', severity: 'warning', condition: { all: [{ type: 'threshold', key: 'battery', op: 'below', value: 20, clear: 25 }] } },
      offline(3),
    ],
  },
  {
    key: 'toilet_air',
    name: '公厕环境监测',
    nameEn: 'Public toilet air monitor',
    intervalSeconds: 60,
    telemetry: [
      { key: 'nh3', name: '氨气', nameEn: 'Ammonia (NH3)', unit: 'ppm', type: 'number', min: 0, max: 100 },
      { key: 'h2s', name: '硫化氢', nameEn: 'Hydrogen sulphide (H2S)', unit: 'ppm', type: 'number', min: 0, max: 50 },
      temperature,
      { key: 'humidity', name: '湿度', nameEn: 'Humidity', unit: '%RH', type: 'number', min: 0, max: 100 },
      { key: 'occupancy', name: '在用厕位', nameEn: 'Stalls in use', type: 'number', min: 0, max: 100 },
    ],
    classOf: { kind: 'component', code: '0301' },
    // GB/T 17217 (城市公共厕所卫生标准): NH3 ≤ 0.3 mg/m³ (≈ 0.43 ppm) for first-class toilets; the district's line is looser
    rules: [
      { name: '氨气超标', nameEn: 'Ammonia high', severity: 'major', condition: { all: [{ type: 'sustained', key: 'nh3', op: 'above', value: 5, seconds: 300, clear: 3 }] }, createCase: { kind: 'component', code: '0301' } },
      { name: '硫化氢超标', nameEn: 'Hydrogen sulphide high', severity: 'major', condition: { all: [{ type: 'sustained', key: 'h2s', op: 'above', value: 1, seconds: 300, clear: 0.6 }] }, createCase: { kind: 'component', code: '0301' } },
      offline(5),
    ],
  },
  {
    key: 'bin_fill',
    name: '垃圾桶满溢监测',
    nameEn: 'Bin fill sensor',
    intervalSeconds: 600,
    telemetry: [
      { key: 'fill', name: '满溢度', nameEn: 'Fill level', unit: '%', type: 'number', min: 0, max: 100 },
      temperature,
    ],
    classOf: { kind: 'event', code: '0108' },
    rules: [
      { name: '垃圾满溢', nameEn: 'Bin overflowing', severity: 'major', condition: { all: [{ type: 'threshold', key: 'fill', op: 'above', value: 90, clear: 70 }] }, createCase: { kind: 'event', code: '0108' } },
      { name: '桶内高温', nameEn: 'Heat in the bin', severity: 'critical', condition: { all: [{ type: 'rate', key: 'temperature', change: 20, seconds: 600 }, { type: 'threshold', key: 'temperature', op: 'above', value: 60, clear: 50 }] }, createCase: { kind: 'event', code: '0109' } },
      offline(3),
    ],
  },
  {
    key: 'gas_detector',
    name: '可燃气体探测器',
    nameEn: 'Gas detector',
    intervalSeconds: 60,
    telemetry: [{ key: 'lel', name: '可燃气体浓度', nameEn: 'Gas concentration', unit: '%LEL', type: 'number', min: 0, max: 100 }],
    classOf: { kind: 'event', code: '0503' },
    // GB 15322: low alarm at 10–25 %LEL, high alarm at 50 %LEL
    rules: [
      { name: '燃气泄漏', nameEn: 'Gas leak', severity: 'critical', condition: { all: [{ type: 'threshold', key: 'lel', op: 'above', value: 25, clear: 15 }] }, createCase: { kind: 'event', code: '0503' } },
      { name: '燃气浓度上升', nameEn: 'Gas rising', severity: 'major', condition: { all: [{ type: 'threshold', key: 'lel', op: 'above', value: 10, clear: 5 }] } },
      offline(5),
    ],
  },
  {
    key: 'underpass_water',
    name: '下穿通道积水监测',
    nameEn: 'Underpass water level',
    intervalSeconds: 60,
    telemetry: [{ key: 'water_level', name: '积水深度', nameEn: 'Water depth', unit: 'cm', type: 'number', min: 0, max: 300 }],
    classOf: { kind: 'event', code: '0505' },
    rules: [
      { name: '通道积水', nameEn: 'Underpass flooding', severity: 'critical', condition: { all: [{ type: 'sustained', key: 'water_level', op: 'above', value: 15, seconds: 120, clear: 10 }] }, createCase: { kind: 'event', code: '0505' } },
      { name: '积水快速上涨', nameEn: 'Water rising fast', severity: 'major', condition: { all: [{ type: 'rate', key: 'water_level', change: 10, seconds: 600 }] } },
      offline(5),
    ],
  },
  {
    key: 'streetlight',
    name: '智慧路灯',
    nameEn: 'Streetlight controller',
    intervalSeconds: 300,
    telemetry: [
      { key: 'on', name: '亮灯', nameEn: 'Lamp on', type: 'boolean' },
      { key: 'power', name: '功率', nameEn: 'Power', unit: 'W', type: 'number', min: 0, max: 1000 },
    ],
    classOf: { kind: 'component', code: '0118' },
    // a lamp switched on that draws almost nothing is out
    rules: [
      { name: '路灯不亮', nameEn: 'Lamp out', severity: 'minor', condition: { all: [{ type: 'sustained', key: 'power', op: 'below', value: 5, seconds: 900, clear: 20 }] }, createCase: { kind: 'component', code: '0118' } },
      offline(3),
    ],
  },
  {
    key: 'smoke_detector',
    name: '烟感探测器',
    nameEn: 'Smoke detector',
    intervalSeconds: 300,
    telemetry: [
      { key: 'smoke', name: '烟雾', nameEn: 'Smoke', type: 'boolean' },
      { key: 'obscuration', name: '减光率', nameEn: 'Obscuration', unit: '%/m', type: 'number', min: 0, max: 30 },
      temperature,
      battery,
    ],
    classOf: { kind: 'event', code: '0508' },
    rules: [
      { name: '烟雾报警', nameEn: 'Smoke alarm', severity: 'critical', condition: { all: [{ type: 'threshold', key: 'obscuration', op: 'above', value: 3, clear: 1.5 }] }, createCase: { kind: 'event', code: '0508' } },
      { name: '电量低', nameEn: 'Battery low', severity: 'warning', condition: { all: [{ type: 'threshold', key: 'battery', op: 'below', value: 20, clear: 25 }] } },
      offline(3),
    ],
  },
]
