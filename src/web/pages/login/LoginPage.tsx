// Sign-in page: user name and password, the server's error message, and the language switch.
import { useState } from 'react'
import { Navigate, useNavigate } from 'react-router'
import { Button, Card, Form, Input, Typography } from 'antd'
import { LockOutlined, UserOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { LanguageSwitch } from '../../app/LanguageSwitch'
import { ServerError } from '../../app/ServerError'

interface Values {
  username: string
  password: string
}

export function LoginPage() {
  const { t, i18n } = useTranslation()
  const { me, login, config } = useAuth()
  const navigate = useNavigate()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  if (me) return <Navigate to="/" replace />

  const submit = async (values: Values) => {
    setBusy(true)
    setError(null)
    try {
      await login(values.username.trim(), values.password)
      navigate('/', { replace: true })
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const district = config ? localName(config.districtName, config.districtNameEn, i18n.language === 'en' ? 'en' : 'zh-CN') : ''
  return (
    <div className="xh-login">
      <div className="xh-login-top">
        <LanguageSwitch />
      </div>
      <Card className="xh-login-card">
        <div className="xh-login-title">
          <span className="xh-brand-mark" style={{ width: 44, height: 44, fontSize: 24 }} aria-hidden>绣</span>
          <Typography.Title level={1}>{t('app.fullName')}</Typography.Title>
          <Typography.Text type="secondary">{district ? `${district} · ${t('app.tagline')}` : t('app.tagline')}</Typography.Text>
        </div>
        <ServerError error={error} />
        <Form<Values> layout="vertical" onFinish={submit} requiredMark={false} size="large">
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, whitespace: true, message: t('auth.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('auth.login')}
          </Button>
        </Form>
      </Card>
      <div className="xh-login-foot">
        {t('app.name')} {config?.version ? `v${config.version}` : ''}
        {config?.demo ? ` · ${t('app.demoMode')}` : ''}
      </div>
    </div>
  )
}
