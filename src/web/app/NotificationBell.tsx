// The header's bell: the signed-in user's unread notifications (a step of theirs that ran out of time), updated live;
// opening one goes to its case and marks it read.
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { Badge, Button, Empty, List, Popover, Typography } from 'antd'
import { BellOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { listNotifications, markNotificationsRead, type AppNotification, type NotificationList } from '../api/client'
import { formatDateTime } from './format'
import { useDebounced, useLiveEvents } from './useLiveEvents'
import { useLoad } from './useLoad'

const EMPTY: NotificationList = { unread: 0, items: [] }

export function NotificationBell({ live }: { live: boolean }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const navigate = useNavigate()
  const [open, setOpen] = useState(false)
  const { data, reload } = useLoad(() => listNotifications({ limit: 20 }), EMPTY, [])
  const reloadSoon = useDebounced(reload, 500)
  useLiveEvents((event) => {
    if (event.type === 'notification') reloadSoon()
  }, live)

  const openOne = async (n: AppNotification) => {
    setOpen(false)
    if (!n.readAt) await markNotificationsRead([n.id]).catch(() => undefined)
    reload()
    if (n.caseId) void navigate(`/cases/${n.caseId}`)
  }
  const readAll = async () => {
    await markNotificationsRead().catch(() => undefined)
    reload()
  }

  const content = (
    <div className="xh-notifications" data-testid="notifications-panel">
      <List<AppNotification>
        size="small"
        dataSource={data.items}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} /> }}
        renderItem={(n) => (
          <List.Item className="xh-row-link" onClick={() => void openOne(n)} data-testid={`notification-${n.payload.ticket ?? n.id}`} style={{ opacity: n.readAt ? 0.6 : 1 }}>
            <List.Item.Meta
              title={<Typography.Text strong={!n.readAt}>{t(`notifications.kind.${n.kind}`, { defaultValue: n.kind, ticket: n.payload.ticket ?? '', into: n.payload.into ?? '' })}</Typography.Text>}
              description={
                <>
                  {n.payload.state && <span>{t(`caseState.${n.payload.state}`, { defaultValue: n.payload.state })} · </span>}
                  {n.payload.deadline && <span>{t('notifications.deadline', { deadline: formatDateTime(n.payload.deadline, lang) })}</span>}
                </>
              }
            />
          </List.Item>
        )}
      />
      {data.unread > 0 && <Button type="link" block onClick={() => void readAll()} data-testid="notifications-read-all">{t('notifications.readAll')}</Button>}
    </div>
  )

  return (
    <Popover content={content} title={t('notifications.title')} trigger="click" open={open} onOpenChange={setOpen} placement="bottomRight">
      <Button type="text" aria-label={t('notifications.title')} data-testid="notifications" data-unread={data.unread}>
        <Badge count={data.unread} size="small" overflowCount={99}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  )
}
