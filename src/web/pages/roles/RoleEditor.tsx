// Drawer where an administrator edits a role's names and its permission set (checkboxes grouped by area).
import { useEffect, useMemo, useState } from 'react'
import { App, Card, Checkbox, Form, Input, Space, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { ApiError, updateRole, type Permission, type Role } from '../../api/client'
import { localName } from '../../app/i18n'
import { maxLength, required } from '../../app/validation'
import { FormDrawer } from '../../app/FormDrawer'

interface Values {
  name: string
  nameEn: string
}

export function RoleEditor({ role, permissions, onClose, onSaved, onStale }: {
  role: Role | null
  permissions: Permission[]
  onClose: () => void
  onSaved: () => void
  onStale: () => void
}) {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'

  const groups = useMemo(() => {
    const map = new Map<string, Permission[]>()
    for (const p of permissions) map.set(p.group, [...(map.get(p.group) ?? []), p])
    return [...map.entries()]
  }, [permissions])

  useEffect(() => {
    if (!role) return
    setError(null)
    form.setFieldsValue({ name: role.name, nameEn: role.nameEn })
    setSelected(new Set(role.permissions))
  }, [role, form])

  const toggle = (keys: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev)
      for (const k of keys) {
        if (on) next.add(k)
        else next.delete(k)
      }
      return next
    })

  const submit = async (values: Values) => {
    if (!role) return
    setSaving(true)
    setError(null)
    try {
      // Keep permissions the catalogue does not list (from a newer server) instead of dropping them silently.
      const ordered = [...permissions.map((p) => p.key).filter((k) => selected.has(k)), ...[...selected].filter((k) => !permissions.some((p) => p.key === k))]
      await updateRole(role.key, { version: role.version, name: values.name.trim(), nameEn: values.nameEn.trim(), permissions: ordered })
      message.success(t('common.saved'))
      onSaved()
    } catch (e) {
      setError(e)
      if (e instanceof ApiError && e.status === 409) onStale()
    } finally {
      setSaving(false)
    }
  }

  return (
    <FormDrawer
      open={role !== null}
      title={role ? t('roles.edit', { name: localName(role.name, role.nameEn, lang) }) : ''}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      error={error}
      testId="role-editor"
      saveTestId="role-save"
      width={560}
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item label={t('roles.key')}>
          <Typography.Text code>{role?.key}</Typography.Text>
        </Form.Item>
        <Form.Item name="name" label={t('roles.name')} rules={[required(t), maxLength(t, 40)]}>
          <Input />
        </Form.Item>
        <Form.Item name="nameEn" label={t('roles.nameEn')} rules={[required(t), maxLength(t, 60)]}>
          <Input lang="en" />
        </Form.Item>
      </Form>
      <Typography.Title level={5}>{t('roles.permissions')}</Typography.Title>
      <Space orientation="vertical" style={{ width: '100%' }} size={12}>
        {groups.map(([group, items]) => {
          const keys = items.map((p) => p.key)
          const count = keys.filter((k) => selected.has(k)).length
          return (
            <Card
              key={group}
              size="small"
              data-testid={`perm-group-${group}`}
              title={
                <Checkbox
                  checked={count === keys.length}
                  indeterminate={count > 0 && count < keys.length}
                  onChange={(e) => toggle(keys, e.target.checked)}
                >
                  {t(`permGroup.${group}`, { defaultValue: group })}
                </Checkbox>
              }
            >
              <Space orientation="vertical" size={4}>
                {items.map((p) => (
                  <Checkbox
                    key={p.key}
                    checked={selected.has(p.key)}
                    onChange={(e) => toggle([p.key], e.target.checked)}
                    data-testid={`perm-${p.key}`}
                  >
                    {localName(p.name, p.nameEn, lang)} <Typography.Text type="secondary" code>{p.key}</Typography.Text>
                  </Checkbox>
                ))}
              </Space>
            </Card>
          )
        })}
      </Space>
    </FormDrawer>
  )
}
