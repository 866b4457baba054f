// Drawer to add a rule of the responsibility matrix (class × area → unit, auto or not) or change an existing rule's
// unit and auto flag (its class and area are what identify it: the server replaces the rule for that pair).
import { useEffect, useMemo, useState } from 'react'
import { Alert, App, Form, Switch, TreeSelect } from 'antd'
import { useTranslation } from 'react-i18next'
import { putDispatchRule, type CaseClass, type DispatchRule, type Lang, type Unit } from '../../api/client'
import { FormDrawer } from '../../app/FormDrawer'
import { localName } from '../../app/i18n'
import { required } from '../../app/validation'
import { unitOptions } from '../units/unitTree'
import { classOptions, classValue, parseClassValue } from './classTree'
import { areaUnits, DISPOSAL_KINDS } from './matrixUnits'

export type RuleFormTarget = { mode: 'create' } | { mode: 'edit'; rule: DispatchRule }

interface Values {
  classValue?: string
  areaUnitId?: string
  unitId?: string
  auto: boolean
}

export function DispatchRuleForm({ target, rules, classes, units, onClose, onSaved }: {
  target: RuleFormTarget | null
  rules: readonly DispatchRule[]
  classes: readonly CaseClass[]
  units: Unit[]
  onClose: () => void
  onSaved: (rule: DispatchRule) => void
}) {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const editing = target?.mode === 'edit' ? target.rule : undefined
  const picked = Form.useWatch('classValue', form)
  const areaId = Form.useWatch('areaUnitId', form)

  const classTree = useMemo(() => classOptions(classes, lang, (k) => t(`classes.kinds.${k}`), true), [classes, lang, t])
  const areaTree = useMemo(() => unitOptions(areaUnits(units), lang), [units, lang])
  const unitTree = useMemo(() => unitOptions(units, lang, (u) => DISPOSAL_KINDS.includes(u.kind)), [units, lang])

  useEffect(() => {
    if (!target) return
    setError(null)
    form.resetFields()
    if (target.mode === 'edit') {
      const r = target.rule
      form.setFieldsValue({ classValue: classValue(r.classKind, r.smallCode ?? r.bigCode), areaUnitId: r.areaUnitId, unitId: r.unitId, auto: r.auto })
    } else {
      form.setFieldsValue({ auto: false })
    }
  }, [target, form])

  /** The rule a new one would replace: the same class (big or small) in the same area. */
  const replaced = useMemo(() => {
    if (editing || !picked || !areaId) return undefined
    const pick = parseClassValue(picked)
    return pick ? rules.find((r) => r.classKind === pick.classKind && r.bigCode === pick.bigCode && r.smallCode === pick.smallCode && r.areaUnitId === areaId) : undefined
  }, [editing, picked, areaId, rules])
  const replacedUnit = replaced ? units.find((u) => u.id === replaced.unitId) : undefined

  const submit = async (values: Values) => {
    const pick = values.classValue ? parseClassValue(values.classValue) : null
    if (!pick || !values.areaUnitId || !values.unitId) return
    setSaving(true)
    setError(null)
    try {
      const saved = await putDispatchRule({ ...pick, areaUnitId: values.areaUnitId, unitId: values.unitId, auto: values.auto })
      message.success(t('common.saved'))
      onSaved(saved)
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <FormDrawer
      open={target !== null}
      title={editing ? t('caseSettings.matrix.edit') : t('caseSettings.matrix.add')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      error={error}
      testId="rule-form"
      saveTestId="rule-save"
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        {editing && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('caseSettings.matrix.fixed')} />}
        <Form.Item name="classValue" label={t('caseSettings.matrix.class')} extra={editing ? undefined : t('caseSettings.matrix.classHelp')} rules={[required(t)]}>
          <TreeSelect
            disabled={!!editing}
            treeData={classTree}
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('caseSettings.matrix.classPlaceholder')}
            listHeight={360}
            data-testid="rule-class"
          />
        </Form.Item>
        <Form.Item name="areaUnitId" label={t('caseSettings.matrix.area')} rules={[required(t)]}>
          <TreeSelect
            disabled={!!editing}
            treeData={areaTree}
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('caseSettings.matrix.areaPlaceholder')}
            listHeight={360}
            data-testid="rule-area"
          />
        </Form.Item>
        {replaced && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="rule-replaces"
            title={t('caseSettings.matrix.replaces', { unit: replacedUnit ? localName(replacedUnit.name, replacedUnit.nameEn, lang) : t('caseSettings.matrix.unknownUnit') })}
          />
        )}
        <Form.Item name="unitId" label={t('caseSettings.matrix.unit')} rules={[required(t)]}>
          <TreeSelect
            treeData={unitTree}
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('caseSettings.matrix.unitPlaceholder')}
            listHeight={360}
            data-testid="rule-unit"
          />
        </Form.Item>
        <Form.Item name="auto" label={t('caseSettings.matrix.auto')} extra={t('caseSettings.matrix.autoHelp')} valuePropName="checked">
          <Switch data-testid="rule-auto" />
        </Form.Item>
      </Form>
    </FormDrawer>
  )
}
