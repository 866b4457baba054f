// Roles: every role with its permissions; administrators edit a role's permission set.
import { useState } from 'react'
import { Button, Space, Table, Tag, Tooltip, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listPermissions, listRoles, type Permission, type Role } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { RoleEditor } from './RoleEditor'

export default function RolesPage() {
  const { t, i18n } = useTranslation()
  const { can, refresh } = useAuth()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const writable = can('role:write')
  const [editing, setEditing] = useState<Role | null>(null)

  const { data, loading, error, reload } = useLoad(
    () => Promise.all([listRoles(), listPermissions()]).then(([r, p]) => ({ roles: r.items, permissions: p.items })),
    { roles: [] as Role[], permissions: [] as Permission[] },
    [],
  )
  const { roles, permissions } = data
  const permissionName = (key: string) => {
    const p = permissions.find((x) => x.key === key)
    return p ? localName(p.name, p.nameEn, lang) : key
  }

  const columns: TableColumnsType<Role> = [
    {
      title: t('roles.name'), key: 'name', width: 200,
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{localName(r.name, r.nameEn, lang)}</Typography.Text>
          <Typography.Text type="secondary" code>{r.key}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t('roles.permissions'), key: 'permissions',
      render: (_, r) => (
        <Space size={[4, 4]} wrap>
          {r.permissions.length === 0 && <Typography.Text type="secondary">{t('roles.none')}</Typography.Text>}
          {r.permissions.map((k) => (
            <Tooltip title={k} key={k}>
              <Tag color={k.endsWith(':write') ? 'volcano' : 'blue'}>{permissionName(k)}</Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
    {
      title: t('roles.builtin'), dataIndex: 'builtin', key: 'builtin', width: 100, responsive: ['md'],
      render: (b: boolean) => (b ? <Tag>{t('roles.builtinYes')}</Tag> : <Tag color="purple">{t('roles.custom')}</Tag>),
    },
    ...(writable
      ? [{
          title: t('common.actions'), key: 'actions', width: 100,
          render: (_: unknown, r: Role) => (
            <Button type="link" size="small" onClick={() => setEditing(r)} data-testid={`role-edit-${r.key}`}>{t('roles.editPermissions')}</Button>
          ),
        }]
      : []),
  ]

  return (
    <div className="xh-page" data-testid="roles-page">
      <div className="xh-page-header">
        <h1>{t('nav.roles')}</h1>
        <Button icon={<ReloadOutlined />} onClick={reload}>{t('common.reload')}</Button>
      </div>
      <ServerError error={error} />
      <Table<Role> rowKey="key" size="middle" loading={loading} columns={columns} dataSource={roles} pagination={false} scroll={{ x: 720 }} />
      <RoleEditor
        role={editing}
        permissions={permissions}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null)
          reload()
          void refresh() // the user's own permissions may have changed
        }}
        onStale={reload}
      />
    </div>
  )
}
