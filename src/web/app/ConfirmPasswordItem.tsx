// The "type the new password again" field every password form has, checked against the field it repeats.
import { Form, Input } from 'antd'
import { useTranslation } from 'react-i18next'

export function ConfirmPasswordItem({ of, testId }: { of: string; testId?: string }) {
  const { t } = useTranslation()
  return (
    <Form.Item
      name="confirm"
      label={t('password.confirm')}
      dependencies={[of]}
      hasFeedback
      rules={[
        { required: true, message: t('validation.required') },
        ({ getFieldValue }) => ({
          validator: (_, value) => (!value || getFieldValue(of) === value ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
        }),
      ]}
    >
      <Input.Password autoComplete="new-password" data-testid={testId} />
    </Form.Item>
  )
}
