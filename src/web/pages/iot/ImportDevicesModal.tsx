// Bulk import of devices from CSV or Excel: pick a file, check it (a dry run on the server), then import it, with
// upload progress, the per-row error report, and the new devices' tokens (shown this once, downloadable as CSV).
import { useState } from 'react'
import { Alert, Button, Modal, Progress, Space, Statistic, Table, Typography, Upload } from 'antd'
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { deviceTemplateUrl, importDevices, type DeviceImportError, type DeviceImportReply } from '../../api/client'
import { errorMessage } from '../../app/ServerError'
import { download, toCsv } from '../cases/csv'
import { useLang } from './shared'

type Stage =
  | { step: 'pick' }
  | { step: 'upload'; file: File; dryRun: boolean; fraction: number }
  | { step: 'server'; file: File; dryRun: boolean }
  | { step: 'done'; file: File; dryRun: boolean; reply: DeviceImportReply }
  | { step: 'failed'; file: File; message: string }

const ACCEPT = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export function ImportDevicesModal({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { t } = useTranslation()
  const lang = useLang()
  const [stage, setStage] = useState<Stage>({ step: 'pick' })
  const busy = stage.step === 'upload' || stage.step === 'server'

  const run = async (file: File, dryRun: boolean) => {
    setStage({ step: 'upload', file, dryRun, fraction: 0 })
    try {
      const reply = await importDevices(file, dryRun, (fraction) => {
        setStage(fraction >= 1 ? { step: 'server', file, dryRun } : { step: 'upload', file, dryRun, fraction })
      })
      setStage({ step: 'done', file, dryRun, reply })
      if (!dryRun && reply.created > 0) onImported()
    } catch (e) {
      setStage({ step: 'failed', file, message: errorMessage(e) })
    }
  }

  const close = () => {
    if (busy) return
    setStage({ step: 'pick' })
    onClose()
  }

  const saveTokens = (tokens: DeviceImportReply['tokens']) => {
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')
    download(`device-tokens-${stamp}.csv`, toCsv([[t('iot.device.code'), t('iot.token.title')], ...tokens.map((x) => [x.code, x.token])]))
  }

  const done = stage.step === 'done' ? stage : null
  // a dry run without errors may go on to the import itself
  const canImport = done?.dryRun === true && done.reply.errors.length === 0

  return (
    <Modal
      open={open}
      title={t('iot.import.title')}
      onCancel={close}
      closable={!busy}
      mask={{ closable: !busy }}
      width={720}
      destroyOnHidden
      data-testid="device-import-dialog"
      footer={
        <Space wrap>
          {(stage.step === 'done' || stage.step === 'failed') && (
            <Button onClick={() => setStage({ step: 'pick' })}>{t('iot.import.another')}</Button>
          )}
          {canImport && (
            <Button type="primary" onClick={() => void run(done.file, false)} data-testid="device-import-run">{t('iot.import.run')}</Button>
          )}
          <Button type={canImport ? 'default' : 'primary'} onClick={close} disabled={busy} data-testid="device-import-close">{t('common.close')}</Button>
        </Space>
      }
    >
      {stage.step === 'pick' && (
        <>
          <Upload.Dragger
            accept={ACCEPT}
            multiple={false}
            showUploadList={false}
            beforeUpload={(file) => {
              void run(file, true)
              return false
            }}
            data-testid="device-import-file"
          >
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">{t('iot.import.drop')}</p>
            <p className="ant-upload-hint">{t('iot.import.hint')}</p>
          </Upload.Dragger>
          <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }}>
            <a href={deviceTemplateUrl} download data-testid="device-import-template"><DownloadOutlined /> {t('iot.import.template')}</a>
          </Typography.Paragraph>
        </>
      )}
      {(stage.step === 'upload' || stage.step === 'server') && (
        <div data-testid="device-import-progress">
          <Typography.Paragraph>{stage.file.name} · {stage.dryRun ? t('iot.import.checking') : t('iot.import.importing')}</Typography.Paragraph>
          <Progress percent={stage.step === 'upload' ? Math.round(stage.fraction * 100) : 100} status="active" />
          <Typography.Text type="secondary">{stage.step === 'upload' ? t('iot.import.uploading') : t('iot.import.processing')}</Typography.Text>
        </div>
      )}
      {stage.step === 'failed' && <Alert type="error" showIcon title={stage.message} description={stage.file.name} data-testid="device-import-failed" />}
      {done && (
        <div data-testid="device-import-result" data-dry-run={done.dryRun} data-errors={done.reply.errors.length}>
          <Alert
            type={done.reply.errors.length ? 'error' : 'success'}
            showIcon
            style={{ marginBottom: 12 }}
            title={done.reply.errors.length
              ? t(done.dryRun ? 'iot.import.checkFailed' : 'iot.import.refused', { count: done.reply.errors.length })
              : done.dryRun ? t('iot.import.checkOk') : t('iot.import.done', { count: done.reply.created })}
            description={done.file.name}
          />
          <Space size={32} style={{ marginBottom: 16 }} wrap>
            <Statistic title={done.dryRun ? t('iot.import.wouldCreate') : t('iot.import.created')} value={done.reply.created} />
            <Statistic
              title={t('iot.import.errors')}
              value={done.reply.errors.length}
              styles={{ content: { color: done.reply.errors.length ? '#cf1322' : undefined } }}
            />
          </Space>
          {done.reply.errors.length > 0 && (
            <Table<DeviceImportError>
              size="small"
              rowKey={(e) => `${e.row}-${e.column ?? ''}-${e.code}`}
              dataSource={done.reply.errors}
              pagination={done.reply.errors.length > 10 ? { pageSize: 10 } : false}
              scroll={{ x: 520 }}
              data-testid="device-import-errors"
              columns={[
                { title: t('iot.import.row'), dataIndex: 'row', width: 70 },
                { title: t('iot.import.column'), dataIndex: 'column', width: 130, render: (c: string | null) => c ?? '—' },
                { title: t('iot.import.message'), key: 'message', render: (_, e) => e.messages[lang] ?? e.code },
              ]}
            />
          )}
          {done.reply.tokens.length > 0 && (
            <Alert
              type="warning"
              showIcon
              title={t('iot.import.tokens', { count: done.reply.tokens.length })}
              action={<Button size="small" icon={<DownloadOutlined />} onClick={() => saveTokens(done.reply.tokens)} data-testid="device-import-tokens">{t('iot.import.saveTokens')}</Button>}
            />
          )}
        </div>
      )}
    </Modal>
  )
}
