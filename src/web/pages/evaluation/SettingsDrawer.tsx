// The district's weights (points adding up to 100), deductions and the automatic monthly publication, for those with
// evaluation:configure.
import { useEffect } from 'react'
import { App as AntApp, Button, Drawer, Form, InputNumber, Space, Switch, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { getEvaluationSettings, putEvaluationSettings, type EvaluationSettings, type SettingsReply } from '../../api/evaluation'
import { errorMessage, ServerError } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { useLoad } from '../../app/useLoad'
import { FAMILIES } from './shared'

const FIELDS: Array<{ family: keyof EvaluationSettings; path: string[] }> = [
  { family: 'unit', path: ['unit', 'weights', 'onTimeRate'] }, { family: 'unit', path: ['unit', 'weights', 'disposalRate'] },
  { family: 'unit', path: ['unit', 'weights', 'reworkFree'] }, { family: 'unit', path: ['unit', 'deductPerOverdue'] }, { family: 'unit', path: ['unit', 'deductPerUrge'] },
  { family: 'region', path: ['region', 'weights', 'onTimeClosureRate'] }, { family: 'region', path: ['region', 'weights', 'closureRate'] },
  { family: 'region', path: ['region', 'weights', 'recurrenceFree'] }, { family: 'region', path: ['region', 'recurrenceDays'] },
  { family: 'supervisor', path: ['supervisor', 'weights', 'validRate'] }, { family: 'supervisor', path: ['supervisor', 'weights', 'onTimeVerificationRate'] },
  { family: 'supervisor', path: ['supervisor', 'weights', 'onTimeCheckRate'] }, { family: 'supervisor', path: ['supervisor', 'weights', 'missFree'] },
  { family: 'acceptor', path: ['acceptor', 'weights', 'accurateFilingRate'] }, { family: 'acceptor', path: ['acceptor', 'weights', 'onTimeFilingRate'] },
  { family: 'dispatcher', path: ['dispatcher', 'weights', 'accurateDispatchRate'] }, { family: 'dispatcher', path: ['dispatcher', 'weights', 'onTimeDispatchRate'] },
]

export function SettingsDrawer({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const mobile = useIsMobile()
  const { message } = AntApp.useApp()
  const [form] = Form.useForm<EvaluationSettings>()
  const loaded = useLoad<SettingsReply | null>(() => getEvaluationSettings(), null, [])
  useEffect(() => { if (loaded.data) form.setFieldsValue(loaded.data.settings) }, [loaded.data, form])

  const save = async (values: EvaluationSettings) => {
    try {
      await putEvaluationSettings(values)
      void message.success(t('common.saved'))
      onSaved()
      onClose()
    } catch (error) {
      void message.error(errorMessage(error))
    }
  }

  return (
    <Drawer open title={t('evaluation.settingsTitle')} width={mobile ? '100%' : 520} onClose={onClose} data-testid="settings-drawer" destroyOnHidden
      extra={<Space><Button onClick={onClose}>{t('common.cancel')}</Button><Button type="primary" onClick={() => form.submit()} data-testid="settings-save">{t('common.save')}</Button></Space>}>
      <ServerError error={loaded.error} />
      <Typography.Paragraph type="secondary">{t('evaluation.settingsHint')}</Typography.Paragraph>
      <Form form={form} layout="horizontal" labelCol={{ span: 14 }} wrapperCol={{ span: 10 }} onFinish={(v) => void save(v)}>
        {FAMILIES.map((family) => (
          <div key={family}>
            <Typography.Title level={5}>{t(`evaluation.family.${family}`)}</Typography.Title>
            {loaded.data && <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{loaded.data.formulas[family][lang]}</Typography.Paragraph>}
            {FIELDS.filter((f) => f.family === family).map((f) => (
              <Form.Item key={f.path.join('.')} name={f.path} label={t(`evaluation.settingsFields.${f.path.slice(1).join('.')}`)} rules={[{ required: true }]}>
                {f.path.at(-1) === 'recurrenceDays'
                  ? <InputNumber min={1} max={365} step={1} precision={0} data-testid={`setting-${f.path.join('-')}`} />
                  : <InputNumber min={0} max={100} step={f.path[1] === 'weights' ? 5 : 0.5} data-testid={`setting-${f.path.join('-')}`} />}
              </Form.Item>
            ))}
          </div>
        ))}
        <Typography.Title level={5}>{t('evaluation.publicationTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('evaluation.publicationHint')}</Typography.Paragraph>
        <Form.Item name={['publication', 'auto']} label={t('evaluation.settingsFields.publication.auto')} valuePropName="checked">
          <Switch data-testid="setting-publication-auto" />
        </Form.Item>
        <Form.Item name={['publication', 'day']} label={t('evaluation.settingsFields.publication.day')} rules={[{ required: true }]}>
          <InputNumber min={1} max={28} step={1} precision={0} data-testid="setting-publication-day" />
        </Form.Item>
      </Form>
    </Drawer>
  )
}
