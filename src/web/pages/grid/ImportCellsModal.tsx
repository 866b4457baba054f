// Import grid cells from a GeoJSON file: read, check, upload with progress, then the server's per-feature result.
import { useState } from 'react'
import { Alert, Button, Modal, Progress, Space, Statistic, Table, Typography, Upload } from 'antd'
import { InboxOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { ApiError, importCells, type ImportResult, type Lang } from '../../api/client'
import { errorMessage } from '../../app/ServerError'

type Stage =
  | { step: 'pick' }
  | { step: 'upload'; name: string; fraction: number; features: number }
  | { step: 'server'; name: string; features: number }
  | { step: 'done'; name: string; result: ImportResult; refused?: string }
  | { step: 'failed'; name: string; message: string }

const CODE = /^[0-9]{15}$/

/** The file must be a FeatureCollection; codes are checked here too so obvious mistakes show before upload. */
function readCollection(text: string): { collection: { type: string; features: unknown[] }; badCodes: number } {
  const data = JSON.parse(text) as { type?: unknown; features?: unknown }
  if (data.type !== 'FeatureCollection' || !Array.isArray(data.features)) throw new Error('not a FeatureCollection')
  const badCodes = data.features.filter((f) => {
    const code = (f as { properties?: { code?: unknown } } | null)?.properties?.code
    return !CODE.test(String(code ?? ''))
  }).length
  return { collection: data as { type: string; features: unknown[] }, badCodes }
}

function featureErrors(details: unknown): ImportResult['errors'] | null {
  const list = Array.isArray(details) ? details : (details as { errors?: unknown } | null)?.errors
  if (!Array.isArray(list) || list.length === 0) return null
  const ok = list.every((d) => d && typeof d === 'object' && typeof (d as { index?: unknown }).index === 'number')
  return ok ? (list as ImportResult['errors']) : null
}

export function ImportCellsModal({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { t, i18n } = useTranslation()
  const [stage, setStage] = useState<Stage>({ step: 'pick' })
  const [warning, setWarning] = useState<string | null>(null)
  const busy = stage.step === 'upload' || stage.step === 'server'

  const start = async (file: File) => {
    setWarning(null)
    let parsed: ReturnType<typeof readCollection>
    try {
      parsed = readCollection(await file.text())
    } catch {
      setStage({ step: 'failed', name: file.name, message: t('grid.import.notGeoJson') })
      return
    }
    const features = parsed.collection.features.length
    if (parsed.badCodes) setWarning(t('grid.import.badCodes', { count: parsed.badCodes }))
    setStage({ step: 'upload', name: file.name, fraction: 0, features })
    try {
      const result = await importCells(parsed.collection, (fraction) => {
        setStage(fraction >= 1 ? { step: 'server', name: file.name, features } : { step: 'upload', name: file.name, fraction, features })
      })
      setStage({ step: 'done', name: file.name, result })
      if (result.created || result.updated) onImported()
    } catch (e) {
      // The server imports all or nothing: a refused file comes back as an error listing the features at fault.
      const errors = e instanceof ApiError ? featureErrors(e.details) : null
      if (errors) setStage({ step: 'done', name: file.name, result: { created: 0, updated: 0, errors }, refused: errorMessage(e) })
      else setStage({ step: 'failed', name: file.name, message: errorMessage(e) })
    }
  }

  const close = () => {
    if (busy) return
    setStage({ step: 'pick' })
    setWarning(null)
    onClose()
  }

  return (
    <Modal
      open={open}
      title={t('grid.import.title')}
      onCancel={close}
      closable={!busy}
      mask={{ closable: !busy }}
      width={640}
      destroyOnHidden
      data-testid="grid-import-dialog"
      footer={
        <Space>
          {(stage.step === 'done' || stage.step === 'failed') && (
            <Button onClick={() => setStage({ step: 'pick' })}>{t('grid.import.another')}</Button>
          )}
          <Button type="primary" onClick={close} disabled={busy}>{t('common.close')}</Button>
        </Space>
      }
    >
      {stage.step === 'pick' && (
        <Upload.Dragger
          accept=".geojson,.json,application/geo+json,application/json"
          multiple={false}
          showUploadList={false}
          beforeUpload={(file) => {
            void start(file)
            return false
          }}
          data-testid="grid-import-file"
        >
          <p className="ant-upload-drag-icon"><InboxOutlined /></p>
          <p className="ant-upload-text">{t('grid.import.drop')}</p>
          <p className="ant-upload-hint">{t('grid.import.hint')}</p>
        </Upload.Dragger>
      )}
      {warning && <Alert type="warning" showIcon title={warning} style={{ margin: '12px 0' }} />}
      {(stage.step === 'upload' || stage.step === 'server') && (
        <div data-testid="grid-import-progress">
          <Typography.Paragraph>
            {stage.name} · {t('grid.import.features', { count: stage.features })}
          </Typography.Paragraph>
          <Progress
            percent={stage.step === 'upload' ? Math.round(stage.fraction * 100) : 100}
            status="active"
          />
          <Typography.Text type="secondary">
            {stage.step === 'upload' ? t('grid.import.uploading') : t('grid.import.processing')}
          </Typography.Text>
        </div>
      )}
      {stage.step === 'failed' && <Alert type="error" showIcon title={stage.message} description={stage.name} />}
      {stage.step === 'done' && (
        <div data-testid="grid-import-result" data-outcome={stage.refused ? 'refused' : 'imported'}>
          {stage.refused && <Alert type="error" showIcon title={stage.refused} style={{ marginBottom: 12 }} />}
          <Space size={32} style={{ marginBottom: 16 }} wrap>
            <Statistic title={t('grid.import.created')} value={stage.result.created} />
            <Statistic title={t('grid.import.updated')} value={stage.result.updated} />
            <Statistic
              title={t('grid.import.errors')}
              value={stage.result.errors.length}
              styles={{ content: { color: stage.result.errors.length ? '#cf1322' : undefined } }}
            />
          </Space>
          {stage.result.errors.length > 0 && (
            <Table
              size="small"
              rowKey={(e) => `${e.index}-${e.code ?? ''}`}
              dataSource={stage.result.errors}
              pagination={stage.result.errors.length > 10 ? { pageSize: 10 } : false}
              columns={[
                { title: t('grid.import.index'), dataIndex: 'index', width: 80 },
                { title: t('grid.code'), dataIndex: 'code', width: 170, render: (c?: string) => c ?? '—' },
                { title: t('grid.import.message'), key: 'message', render: (_: unknown, e: ImportResult['errors'][number]) => e.messages?.[i18n.language as Lang] ?? e.message },
              ]}
            />
          )}
        </div>
      )}
    </Modal>
  )
}
