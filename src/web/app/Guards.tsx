// Route guards and fallbacks: sign-in required, permission required, not found, start-up failure.
import type { ReactNode } from 'react'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { Button, Result, Spin } from 'antd'
import { useTranslation } from 'react-i18next'
import { useAuth } from './auth'
import { errorMessage } from './ServerError'

export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, startError, refresh } = useAuth()
  const location = useLocation()
  const { t } = useTranslation()
  if (startError && me === undefined) {
    return (
      <Result
        status="warning"
        title={t('errors.startFailed')}
        subTitle={errorMessage(startError)}
        extra={<Button type="primary" onClick={() => void refresh()}>{t('common.retry')}</Button>}
      />
    )
  }
  if (me === undefined) return <div className="xh-center xh-fill"><Spin size="large" /></div>
  if (me === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />
  return children
}

export function RequirePermission({ permission, children }: { permission?: string; children: ReactNode }) {
  const { can } = useAuth()
  const { t } = useTranslation()
  const navigate = useNavigate()
  if (permission && !can(permission)) {
    return (
      <Result
        status="403"
        title="403"
        subTitle={t('errors.forbidden')}
        extra={<Button type="primary" onClick={() => navigate('/')}>{t('errors.backHome')}</Button>}
      />
    )
  }
  return children
}

export function NotFound() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('errors.notFound')}
      data-testid="not-found"
      extra={<Button type="primary" onClick={() => navigate('/')}>{t('errors.backHome')}</Button>}
    />
  )
}
