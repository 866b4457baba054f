// One device: state, worst alarm and model in the header; its newest values (units, out-of-range marks), open alarms
// (handled here with alarm:act), telemetry chart, facts, connection (token hint, counters, attributes) and place.
// Those who may edit devices issue a new token or revoke it (after a confirm; a new token is shown once).
// Follows the device's alarms and state live, and reads its newest values again every 10 s (they announce nothing).
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { App, Button, Card, Col, Descriptions, Empty, List, Result, Row, Space, Spin, Table, Tag, Typography } from 'antd'
import type { ButtonProps } from 'antd'
import { ArrowLeftOutlined, KeyOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { getDevice, listAlarms, listIotRules, revokeDeviceToken, rotateDeviceToken, type Alarm, type DeviceDetail, type IotRule, type LatestValue, type TelemetryKey } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { localName } from '../../app/i18n'
import { errorMessage } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { IOT_EVENTS, useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { useLoad } from '../../app/useLoad'
import { CaseMap } from '../cases/CaseMap'
import { AlarmActions } from './AlarmActions'
import { keyName } from './ruleText'
import { Ago, AlarmStateTag, DeviceStateBadge, rangeText, SEVERITY_COLOURS, SeverityTag, useLang, ValueText } from './shared'
import type { Threshold } from './TelemetryChart'
import { TokenModal } from './TokenModal'

/** How often the page reads the device's newest values again. */
const LATEST_EVERY_MS = 10_000

/** The chart brings ECharts: its own chunk, loaded while the rest of the page shows. */
const TelemetryChart = lazy(() => import('./TelemetryChart'))

function LatestValues({ detail }: { detail: DeviceDetail }) {
  const { t } = useTranslation()
  const lang = useLang()
  const known = detail.model.telemetry
  const unknown = Object.keys(detail.latest).filter((key) => !known.some((k) => k.key === key))
  const rows: Array<{ key: string; spec: TelemetryKey | undefined; value: LatestValue | undefined }> = [
    ...known.map((spec) => ({ key: spec.key, spec, value: detail.latest[spec.key] })),
    ...unknown.map((key) => ({ key, spec: undefined, value: detail.latest[key] })),
  ]
  return (
    <div className="xh-iot-latest" data-testid="device-latest">
      {rows.map((row) => (
        <div key={row.key} className="xh-iot-latest-item" data-testid={`device-latest-${row.key}`} data-quality={row.value?.q ?? 'none'}>
          <Typography.Text type="secondary" className="xh-iot-latest-name">{keyName(row.key, row.spec, lang)}</Typography.Text>
          <div className="xh-iot-latest-value">{row.value ? <ValueText value={row.value} spec={row.spec} /> : <span className="xh-muted">—</span>}</div>
          <Typography.Text type="secondary" className="xh-iot-latest-meta">
            {row.value ? <Ago at={row.value.ts} /> : t('iot.detail.noValue')}
            {row.spec && rangeText(row.spec, lang) ? ` · ${rangeText(row.spec, lang)}` : ''}
          </Typography.Text>
        </div>
      ))}
    </div>
  )
}

export default function DeviceDetailPage() {
  const { id = '' } = useParams()
  const { t } = useTranslation()
  const lang = useLang()
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const { can } = useAuth()
  const { modal, message } = App.useApp()
  const writable = can('device:write')
  const [issued, setIssued] = useState<{ code: string; token: string } | null>(null)
  const [tick, setTick] = useState(0)

  const device = useLoad(() => getDevice(id), null as DeviceDetail | null, [id])
  const detail = device.data?.id === id ? device.data : null
  const alarms = useLoad(
    () => (can('alarm:read') ? listAlarms({ deviceId: id, state: 'open', pageSize: 50 }).then((r) => r.items) : Promise.resolve([] as Alarm[])),
    [] as Alarm[],
    [id],
  )
  // the rules that apply to this device (its model's, less those its own replace), for the chart's threshold lines
  const rules = useLoad(() => listIotRules({ deviceId: id }).then((r) => r.items.filter((rule) => !rule.overridden)), [] as IotRule[], [id])

  const reloadAll = useCallback(() => {
    device.reload()
    alarms.reload()
    setTick((n) => n + 1)
  }, [device, alarms])
  const reloadSoon = useDebounced(reloadAll, 600)
  // the newest values are written about once a second, with no event (a district's devices send thousands a second)
  const reloadDevice = device.reload
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && reloadDevice(), LATEST_EVERY_MS)
    return () => clearInterval(timer)
  }, [reloadDevice])
  useLiveEvents((event) => {
    if (event.deviceId === id) reloadSoon()
  }, true, IOT_EVENTS)

  const thresholdsOf = useCallback((key: string): Threshold[] => rules.data
    .filter((r) => r.enabled)
    .flatMap((r) => r.condition.all.flatMap((c) => ((c.type === 'threshold' || c.type === 'sustained') && c.key === key
      ? [{ value: c.value, label: localName(r.name, r.nameEn, lang), colour: SEVERITY_COLOURS[r.severity] }]
      : []))), [rules.data, lang])
  const chartKeys = useMemo(() => detail?.model.telemetry.filter((k) => k.type !== 'string') ?? [], [detail])

  if (device.error && !detail) {
    return (
      <div className="xh-page">
        <Result status="warning" title={t('iot.detail.notFound')} subTitle={errorMessage(device.error)}
          extra={<Button onClick={() => navigate('/iot/devices')}>{t('iot.detail.back')}</Button>} />
      </div>
    )
  }
  if (!detail) return <div className="xh-center"><Spin size="large" /></div>

  const rotate = () => modal.confirm({
    title: t('iot.token.rotateTitle', { code: detail.code }),
    content: t('iot.token.rotateText'),
    okText: t('iot.token.rotate'),
    okButtonProps: { 'data-testid': 'device-rotate-ok' } as ButtonProps,
    onOk: async () => {
      try {
        const { token } = await rotateDeviceToken(detail.id)
        setIssued({ code: detail.code, token })
        device.reload()
      } catch (e) {
        message.error(errorMessage(e))
      }
    },
  })
  const revoke = () => modal.confirm({
    title: t('iot.token.revokeTitle', { code: detail.code }),
    content: t('iot.token.revokeText'),
    okText: t('iot.token.revoke'),
    okButtonProps: { danger: true, 'data-testid': 'device-revoke-ok' } as ButtonProps,
    onOk: async () => {
      try {
        await revokeDeviceToken(detail.id)
        message.success(t('iot.token.revoked'))
        device.reload()
      } catch (e) {
        message.error(errorMessage(e))
      }
    },
  })

  const facts = [
    { key: 'code', label: t('iot.device.code'), children: <Typography.Text copyable className="xh-ticket">{detail.code}</Typography.Text> },
    { key: 'model', label: t('iot.device.model'), children: <span data-testid="device-model-name">{localName(detail.model.name, detail.model.nameEn, lang)}</span> },
    { key: 'street', label: t('iot.device.street'), children: [detail.streetName, detail.communityName].filter(Boolean).join(' · ') || '—' },
    { key: 'address', label: t('iot.device.address'), children: detail.address ?? '—' },
    { key: 'position', label: t('iot.device.position'), children: detail.lng !== null && detail.lat !== null ? `${detail.lng.toFixed(6)}, ${detail.lat.toFixed(6)}` : '—' },
    { key: 'facility', label: t('iot.device.facility'), children: [detail.facilityKind, detail.facilityName, detail.facilityRef].filter(Boolean).join(' · ') || '—' },
    { key: 'owner', label: t('iot.device.owner'), children: detail.ownerUnitName ?? '—' },
    { key: 'installedOn', label: t('iot.device.installedOn'), children: detail.installedOn ?? '—' },
    { key: 'interval', label: t('iot.device.interval'), children: t('iot.detail.interval', { count: detail.model.intervalSeconds }) },
    { key: 'enabled', label: t('iot.device.enabled'), children: detail.enabled ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag> },
  ]
  const connection = [
    { key: 'lastSeen', label: t('iot.device.lastSeen'), children: detail.lastSeen ? formatDateTime(detail.lastSeen, lang) : t('iot.state.never') },
    {
      key: 'token', label: t('iot.token.title'),
      children: detail.token
        ? <span data-testid="device-token-hint"><Typography.Text code>{detail.token.hint}…</Typography.Text> {formatDateTime(detail.token.issuedAt, lang)}</span>
        : <Tag color="red" data-testid="device-token-revoked">{t('iot.token.none')}</Tag>,
    },
    { key: 'flagged', label: t('iot.device.flagged'), children: <span data-testid="device-flagged">{detail.counters.flagged}</span> },
    { key: 'rejected', label: t('iot.device.rejected'), children: <span data-testid="device-rejected">{detail.counters.rejected}</span> },
    ...(detail.counters.lastReject ? [{ key: 'lastReject', label: t('iot.device.lastReject'), children: <Typography.Text type="danger">{detail.counters.lastReject}</Typography.Text> }] : []),
  ]
  const attributes = Object.entries(detail.attributes)

  return (
    <div className="xh-page" data-testid="device-detail-page" data-device-id={detail.id}>
      <div className="xh-page-header" style={{ flexWrap: 'nowrap', alignItems: 'flex-start' }}>
        <div className="xh-case-title">
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/iot/devices')} aria-label={t('iot.detail.back')} />
          <h1 data-testid="device-code">{detail.code}</h1>
          <DeviceStateBadge state={detail.state} />
          {detail.alarms.worst && <SeverityTag severity={detail.alarms.worst} count={detail.alarms.open} />}
        </div>
        <Button icon={<ReloadOutlined />} onClick={reloadAll} loading={device.loading} aria-label={t('common.reload')}>{mobile ? null : t('common.reload')}</Button>
      </div>
      <div className="xh-case-sub">
        <Typography.Text strong data-testid="device-name">{detail.name}</Typography.Text>
        <Typography.Text type="secondary">{localName(detail.model.name, detail.model.nameEn, lang)}</Typography.Text>
        <Typography.Text type="secondary">{t('iot.device.lastSeen')} <Ago at={detail.lastSeen} /></Typography.Text>
      </div>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small" title={t('iot.detail.latest')}>
              <LatestValues detail={detail} />
            </Card>
            {can('alarm:read') && (
              <Card
                size="small"
                title={t('iot.detail.alarms')}
                extra={<Link to={`/iot/alarms?deviceId=${detail.id}`}>{t('iot.detail.allAlarms')}</Link>}
                data-testid="device-alarms"
              >
                {alarms.data.length === 0
                  ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('iot.detail.noAlarms')} />
                  : (
                    <List
                      size="small"
                      dataSource={alarms.data}
                      renderItem={(a) => (
                        <List.Item key={a.id} data-testid={`device-alarm-${a.id}`} className="xh-iot-alarm-item"
                          extra={can('alarm:act') ? <AlarmActions alarm={a} onDone={reloadAll} /> : undefined}>
                          <Space size={[8, 4]} wrap>
                            <SeverityTag severity={a.severity} />
                            <AlarmStateTag state={a.state} />
                            <span>{localName(a.rule.name, a.rule.nameEn, lang)}</span>
                            <Typography.Text type="secondary"><Ago at={a.raisedAt} /></Typography.Text>
                            {a.caseId && <Link to={`/cases/${a.caseId}`}>{a.caseTicket ?? t('iot.alarms.case')}</Link>}
                          </Space>
                        </List.Item>
                      )}
                    />
                  )}
              </Card>
            )}
            <Card size="small" title={t('iot.detail.chart')}>
              <Suspense fallback={<div className="xh-center"><Spin /></div>}>
                <TelemetryChart deviceId={detail.id} keys={chartKeys} thresholdsOf={thresholdsOf} reloadKey={tick} />
              </Suspense>
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={8}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small" title={t('iot.detail.facts')}>
              <Descriptions size="small" column={1} items={facts} />
            </Card>
            <Card
              size="small"
              title={t('iot.detail.connection')}
              extra={writable ? (
                <Space size={4}>
                  <Button size="small" icon={<KeyOutlined />} onClick={rotate} data-testid="device-rotate">{detail.token ? t('iot.token.rotate') : t('iot.token.issue')}</Button>
                  {detail.token && <Button size="small" danger icon={<StopOutlined />} onClick={revoke} data-testid="device-revoke">{t('iot.token.revoke')}</Button>}
                </Space>
              ) : undefined}
            >
              <Descriptions size="small" column={1} items={connection} />
              {attributes.length > 0 && (
                <Table
                  size="small"
                  style={{ marginTop: 12 }}
                  rowKey={([k]) => k}
                  pagination={false}
                  dataSource={attributes}
                  data-testid="device-attributes"
                  columns={[
                    { title: t('iot.detail.attribute'), key: 'k', render: (_, [k]) => k },
                    { title: t('iot.detail.value'), key: 'v', render: (_, [, v]) => (typeof v === 'object' ? JSON.stringify(v) : String(v)) },
                  ]}
                />
              )}
            </Card>
            {detail.lng !== null && detail.lat !== null && <CaseMap position={[detail.lng, detail.lat]} />}
          </Space>
        </Col>
      </Row>
      <TokenModal issued={issued} onClose={() => setIssued(null)} />
    </div>
  )
}
