// Organisation units: the hierarchy as a tree table (district → streets/zone → communities; departments → sub-units).
import { useMemo, useState, type Key } from 'react'
import { Button, Input, Select, Space, Table, Tag, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listUnits, type Unit, type UnitKind } from '../../api/client'
import { useAuth } from '../../app/auth'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { CHILD_KINDS } from '../../app/validation'
import { buildTree, useUnits, type UnitNode } from './unitTree'
import { UnitForm, type UnitFormTarget } from './UnitForm'

const KINDS: UnitKind[] = ['district', 'street', 'zone', 'community', 'department', 'sub_unit']
const KIND_COLOURS: Record<UnitKind, string> = {
  district: 'purple', street: 'blue', zone: 'geekblue', community: 'cyan', department: 'orange', sub_unit: 'gold',
}

export default function UnitsPage() {
  const { t, i18n } = useTranslation()
  const { can } = useAuth()
  const [q, setQ] = useState('')
  const [kind, setKind] = useState<UnitKind | undefined>()
  const [expanded, setExpanded] = useState<readonly Key[] | null>(null)
  const [target, setTarget] = useState<UnitFormTarget | null>(null)
  const writable = can('org:write')
  const all = useUnits(writable)
  const english = i18n.language === 'en'

  const { data: units, loading, error, reload: reloadList } = useLoad(
    () => listUnits({ q: q.trim() || undefined, kind }).then((r) => r.items),
    [] as Unit[],
    [q, kind],
  )

  const tree = useMemo(() => buildTree(units), [units])
  const filtered = Boolean(q.trim() || kind)
  // Open the top of the tree (district and its streets) the first time; searches show everything open.
  const expandedKeys = filtered ? units.map((u) => u.id) : (expanded ?? tree.map((u) => u.id))

  const reload = () => {
    all.reload()
    reloadList()
  }

  const columns: TableColumnsType<UnitNode> = [
    {
      title: t('units.name'),
      key: 'name',
      render: (_, u) => (
        <span data-testid={`unit-row-${u.code}`}>
          <Typography.Text strong={u.kind === 'district'} delete={!u.active}>{english && u.nameEn ? u.nameEn : u.name}</Typography.Text>
          {(english ? u.name : u.nameEn) && (
            <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>{english ? u.name : u.nameEn}</Typography.Text>
          )}
        </span>
      ),
    },
    { title: t('units.code'), dataIndex: 'code', key: 'code', width: 150, render: (code: string) => <Typography.Text code>{code}</Typography.Text> },
    {
      title: t('units.kind'), dataIndex: 'kind', key: 'kind', width: 120,
      render: (k: UnitKind) => <Tag color={KIND_COLOURS[k]}>{t(`unitKind.${k}`)}</Tag>,
    },
    { title: t('units.sort'), dataIndex: 'sort', key: 'sort', width: 80, responsive: ['md'] },
    {
      title: t('units.active'), dataIndex: 'active', key: 'active', width: 90,
      render: (active: boolean) => (active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>),
    },
    ...(writable
      ? [{
          title: t('common.actions'),
          key: 'actions',
          width: 170,
          render: (_: unknown, u: UnitNode) => (
            <Space size={0}>
              <Button type="link" size="small" onClick={() => setTarget({ mode: 'edit', unit: u })}>{t('common.edit')}</Button>
              {CHILD_KINDS[u.kind].length > 0 && (
                <Button type="link" size="small" onClick={() => setTarget({ mode: 'create', parentId: u.id })}>{t('units.addChild')}</Button>
              )}
            </Space>
          ),
        }]
      : []),
  ]

  return (
    <div className="xh-page" data-testid="units-page">
      <div className="xh-page-header">
        <h1>{t('nav.units')}</h1>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={reload}>{t('common.reload')}</Button>
          {writable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ mode: 'create' })} data-testid="unit-create">
              {t('units.create')}
            </Button>
          )}
        </Space>
      </div>
      <div className="xh-toolbar">
        <Input.Search allowClear placeholder={t('units.searchPlaceholder')} onSearch={setQ} className="xh-search" data-testid="unit-search" />
        <Select
          allowClear
          placeholder={t('units.kind')}
          value={kind}
          onChange={setKind}
          options={KINDS.map((k) => ({ value: k, label: t(`unitKind.${k}`) }))}
          style={{ width: 160 }}
        />
        <Typography.Text type="secondary" style={{ alignSelf: 'center', minWidth: 0 }}>{t('common.total', { count: units.length })}</Typography.Text>
      </div>
      <ServerError error={error} />
      <Table<UnitNode>
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={tree}
        pagination={false}
        scroll={{ x: 720 }}
        expandable={{ expandedRowKeys: expandedKeys, onExpandedRowsChange: (keys) => setExpanded(keys) }}
      />
      <UnitForm
        target={target}
        units={all.units}
        onClose={() => setTarget(null)}
        onSaved={() => { setTarget(null); reload() }}
        onStale={reload}
      />
    </div>
  )
}
