// The responsibility matrix tab: the rules (class × area → unit, auto or not) as a filterable table, added and changed
// in a drawer, deleted after a confirm; and a "try it" box showing which rule a case of a class in an area would get.
import { useMemo, useState } from 'react'
import { App, Button, Card, Empty, Input, Popconfirm, Space, Spin, Table, Tag, TreeSelect, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listDispatchRules, removeDispatchRule, type CaseClass, type DispatchRule, type Lang, type Unit } from '../../api/client'
import { chooseRule } from '../../../server/modules/cases/matrix'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { useClasses } from '../cases/shared'
import { unitOptions, useUnits } from '../units/unitTree'
import { classOptions, parseClassValue, ruleClassNames } from './classTree'
import { DispatchRuleForm, type RuleFormTarget } from './DispatchRuleForm'
import { AREA_KINDS, areaUnits, lineageIds } from './matrixUnits'

const KIND_RANK = new Map(AREA_KINDS.map((k, i) => [k, i]))

export function DispatchRulesTab() {
  const { t, i18n } = useTranslation()
  const { can } = useAuth()
  const { message } = App.useApp()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const writable = can('case:configure')
  const mobile = useIsMobile()
  const { classes } = useClasses()
  const { units, error: unitsError } = useUnits(can('org:read'))
  const { data: rules, loading, error, reload } = useLoad(() => listDispatchRules().then((r) => r.items), [] as DispatchRule[], [])
  const [q, setQ] = useState('')
  const [target, setTarget] = useState<RuleFormTarget | null>(null)
  const [removeError, setRemoveError] = useState<unknown>(null)
  const [trial, setTrial] = useState<{ classValue?: string; areaId?: string }>({})

  const byId = useMemo(() => new Map(units.map((u) => [u.id, u])), [units])
  const unitName = (id: string) => {
    const u = byId.get(id)
    return u ? localName(u.name, u.nameEn, lang) : t('caseSettings.matrix.unknownUnit')
  }
  const names = (r: DispatchRule) => ruleClassNames(classes, r, lang)
  const classLabel = (r: DispatchRule) => {
    const n = names(r)
    return n.small === null ? `${r.bigCode} ${n.big}` : `${r.smallCode} ${n.small}`
  }

  const rows = useMemo(() => {
    const rank = (r: DispatchRule) => KIND_RANK.get(byId.get(r.areaUnitId)?.kind ?? 'district') ?? 0
    const sorted = [...rules].sort((a, b) =>
      a.classKind.localeCompare(b.classKind) || a.bigCode.localeCompare(b.bigCode) || (a.smallCode ?? '').localeCompare(b.smallCode ?? '') || rank(a) - rank(b))
    const needle = q.trim().toLowerCase()
    if (!needle) return sorted
    return sorted.filter((r) => {
      const n = ruleClassNames(classes, r, lang)
      const area = byId.get(r.areaUnitId)
      const unit = byId.get(r.unitId)
      return [r.bigCode, r.smallCode, n.big, n.small, area?.name, area?.nameEn, unit?.name, unit?.nameEn].some((v) => v?.toLowerCase().includes(needle))
    })
  }, [rules, q, classes, lang, byId])

  const trialPick = trial.classValue ? parseClassValue(trial.classValue) : null
  const trialRule = trialPick?.smallCode && trial.areaId
    ? chooseRule(rules, { classKind: trialPick.classKind, smallCode: trialPick.smallCode, areaUnitIds: lineageIds(units, trial.areaId) })
    : undefined

  const remove = async (rule: DispatchRule) => {
    setRemoveError(null)
    try {
      await removeDispatchRule(rule.id)
      message.success(t('caseSettings.matrix.removed'))
      reload()
    } catch (e) {
      setRemoveError(e)
      message.error(errorMessage(e))
    }
  }

  const classCell = (r: DispatchRule) => {
    const n = names(r)
    return (
      <Space size={4} wrap>
        <Tag color={r.classKind === 'component' ? 'geekblue' : 'magenta'}>{t(`classes.kinds.${r.classKind}`)}</Tag>
        <span><Typography.Text code>{r.smallCode ?? r.bigCode}</Typography.Text> {n.small ?? n.big}</span>
        {n.small === null
          ? <Tag>{t('caseSettings.matrix.wholeBig')}</Tag>
          : <Typography.Text type="secondary">{r.bigCode} {n.big}</Typography.Text>}
      </Space>
    )
  }
  const areaCell = (r: DispatchRule) => {
    const area = byId.get(r.areaUnitId)
    return <>{unitName(r.areaUnitId)} {area && <Typography.Text type="secondary">· {t(`unitKind.${area.kind}`)}</Typography.Text>}</>
  }
  const autoCell = (r: DispatchRule) => (r.auto ? <Tag color="green">{t('caseSettings.matrix.autoYes')}</Tag> : <Tag>{t('caseSettings.matrix.autoNo')}</Tag>)
  const actionsCell = (r: DispatchRule) => (
    <Space size={0}>
      <Button type="link" size="small" onClick={() => setTarget({ mode: 'edit', rule: r })}>{t('common.edit')}</Button>
      <Popconfirm title={t('caseSettings.matrix.removeConfirm')} onConfirm={() => remove(r)} okButtonProps={{ danger: true }}>
        <Button type="link" size="small" danger data-testid="rule-remove">{t('caseSettings.matrix.remove')}</Button>
      </Popconfirm>
    </Space>
  )

  const columns: TableColumnsType<DispatchRule> = [
    { title: t('caseSettings.matrix.class'), key: 'class', render: (_, r) => classCell(r) },
    { title: t('caseSettings.matrix.area'), key: 'area', width: 220, render: (_, r) => areaCell(r) },
    { title: t('caseSettings.matrix.unit'), key: 'unit', width: 200, render: (_, r) => unitName(r.unitId) },
    { title: t('caseSettings.matrix.auto'), key: 'auto', width: 130, render: (_, r) => autoCell(r) },
    ...(writable ? [{ title: t('common.actions'), key: 'actions', width: 140, render: (_: unknown, r: DispatchRule) => actionsCell(r) }] : []),
  ]

  return (
    <div data-testid="matrix-tab">
      <Typography.Paragraph type="secondary">{t('caseSettings.matrix.intro')}</Typography.Paragraph>
      <TrialBox
        classes={classes}
        units={units}
        lang={lang}
        value={trial}
        onChange={setTrial}
        result={trialRule === undefined ? undefined : trialRule && { unit: unitName(trialRule.unitId), auto: trialRule.auto, rule: t('caseSettings.matrix.try.rule', { class: classLabel(trialRule), area: unitName(trialRule.areaUnitId) }) }}
      />
      <div className="xh-toolbar">
        <Input.Search allowClear placeholder={t('caseSettings.matrix.search')} onChange={(e) => setQ(e.target.value)} onSearch={setQ} className="xh-search" data-testid="rule-search" />
        <div className="xh-toolbar-end">
          <Button icon={<ReloadOutlined />} onClick={reload}>{t('common.reload')}</Button>
          {writable && <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ mode: 'create' })} data-testid="rule-create">{t('caseSettings.matrix.add')}</Button>}
        </div>
      </div>
      <ServerError error={error ?? removeError ?? unitsError} />
      {mobile ? (
        // On a phone each rule is a short card: class, then area → unit, then the flag and the actions.
        <Spin spinning={loading}>
          <div className="xh-inbox-list" data-testid="rule-table">
            {rows.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('caseSettings.matrix.empty')} style={{ padding: 16 }} />}
            {rows.map((r) => (
              <div key={r.id} className={`xh-inbox-item${trialRule && r.id === trialRule.id ? ' xh-row-hit' : ''}`}>
                <div className="xh-inbox-line">{classCell(r)}</div>
                <div className="xh-inbox-line">{areaCell(r)} <span aria-hidden>→</span> <Typography.Text strong>{unitName(r.unitId)}</Typography.Text></div>
                <div className="xh-inbox-line">{autoCell(r)}{writable && actionsCell(r)}</div>
              </div>
            ))}
          </div>
        </Spin>
      ) : (
        <Table<DispatchRule>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={rows}
          rowClassName={(r) => (trialRule && r.id === trialRule.id ? 'xh-row-hit' : '')}
          locale={{ emptyText: t('caseSettings.matrix.empty') }}
          pagination={{ defaultPageSize: 50, showSizeChanger: true, hideOnSinglePage: true, showTotal: (n) => t('caseSettings.matrix.count', { count: n }) }}
          scroll={{ x: 760 }}
          data-testid="rule-table"
        />
      )}
      <DispatchRuleForm
        target={target}
        rules={rules}
        classes={classes}
        units={units}
        onClose={() => setTarget(null)}
        onSaved={() => { setTarget(null); reload() }}
      />
    </div>
  )
}

/** Pick a small class and an area: the rule that would apply and its unit (computed here as the server does). */
function TrialBox({ classes, units, lang, value, onChange, result }: {
  classes: readonly CaseClass[]
  units: Unit[]
  lang: Lang
  value: { classValue?: string; areaId?: string }
  onChange: (value: { classValue?: string; areaId?: string }) => void
  /** undefined: nothing picked yet; null: no rule applies. */
  result: { unit: string; auto: boolean; rule: string } | null | undefined
}) {
  const { t } = useTranslation()
  const classTree = useMemo(() => classOptions(classes, lang, (k) => t(`classes.kinds.${k}`), false), [classes, lang, t])
  const areaTree = useMemo(() => unitOptions(areaUnits(units), lang), [units, lang])
  return (
    <Card size="small" title={t('caseSettings.matrix.try.title')} style={{ marginBottom: 16 }} data-testid="rule-trial">
      <div className="xh-toolbar">
        <TreeSelect
          allowClear
          treeData={classTree}
          showSearch={{ treeNodeFilterProp: 'title' }}
          placeholder={t('caseSettings.matrix.try.class')}
          value={value.classValue}
          onChange={(classValue: string | undefined) => onChange({ ...value, classValue })}
          style={{ width: 280 }}
          listHeight={320}
          data-testid="trial-class"
        />
        <TreeSelect
          allowClear
          treeData={areaTree}
          showSearch={{ treeNodeFilterProp: 'title' }}
          placeholder={t('caseSettings.matrix.try.area')}
          value={value.areaId}
          onChange={(areaId: string | undefined) => onChange({ ...value, areaId })}
          style={{ width: 280 }}
          listHeight={320}
          data-testid="trial-area"
        />
      </div>
      <div data-testid="trial-result" aria-live="polite">
        {result === undefined && <Typography.Text type="secondary">{t('caseSettings.matrix.try.pick')}</Typography.Text>}
        {result === null && <Typography.Text type="warning">{t('caseSettings.matrix.try.none')}</Typography.Text>}
        {result && (
          <Space size={[8, 4]} wrap>
            <span>{t('caseSettings.matrix.try.result')}</span>
            <Typography.Text strong data-testid="trial-unit">{result.unit}</Typography.Text>
            {result.auto ? <Tag color="green">{t('caseSettings.matrix.autoYes')}</Tag> : <Tag>{t('caseSettings.matrix.autoNo')}</Tag>}
            <Typography.Text type="secondary">{result.rule}</Typography.Text>
          </Space>
        )}
      </div>
    </Card>
  )
}
