// People: search and filter users, create them, edit unit/roles/status, unlock and reset passwords.
import { useState } from 'react'
import { App, Button, Input, Popconfirm, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { LockOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listUsers, unlockUser, type User, type UserQuery } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { localName } from '../../app/i18n'
import { errorMessage, ServerError } from '../../app/ServerError'
import { usePagedList } from '../../app/usePagedList'
import { unitOptions, useUnits } from '../units/unitTree'
import { ResetPasswordModal } from './ResetPasswordModal'
import { roleLabel, useRoles } from './useRoles'
import { UserForm, type UserFormTarget } from './UserForm'

type Filters = Pick<UserQuery, 'q' | 'unitId' | 'role'>

export default function PeoplePage() {
  const { t, i18n } = useTranslation()
  const { can } = useAuth()
  const { message } = App.useApp()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const writable = can('user:write')
  const { units } = useUnits(can('org:read'))
  const roles = useRoles(can('role:read'))
  const list = usePagedList<User, Filters>(listUsers, {})
  const [target, setTarget] = useState<UserFormTarget | null>(null)
  const [resetting, setResetting] = useState<User | null>(null)
  const unitName = (u: User) => {
    const unit = units.find((x) => x.id === u.unitId)
    return unit ? localName(unit.name, unit.nameEn, lang) : u.unitName
  }

  const unlock = async (user: User) => {
    try {
      await unlockUser(user.id)
      message.success(t('people.unlocked'))
      list.reload()
    } catch (e) {
      message.error(errorMessage(e))
    }
  }

  const columns: TableColumnsType<User> = [
    { title: t('people.username'), dataIndex: 'username', key: 'username', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t('people.displayName'), dataIndex: 'displayName', key: 'displayName' },
    { title: t('people.unit'), key: 'unit', render: (_, u) => unitName(u) },
    {
      title: t('people.roles'), dataIndex: 'roles', key: 'roles',
      render: (keys: string[]) => keys.map((k) => <Tag color="blue" key={k}>{roleLabel(roles, k, lang)}</Tag>),
    },
    { title: t('people.phone'), dataIndex: 'phone', key: 'phone', responsive: ['lg'], render: (v: string | null) => v ?? '—' },
    {
      title: t('people.status'), key: 'status', width: 140,
      render: (_, u) => (
        <Space size={4} wrap>
          {u.status === 'active' ? <Tag color="green">{t('people.statusActive')}</Tag> : <Tag>{t('people.statusDisabled')}</Tag>}
          {u.locked && <Tag color="red" icon={<LockOutlined />}>{t('people.locked')}</Tag>}
        </Space>
      ),
    },
    { title: t('people.lastLogin'), dataIndex: 'lastLoginAt', key: 'lastLoginAt', responsive: ['xl'], render: (v: string | null) => formatDateTime(v, lang) },
    ...(writable
      ? [{
          title: t('common.actions'),
          key: 'actions',
          width: 220,
          render: (_: unknown, u: User) => (
            <Space size={0} wrap>
              <Button type="link" size="small" onClick={() => setTarget({ mode: 'edit', user: u })}>{t('common.edit')}</Button>
              {u.locked && (
                <Popconfirm title={t('people.unlockConfirm', { name: u.displayName })} onConfirm={() => unlock(u)}>
                  <Button type="link" size="small">{t('people.unlock')}</Button>
                </Popconfirm>
              )}
              <Button type="link" size="small" onClick={() => setResetting(u)}>{t('people.resetPassword')}</Button>
            </Space>
          ),
        }]
      : []),
  ]

  return (
    <div className="xh-page" data-testid="people-page">
      <div className="xh-page-header">
        <h1>{t('nav.people')}</h1>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={list.reload}>{t('common.reload')}</Button>
          {writable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ mode: 'create' })} data-testid="user-create">
              {t('people.create')}
            </Button>
          )}
        </Space>
      </div>
      <div className="xh-toolbar">
        <Input.Search
          allowClear
          placeholder={t('people.searchPlaceholder')}
          onSearch={(q) => list.setFilters({ ...list.filters, q: q.trim() || undefined })}
          className="xh-search"
          data-testid="user-search"
        />
        {units.length > 0 && (
          <TreeSelect
            allowClear
            placeholder={t('people.unit')}
            treeData={unitOptions(units, lang)}
            showSearch={{ treeNodeFilterProp: 'title' }}
            value={list.filters.unitId}
            onChange={(unitId: string | undefined) => list.setFilters({ ...list.filters, unitId })}
            style={{ width: 220 }}
          />
        )}
        <Select
          allowClear
          placeholder={t('people.role')}
          value={list.filters.role}
          onChange={(role: string | undefined) => list.setFilters({ ...list.filters, role })}
          options={roles.map((r) => ({ value: r.key, label: localName(r.name, r.nameEn, lang) }))}
          style={{ width: 160 }}
        />
      </div>
      <ServerError error={list.error} />
      <Table<User>
        rowKey="id"
        size="middle"
        {...list.table(t)}
        columns={columns}
        scroll={{ x: 900 }}
      />
      <UserForm
        target={target}
        units={units}
        roles={roles}
        onClose={() => setTarget(null)}
        onSaved={() => { setTarget(null); list.reload() }}
        onStale={list.reload}
      />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </div>
  )
}
