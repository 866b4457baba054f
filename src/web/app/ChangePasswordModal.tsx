// Change-password dialog: forced (not closable) when the account must change its password, optional otherwise.
import { useState } from 'react'
import { App, Form, Input, Modal, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { changePassword } from '../api/client'
import { useAuth } from './auth'
import { ServerError } from './ServerError'
import { passwordRules } from './validation'
import { ConfirmPasswordItem } from './ConfirmPasswordItem'

interface Values {
  currentPassword: string
  newPassword: string
  confirm: string
}

export function ChangePasswordModal({ open, forced, onClose }: { open: boolean; forced: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const { refresh, config, me } = useAuth()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const submit = async (values: Values) => {
    setSaving(true)
    setError(null)
    try {
      await changePassword(values.currentPassword, values.newPassword)
      message.success(t('password.changed'))
      form.resetFields()
      await refresh()
      onClose()
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={open}
      title={t('password.title')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={forced ? undefined : onClose}
      closable={!forced}
      mask={{ closable: !forced }}
      keyboard={!forced}
      cancelButtonProps={{ style: forced ? { display: 'none' } : undefined }}
      confirmLoading={saving}
      destroyOnHidden
      data-testid="change-password-dialog"
    >
      {forced && <Typography.Paragraph type="warning">{t('password.mustChange')}</Typography.Paragraph>}
      <ServerError error={error} />
      <Form form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <input type="text" name="username" autoComplete="username" value={me?.username ?? ''} readOnly hidden />
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('validation.required') }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('password.new')} rules={passwordRules(t, config?.passwordMinLength, () => me?.username)} hasFeedback>
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <ConfirmPasswordItem of="newPassword" testId="password-confirm" />
      </Form>
    </Modal>
  )
}
