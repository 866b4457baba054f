// Dialog where an administrator sets a new password for a person (who must change it at next sign-in).
import { useEffect, useState } from 'react'
import { App, Form, Input, Modal } from 'antd'
import { useTranslation } from 'react-i18next'
import { resetPassword, type User } from '../../api/client'
import { useAuth } from '../../app/auth'
import { ServerError } from '../../app/ServerError'
import { passwordRules } from '../../app/validation'
import { ConfirmPasswordItem } from '../../app/ConfirmPasswordItem'

export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation()
  const { config } = useAuth()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ password: string; confirm: string }>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (user) {
      form.resetFields()
      setError(null)
    }
  }, [user, form])

  const submit = async ({ password }: { password: string }) => {
    if (!user) return
    setSaving(true)
    setError(null)
    try {
      await resetPassword(user.id, password)
      message.success(t('people.passwordReset'))
      onClose()
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={user !== null}
      title={t('people.resetPasswordOf', { name: user?.displayName ?? '' })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
    >
      <ServerError error={error} />
      <Form form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Form.Item name="password" label={t('password.new')} rules={passwordRules(t, config?.passwordMinLength, () => user?.username)} hasFeedback>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <ConfirmPasswordItem of="password" />
      </Form>
    </Modal>
  )
}
