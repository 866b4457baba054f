// Component and event classes (部件/事件 big and small classes, GB/T 30428.2) as one searchable table.
import { useMemo, useState } from 'react'
import { App as AntApp, Button, Input, Segmented, Table, Tag, Typography, Upload } from 'antd'
import { UploadOutlined } from '@ant-design/icons'
import type { TableColumnsType } from 'antd'
import { useTranslation } from 'react-i18next'
import { importClasses, listClasses, type CaseClass } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'

type KindFilter = 'all' | CaseClass['kind']
const URGENCY_COLOURS = { urgent: 'red', important: 'orange', normal: 'blue', complex: 'purple' } as const
const STATUS_COLOURS = { provisional: 'default', official: 'green', local: 'cyan' } as const

export default function ClassesPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [kind, setKind] = useState<KindFilter>('all')
  const [q, setQ] = useState('')
  const [importError, setImportError] = useState<unknown>(null)
  const [importing, setImporting] = useState(false)
  const { can } = useAuth()
  const { data: items, loading, error, reload } = useLoad(
    () => listClasses(kind === 'all' ? undefined : kind).then((r) => r.items),
    [] as CaseClass[],
    [kind],
  )
  const { message } = AntApp.useApp()

  /** Loads the district's own class table from a CSV file; the server takes all rows or none. */
  const importFile = async (file: File) => {
    setImporting(true)
    setImportError(null)
    try {
      const { imported } = await importClasses(await file.text())
      message.success(t('classes.imported', { count: imported }))
      reload()
    } catch (e) {
      setImportError(e)
    } finally {
      setImporting(false)
    }
    return false
  }


  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase()
    if (!needle) return items
    return items.filter((c) =>
      [c.bigCode, c.bigName, c.bigNameEn, c.smallCode, c.smallName, c.smallNameEn, c.citizenChoice].some((v) => v?.toLowerCase().includes(needle)),
    )
  }, [items, q])

  const columns: TableColumnsType<CaseClass> = [
    {
      title: t('classes.kind'), dataIndex: 'kind', key: 'kind', width: 90,
      render: (k: CaseClass['kind']) => <Tag color={k === 'component' ? 'geekblue' : 'magenta'}>{t(`classes.kinds.${k}`)}</Tag>,
    },
    {
      title: t('classes.big'), key: 'big', width: 220,
      render: (_, c) => <><Typography.Text code>{c.bigCode}</Typography.Text> {localName(c.bigName, c.bigNameEn, lang)}</>,
    },
    {
      title: t('classes.small'), key: 'small',
      render: (_, c) => <><Typography.Text code>{c.smallCode}</Typography.Text> {localName(c.smallName, c.smallNameEn, lang)}</>,
    },
    {
      title: t('classes.urgency'), dataIndex: 'defaultUrgency', key: 'urgency', width: 100,
      render: (u: CaseClass['defaultUrgency']) => <Tag color={URGENCY_COLOURS[u]}>{t(`urgency.${u}`)}</Tag>,
    },
    { title: t('classes.citizenChoice'), dataIndex: 'citizenChoice', key: 'citizenChoice', responsive: ['lg'], render: (v: string | null) => v ?? '—' },
    {
      title: t('classes.status'), dataIndex: 'status', key: 'status', width: 100, responsive: ['md'],
      render: (s: CaseClass['status']) => <Tag color={STATUS_COLOURS[s]}>{t(`classes.statuses.${s}`)}</Tag>,
    },
    {
      title: t('units.active'), dataIndex: 'active', key: 'active', width: 80, responsive: ['md'],
      render: (a: boolean) => (a ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>),
    },
  ]

  return (
    <div className="xh-page" data-testid="classes-page">
      <div className="xh-page-header">
        <h1>{t('nav.classes')}</h1>
        {can('class:write') && (
          <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={importFile}>
            <Button icon={<UploadOutlined />} loading={importing} data-testid="classes-import">{t('classes.import')}</Button>
          </Upload>
        )}
      </div>
      <div className="xh-toolbar">
        <Segmented<KindFilter>
          value={kind}
          onChange={setKind}
          options={[
            { value: 'all', label: t('classes.all') },
            { value: 'component', label: t('classes.kinds.component') },
            { value: 'event', label: t('classes.kinds.event') },
          ]}
          style={{ minWidth: 0 }}
        />
        <Input.Search allowClear placeholder={t('classes.searchPlaceholder')} onSearch={setQ} onChange={(e) => setQ(e.target.value)} className="xh-search" />
      </div>
      <ServerError error={importError ?? error} />
      <Table<CaseClass>
        rowKey={(c) => `${c.kind}-${c.smallCode}`}
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={shown}
        pagination={{ defaultPageSize: 50, showSizeChanger: true, showTotal: (n) => t('common.total', { count: n }) }}
        scroll={{ x: 800 }}
      />
    </div>
  )
}
