// The side drawer every edit form opens in: title, cancel and save in the header, the server's error above the form.
import type { ReactNode } from 'react'
import { Button, Drawer, Space } from 'antd'
import { useTranslation } from 'react-i18next'
import { ServerError } from './ServerError'
import { useIsMobile } from './useIsMobile'

export interface FormDrawerProps {
  open: boolean
  title: ReactNode
  onClose: () => void
  onSave: () => void
  saving: boolean
  error: unknown
  /** data-testid of the drawer; the save button gets `<testId prefix>-save` via saveTestId. */
  testId: string
  saveTestId: string
  width?: number
  children: ReactNode
}

export function FormDrawer({ open, title, onClose, onSave, saving, error, testId, saveTestId, width = 480, children }: FormDrawerProps) {
  const { t } = useTranslation()
  const mobile = useIsMobile()
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={title}
      size={mobile ? '100%' : width}
      destroyOnHidden
      data-testid={testId}
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={onSave} data-testid={saveTestId}>{t('common.save')}</Button>
        </Space>
      }
    >
      <ServerError error={error} />
      {children}
    </Drawer>
  )
}
