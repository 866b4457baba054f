// Drawer to add or edit an alarm rule of a model, or of one device of it (which overrides the model's rule of the same
// name): names in Chinese and English, severity, the conditions that must all hold (threshold, sustained threshold,
// rate of change, offline; keys from the model's telemetry), whether an alarm files a case and of which class, enabled.
import { useEffect, useMemo, useState } from 'react'
import { Button, Card, Col, Form, Input, InputNumber, Row, Select, Switch, TreeSelect, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { createIotRule, listDevices, updateIotRule, type CaseClass, type DeviceModel, type IotCondition, type IotRule, type IotRuleInput, type Severity } from '../../api/client'
import { FormDrawer } from '../../app/FormDrawer'
import { maxLength, required } from '../../app/validation'
import { classOptions, classValue } from '../settings/classTree'
import { keyName } from './ruleText'
import { SEVERITIES, useLang } from './shared'

export type RuleTarget = { mode: 'create' } | { mode: 'edit'; rule: IotRule; deviceCode?: string }

type ConditionType = IotCondition['type']
const CONDITION_TYPES: readonly ConditionType[] = ['threshold', 'sustained', 'rate', 'offline']

interface ConditionValues {
  type: ConditionType
  key?: string
  op?: 'above' | 'below'
  value?: number
  clear?: number | null
  seconds?: number
  change?: number
  intervals?: number
}

interface Values {
  name: string
  nameEn: string
  severity: Severity
  deviceId?: string
  conditions: ConditionValues[]
  createCase: boolean
  classValue?: string
  enabled: boolean
}

/** What of a rule is sent back when it is saved. */
export function inputOf(rule: IotRule): IotRuleInput {
  const { name, nameEn, severity, condition, createCase, classKind, classCode, enabled } = rule
  return { name, nameEn, severity, condition, createCase, classKind, classCode, enabled }
}

function toCondition(c: ConditionValues): IotCondition {
  const clear = c.clear === null || c.clear === undefined ? {} : { clear: c.clear }
  switch (c.type) {
    case 'threshold': return { type: 'threshold', key: c.key!, op: c.op!, value: c.value!, ...clear }
    case 'sustained': return { type: 'sustained', key: c.key!, op: c.op!, value: c.value!, seconds: c.seconds!, ...clear }
    case 'rate': return { type: 'rate', key: c.key!, change: c.change!, seconds: c.seconds! }
    case 'offline': return { type: 'offline', intervals: c.intervals! }
  }
}

/** The fields of one condition, by its type. */
function ConditionFields({ index, model, onRemove, removable }: { index: number; model: DeviceModel; onRemove: () => void; removable: boolean }) {
  const { t } = useTranslation()
  const lang = useLang()
  const form = Form.useFormInstance<Values>()
  const type = Form.useWatch(['conditions', index, 'type'], form) as ConditionType | undefined
  const key = Form.useWatch(['conditions', index, 'key'], form) as string | undefined
  const unit = model.telemetry.find((k) => k.key === key)?.unit
  const keys = model.telemetry.filter((k) => k.type === 'number').map((k) => ({ value: k.key, label: `${keyName(k.key, k, lang)}${k.unit ? ` (${k.unit})` : ''}` }))
  const req = [{ required: true, message: t('validation.required') }]
  const positive = [...req, { type: 'number' as const, min: 1, message: t('iot.rules.positive') }]
  const valueField = (name: string, label: string, rules: object[], extra?: string) => (
    <Col xs={24} sm={12}>
      <Form.Item name={[index, name]} label={label} rules={rules} extra={extra}>
        <InputNumber style={{ width: '100%' }} suffix={unit} data-testid={`rule-condition-${index}-${name}`} />
      </Form.Item>
    </Col>
  )
  const secondsField = (
    <Col xs={24} sm={12}>
      <Form.Item name={[index, 'seconds']} label={t('iot.condition.seconds')} rules={positive}>
        <InputNumber style={{ width: '100%' }} min={1} suffix={t('iot.duration.secondsUnit')} data-testid={`rule-condition-${index}-seconds`} />
      </Form.Item>
    </Col>
  )

  return (
    <Card
      size="small"
      className="xh-iot-condition"
      data-testid={`rule-condition-${index}`}
      title={(
        <Form.Item name={[index, 'type']} noStyle>
          <Select
            options={CONDITION_TYPES.map((c) => ({ value: c, label: t(`iot.condition.${c}`) }))}
            style={{ width: 180 }}
            variant="borderless"
            data-testid={`rule-condition-${index}-type`}
          />
        </Form.Item>
      )}
      extra={removable ? <Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('common.remove')} /> : undefined}
    >
      <Row gutter={12}>
        {type === 'offline' ? (
          <Col xs={24}>
            <Form.Item name={[index, 'intervals']} label={t('iot.condition.intervals')} rules={positive} extra={t('iot.condition.intervalsHelp', { seconds: model.intervalSeconds })}>
              <InputNumber style={{ width: '100%' }} min={1} data-testid={`rule-condition-${index}-intervals`} />
            </Form.Item>
          </Col>
        ) : (
          <>
            <Col xs={24} sm={type === 'rate' ? 24 : 14}>
              <Form.Item name={[index, 'key']} label={t('iot.condition.key')} rules={req}>
                <Select options={keys} data-testid={`rule-condition-${index}-key`} />
              </Form.Item>
            </Col>
            {type !== 'rate' && (
              <Col xs={24} sm={10}>
                <Form.Item name={[index, 'op']} label={t('iot.condition.op')} rules={req}>
                  <Select options={(['above', 'below'] as const).map((op) => ({ value: op, label: t(`iot.condition.ops.${op}`) }))} data-testid={`rule-condition-${index}-op`} />
                </Form.Item>
              </Col>
            )}
            {type === 'rate' ? (
              <>
                {valueField('change', t('iot.condition.change'), [...req, { type: 'number', min: 0, message: t('iot.rules.positive') }])}
                {secondsField}
              </>
            ) : (
              <>
                {valueField('value', t('iot.condition.value'), req)}
                {valueField('clear', t('iot.condition.clear'), [], t('iot.condition.clearHelp'))}
                {type === 'sustained' && secondsField}
              </>
            )}
          </>
        )}
      </Row>
    </Card>
  )
}

/** Search for a device of the model, for a rule of one device. */
function DevicePicker({ value, onChange, modelKey, initialLabel, disabled }: {
  value?: string
  onChange?: (value: string | undefined) => void
  modelKey: string
  initialLabel?: string
  disabled?: boolean
}) {
  const { t } = useTranslation()
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>(value && initialLabel ? [{ value, label: initialLabel }] : [])
  const [q, setQ] = useState('')
  useEffect(() => {
    if (disabled) return
    let live = true
    const timer = setTimeout(() => {
      listDevices({ model: modelKey, q: q || undefined, page: 1, pageSize: 20 }).then((r) => {
        if (live) setOptions(r.items.map((d) => ({ value: d.id, label: `${d.code} ${d.name}` })))
      }, () => undefined)
    }, 250)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [modelKey, q, disabled])
  return (
    <Select
      allowClear
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={onChange}
      options={options}
      disabled={disabled}
      placeholder={t('iot.rules.allDevices')}
      data-testid="rule-device"
    />
  )
}

export function RuleForm({ target, model, classes, onClose, onSaved }: {
  target: RuleTarget | null
  model: DeviceModel
  classes: readonly CaseClass[]
  onClose: () => void
  onSaved: (rule: IotRule) => void
}) {
  const { t } = useTranslation()
  const lang = useLang()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const editing = target?.mode === 'edit' ? target.rule : undefined
  const createCase = Form.useWatch('createCase', form)
  const classTree = useMemo(() => classOptions(classes, lang, (k) => t(`classes.kinds.${k}`), false), [classes, lang, t])
  const modelClass = model.classKind && model.classCode ? classValue(model.classKind, model.classCode) : undefined

  useEffect(() => {
    if (!target) return
    setError(null)
    form.resetFields()
    if (target.mode === 'edit') {
      const r = target.rule
      form.setFieldsValue({
        name: r.name, nameEn: r.nameEn, severity: r.severity, deviceId: r.deviceId ?? undefined, createCase: r.createCase, enabled: r.enabled,
        classValue: r.classKind && r.classCode ? classValue(r.classKind, r.classCode) : modelClass,
        conditions: r.condition.all.map((c) => ({ ...c })),
      })
    } else {
      const first = model.telemetry.find((k) => k.type === 'number')
      form.setFieldsValue({
        severity: 'major', createCase: false, enabled: true, classValue: modelClass,
        conditions: [{ type: 'threshold', key: first?.key, op: 'above' }],
      })
    }
  }, [target, form, model, modelClass])

  const submit = async (values: Values) => {
    const [kind, code] = values.createCase && values.classValue ? values.classValue.split(':') : [null, null]
    const input: IotRuleInput = {
      name: values.name.trim(),
      nameEn: values.nameEn.trim(),
      severity: values.severity,
      condition: { all: values.conditions.map(toCondition) },
      createCase: values.createCase,
      classKind: (kind as IotRuleInput['classKind']) ?? null,
      classCode: code ?? null,
      enabled: values.enabled,
    }
    setSaving(true)
    setError(null)
    try {
      onSaved(editing
        ? await updateIotRule(editing.id, editing.version, input)
        : await createIotRule({ ...input, modelKey: model.key, deviceId: values.deviceId ?? null }))
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <FormDrawer
      open={target !== null}
      title={editing ? t('iot.rules.edit') : t('iot.rules.add')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      error={error}
      testId="iot-rule-form"
      saveTestId="iot-rule-save"
      width={600}
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('iot.rules.name')} rules={[required(t), maxLength(t, 60)]}>
              <Input data-testid="iot-rule-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="nameEn" label={t('iot.rules.nameEn')} rules={[required(t), maxLength(t, 100)]}>
              <Input data-testid="iot-rule-name-en" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="severity" label={t('iot.alarms.severity')} rules={[required(t)]}>
              <Select options={SEVERITIES.map((s) => ({ value: s, label: t(`iot.severity.${s}`) }))} data-testid="iot-rule-severity" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="deviceId" label={t('iot.rules.scope')} extra={editing ? undefined : t('iot.rules.scopeHelp')}>
              <DevicePicker modelKey={model.key} disabled={!!editing} initialLabel={target?.mode === 'edit' ? target.deviceCode : undefined} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Paragraph strong style={{ marginBottom: 4 }}>{t('iot.rules.conditions')}</Typography.Paragraph>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('iot.rules.conditionsHelp')}</Typography.Paragraph>
        <Form.List name="conditions" rules={[{ validator: async (_, list: unknown[] | undefined) => { if (!list?.length) throw new Error(t('iot.rules.oneCondition')) } }]}>
          {(fields, { add, remove }, { errors }) => (
            <div className="xh-iot-conditions">
              {fields.map((field) => (
                <ConditionFields key={field.key} index={field.name} model={model} removable={fields.length > 1} onRemove={() => remove(field.name)} />
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ type: 'threshold', op: 'above' })} block data-testid="iot-rule-add-condition">
                {t('iot.rules.addCondition')}
              </Button>
              <Form.ErrorList errors={errors} />
            </div>
          )}
        </Form.List>
        <Form.Item name="createCase" label={t('iot.rules.createCase')} valuePropName="checked" extra={t('iot.rules.createCaseHelp')} style={{ marginTop: 16 }}>
          <Switch data-testid="iot-rule-create-case" />
        </Form.Item>
        {createCase && (
          <Form.Item name="classValue" label={t('iot.rules.class')} rules={[required(t)]}>
            <TreeSelect treeData={classTree} showSearch={{ treeNodeFilterProp: 'title' }} listHeight={320} data-testid="iot-rule-class" />
          </Form.Item>
        )}
        <Form.Item name="enabled" label={t('common.active')} valuePropName="checked">
          <Switch data-testid="iot-rule-enabled" />
        </Form.Item>
      </Form>
    </FormDrawer>
  )
}
