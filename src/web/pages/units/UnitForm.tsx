// Drawer to create a unit under a parent, or edit a unit's names, order and status (code, kind and parent are fixed).
import { useEffect, useMemo, useRef, useState } from 'react'
import { App, Form, Input, InputNumber, Select, Switch, TreeSelect } from 'antd'
import { useTranslation } from 'react-i18next'
import { ApiError, createUnit, updateUnit, type Unit, type UnitKind } from '../../api/client'
import { CHILD_KINDS, maxLength, required, unitCodeProblem } from '../../app/validation'
import { unitOptions } from './unitTree'
import { FormDrawer } from '../../app/FormDrawer'

export type UnitFormTarget = { mode: 'create'; parentId?: string } | { mode: 'edit'; unit: Unit }

interface Values {
  parentId?: string
  kind?: UnitKind
  code: string
  name: string
  nameEn?: string
  sort?: number
  active?: boolean
}

export function UnitForm({ target, units, onClose, onSaved, onStale }: {
  target: UnitFormTarget | null
  units: Unit[]
  onClose: () => void
  onSaved: (unit: Unit) => void
  /** Someone else changed the unit first (409): the list should be reloaded. */
  onStale: () => void
}) {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const byId = useMemo(() => new Map(units.map((u) => [u.id, u])), [units])
  // The form is filled when a target opens, not again when the unit list reloads underneath it.
  const byIdRef = useRef(byId)
  byIdRef.current = byId
  const parentId = Form.useWatch('parentId', form)
  const parent = parentId ? byId.get(parentId) : undefined
  const editing = target?.mode === 'edit' ? target.unit : undefined
  const kinds = editing ? [editing.kind] : parent ? CHILD_KINDS[parent.kind] : []

  useEffect(() => {
    if (!target) return
    setError(null)
    form.resetFields()
    if (target.mode === 'edit') {
      const u = target.unit
      form.setFieldsValue({ parentId: u.parentId ?? undefined, kind: u.kind, code: u.code, name: u.name, nameEn: u.nameEn ?? '', sort: u.sort, active: u.active })
    } else if (target.parentId) {
      const p = byIdRef.current.get(target.parentId)
      const first = p ? CHILD_KINDS[p.kind][0] : undefined
      form.setFieldsValue({ parentId: target.parentId, kind: first, code: p && first && first !== 'department' && first !== 'sub_unit' ? p.code : '', sort: 0 })
    }
  }, [target, form])

  const submit = async (values: Values) => {
    setSaving(true)
    setError(null)
    try {
      let saved: Unit
      if (editing) {
        const nameEn = values.nameEn?.trim() ?? ''
        saved = await updateUnit(editing.id, {
          version: editing.version,
          name: values.name.trim(),
          ...(nameEn !== (editing.nameEn ?? '') ? { nameEn: nameEn || null } : {}),
          sort: values.sort ?? 0,
          active: values.active ?? true,
        })
      } else {
        saved = await createUnit({
          parentId: values.parentId!,
          kind: values.kind!,
          code: values.code.trim(),
          name: values.name.trim(),
          ...(values.nameEn?.trim() ? { nameEn: values.nameEn.trim() } : {}),
          sort: values.sort ?? 0,
        })
      }
      message.success(t('common.saved'))
      onSaved(saved)
    } catch (e) {
      setError(e)
      if (editing && e instanceof ApiError && e.status === 409) onStale()
    } finally {
      setSaving(false)
    }
  }

  return (
    <FormDrawer
      open={target !== null}
      title={editing ? t('units.edit', { name: editing.name }) : t('units.create')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      error={error}
      testId="unit-form"
      saveTestId="unit-save"
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="parentId" label={t('units.parent')} rules={editing ? [] : [{ required: true, message: t('validation.required') }]}>
          <TreeSelect
            disabled={!!editing}
            treeData={unitOptions(units, lang, (u) => CHILD_KINDS[u.kind].length > 0)}
            showSearch={{ treeNodeFilterProp: 'title' }}
            treeDefaultExpandAll={false}
            placeholder={t('units.parentPlaceholder')}
            onChange={(id: string) => {
              const p = byId.get(id)
              const first = p ? CHILD_KINDS[p.kind][0] : undefined
              form.setFieldsValue({ kind: first, code: p && first && first !== 'department' && first !== 'sub_unit' ? p.code : '' })
            }}
          />
        </Form.Item>
        <Form.Item name="kind" label={t('units.kind')} rules={[{ required: true, message: t('validation.required') }]}>
          <Select disabled={!!editing} options={kinds.map((k) => ({ value: k, label: t(`unitKind.${k}`) }))} />
        </Form.Item>
        <Form.Item
          name="code"
          label={t('units.code')}
          extra={editing ? undefined : t('units.codeHelp')}
          rules={[
            required(t),
            {
              validator: (_, value: string | undefined) => {
                if (editing || !value) return Promise.resolve()
                const problem = unitCodeProblem(t, form.getFieldValue('kind') as UnitKind | undefined, value.trim(), parent?.code)
                return problem ? Promise.reject(new Error(problem)) : Promise.resolve()
              },
            },
          ]}
          dependencies={['kind', 'parentId']}
        >
          <Input disabled={!!editing} inputMode={kinds[0] === 'department' || kinds[0] === 'sub_unit' ? 'text' : 'numeric'} data-testid="unit-code" />
        </Form.Item>
        <Form.Item name="name" label={t('units.name')} rules={[required(t), maxLength(t, 60)]}>
          <Input data-testid="unit-name" />
        </Form.Item>
        <Form.Item name="nameEn" label={t('units.nameEn')} rules={[maxLength(t, 120)]}>
          <Input lang="en" />
        </Form.Item>
        <Form.Item name="sort" label={t('units.sort')}>
          <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        {editing && (
          <Form.Item name="active" label={t('units.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </FormDrawer>
  )
}
