// The buttons that handle one alarm (alarm:act): acknowledge an active alarm, clear an open one by hand with a
// comment (asked in a dialog). The server's answer goes back to the caller; a refusal shows as a message.
import { useState } from 'react'
import { App, Button, Form, Input, Modal, Space, type ButtonProps } from 'antd'
import { CheckOutlined, StopOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { acknowledgeAlarm, clearAlarm, type Alarm } from '../../api/client'
import { errorMessage } from '../../app/ServerError'
import { maxLength, required } from '../../app/validation'

export function AlarmActions({ alarm, onDone, size = 'small' }: {
  alarm: Alarm
  /** Called with the changed alarm, or with nothing when the server refused (the caller reloads). */
  onDone: (alarm?: Alarm) => void
  size?: 'small' | 'middle' | 'large'
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [busy, setBusy] = useState(false)
  const [clearing, setClearing] = useState(false)
  const [form] = Form.useForm<{ comment: string }>()
  if (alarm.state === 'cleared') return null

  const acknowledge = async () => {
    setBusy(true)
    try {
      const changed = await acknowledgeAlarm(alarm.id)
      message.success(t('iot.alarms.acknowledged'))
      onDone(changed)
    } catch (e) {
      message.error(errorMessage(e))
      onDone()
    } finally {
      setBusy(false)
    }
  }

  const clear = async () => {
    const { comment } = await form.validateFields()
    setBusy(true)
    try {
      const changed = await clearAlarm(alarm.id, comment.trim())
      message.success(t('iot.alarms.cleared'))
      setClearing(false)
      onDone(changed)
    } catch (e) {
      message.error(errorMessage(e))
      onDone()
    } finally {
      setBusy(false)
    }
  }

  return (
    <Space size={6} wrap onClick={(e) => e.stopPropagation()}>
      {alarm.state === 'active' && (
        <Button size={size} type="primary" icon={<CheckOutlined />} loading={busy && !clearing} onClick={() => void acknowledge()} data-testid={`alarm-ack-${alarm.id}`}>
          {t('iot.alarms.acknowledge')}
        </Button>
      )}
      <Button size={size} icon={<StopOutlined />} onClick={() => setClearing(true)} data-testid={`alarm-clear-${alarm.id}`}>
        {t('iot.alarms.clear')}
      </Button>
      <Modal
        open={clearing}
        title={t('iot.alarms.clearTitle', { code: alarm.device.code })}
        onCancel={() => setClearing(false)}
        onOk={() => void clear()}
        okText={t('iot.alarms.clear')}
        okButtonProps={{ 'data-testid': 'alarm-clear-ok' } as ButtonProps}
        confirmLoading={busy}
        destroyOnHidden
        data-testid="alarm-clear-dialog"
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item name="comment" label={t('iot.alarms.comment')} extra={t('iot.alarms.clearHelp')} rules={[required(t), maxLength(t, 500)]}>
            <Input.TextArea rows={3} autoFocus data-testid="alarm-clear-comment" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  )
}
