// A device's new access token, shown this once (only its hash is kept): copy button, how a device uses it.
import { Alert, Button, Modal, Typography } from 'antd'
import { useTranslation } from 'react-i18next'

export function TokenModal({ issued, onClose }: {
  /** The device's code and its new token; null hides the dialog. */
  issued: { code: string; token: string } | null
  onClose: () => void
}) {
  const { t } = useTranslation()
  return (
    <Modal
      open={issued !== null}
      title={t('iot.token.issuedTitle', { code: issued?.code ?? '' })}
      onCancel={onClose}
      mask={{ closable: false }}
      footer={<Button type="primary" onClick={onClose} data-testid="device-token-done">{t('iot.token.stored')}</Button>}
      data-testid="device-token-dialog"
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('iot.token.once')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph code copyable={{ text: issued?.token ?? '' }} data-testid="device-token" className="xh-iot-token">
        {issued?.token}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t('iot.token.howto')}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" className="xh-iot-token-example">
        <Typography.Text code>MQTT · user = token · v1/devices/me/telemetry</Typography.Text>
        <br />
        <Typography.Text code>{`POST /api/v1/${issued?.token ?? '{token}'}/telemetry`}</Typography.Text>
      </Typography.Paragraph>
    </Modal>
  )
}
