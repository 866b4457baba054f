// The command map's filters: lights (checkboxes with their counts, which are also the legend), state, class, street
// and source; and the compact legend a phone shows over the map.
import { useMemo } from 'react'
import { Button, Checkbox, Select, Space } from 'antd'
import { ClearOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { CaseClass, CaseSource, CaseState, Lang, Unit } from '../../api/client'
import { localName } from '../../app/i18n'
import { CASE_SOURCES, OPEN_STATES } from '../cases/workflow'
import { LIGHT_KEYS, MAP_LIGHT_COLOURS, type LightCounts, type LightKey } from './caseMapData'

export interface Filters {
  lights: readonly LightKey[]
  state?: readonly CaseState[]
  /** 'kind:code' of the class picker. */
  classValue?: string
  streetId?: string
  source?: CaseSource
}

export const ALL_LIGHTS: Filters = { lights: LIGHT_KEYS }

/** How many filters narrow the map (a light unticked counts once). */
export function activeFilters(f: Filters): number {
  return [f.lights.length < LIGHT_KEYS.length, Boolean(f.state?.length), f.classValue, f.streetId, f.source].filter(Boolean).length
}

function LightName({ light }: { light: LightKey }) {
  const { t } = useTranslation()
  return <>{light === 'none' ? t('command.noLight') : t(`light.${light}`)}</>
}

function Dot({ light }: { light: LightKey }) {
  return <span className="xh-light-dot" style={{ background: MAP_LIGHT_COLOURS[light] }} aria-hidden />
}

/** One checkbox per light with its count in view; `legend` marks the counts for tests and screen readers. */
export function LightFilter({ value, counts, onChange, legend }: {
  value: readonly LightKey[]
  counts: LightCounts
  onChange: (lights: LightKey[]) => void
  legend?: boolean
}) {
  return (
    <div className="xh-command-lights" role="group">
      {LIGHT_KEYS.map((light) => (
        <div key={light} data-testid={legend ? `command-light-${light}` : undefined}>
          <Checkbox
            checked={value.includes(light)}
            onChange={(e) => onChange(LIGHT_KEYS.filter((k) => (k === light ? e.target.checked : value.includes(k))))}
          >
            <span className="xh-light"><Dot light={light} /><LightName light={light} /></span>
            <span className="xh-command-count" data-testid={legend ? `command-legend-${light}` : undefined} data-count={counts[light]}>{counts[light]}</span>
          </Checkbox>
        </div>
      ))}
    </div>
  )
}

/** The counts by light as a one-line legend (phones). */
export function LightLegend({ counts, value }: { counts: LightCounts; value: readonly LightKey[] }) {
  return (
    <Space size={10} className="xh-command-legend-items">
      {LIGHT_KEYS.map((light) => (
        <span key={light} className="xh-light" style={value.includes(light) ? undefined : { opacity: 0.35 }}>
          <Dot light={light} />
          <span data-testid={`command-legend-${light}`} data-count={counts[light]}>{counts[light]}</span>
        </span>
      ))}
    </Space>
  )
}

export function FilterFields({ value, onChange, classes, streets, lang }: {
  value: Filters
  onChange: (next: Filters) => void
  classes: CaseClass[]
  streets: Unit[]
  lang: Lang
}) {
  const { t } = useTranslation()
  const set = (change: Partial<Filters>) => onChange({ ...value, ...change })
  const classOptions = useMemo(() => (['component', 'event'] as const).map((kind) => ({
    label: t(`classes.kinds.${kind}`),
    title: kind,
    options: classes.filter((c) => c.kind === kind).map((c) => ({ value: `${kind}:${c.smallCode}`, label: `${c.smallCode} ${localName(c.smallName, c.smallNameEn, lang)}` })),
  })), [classes, lang, t])

  return (
    <div className="xh-command-fields">
      <Select
        mode="multiple"
        allowClear
        maxTagCount="responsive"
        placeholder={t('cases.filter.states')}
        value={value.state ? [...value.state] : []}
        onChange={(state: CaseState[]) => set({ state: state.length ? state : undefined })}
        options={OPEN_STATES.map((s) => ({ value: s, label: t(`caseState.${s}`) }))}
        data-testid="command-filter-state"
      />
      <Select
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('cases.filter.class')}
        value={value.classValue}
        onChange={(classValue: string | undefined) => set({ classValue })}
        options={classOptions}
        data-testid="command-filter-class"
      />
      {streets.length > 0 && (
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('cases.filter.street')}
          value={value.streetId}
          onChange={(streetId: string | undefined) => set({ streetId })}
          options={streets.map((u) => ({ value: u.id, label: localName(u.name, u.nameEn, lang) }))}
          data-testid="command-filter-street"
        />
      )}
      <Select
        allowClear
        placeholder={t('cases.filter.source')}
        value={value.source}
        onChange={(source: CaseSource | undefined) => set({ source })}
        options={CASE_SOURCES.map((s) => ({ value: s, label: t(`caseSource.${s}`) }))}
        data-testid="command-filter-source"
      />
      <Button icon={<ClearOutlined />} onClick={() => onChange(ALL_LIGHTS)} disabled={activeFilters(value) === 0} data-testid="command-filter-reset">
        {t('cases.filter.reset')}
      </Button>
    </div>
  )
}
