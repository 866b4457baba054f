// Drawer to create a person (with an initial password) or edit name, phone, unit, roles and status.
import { useEffect, useState } from 'react'
import { App, Form, Input, Select, Switch, TreeSelect } from 'antd'
import { useTranslation } from 'react-i18next'
import { ApiError, createUser, updateUser, type Role, type Unit, type User } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { maxLength, passwordRules, PHONE_PATTERN, required, USERNAME_PATTERN } from '../../app/validation'
import { unitOptions } from '../units/unitTree'
import { ConfirmPasswordItem } from '../../app/ConfirmPasswordItem'
import { FormDrawer } from '../../app/FormDrawer'

export type UserFormTarget = { mode: 'create' } | { mode: 'edit'; user: User }

interface Values {
  username: string
  displayName: string
  phone?: string
  unitId: string
  roles: string[]
  password?: string
  confirm?: string
  active?: boolean
}

export function UserForm({ target, units, roles, onClose, onSaved, onStale }: {
  target: UserFormTarget | null
  units: Unit[]
  roles: Role[]
  onClose: () => void
  onSaved: () => void
  onStale: () => void
}) {
  const { t, i18n } = useTranslation()
  const { config } = useAuth()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const editing = target?.mode === 'edit' ? target.user : undefined

  useEffect(() => {
    if (!target) return
    setError(null)
    form.resetFields()
    if (target.mode === 'edit') {
      const u = target.user
      form.setFieldsValue({ username: u.username, displayName: u.displayName, phone: u.phone ?? '', unitId: u.unitId, roles: u.roles, active: u.status === 'active' })
    } else {
      form.setFieldsValue({ roles: [] })
    }
  }, [target, form])

  const submit = async (values: Values) => {
    setSaving(true)
    setError(null)
    const phone = values.phone?.trim() ?? ''
    try {
      if (editing) {
        await updateUser(editing.id, {
          version: editing.version,
          displayName: values.displayName.trim(),
          phone: phone || null,
          unitId: values.unitId,
          roles: values.roles,
          status: values.active ? 'active' : 'disabled',
        })
      } else {
        await createUser({
          username: values.username.trim(),
          displayName: values.displayName.trim(),
          ...(phone ? { phone } : {}),
          unitId: values.unitId,
          roles: values.roles,
          password: values.password ?? '',
        })
      }
      message.success(t('common.saved'))
      onSaved()
    } catch (e) {
      setError(e)
      if (e instanceof ApiError && e.status === 409) onStale()
    } finally {
      setSaving(false)
    }
  }

  const roleOptions = roles.map((r) => ({ value: r.key, label: localName(r.name, r.nameEn, lang) }))
  return (
    <FormDrawer
      open={target !== null}
      title={editing ? t('people.edit', { name: editing.displayName }) : t('people.create')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      error={error}
      testId="user-form"
      saveTestId="user-save"
    >
      <Form form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Form.Item
          name="username"
          label={t('people.username')}
          extra={editing ? undefined : t('people.usernameHelp')}
          rules={editing ? [] : [required(t), { pattern: USERNAME_PATTERN, message: t('validation.username') }]}
        >
          <Input disabled={!!editing} autoComplete="off" data-testid="user-form-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('people.displayName')} rules={[required(t), maxLength(t, 60)]}>
          <Input data-testid="user-form-display-name" />
        </Form.Item>
        <Form.Item name="phone" label={t('people.phone')} rules={[{ pattern: PHONE_PATTERN, message: t('validation.phone') }]}>
          <Input inputMode="tel" />
        </Form.Item>
        <Form.Item name="unitId" label={t('people.unit')} rules={[{ required: true, message: t('validation.required') }]}>
          <TreeSelect
            treeData={unitOptions(units, lang)}
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('people.unitPlaceholder')}
            data-testid="user-form-unit"
          />
        </Form.Item>
        <Form.Item name="roles" label={t('people.roles')} rules={[{ type: 'array', max: 10, message: t('validation.maxItems', { count: 10 }) }]}>
          <Select mode={roles.length ? 'multiple' : 'tags'} options={roleOptions} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        {editing ? (
          <Form.Item name="active" label={t('people.status')} valuePropName="checked">
            <Switch checkedChildren={t('people.statusActive')} unCheckedChildren={t('people.statusDisabled')} />
          </Form.Item>
        ) : (
          <>
            <Form.Item
              name="password"
              label={t('people.initialPassword')}
              extra={t('people.passwordHelp')}
              rules={passwordRules(t, config?.passwordMinLength, () => form.getFieldValue('username') as string | undefined)}
              dependencies={['username']}
            >
              <Input.Password autoComplete="new-password" data-testid="user-form-password" />
            </Form.Item>
            <ConfirmPasswordItem of="password" />
          </>
        )}
      </Form>
    </FormDrawer>
  )
}
