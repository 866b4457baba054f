// What is at the clicked point: grid cell, community, street and the cell's responsible people.
import { Alert, Descriptions, Empty, List, Spin, Tag, Typography } from 'antd'
import { PhoneOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { LookupResult } from '../../api/client'
import { errorMessage } from '../../app/ServerError'

export type LookupState =
  | { status: 'loading'; point: [number, number] }
  | { status: 'done'; point: [number, number]; result: LookupResult }
  | { status: 'failed'; point: [number, number]; error: unknown }

const DUTY_COLOURS = { supervisor: 'blue', grid_worker: 'green', responsible: 'orange' } as const

export function LookupPanel({ state }: { state: LookupState }) {
  const { t } = useTranslation()
  const [lng, lat] = state.point
  const where = <Typography.Text type="secondary" style={{ fontSize: 12 }}>{lng.toFixed(6)}, {lat.toFixed(6)}</Typography.Text>

  if (state.status === 'loading') {
    return <div data-testid="lookup-panel" data-status="loading" className="xh-center"><Spin /></div>
  }
  if (state.status === 'failed') {
    return (
      <div data-testid="lookup-panel" data-status="failed">
        <Alert type="error" showIcon title={errorMessage(state.error)} />
      </div>
    )
  }
  const { cell, community, street, district, people } = state.result
  return (
    <div data-testid="lookup-panel" data-status={cell ? 'inside' : 'outside'}>
      {!cell && (
        <Alert type="info" showIcon title={<span data-testid="lookup-outside">{t('map.outside')}</span>} style={{ marginBottom: 12 }} />
      )}
      <Descriptions
        column={1}
        size="small"
        styles={{ label: { width: 88 } }}
        items={[
          cell && {
            key: 'code',
            label: t('grid.code'),
            children: <Typography.Text code copyable data-testid="lookup-cell-code">{cell.code}</Typography.Text>,
          },
          cell?.name && { key: 'name', label: t('grid.name'), children: cell.name },
          community && { key: 'community', label: t('grid.community'), children: <span data-testid="lookup-community">{community.name}</span> },
          street && { key: 'street', label: t('grid.street'), children: <span data-testid="lookup-street">{street.name}</span> },
          district && { key: 'district', label: t('map.district'), children: district.name },
          { key: 'point', label: t('map.point'), children: where },
        ].filter((item) => !!item)}
      />
      {cell && (
        <>
          <Typography.Title level={5} style={{ marginTop: 8 }}>{t('grid.people')}</Typography.Title>
          {people.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('grid.noPeople')} />
          ) : (
            <List
              size="small"
              data-testid="lookup-people"
              dataSource={people}
              renderItem={(p) => (
                <List.Item key={`${p.userId}-${p.duty}`}>
                  <span>
                    <Typography.Text strong>{p.displayName}</Typography.Text>{' '}
                    <Tag color={DUTY_COLOURS[p.duty]}>{t(`duty.${p.duty}`)}</Tag>
                  </span>
                  {p.phone ? <a href={`tel:${p.phone}`}><PhoneOutlined /> {p.phone}</a> : <Typography.Text type="secondary">—</Typography.Text>}
                </List.Item>
              )}
            />
          )}
        </>
      )}
    </div>
  )
}
