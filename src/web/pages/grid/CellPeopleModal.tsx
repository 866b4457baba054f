// Sets who is responsible for one grid cell: people searched by name, each with a duty (监督员/网格员/责任人).
import { useEffect, useState } from 'react'
import { Button, Flex, Modal, Select, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listUsers, setCellPeople, type Cell, type Duty, type User } from '../../api/client'
import { ServerError } from '../../app/ServerError'

const DUTIES: Duty[] = ['supervisor', 'grid_worker', 'responsible']

interface Row {
  userId: string | undefined
  displayName: string
  duty: Duty
}

export function CellPeopleModal({ cell, onClose, onSaved }: { cell: Cell | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation()
  const [rows, setRows] = useState<Row[]>([])
  const [options, setOptions] = useState<User[]>([])
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  // reset only when another cell is opened: the table reloading under the dialog (a live update) must not wipe unsaved rows
  const cellId = cell?.id
  useEffect(() => {
    setRows(cell ? cell.people.map((p) => ({ userId: p.userId, displayName: p.displayName, duty: p.duty })) : [])
    setError(null)
  }, [cellId])

  const search = (q: string) => {
    listUsers({ q: q || undefined, pageSize: 20 }).then((page) => setOptions(page.items), setError)
  }
  useEffect(() => {
    if (cellId) search('')
  }, [cellId])

  const update = (index: number, change: Partial<Row>) => setRows((all) => all.map((row, i) => (i === index ? { ...row, ...change } : row)))

  const save = async () => {
    if (!cell) return
    setSaving(true)
    setError(null)
    try {
      await setCellPeople(cell.id, rows.filter((r) => r.userId).map((r) => ({ userId: r.userId!, duty: r.duty })))
      onSaved()
      onClose()
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  const userOptions = (row: Row) => {
    const list = options.map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` }))
    return row.userId && !options.some((u) => u.id === row.userId) ? [{ value: row.userId, label: row.displayName }, ...list] : list
  }

  return (
    <Modal
      open={cell !== null}
      title={cell ? t('grid.editPeopleTitle', { code: cell.code }) : ''}
      onCancel={onClose}
      onOk={save}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      data-testid="cell-people-dialog"
    >
      <ServerError error={error} />
      <Flex vertical gap={8}>
        {rows.length === 0 && <Typography.Text type="secondary">{t('grid.noPeople')}</Typography.Text>}
        {rows.map((row, index) => (
          <Flex key={index} wrap gap={8}>
            <Select
              showSearch
              filterOption={false}
              onSearch={search}
              placeholder={t('grid.pickUser')}
              value={row.userId}
              options={userOptions(row)}
              onChange={(userId: string) => update(index, { userId, displayName: options.find((u) => u.id === userId)?.displayName ?? '' })}
              style={{ width: 240 }}
              data-testid={`cell-person-${index}`}
            />
            <Select
              value={row.duty}
              options={DUTIES.map((duty) => ({ value: duty, label: t(`duty.${duty}`) }))}
              onChange={(duty: Duty) => update(index, { duty })}
              style={{ width: 120 }}
              aria-label={t('grid.duty')}
            />
            <Button icon={<DeleteOutlined />} onClick={() => setRows((all) => all.filter((_, i) => i !== index))} aria-label={t('common.remove')} />
          </Flex>
        ))}
        <Button icon={<PlusOutlined />} onClick={() => setRows((all) => [...all, { userId: undefined, displayName: '', duty: 'supervisor' }])} data-testid="cell-person-add">
          {t('grid.addPerson')}
        </Button>
      </Flex>
    </Modal>
  )
}
