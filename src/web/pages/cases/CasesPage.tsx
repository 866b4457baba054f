// Case list: every case in the user's scope, filtered by state, class, street, unit, source, time and overdue,
// with its light, sorted most pressing first, paged from the server; the filtered list exports to Excel (.xlsx, made on
// the server) or CSV.
import { useMemo, useRef, useState, type HTMLAttributes } from 'react'
import { Link, useNavigate } from 'react-router'
import { App, Badge, Button, Checkbox, DatePicker, Modal, Progress, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { ClearOutlined, DownloadOutlined, FileExcelOutlined, FilterOutlined, ReloadOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { useTranslation } from 'react-i18next'
import { exportCases, listCases, type CaseQuery, type CaseSummary, type Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { localName } from '../../app/i18n'
import { ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { usePagedList } from '../../app/usePagedList'
import { unitOptions, useUnits } from '../units/unitTree'
import { download } from './csv'
import { LightBadge, StateTag, useClasses } from './shared'
import { CASE_SOURCES, STATE_ORDER } from './workflow'

type Filters = Pick<CaseQuery, 'state' | 'classCode' | 'streetId' | 'assignedUnitId' | 'source' | 'from' | 'to' | 'overdue' | 'mine' | 'pending' | 'light' | 'sort'>

const SORTS = ['light', 'deadline', 'created'] as const
const LIGHTS = ['red', 'yellow', 'green'] as const

interface ExportState {
  kind: 'csv' | 'xlsx'
  /** Records received (CSV) or bytes (Excel). */
  done: number
  /** The cases in the file. */
  total: number
  finished: boolean
  error?: unknown
}

export default function CasesPage() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { can } = useAuth()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const mobile = useIsMobile()
  const [filtersOpen, setFiltersOpen] = useState(false)
  const { classes, className } = useClasses()
  const { units } = useUnits(can('org:read'))
  const list = usePagedList<CaseSummary, Filters>(listCases, { sort: 'light' })
  const f = list.filters
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const [exporting, setExporting] = useState<ExportState | null>(null)
  const cancelExport = useRef<AbortController | null>(null)

  const streets = useMemo(() => units.filter((u) => u.kind === 'street' || u.kind === 'zone'), [units])
  const classOptions = useMemo(() => (['component', 'event'] as const).map((kind) => ({
    label: t(`classes.kinds.${kind}`),
    title: kind,
    options: classes.filter((c) => c.kind === kind).map((c) => ({ value: `${kind}:${c.smallCode}`, label: `${c.smallCode} ${localName(c.smallName, c.smallNameEn, lang)}` })),
  })), [classes, lang, t])
  const [classValue, setClassValue] = useState<string | undefined>(undefined)

  const set = (change: Partial<Filters>) => list.setFilters({ ...f, ...change })
  const reset = () => {
    setRange(null)
    setClassValue(undefined)
    list.setFilters({ sort: f.sort })
  }

  /** The server writes the file; the page shows the records (CSV) or bytes (Excel) as they arrive. */
  const runExport = async (kind: 'csv' | 'xlsx') => {
    const abort = new AbortController()
    cancelExport.current = abort
    setExporting({ kind, done: 0, total: 0, finished: false })
    try {
      const { sort: _sort, ...filters } = f
      let total = 0
      const blob = await exportCases(kind, filters, (done, all) => {
        total = all
        setExporting({ kind, done, total, finished: false })
      }, abort.signal)
      if (total === 0) {
        setExporting(null)
        message.info(t('cases.export.empty'))
        return
      }
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')
      download(`cases-${stamp}.${kind}`, blob, blob.type)
      setExporting({ kind, done: kind === 'csv' ? total : blob.size, total, finished: true })
      message.success(t(kind === 'csv' ? 'cases.export.done' : 'cases.export.excelDone', { count: total }))
    } catch (e) {
      if (abort.signal.aborted) return
      setExporting((s) => ({ ...(s ?? { kind, done: 0, total: 0 }), finished: true, error: e }))
    } finally {
      cancelExport.current = null
    }
  }

  const closeExport = () => {
    cancelExport.current?.abort()
    setExporting(null)
  }

  const columns: TableColumnsType<CaseSummary> = [
    { title: t('cases.light'), key: 'light', width: 90, render: (_, c) => <LightBadge light={c.light} /> },
    {
      title: t('cases.ticket'), dataIndex: 'ticket', key: 'ticket', width: 190,
      render: (ticket: string, c) => <Link to={`/cases/${c.id}`} data-testid={`case-link-${ticket}`} onClick={(e) => e.stopPropagation()}>{ticket}</Link>,
    },
    {
      title: t('cases.state'), dataIndex: 'state', key: 'state', width: 120,
      render: (s: string, c) => (
        <Space size={4} wrap>
          <StateTag state={s} />
          {c.hasPendingExtension && <Tag color="orange" data-testid={`case-pending-extension-${c.ticket}`}>{t('cases.pendingFlag.extension')}</Tag>}
          {c.hasPendingSuspension && <Tag color="purple" data-testid={`case-pending-suspension-${c.ticket}`}>{t('cases.pendingFlag.suspension')}</Tag>}
          {c.hasPendingReview && <Tag color="red" data-testid={`case-pending-review-${c.ticket}`}>{t('cases.pendingFlag.review')}</Tag>}
        </Space>
      ),
    },
    { title: t('cases.class'), key: 'class', width: 150, ellipsis: true, render: (_, c) => className(c.classKind, c.classCode) },
    { title: t('cases.street'), dataIndex: 'streetName', key: 'street', width: 110, ellipsis: true, render: (v: string | null) => v ?? '—' },
    { title: t('cases.unit'), dataIndex: 'assignedUnitName', key: 'unit', width: 130, ellipsis: true, render: (v: string | null) => v ?? '—' },
    { title: t('cases.source'), dataIndex: 'source', key: 'source', width: 110, responsive: ['xl'], render: (v: string) => t(`caseSource.${v}`, { defaultValue: v }) },
    { title: t('cases.urgency'), dataIndex: 'urgency', key: 'urgency', width: 80, responsive: ['xxl'], render: (v: string) => t(`urgency.${v}`) },
    { title: t('cases.deadline'), dataIndex: 'deadline', key: 'deadline', width: 160, render: (v: string | null) => formatDateTime(v, lang) },
    { title: t('cases.createdAt'), dataIndex: 'createdAt', key: 'createdAt', width: 160, responsive: ['lg'], render: (v: string) => formatDateTime(v, lang) },
  ]

  const { sort: _sort, ...filtering } = f
  const active = Object.values(filtering).filter((v) => v !== undefined && !(Array.isArray(v) && v.length === 0)).length
  const percent = exporting && exporting.total > 0 ? Math.round((exporting.done / exporting.total) * 100) : 0

  return (
    <div className="xh-page" data-testid="cases-page">
      <div className="xh-page-header">
        <h1>{t('nav.cases')}</h1>
        <Space wrap>
          {mobile && (
            <Badge count={active} size="small">
              <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen((o) => !o)} data-testid="cases-filters-toggle" aria-expanded={filtersOpen}>
                {t('cases.filter.title')}
              </Button>
            </Badge>
          )}
          <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('common.reload')}>{mobile ? null : t('common.reload')}</Button>
          <Button icon={<FileExcelOutlined />} onClick={() => void runExport('xlsx')} disabled={exporting !== null} data-testid="cases-export-xlsx">
            {t('cases.export.excel')}
          </Button>
          <Button icon={<DownloadOutlined />} onClick={() => void runExport('csv')} disabled={exporting !== null} data-testid="cases-export">
            {t('cases.export.button')}
          </Button>
        </Space>
      </div>
      <div className="xh-toolbar" style={mobile && !filtersOpen ? { display: 'none' } : undefined}>
        <Select
          value={f.sort ?? 'created'}
          onChange={(sort: NonNullable<Filters['sort']>) => set({ sort })}
          options={SORTS.map((v) => ({ value: v, label: t(`cases.sort.${v}`) }))}
          style={{ width: 200 }}
          aria-label={t('cases.sort.label')}
          data-testid="cases-sort"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder={t('cases.filter.light')}
          value={f.light ? [...f.light] : []}
          onChange={(light: Array<(typeof LIGHTS)[number]>) => set({ light: light.length ? light : undefined })}
          options={LIGHTS.map((v) => ({ value: v, label: t(`light.${v}`) }))}
          style={{ width: 180 }}
          data-testid="cases-filter-light"
        />
        <Select
          allowClear
          placeholder={t('cases.filter.pending')}
          value={f.pending}
          onChange={(pending: Filters['pending']) => set({ pending })}
          options={(['extension', 'suspension', 'review'] as const).map((v) => ({ value: v, label: t(`cases.pendingFlag.${v}`) }))}
          style={{ width: 150 }}
          data-testid="cases-filter-pending"
        />
        <Select
          mode="multiple"
          allowClear
          maxTagCount="responsive"
          placeholder={t('cases.filter.states')}
          value={f.state ? [...f.state] : []}
          onChange={(state: string[]) => set({ state: state.length ? (state as Filters['state']) : undefined })}
          options={STATE_ORDER.map((s) => ({ value: s, label: t(`caseState.${s}`) }))}
          style={{ width: 260 }}
          data-testid="cases-filter-state"
        />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('cases.filter.class')}
          value={classValue}
          onChange={(value: string | undefined) => {
            setClassValue(value)
            set({ classCode: value?.split(':')[1] })
          }}
          options={classOptions}
          style={{ width: 240 }}
          data-testid="cases-filter-class"
        />
        {streets.length > 0 && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('cases.filter.street')}
            value={f.streetId}
            onChange={(streetId: string | undefined) => set({ streetId })}
            options={streets.map((u) => ({ value: u.id, label: localName(u.name, u.nameEn, lang) }))}
            style={{ width: 160 }}
            data-testid="cases-filter-street"
          />
        )}
        {units.length > 0 && (
          <TreeSelect
            allowClear
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('cases.filter.unit')}
            treeData={unitOptions(units, lang)}
            value={f.assignedUnitId}
            onChange={(assignedUnitId: string | undefined) => set({ assignedUnitId })}
            style={{ width: 200 }}
            data-testid="cases-filter-unit"
          />
        )}
        <Select
          allowClear
          placeholder={t('cases.filter.source')}
          value={f.source}
          onChange={(source: Filters['source']) => set({ source })}
          options={CASE_SOURCES.map((s) => ({ value: s, label: t(`caseSource.${s}`) }))}
          style={{ width: 150 }}
          data-testid="cases-filter-source"
        />
        <DatePicker.RangePicker
          value={range}
          placeholder={[t('cases.filter.from'), t('cases.filter.to')]}
          onChange={(value) => {
            setRange(value)
            set({
              from: value?.[0]?.startOf('day').toISOString() ?? undefined,
              to: value?.[1]?.add(1, 'day').startOf('day').toISOString() ?? undefined,
            })
          }}
          style={{ minWidth: 240 }}
          data-testid="cases-filter-created"
        />
        <Checkbox
          checked={f.overdue === true}
          onChange={(e) => set({ overdue: e.target.checked || undefined })}
          style={{ alignSelf: 'center', minWidth: 0 }}
          data-testid="cases-filter-overdue"
        >
          {t('cases.filter.overdue')}
        </Checkbox>
        <Checkbox
          checked={f.mine === true}
          onChange={(e) => set({ mine: e.target.checked || undefined })}
          style={{ alignSelf: 'center', minWidth: 0 }}
          data-testid="cases-filter-mine"
        >
          {t('cases.filter.mine')}
        </Checkbox>
        <Button icon={<ClearOutlined />} onClick={reset} style={{ minWidth: 0 }}>{t('cases.filter.reset')}</Button>
      </div>
      <ServerError error={list.error} />
      <Table<CaseSummary>
        rowKey="id"
        size="middle"
        data-testid="cases-table"
        {...list.table(t)}
        columns={columns}
        scroll={{ x: 940 }}
        onRow={(c) => ({
          'data-testid': `case-row-${c.ticket}`,
          className: 'xh-row-link',
          onClick: () => navigate(`/cases/${c.id}`),
        }) as HTMLAttributes<HTMLElement>}
      />
      <Modal
        open={exporting !== null}
        title={t('cases.export.title')}
        onCancel={closeExport}
        footer={<Button onClick={closeExport}>{exporting?.finished ? t('common.close') : t('common.cancel')}</Button>}
        destroyOnHidden
      >
        {exporting && (
          <div data-testid="cases-export-progress" data-finished={exporting.finished}>
            {exporting.kind === 'csv'
              ? <Progress percent={exporting.error ? percent : exporting.finished ? 100 : percent} status={exporting.error ? 'exception' : exporting.finished ? 'success' : 'active'} />
              : <Progress percent={exporting.finished && !exporting.error ? 100 : 99} showInfo={exporting.finished} status={exporting.error ? 'exception' : exporting.finished ? 'success' : 'active'} />}
            <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>
              {exporting.kind === 'xlsx'
                ? exporting.finished && !exporting.error
                  ? t('cases.export.excelDone', { count: exporting.total })
                  : t('cases.export.excelProgress', { kb: Math.round(exporting.done / 1024), total: exporting.total })
                : exporting.finished && !exporting.error
                  ? t('cases.export.done', { count: exporting.done })
                  : t('cases.export.progress', { done: exporting.done, total: exporting.total })}
            </Typography.Paragraph>
            {exporting.error !== undefined && <ServerError error={exporting.error} style={{ marginTop: 12 }} />}
          </div>
        )}
      </Modal>
    </div>
  )
}
