// The Open311 tab: the API keys of 311 clients and integrators — issued here (the key and its webhook secret are shown
// once), listed by their first characters, revoked after a confirm. Administrators (case:configure) only.
import { useState } from 'react'
import { Alert, App, Button, Form, Input, InputNumber, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd'
import type { TableColumnsType } from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { createOpen311Key, type Lang, listOpen311Keys, revokeOpen311Key, type Open311Key } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'

interface Issued {
  name: string
  key: string
  webhookSecret: string | null
}

export function Open311KeysTab() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const formatTime = (at: string) => formatDateTime(at, lang)
  const { message } = App.useApp()
  const { data: keys, loading, error, reload } = useLoad(() => listOpen311Keys().then((r) => r.items), [] as Open311Key[], [])
  const [creating, setCreating] = useState(false)
  const [saving, setSaving] = useState(false)
  const [issued, setIssued] = useState<Issued | null>(null)
  const [form] = Form.useForm<{ name: string; requestsPerMinute?: number; webhookUrl?: string }>()

  const create = async () => {
    const values = await form.validateFields()
    setSaving(true)
    try {
      const key = await createOpen311Key({ name: values.name.trim(), ...(values.requestsPerMinute ? { requestsPerMinute: values.requestsPerMinute } : {}), ...(values.webhookUrl?.trim() ? { webhookUrl: values.webhookUrl.trim() } : {}) })
      setIssued({ name: key.name, key: key.key, webhookSecret: key.webhookSecret })
      setCreating(false)
      form.resetFields()
      reload()
    } catch (e) {
      message.error(errorMessage(e))
    } finally {
      setSaving(false)
    }
  }

  const revoke = async (key: Open311Key) => {
    try {
      await revokeOpen311Key(key.id)
      message.success(t('open311Keys.revoked', { name: key.name }))
      reload()
    } catch (e) {
      message.error(errorMessage(e))
    }
  }

  const columns: TableColumnsType<Open311Key> = [
    { title: t('open311Keys.name'), dataIndex: 'name' },
    { title: t('open311Keys.hint'), dataIndex: 'keyHint', render: (hint: string) => <Typography.Text code>{hint}…</Typography.Text> },
    { title: t('open311Keys.perMinute'), dataIndex: 'requestsPerMinute', width: 120 },
    { title: t('open311Keys.webhook'), dataIndex: 'webhookUrl', ellipsis: true, render: (url: string | null) => url ?? '—' },
    { title: t('open311Keys.createdAt'), dataIndex: 'createdAt', width: 170, render: (at: string) => formatTime(at) },
    {
      title: t('open311Keys.state'), key: 'state', width: 200,
      render: (_, key) => key.revokedAt
        ? <Tag>{t('open311Keys.revokedAt', { at: formatTime(key.revokedAt) })}</Tag>
        : (
          <Space>
            <Tag color="green">{t('open311Keys.active')}</Tag>
            <Popconfirm title={t('open311Keys.confirmRevoke', { name: key.name })} onConfirm={() => revoke(key)}>
              <Button size="small" danger data-testid={`open311-revoke-${key.keyHint}`}>{t('open311Keys.revoke')}</Button>
            </Popconfirm>
          </Space>
        ),
    },
  ]

  return (
    <div data-testid="open311-keys">
      <Typography.Paragraph type="secondary">{t('open311Keys.intro')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="open311-issue">{t('open311Keys.issue')}</Button>
        <Button icon={<ReloadOutlined />} onClick={reload}>{t('common.reload')}</Button>
      </Space>
      {error ? <ServerError error={error} /> : null}
      <Table rowKey="id" size="middle" loading={loading} columns={columns} dataSource={keys} pagination={false} scroll={{ x: 900 }} />

      <Modal open={creating} title={t('open311Keys.issue')} onCancel={() => setCreating(false)} onOk={create} confirmLoading={saving} okText={t('open311Keys.issueOk')} destroyOnHidden>
        <Form form={form} layout="vertical" requiredMark>
          <Form.Item name="name" label={t('open311Keys.name')} rules={[{ required: true, whitespace: true, max: 100 }]}>
            <Input placeholder={t('open311Keys.namePlaceholder')} data-testid="open311-name" />
          </Form.Item>
          <Form.Item name="requestsPerMinute" label={t('open311Keys.perMinute')} extra={t('open311Keys.perMinuteHint')}>
            <InputNumber min={1} max={100000} placeholder="600" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="webhookUrl" label={t('open311Keys.webhook')} extra={t('open311Keys.webhookHint')} rules={[{ pattern: /^https?:\/\/\S+$/, message: t('open311Keys.webhookInvalid') }]}>
            <Input placeholder="https://" />
          </Form.Item>
        </Form>
      </Modal>

      <Modal open={issued !== null} title={t('open311Keys.issuedTitle', { name: issued?.name ?? '' })} onCancel={() => setIssued(null)} footer={<Button type="primary" onClick={() => setIssued(null)}>{t('open311Keys.stored')}</Button>}>
        <Alert type="warning" showIcon message={t('open311Keys.once')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph>{t('open311Keys.key')}</Typography.Paragraph>
        <Typography.Paragraph code copyable data-testid="open311-issued-key">{issued?.key}</Typography.Paragraph>
        {issued?.webhookSecret ? (
          <>
            <Typography.Paragraph>{t('open311Keys.secret')}</Typography.Paragraph>
            <Typography.Paragraph code copyable>{issued.webhookSecret}</Typography.Paragraph>
          </>
        ) : null}
      </Modal>
    </div>
  )
}
