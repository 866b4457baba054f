// Devices (物联设备): the registry in the user's scope as a list or on a map, filtered by text, model, state, street and
// open alarms; each with its state, worst open alarm, last message and newest values. Follows alarms and device states
// live. Those who may edit devices add one (its token shown once) or import many from CSV / Excel.
import { useMemo, useState, type HTMLAttributes } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { Badge, Button, Input, Segmented, Select, Space, Table, Tag } from 'antd'
import type { TableColumnsType } from 'antd'
import { ClearOutlined, EnvironmentOutlined, FilterOutlined, PlusOutlined, ReloadOutlined, UnorderedListOutlined, UploadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listDevices, type DeviceQuery, type DeviceState, type DeviceSummary } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { IOT_EVENTS, useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { usePagedList } from '../../app/usePagedList'
import { useUnits } from '../units/unitTree'
import { DeviceForm } from './DeviceForm'
import { DeviceMap } from './DeviceMap'
import { ImportDevicesModal } from './ImportDevicesModal'
import { keyName } from './ruleText'
import { Ago, DEVICE_STATES, DeviceStateBadge, SEVERITIES, SeverityTag, useDeviceModels, useLang, ValueText } from './shared'
import { TokenModal } from './TokenModal'

type Filters = Pick<DeviceQuery, 'q' | 'model' | 'state' | 'streetId' | 'alarm'>
type View = 'list' | 'map'

/** How many of a device's newest values the list shows (the model's first keys). */
const LIST_VALUES = 3

export default function DevicesPage() {
  const { t } = useTranslation()
  const lang = useLang()
  const { can } = useAuth()
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const [params, setParams] = useSearchParams()
  const view: View = params.get('view') === 'map' ? 'map' : 'list'
  const writable = can('device:write')
  const { models, modelOf, modelName } = useDeviceModels()
  const { units } = useUnits(can('org:read'))
  const streets = useMemo(() => units.filter((u) => u.kind === 'street' || u.kind === 'zone'), [units])
  const list = usePagedList<DeviceSummary, Filters>(listDevices, {})
  const f = list.filters
  const [search, setSearch] = useState('')
  const [filtersOpen, setFiltersOpen] = useState(false)
  const [adding, setAdding] = useState(false)
  const [importing, setImporting] = useState(false)
  const [issued, setIssued] = useState<{ code: string; token: string } | null>(null)
  const [mapTick, setMapTick] = useState(0)

  // an alarm or a device's state changed somewhere in scope: list (and map) again, once per burst
  const reloadNow = () => {
    list.reload()
    setMapTick((n) => n + 1)
  }
  const reloadSoon = useDebounced(reloadNow, 800)
  useLiveEvents(reloadSoon, true, IOT_EVENTS)

  const set = (change: Partial<Filters>) => list.setFilters({ ...f, ...change })
  const reset = () => {
    setSearch('')
    list.setFilters({})
  }
  const setView = (next: View) => setParams(next === 'map' ? { view: 'map' } : {}, { replace: true })

  const columns: TableColumnsType<DeviceSummary> = [
    {
      title: t('iot.device.code'), dataIndex: 'code', key: 'code', width: 150,
      render: (code: string, d) => <Link to={`/iot/devices/${d.id}`} className="xh-ticket" data-testid={`device-link-${code}`} onClick={(e) => e.stopPropagation()}>{code}</Link>,
    },
    { title: t('iot.device.name'), dataIndex: 'name', key: 'name', width: 180, ellipsis: true },
    { title: t('iot.device.model'), dataIndex: 'modelKey', key: 'model', width: 150, ellipsis: true, responsive: ['md'], render: (key: string) => modelName(key) },
    {
      title: t('iot.device.state'), dataIndex: 'state', key: 'state', width: 110,
      render: (state: DeviceState, d) => <Space size={4}><DeviceStateBadge state={state} />{!d.enabled && <Tag>{t('common.inactive')}</Tag>}</Space>,
    },
    {
      title: t('iot.device.alarm'), key: 'alarm', width: 110,
      render: (_, d) => d.alarms.worst ? <SeverityTag severity={d.alarms.worst} count={d.alarms.open} /> : <span className="xh-muted">—</span>,
    },
    {
      title: t('iot.device.latest'), key: 'latest', width: 260, responsive: ['lg'],
      render: (_, d) => {
        const model = modelOf(d.modelKey)
        const keys = (model?.telemetry ?? []).filter((k) => d.latest[k.key]).slice(0, LIST_VALUES)
        if (keys.length === 0) return <span className="xh-muted">—</span>
        return (
          <Space size={[12, 2]} wrap>
            {keys.map((k) => <ValueText key={k.key} value={d.latest[k.key]!} spec={k} name={keyName(k.key, k, lang)} />)}
          </Space>
        )
      },
    },
    { title: t('iot.device.street'), dataIndex: 'streetName', key: 'street', width: 120, ellipsis: true, responsive: ['xl'], render: (v: string | null) => v ?? '—' },
    { title: t('iot.device.lastSeen'), dataIndex: 'lastSeen', key: 'lastSeen', width: 120, render: (v: string | null) => <Ago at={v} /> },
  ]

  const active = Object.values(f).filter((v) => v !== undefined && v !== '').length
  const toolbar = (
    <div className="xh-toolbar" style={mobile && !filtersOpen ? { display: 'none' } : undefined}>
      <Input.Search
        className="xh-search"
        allowClear
        placeholder={t('iot.devices.search')}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onSearch={(q) => set({ q: q.trim() || undefined })}
        data-testid="devices-search"
      />
      <Select
        allowClear
        placeholder={t('iot.devices.filterModel')}
        value={f.model}
        onChange={(model: string | undefined) => set({ model })}
        options={models.map((m) => ({ value: m.key, label: localName(m.name, m.nameEn, lang) }))}
        style={{ width: 180 }}
        data-testid="devices-filter-model"
      />
      <Select
        allowClear
        placeholder={t('iot.devices.filterState')}
        value={f.state}
        onChange={(state: DeviceState | undefined) => set({ state })}
        options={DEVICE_STATES.map((s) => ({ value: s, label: t(`iot.state.${s}`) }))}
        style={{ width: 130 }}
        data-testid="devices-filter-state"
      />
      {streets.length > 0 && (
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('cases.filter.street')}
          value={f.streetId}
          onChange={(streetId: string | undefined) => set({ streetId })}
          options={streets.map((u) => ({ value: u.id, label: localName(u.name, u.nameEn, lang) }))}
          style={{ width: 160 }}
          data-testid="devices-filter-street"
        />
      )}
      <Select
        allowClear
        placeholder={t('iot.devices.filterAlarm')}
        value={f.alarm}
        onChange={(alarm: Filters['alarm']) => set({ alarm })}
        options={[
          { value: 'open', label: t('iot.devices.withAlarm') },
          ...SEVERITIES.map((s) => ({ value: s, label: t('iot.devices.withSeverity', { severity: t(`iot.severity.${s}`) }) })),
          { value: 'none', label: t('iot.devices.withoutAlarm') },
        ]}
        style={{ width: 150 }}
        data-testid="devices-filter-alarm"
      />
      <Button icon={<ClearOutlined />} onClick={reset} style={{ minWidth: 0 }}>{t('cases.filter.reset')}</Button>
    </div>
  )

  return (
    <div className={view === 'map' ? 'xh-page xh-iot-map-page' : 'xh-page'} data-testid="devices-page">
      <div className="xh-page-header">
        <h1>{t('nav.iotDevices')}</h1>
        <Space wrap>
          <Segmented<View>
            value={view}
            onChange={setView}
            options={[
              { value: 'list', icon: <UnorderedListOutlined />, label: mobile ? undefined : t('iot.devices.list') },
              { value: 'map', icon: <EnvironmentOutlined />, label: mobile ? undefined : t('iot.devices.map') },
            ]}
            data-testid="devices-view"
          />
          {mobile && (
            <Badge count={active} size="small">
              <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen((o) => !o)} aria-expanded={filtersOpen} aria-label={t('cases.filter.title')} />
            </Badge>
          )}
          <Button icon={<ReloadOutlined />} onClick={reloadNow} aria-label={t('common.reload')}>{mobile ? null : t('common.reload')}</Button>
          {writable && (
            <>
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="devices-import">{t('iot.import.button')}</Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="devices-add">{t('iot.devices.add')}</Button>
            </>
          )}
        </Space>
      </div>
      {toolbar}
      <ServerError error={list.error} />
      {view === 'list' ? (
        <Table<DeviceSummary>
          rowKey="id"
          size="middle"
          data-testid="devices-table"
          {...list.table(t)}
          columns={columns}
          scroll={{ x: 760 }}
          onRow={(d) => ({
            'data-testid': `device-row-${d.code}`,
            className: 'xh-row-link',
            onClick: () => navigate(`/iot/devices/${d.id}`),
          }) as HTMLAttributes<HTMLElement>}
        />
      ) : (
        <DeviceMap query={f} reloadKey={mapTick} modelName={modelName} />
      )}
      {writable && (
        <>
          <DeviceForm
            open={adding}
            models={models}
            onClose={() => setAdding(false)}
            onCreated={(device, token) => {
              setAdding(false)
              setIssued({ code: device.code, token })
              reloadSoon()
            }}
          />
          <ImportDevicesModal open={importing} onClose={() => setImporting(false)} onImported={reloadSoon} />
          <TokenModal issued={issued} onClose={() => setIssued(null)} />
        </>
      )}
    </div>
  )
}
