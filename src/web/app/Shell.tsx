// The signed-in frame: side menu (drawer on phones), header with user, unit, language and logout, and the page.
import { Suspense, useState } from 'react'
import { Link, Outlet, useLocation, useNavigate } from 'react-router'
import { Button, Drawer, Layout, Menu, Space, Spin, Typography } from 'antd'
import { LogoutOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { useAuth } from './auth'
import { localName } from './i18n'
import { LanguageSwitch } from './LanguageSwitch'
import { NAV_ITEMS, navAllowed, navKeyOf } from './nav'
import { useIsMobile } from './useIsMobile'
import { ChangePasswordModal } from './ChangePasswordModal'
import { NotificationBell } from './NotificationBell'

function Brand({ dark = true }: { dark?: boolean }) {
  const { t } = useTranslation()
  return (
    <Link to="/" className={dark ? 'xh-brand xh-brand-dark' : 'xh-brand'}>
      <span className="xh-brand-mark" aria-hidden>绣</span>
      <span className="xh-brand-text">{t('app.name')}</span>
    </Link>
  )
}

function NavMenu({ onNavigate, dark }: { onNavigate?: () => void; dark: boolean }) {
  const { t } = useTranslation()
  const { can, me } = useAuth()
  const location = useLocation()
  const selected = navKeyOf(location.pathname)
  const items = NAV_ITEMS.filter((item) => navAllowed(item, can, me?.roles ?? [])).map((item) => ({
    key: item.key,
    icon: item.icon,
    label: (
      <Link to={item.path} data-testid={`nav-item-${item.key}`} onClick={onNavigate}>
        {t(`nav.${item.key}`)}
      </Link>
    ),
  }))
  return (
    <Menu
      data-testid="nav-menu"
      mode="inline"
      theme={dark ? 'dark' : 'light'}
      selectedKeys={selected ? [selected] : []}
      items={items}
      style={{ borderInlineEnd: 'none' }}
    />
  )
}

export function Shell() {
  const { t, i18n } = useTranslation()
  const { me, logout, can } = useAuth()
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const [drawerOpen, setDrawerOpen] = useState(false)
  const [passwordOpen, setPasswordOpen] = useState(false)
  if (!me) return null
  const unitName = localName(me.unit.name, me.unit.nameEn, i18n.language === 'en' ? 'en' : 'zh-CN')

  const signOut = async () => {
    await logout().catch(() => undefined)
    navigate('/login', { replace: true })
  }

  const userBlock = (
    <Space size={4} orientation={mobile ? 'vertical' : 'horizontal'} className="xh-user" data-testid="current-user">
      <Button type="text" icon={<UserOutlined />} onClick={() => setPasswordOpen(true)} title={t('password.title')}>
        <span data-testid="current-user-name">{me.displayName}</span>
      </Button>
      <Typography.Text type="secondary" data-testid="current-user-unit" ellipsis style={{ maxWidth: 220 }}>
        {unitName}
      </Typography.Text>
    </Space>
  )

  return (
    <Layout className="xh-shell">
      {!mobile && (
        <Layout.Sider width={208} theme="dark" className="xh-sider">
          <Brand />
          <NavMenu dark />
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header className="xh-header">
          {mobile && (
            <Space size={4}>
              <Button
                type="text"
                icon={<MenuOutlined />}
                aria-label={t('nav.open')}
                data-testid="nav-toggle"
                onClick={() => setDrawerOpen(true)}
              />
              <Brand dark={false} />
            </Space>
          )}
          <div className="xh-header-spacer" />
          <Space size={mobile ? 0 : 8} wrap={false}>
            {!mobile && userBlock}
            <NotificationBell live={can('case:read')} />
            <LanguageSwitch compact={mobile} />
            <Button type="text" icon={<LogoutOutlined />} data-testid="logout" onClick={signOut} aria-label={t('auth.logout')}>
              {mobile ? null : t('auth.logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content className="xh-content">
          <Suspense fallback={<div className="xh-center"><Spin size="large" /></div>}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
      {mobile && (
        <Drawer
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          placement="left"
          size={260}
          title={<Brand dark={false} />}
          styles={{ body: { padding: 0 } }}
        >
          <div className="xh-drawer-user">{userBlock}</div>
          <NavMenu dark={false} onNavigate={() => setDrawerOpen(false)} />
        </Drawer>
      )}
      <ChangePasswordModal
        open={me.mustChangePassword || passwordOpen}
        forced={me.mustChangePassword}
        onClose={() => setPasswordOpen(false)}
      />
    </Layout>
  )
}
