// Drawer to register one device: number, name, model, position (the street and community are found there), address,
// the facility it watches and when it was installed. The answer carries its access token, shown once by the caller.
import { useEffect, useState } from 'react'
import { DatePicker, Form, Input, InputNumber, Select, Space } from 'antd'
import type { Dayjs } from 'dayjs'
import { useTranslation } from 'react-i18next'
import { createDevice, type DeviceDetail, type DeviceModel } from '../../api/client'
import { FormDrawer } from '../../app/FormDrawer'
import { localName } from '../../app/i18n'
import { maxLength, required } from '../../app/validation'
import { useLang } from './shared'

interface Values {
  code: string
  name: string
  modelKey: string
  lng?: number
  lat?: number
  address?: string
  facilityKind?: string
  facilityName?: string
  facilityRef?: string
  installedOn?: Dayjs
}

export function DeviceForm({ open, models, onClose, onCreated }: {
  open: boolean
  models: DeviceModel[]
  onClose: () => void
  onCreated: (device: DeviceDetail, token: string) => void
}) {
  const { t } = useTranslation()
  const lang = useLang()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!open) return
    setError(null)
    form.resetFields()
  }, [open, form])

  const submit = async (values: Values) => {
    setSaving(true)
    setError(null)
    const text = (v: string | undefined) => (v?.trim() ? v.trim() : undefined)
    try {
      const reply = await createDevice({
        code: values.code.trim(),
        name: values.name.trim(),
        modelKey: values.modelKey,
        lng: values.lng ?? undefined,
        lat: values.lat ?? undefined,
        address: text(values.address),
        facilityKind: text(values.facilityKind),
        facilityName: text(values.facilityName),
        facilityRef: text(values.facilityRef),
        installedOn: values.installedOn?.format('YYYY-MM-DD'),
      })
      onCreated(reply.device, reply.token)
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <FormDrawer
      open={open}
      title={t('iot.devices.add')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      error={error}
      testId="device-form"
      saveTestId="device-save"
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="code" label={t('iot.device.code')} rules={[required(t), maxLength(t, 64)]}>
          <Input placeholder="MC-0001" data-testid="device-code" autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('iot.device.name')} rules={[required(t), maxLength(t, 200)]}>
          <Input data-testid="device-name" />
        </Form.Item>
        <Form.Item name="modelKey" label={t('iot.device.model')} rules={[required(t)]}>
          <Select
            options={models.map((m) => ({ value: m.key, label: localName(m.name, m.nameEn, lang) }))}
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="device-model"
          />
        </Form.Item>
        <Form.Item label={t('iot.device.position')} extra={t('iot.devices.positionHelp')} style={{ marginBottom: 0 }}>
          <Space.Compact block>
            <Form.Item name="lng" rules={[{ type: 'number', min: -180, max: 180 }]} messageVariables={{ label: t('iot.device.lng') }} style={{ flex: 1 }}>
              <InputNumber placeholder={t('iot.device.lng')} step={0.0001} precision={6} style={{ width: '100%' }} data-testid="device-lng" />
            </Form.Item>
            <Form.Item name="lat" rules={[{ type: 'number', min: -90, max: 90 }]} messageVariables={{ label: t('iot.device.lat') }} style={{ flex: 1 }}>
              <InputNumber placeholder={t('iot.device.lat')} step={0.0001} precision={6} style={{ width: '100%' }} data-testid="device-lat" />
            </Form.Item>
          </Space.Compact>
        </Form.Item>
        <Form.Item name="address" label={t('iot.device.address')} rules={[maxLength(t, 200)]}>
          <Input />
        </Form.Item>
        <Form.Item name="facilityName" label={t('iot.device.facility')} rules={[maxLength(t, 200)]} extra={t('iot.devices.facilityHelp')}>
          <Input />
        </Form.Item>
        <Space.Compact block>
          <Form.Item name="facilityKind" label={t('iot.device.facilityKind')} rules={[maxLength(t, 200)]} style={{ flex: 1 }}>
            <Input />
          </Form.Item>
          <Form.Item name="facilityRef" label={t('iot.device.facilityRef')} rules={[maxLength(t, 200)]} style={{ flex: 1 }}>
            <Input />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="installedOn" label={t('iot.device.installedOn')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </FormDrawer>
  )
}
