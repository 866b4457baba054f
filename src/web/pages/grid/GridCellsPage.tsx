// Grid cells (万米单元网格): list with street/community filters, responsible people, GeoJSON import and export.
import { useMemo, useState } from 'react'
import { Button, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { DownloadOutlined, ReloadOutlined, TeamOutlined, UploadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { cellsExportUrl, listCells, type Cell, type CellQuery } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatArea } from '../../app/format'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { usePagedList } from '../../app/usePagedList'
import { useUnits } from '../units/unitTree'
import { CellPeopleModal } from './CellPeopleModal'
import { ImportCellsModal } from './ImportCellsModal'

type Filters = Pick<CellQuery, 'q' | 'streetId' | 'communityId'>
const DUTY_COLOURS = { supervisor: 'blue', grid_worker: 'green', responsible: 'orange' } as const

export default function GridCellsPage() {
  const { t, i18n } = useTranslation()
  const { can } = useAuth()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { units } = useUnits(can('org:read'))
  const list = usePagedList<Cell, Filters>(listCells, {})
  const [importing, setImporting] = useState(false)
  const [editing, setEditing] = useState<Cell | null>(null)

  const streets = useMemo(() => units.filter((u) => u.kind === 'street' || u.kind === 'zone'), [units])
  const communities = useMemo(
    () => units.filter((u) => u.kind === 'community' && (!list.filters.streetId || u.parentId === list.filters.streetId)),
    [units, list.filters.streetId],
  )
  const name = (id: string, fallback: string) => {
    const u = units.find((x) => x.id === id)
    return u ? localName(u.name, u.nameEn, lang) : fallback
  }

  const columns: TableColumnsType<Cell> = [
    { title: t('grid.code'), dataIndex: 'code', key: 'code', width: 170, render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
    { title: t('grid.name'), dataIndex: 'name', key: 'name', render: (v: string | null) => v ?? '—' },
    { title: t('grid.community'), key: 'community', render: (_, c) => name(c.communityId, c.communityName) },
    { title: t('grid.street'), key: 'street', render: (_, c) => name(c.streetId, c.streetName) },
    { title: t('grid.area'), dataIndex: 'areaM2', key: 'area', width: 120, align: 'right', render: (v: number) => formatArea(v, lang) },
    {
      title: t('grid.people'), dataIndex: 'people', key: 'people',
      render: (people: Cell['people']) =>
        people.length ? (
          <Space size={[4, 4]} wrap>
            {people.map((p) => (
              <Tooltip key={`${p.userId}-${p.duty}`} title={t(`duty.${p.duty}`)}>
                <Tag color={DUTY_COLOURS[p.duty]}>{p.displayName}</Tag>
              </Tooltip>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('grid.noPeople')}</Typography.Text>
        ),
    },
    ...(can('grid:write') && can('user:read')
      ? [{
          title: t('common.actions'), key: 'actions', width: 120,
          render: (_: unknown, c: Cell) => (
            <Button size="small" icon={<TeamOutlined />} onClick={() => setEditing(c)} data-testid={`cell-people-${c.code}`}>{t('grid.editPeople')}</Button>
          ),
        }]
      : []),
  ]

  return (
    <div className="xh-page" data-testid="grid-page">
      <div className="xh-page-header">
        <h1>{t('nav.grid')}</h1>
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={list.reload}>{t('common.reload')}</Button>
          <Button icon={<DownloadOutlined />} href={cellsExportUrl(list.filters.streetId)} download data-testid="grid-export">
            {t('grid.export')}
          </Button>
          {can('grid:write') && (
            <Button type="primary" icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="grid-import">
              {t('grid.import.button')}
            </Button>
          )}
        </Space>
      </div>
      <div className="xh-toolbar">
        <Input.Search
          allowClear
          placeholder={t('grid.searchPlaceholder')}
          onSearch={(q) => list.setFilters({ ...list.filters, q: q.trim() || undefined })}
          className="xh-search"
          data-testid="grid-search"
        />
        {streets.length > 0 && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('grid.street')}
            value={list.filters.streetId}
            onChange={(streetId: string | undefined) => list.setFilters({ ...list.filters, streetId, communityId: undefined })}
            options={streets.map((s) => ({ value: s.id, label: localName(s.name, s.nameEn, lang) }))}
            style={{ width: 180 }}
            data-testid="grid-street-filter"
          />
        )}
        {communities.length > 0 && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('grid.community')}
            value={list.filters.communityId}
            onChange={(communityId: string | undefined) => list.setFilters({ ...list.filters, communityId })}
            options={communities.map((s) => ({ value: s.id, label: localName(s.name, s.nameEn, lang) }))}
            style={{ width: 200 }}
          />
        )}
      </div>
      <ServerError error={list.error} />
      <Table<Cell>
        rowKey="id"
        size="middle"
        {...list.table(t)}
        columns={columns}
        scroll={{ x: 960 }}
      />
      <CellPeopleModal cell={editing} onClose={() => setEditing(null)} onSaved={list.reload} />
      <ImportCellsModal open={importing} onClose={() => setImporting(false)} onImported={list.reload} />
    </div>
  )
}
