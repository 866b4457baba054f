// Alarm console (告警台): the alarms of the devices in the user's scope, filtered by state (open by default),
// severity, model, street and device, with the open alarms counted by severity; acknowledge and clear (alarm:act),
// links to the device and to the case an alarm filed. Follows alarms live: a new critical alarm flashes a red banner
// and its row and beeps (the sound can be muted; the choice is remembered). A table on desktop, cards on a phone.
import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { Badge, Button, Empty, Pagination, Select, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { ClearOutlined, CloseOutlined, FilterOutlined, ReloadOutlined, SoundOutlined, MutedOutlined, WarningFilled } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listAlarms, type Alarm, type AlarmList, type AlarmQuery, type Severity } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { IOT_EVENTS, useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { useLoad } from '../../app/useLoad'
import { useUnits } from '../units/unitTree'
import { AlarmActions } from './AlarmActions'
import { beep, readMuted, unlockAudio, writeMuted } from './alarmCue'
import { Ago, AlarmStateTag, SEVERITIES, SEVERITY_COLOURS, SeverityTag, useDeviceModels, useLang } from './shared'

type Filters = Pick<AlarmQuery, 'state' | 'severity' | 'model' | 'streetId'>
const STATES: ReadonlyArray<NonNullable<Filters['state']>> = ['open', 'active', 'acknowledged', 'cleared']
const EMPTY: AlarmList = { items: [], total: 0, counts: { critical: 0, major: 0, minor: 0, warning: 0 } }
/** How long a new critical alarm's row keeps flashing. */
const FLASH_MS = 12_000

/** A critical alarm just raised, for the banner: which one and what the page played. */
interface Cue {
  alarmId: string
  sound: 'played' | 'muted' | 'blocked'
}

export default function AlarmsPage() {
  const { t } = useTranslation()
  const lang = useLang()
  const { can } = useAuth()
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const [params, setParams] = useSearchParams()
  const deviceId = params.get('deviceId') ?? undefined
  const acting = can('alarm:act')
  const { models, modelName } = useDeviceModels()
  const { units } = useUnits(can('org:read'))
  const streets = useMemo(() => units.filter((u) => u.kind === 'street' || u.kind === 'zone'), [units])
  const [filters, setFiltersState] = useState<Filters>({ state: 'open' })
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [filtersOpen, setFiltersOpen] = useState(false)
  const [muted, setMuted] = useState(readMuted)
  const [cue, setCue] = useState<Cue | null>(null)
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set())
  /** Critical alarms already announced (a repeat of the same alarm is not new). */
  const announced = useRef(new Set<string>())

  const { data, loading, error, reload } = useLoad(
    () => listAlarms({ ...filters, deviceId, page, pageSize }),
    EMPTY,
    [JSON.stringify(filters), deviceId, page, pageSize],
  )
  const setFilters = (change: Partial<Filters>) => {
    setFiltersState((f) => ({ ...f, ...change }))
    setPage(1)
  }

  // sound needs a gesture first: any touch or key on the page prepares it
  useEffect(() => {
    const unlock = () => unlockAudio()
    window.addEventListener('pointerdown', unlock, { once: true })
    window.addEventListener('keydown', unlock, { once: true })
    return () => {
      window.removeEventListener('pointerdown', unlock)
      window.removeEventListener('keydown', unlock)
    }
  }, [])

  // the alarms on screen when the page opens are not news
  useEffect(() => {
    for (const a of data.items) if (a.severity === 'critical') announced.current.add(a.id)
  }, [data.items])

  const reloadSoon = useDebounced(reload, 500)
  useLiveEvents((event) => {
    if (event.type !== 'alarm.changed') return
    reloadSoon()
    if (event.severity !== 'critical' || event.state !== 'active' || !event.alarmId || announced.current.has(event.alarmId)) return
    const alarmId = event.alarmId
    announced.current.add(alarmId)
    const sound = muted ? 'muted' : beep() ? 'played' : 'blocked'
    setCue({ alarmId, sound })
    setFlashing((s) => new Set(s).add(alarmId))
    setTimeout(() => setFlashing((s) => {
      const next = new Set(s)
      next.delete(alarmId)
      return next
    }), FLASH_MS)
  }, true, IOT_EVENTS)

  const toggleMute = () => {
    unlockAudio()
    writeMuted(!muted)
    setMuted(!muted)
  }

  const deviceCell = (a: Alarm) => (
    <Space size={4} orientation="vertical" style={{ gap: 0 }}>
      <Link to={`/iot/devices/${a.device.id}`} className="xh-ticket" onClick={(e) => e.stopPropagation()} data-testid={`alarm-device-${a.id}`}>{a.device.code}</Link>
      <Typography.Text type="secondary" className="xh-iot-small">{a.device.name}</Typography.Text>
    </Space>
  )
  const caseLink = (a: Alarm) => (a.caseId
    ? <Link to={`/cases/${a.caseId}`} className="xh-nowrap" onClick={(e) => e.stopPropagation()} data-testid={`alarm-case-${a.id}`}>{a.caseTicket ?? t('iot.alarms.case')}</Link>
    : <span className="xh-muted">—</span>)
  const repeats = (a: Alarm) => (a.repeats > 0 ? <Tooltip title={t('iot.alarms.repeatsHelp')}><Tag>×{a.repeats + 1}</Tag></Tooltip> : null)
  const ruleName = (a: Alarm) => localName(a.rule.name, a.rule.nameEn, lang)
  const placeOf = (a: Alarm) => {
    const street = streets.find((u) => u.id === a.device.streetId)
    return street ? localName(street.name, street.nameEn, lang) : a.device.address
  }

  const columns: TableColumnsType<Alarm> = [
    { title: t('iot.alarms.severity'), key: 'severity', width: 90, render: (_, a) => <SeverityTag severity={a.severity} /> },
    { title: t('iot.alarms.state'), key: 'state', width: 90, render: (_, a) => <AlarmStateTag state={a.state} /> },
    { title: t('iot.alarms.rule'), key: 'rule', width: 150, render: (_, a) => <Space size={4}>{ruleName(a)}{repeats(a)}</Space> },
    { title: t('iot.alarms.device'), key: 'device', width: 170, render: (_, a) => deviceCell(a) },
    { title: t('iot.alarms.raisedAt'), key: 'raisedAt', width: 100, render: (_, a) => <Ago at={a.raisedAt} /> },
    { title: t('iot.alarms.lastAt'), key: 'lastAt', width: 100, responsive: ['lg'], render: (_, a) => <Ago at={a.lastAt} /> },
    { title: t('iot.alarms.case'), key: 'case', width: 190, render: (_, a) => caseLink(a) },
    { title: t('iot.alarms.place'), key: 'place', width: 110, ellipsis: true, responsive: ['xl'], render: (_, a) => placeOf(a) ?? '—' },
    { title: t('iot.device.model'), key: 'model', width: 130, ellipsis: true, responsive: ['xxl'], render: (_, a) => modelName(a.device.modelKey) },
    ...(acting ? [{ title: t('common.actions'), key: 'actions', width: 180, fixed: 'right' as const, render: (_: unknown, a: Alarm) => <AlarmActions alarm={a} onDone={reload} /> }] : []),
  ]

  const active = Object.values(filters).filter((v) => v !== undefined && v !== 'open').length + (deviceId ? 1 : 0)
  const cued = cue ? data.items.find((a) => a.id === cue.alarmId) : undefined

  return (
    <div className="xh-page" data-testid="alarms-page">
      <div className="xh-page-header">
        <h1>{t('nav.iotAlarms')}</h1>
        <Space wrap>
          {mobile && (
            <Badge count={active} size="small">
              <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen((o) => !o)} aria-expanded={filtersOpen} aria-label={t('cases.filter.title')} data-testid="alarms-filters-toggle" />
            </Badge>
          )}
          <Tooltip title={muted ? t('iot.alarms.unmute') : t('iot.alarms.mute')}>
            <Button icon={muted ? <MutedOutlined /> : <SoundOutlined />} onClick={toggleMute} aria-pressed={muted} data-testid="alarms-mute" data-muted={muted}>
              {mobile ? null : muted ? t('iot.alarms.muted') : t('iot.alarms.sound')}
            </Button>
          </Tooltip>
          <Button icon={<ReloadOutlined />} onClick={reload} aria-label={t('common.reload')}>{mobile ? null : t('common.reload')}</Button>
        </Space>
      </div>

      {cue && (
        <div className="xh-iot-banner" role="alert" data-testid="alarm-banner" data-alarm-id={cue.alarmId} data-sound={cue.sound}>
          <WarningFilled className="xh-iot-banner-icon" />
          <div className="xh-iot-banner-text">
            <b>{t('iot.alarms.newCritical')}</b>
            {cued && <span> {cued.device.code} · {ruleName(cued)}</span>}
            {cue.sound === 'blocked' && <div className="xh-iot-small">{t('iot.alarms.soundBlocked')}</div>}
          </div>
          {cued && <Link to={`/iot/devices/${cued.device.id}`} className="xh-iot-banner-link">{t('iot.devices.open')}</Link>}
          <Button type="text" size="small" icon={<CloseOutlined />} onClick={() => setCue(null)} aria-label={t('common.close')} className="xh-iot-banner-close" data-testid="alarm-banner-close" />
        </div>
      )}

      <div className="xh-iot-counts" data-testid="alarm-counts">
        {SEVERITIES.map((s) => (
          <button
            key={s}
            type="button"
            className={filters.severity === s ? 'xh-iot-count xh-iot-count-on' : 'xh-iot-count'}
            style={{ borderColor: SEVERITY_COLOURS[s] }}
            onClick={() => setFilters({ severity: filters.severity === s ? undefined : s })}
            aria-pressed={filters.severity === s}
            data-testid={`alarm-count-${s}`}
            data-count={data.counts[s] ?? 0}
          >
            <span className="xh-iot-count-value" style={{ color: SEVERITY_COLOURS[s] }}>{data.counts[s] ?? 0}</span>
            <span className="xh-iot-count-label">{t(`iot.severity.${s}`)}</span>
          </button>
        ))}
      </div>

      <div className="xh-toolbar" style={mobile && !filtersOpen ? { display: 'none' } : undefined}>
        <Select
          value={filters.state ?? 'open'}
          onChange={(state: NonNullable<Filters['state']>) => setFilters({ state })}
          options={STATES.map((s) => ({ value: s, label: t(`iot.alarmState.${s}`) }))}
          style={{ width: 150 }}
          aria-label={t('iot.alarms.state')}
          data-testid="alarms-filter-state"
        />
        <Select
          allowClear
          placeholder={t('iot.alarms.severity')}
          value={filters.severity}
          onChange={(severity: Severity | undefined) => setFilters({ severity })}
          options={SEVERITIES.map((s) => ({ value: s, label: t(`iot.severity.${s}`) }))}
          style={{ width: 130 }}
          data-testid="alarms-filter-severity"
        />
        <Select
          allowClear
          placeholder={t('iot.devices.filterModel')}
          value={filters.model}
          onChange={(model: string | undefined) => setFilters({ model })}
          options={models.map((m) => ({ value: m.key, label: localName(m.name, m.nameEn, lang) }))}
          style={{ width: 180 }}
          data-testid="alarms-filter-model"
        />
        {streets.length > 0 && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('cases.filter.street')}
            value={filters.streetId}
            onChange={(streetId: string | undefined) => setFilters({ streetId })}
            options={streets.map((u) => ({ value: u.id, label: localName(u.name, u.nameEn, lang) }))}
            style={{ width: 160 }}
            data-testid="alarms-filter-street"
          />
        )}
        {deviceId && (
          <Tag closable onClose={() => setParams({}, { replace: true })} style={{ alignSelf: 'center', minWidth: 0 }} data-testid="alarms-filter-device">
            {t('iot.alarms.oneDevice')}
          </Tag>
        )}
        <Button icon={<ClearOutlined />} onClick={() => { setFiltersState({ state: 'open' }); setPage(1); setParams({}, { replace: true }) }} style={{ minWidth: 0 }}>
          {t('cases.filter.reset')}
        </Button>
      </div>
      <ServerError error={error} />

      {mobile ? (
        <Spin spinning={loading}>
          <div className="xh-iot-cards" data-testid="alarms-list">
            {data.items.length === 0 && !loading && <Empty description={t('iot.alarms.none')} />}
            {data.items.map((a) => (
              <div key={a.id} className={flashing.has(a.id) ? 'xh-iot-card xh-iot-flash' : 'xh-iot-card'} data-testid={`alarm-row-${a.id}`} data-severity={a.severity} data-state={a.state}>
                <div className="xh-iot-card-top">
                  <Space size={6}><SeverityTag severity={a.severity} /><AlarmStateTag state={a.state} /></Space>
                  <Typography.Text type="secondary" className="xh-iot-small"><Ago at={a.raisedAt} /></Typography.Text>
                </div>
                <div className="xh-iot-card-title">{ruleName(a)} {repeats(a)}</div>
                <div className="xh-iot-card-line">
                  <Link to={`/iot/devices/${a.device.id}`} className="xh-ticket" data-testid={`alarm-device-${a.id}`}>{a.device.code}</Link>
                  <span className="xh-iot-card-name">{a.device.name}</span>
                </div>
                <div className="xh-iot-card-line xh-iot-small">
                  {placeOf(a) && <span>{placeOf(a)}</span>}
                  {a.caseId && <span>{t('iot.alarms.case')} {caseLink(a)}</span>}
                </div>
                {acting && a.state !== 'cleared' && <div className="xh-iot-card-actions"><AlarmActions alarm={a} onDone={reload} size="middle" /></div>}
              </div>
            ))}
          </div>
          {data.total > pageSize && (
            <Pagination simple current={page} pageSize={pageSize} total={data.total} onChange={setPage} style={{ marginTop: 12, textAlign: 'center' }} />
          )}
        </Spin>
      ) : (
        <Table<Alarm>
          rowKey="id"
          size="middle"
          data-testid="alarms-table"
          loading={loading}
          dataSource={data.items}
          columns={columns}
          scroll={{ x: 960 }}
          locale={{ emptyText: <Empty description={t('iot.alarms.none')} /> }}
          rowClassName={(a) => (flashing.has(a.id) ? 'xh-row-link xh-iot-flash' : 'xh-row-link')}
          onRow={(a) => ({
            'data-testid': `alarm-row-${a.id}`,
            'data-severity': a.severity,
            'data-state': a.state,
            onClick: () => navigate(`/iot/devices/${a.device.id}`),
          }) as HTMLAttributes<HTMLElement>}
          pagination={{
            current: page,
            pageSize,
            total: data.total,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (p, size) => {
              if (size !== pageSize) {
                setPageSize(size)
                setPage(1)
              } else setPage(p)
            },
          }}
        />
      )}
    </div>
  )
}
