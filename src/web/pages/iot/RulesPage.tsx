// Alarm rules (告警规则) per device model: pick a model (kept in ?model=), see its rules and the rules of single devices
// of it, in words; those who may edit devices (device:write) add and edit rules and switch them on and off. Everyone
// else who sees devices reads them.
import { useState, type HTMLAttributes } from 'react'
import { Link, useSearchParams } from 'react-router'
import { App, Button, Empty, Select, Space, Switch, Table, Tag, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { getDevice, listIotRules, updateIotRule, type IotRule } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { useClasses } from '../cases/shared'
import { inputOf, RuleForm, type RuleTarget } from './RuleForm'
import { conditionText } from './ruleText'
import { SEVERITIES, SeverityTag, useDeviceModels, useLang } from './shared'

interface Row extends IotRule {
  deviceCode?: string
}

export default function RulesPage() {
  const { t } = useTranslation()
  const lang = useLang()
  const { can } = useAuth()
  const { message } = App.useApp()
  const mobile = useIsMobile()
  const writable = can('device:write')
  const [params, setParams] = useSearchParams()
  const { models, modelOf, error: modelsError } = useDeviceModels()
  const { classes, className } = useClasses()
  const modelKey = params.get('model') ?? models[0]?.key
  const model = modelKey ? modelOf(modelKey) : undefined
  const [target, setTarget] = useState<RuleTarget | null>(null)

  const { data: rules, loading, error, reload } = useLoad(async (): Promise<Row[]> => {
    if (!modelKey) return []
    const { items } = await listIotRules({ model: modelKey })
    // the codes of the devices that have rules of their own
    const ids = [...new Set(items.map((r) => r.deviceId).filter((id): id is string => id !== null))]
    const codes = new Map(await Promise.all(ids.map((id) => getDevice(id).then((d) => [id, d.code] as const, () => [id, id.slice(0, 8)] as const))))
    return items
      .map((r) => ({ ...r, deviceCode: r.deviceId ? codes.get(r.deviceId) : undefined }))
      .sort((a, b) => Number(a.deviceId !== null) - Number(b.deviceId !== null) || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.name.localeCompare(b.name))
  }, [], [modelKey])

  const toggle = async (rule: Row, enabled: boolean) => {
    try {
      await updateIotRule(rule.id, rule.version, { ...inputOf(rule), enabled })
      message.success(enabled ? t('iot.rules.enabled') : t('iot.rules.disabled'))
    } catch (e) {
      message.error(errorMessage(e))
    }
    reload()
  }

  const columns: TableColumnsType<Row> = [
    {
      title: t('iot.rules.name'), key: 'name', width: 200,
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <span data-testid={`rule-name-${r.id}`}>{localName(r.name, r.nameEn, lang)}</span>
          {r.builtin && <Typography.Text type="secondary" className="xh-iot-small">{t('iot.rules.builtin')}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('iot.alarms.severity'), key: 'severity', width: 100, render: (_, r) => <SeverityTag severity={r.severity} /> },
    {
      title: t('iot.rules.conditions'), key: 'conditions',
      render: (_, r) => (
        <div data-testid={`rule-conditions-${r.id}`}>
          {r.condition.all.map((c, i) => <div key={i}>{i > 0 && <Tag className="xh-iot-and">{t('iot.rules.and')}</Tag>}{conditionText(c, model, t, lang)}</div>)}
        </div>
      ),
    },
    {
      title: t('iot.rules.scope'), key: 'scope', width: 140, responsive: ['md'],
      render: (_, r) => (r.deviceId ? <Link to={`/iot/devices/${r.deviceId}`} className="xh-ticket">{r.deviceCode}</Link> : t('iot.rules.allDevices')),
    },
    {
      title: t('iot.rules.createCase'), key: 'case', width: 160, responsive: ['lg'],
      render: (_, r) => (r.createCase && r.classKind && r.classCode ? className(r.classKind, r.classCode) : '—'),
    },
    {
      title: t('common.active'), key: 'enabled', width: 80,
      render: (_, r) => <Switch size="small" checked={r.enabled} disabled={!writable} onChange={(on) => void toggle(r, on)} data-testid={`rule-enabled-${r.id}`} />,
    },
    ...(writable ? [{
      title: t('common.actions'), key: 'actions', width: 90,
      render: (_: unknown, r: Row) => <Button size="small" icon={<EditOutlined />} onClick={() => setTarget({ mode: 'edit', rule: r, deviceCode: r.deviceCode })} data-testid={`rule-edit-${r.id}`}>{t('common.edit')}</Button>,
    }] : []),
  ]

  return (
    <div className="xh-page" data-testid="iot-rules-page">
      <div className="xh-page-header">
        <h1>{t('nav.iotRules')}</h1>
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={reload} aria-label={t('common.reload')}>{mobile ? null : t('common.reload')}</Button>
          {writable && model && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ mode: 'create' })} data-testid="iot-rule-add">{t('iot.rules.add')}</Button>
          )}
        </Space>
      </div>
      <div className="xh-toolbar">
        <Select
          value={modelKey}
          onChange={(key: string) => setParams({ model: key }, { replace: true })}
          options={models.map((m) => ({ value: m.key, label: localName(m.name, m.nameEn, lang) }))}
          style={{ width: 240 }}
          aria-label={t('iot.device.model')}
          data-testid="iot-rules-model"
        />
        {model && (
          <Typography.Text type="secondary" style={{ alignSelf: 'center' }}>
            {t('iot.rules.modelInfo', { count: model.telemetry.length, interval: model.intervalSeconds })}
          </Typography.Text>
        )}
      </div>
      {!writable && <Typography.Paragraph type="secondary" data-testid="iot-rules-readonly">{t('iot.rules.readOnly')}</Typography.Paragraph>}
      <ServerError error={modelsError ?? error} />
      <Table<Row>
        rowKey="id"
        size="middle"
        data-testid="iot-rules-table"
        loading={loading}
        dataSource={rules}
        columns={columns}
        pagination={false}
        scroll={{ x: 720 }}
        locale={{ emptyText: <Empty description={t('iot.rules.none')} /> }}
        onRow={(r) => ({ 'data-testid': `rule-row-${r.id}`, 'data-name': r.name } as HTMLAttributes<HTMLElement>)}
      />
      {writable && model && (
        <RuleForm
          target={target}
          model={model}
          classes={classes}
          onClose={() => setTarget(null)}
          onSaved={() => {
            message.success(t('common.saved'))
            setTarget(null)
            reload()
          }}
        />
      )}
    </div>
  )
}
