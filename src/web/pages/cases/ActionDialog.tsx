// The form of one workflow step: asks for exactly what the action needs (reason, reject reason, unit, deadline,
// photos, the case to merge into) plus an optional comment, and sends it over the case version the user saw.
import { useEffect, useMemo, useState } from 'react'
import { App, Button, Form, Input, Modal, Select, TreeSelect, Typography, Upload } from 'antd'
import type { UploadFile } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import {
  actOnCase, ApiError, listCases, uploadFile, type CaseAction, type CaseActionType, type CaseDetail, type Lang, type RejectReason,
  type StoredFile, type Unit,
} from '../../api/client'
import { formatDateTime } from '../../app/format'
import { errorMessage, ServerError } from '../../app/ServerError'
import { unitOptions } from '../units/unitTree'
import { ACTION_NEEDS, REJECT_REASONS } from './workflow'

/** Units a case may be dispatched to: departments and their sub-units, streets and the development zone. */
const DISPATCHABLE = new Set<Unit['kind']>(['department', 'sub_unit', 'street', 'zone'])

interface Values {
  reason?: string
  rejectReason?: RejectReason
  unitId?: string
  newDeadline?: string
  photos?: UploadFile<StoredFile>[]
  into?: string
  comment?: string
}

/** Open cases the server flagged as possibly the same problem (the field is new; older servers lack it). */
export function possibleDuplicates(detail: CaseDetail): string[] {
  const ids = (detail as { possibleDuplicates?: unknown }).possibleDuplicates
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
}

/** 'YYYY-MM-DDTHH:mm' in local time, for a datetime-local input. */
function localInput(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return undefined
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export interface ActionDialogProps {
  detail: CaseDetail
  action: CaseActionType | null
  units: Unit[]
  lang: Lang
  onClose: () => void
  onDone: (next: CaseDetail, action: CaseActionType) => void
  /** Someone acted first (409): the page reloads the case and shows why. */
  onConflict: (error: ApiError) => void
  /** Photos from the phone's back camera (the field pages) rather than from files. */
  camera?: boolean
}

export function ActionDialog({ detail, action, units, lang, onClose, onDone, onConflict, camera = false }: ActionDialogProps) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const rejectReason = Form.useWatch('rejectReason', form)
  const needs = action ? ACTION_NEEDS[action] : []
  const has = (need: (typeof needs)[number]) => needs.includes(need)
  const pendingExtension = detail.pendingExtension as { newDeadline?: string; reason?: string } | null

  useEffect(() => {
    if (!action) return
    setError(null)
    form.resetFields()
    if (action === 'approve_extension') form.setFieldsValue({ newDeadline: localInput(pendingExtension?.newDeadline) })
    // the responsibility matrix's unit for this class and place, when it names one
    if (action === 'dispatch' && detail.suggestedUnitId) form.setFieldsValue({ unitId: detail.suggestedUnitId })
    // reset when another action (or case version) opens the dialog
  }, [action, detail.version])

  const unitTree = useMemo(() => unitOptions(units, lang, (u) => DISPATCHABLE.has(u.kind) && u.active), [units, lang])

  // Open cases of the same class, for a merge.
  const [candidates, setCandidates] = useState<Array<{ value: string; label: string }>>([])
  useEffect(() => {
    if (action !== 'merge') return
    let live = true
    listCases({ state: ['reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'suspended', 'disposed'], classCode: detail.classCode, page: 1, pageSize: 100 }).then(
      (page) => {
        if (!live) return
        const flagged = new Set(possibleDuplicates(detail))
        const others = page.items.filter((c) => c.id !== detail.id)
        others.sort((a, b) => Number(flagged.has(b.id)) - Number(flagged.has(a.id)))
        setCandidates(others.map((c) => ({ value: c.id, label: `${flagged.has(c.id) ? '★ ' : ''}${c.ticket} · ${c.description.slice(0, 30)}` })))
      },
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [action, detail.id, detail.classCode])

  const submit = async (values: Values) => {
    if (!action) return
    setSaving(true)
    setError(null)
    const body: CaseAction = { type: action }
    if (values.comment?.trim()) body.comment = values.comment.trim()
    if (values.reason?.trim()) body.reason = values.reason.trim()
    if (has('rejectReason') && values.rejectReason) body.rejectReason = values.rejectReason
    if (has('unitId') && values.unitId) body.unitId = values.unitId
    if (has('newDeadline') && values.newDeadline) body.newDeadline = new Date(values.newDeadline).toISOString()
    if (has('into') && values.into) body.into = values.into
    const photoIds = (values.photos ?? []).map((f) => f.response?.id).filter((id): id is string => Boolean(id))
    if (photoIds.length) body.photoIds = photoIds
    try {
      const next = await actOnCase(detail.id, detail.version, body)
      message.success(t('cases.form.done', { action: t(`caseAction.${action}`), state: t(`caseState.${next.state}`, { defaultValue: next.state }) }))
      onDone(next, action)
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) onConflict(e)
      else setError(e)
    } finally {
      setSaving(false)
    }
  }

  const reasonRequired = has('reason') || (action === 'reject' && rejectReason === 'other')
  const showReason = reasonRequired || action === 'reject'
  const max500 = { max: 500, message: t('validation.max', { count: 500 }) }

  return (
    <Modal
      open={action !== null}
      title={action ? t('cases.form.title', { action: t(`caseAction.${action}`), ticket: detail.ticket }) : ''}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={false}
      footer={[
        <Button key="cancel" onClick={onClose}>{t('common.cancel')}</Button>,
        <Button key="submit" type="primary" danger={action === 'reject' || action === 'cancel'} loading={saving} onClick={() => form.submit()} data-testid="case-action-submit">
          {action ? t(`caseAction.${action}`) : ''}
        </Button>,
      ]}
    >
      <div data-testid="case-action-dialog" data-action={action ?? ''}>
        <ServerError error={error} />
        <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark>
          {has('rejectReason') && (
            <Form.Item name="rejectReason" label={t('cases.form.rejectReason')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select
                data-testid="case-field-rejectReason"
                options={REJECT_REASONS.map((r) => ({ value: r, label: t(`rejectReason.${r}`) }))}
              />
            </Form.Item>
          )}
          {has('unitId') && (
            <Form.Item
              name="unitId"
              label={t('cases.form.unit')}
              rules={[{ required: true, message: t('validation.required') }]}
              extra={action === 'dispatch' && detail.suggestedUnitName ? t('cases.form.suggested', { unit: detail.suggestedUnitName }) : undefined}
            >
              <TreeSelect
                data-testid="case-field-unit"
                showSearch={{ treeNodeFilterProp: 'title' }}
                placeholder={t('cases.form.unitPlaceholder')}
                treeData={unitTree}
                treeDefaultExpandAll={false}
                treeDefaultExpandedKeys={unitTree.map((n) => n.value)}
                listHeight={320}
              />
            </Form.Item>
          )}
          {has('newDeadline') && (
            <Form.Item
              name="newDeadline"
              label={t('cases.form.newDeadline')}
              extra={
                [
                  detail.deadline ? t('cases.form.currentDeadline', { deadline: formatDateTime(detail.deadline, lang) }) : null,
                  action === 'approve_extension' && pendingExtension?.newDeadline ? t('cases.form.requestedDeadline', { deadline: formatDateTime(pendingExtension.newDeadline, lang) }) : null,
                ].filter(Boolean).join(' · ')
              }
              rules={[
                { required: true, message: t('validation.required') },
                {
                  validator: async (_, value: string | undefined) => {
                    if (!value) return
                    const at = new Date(value).getTime()
                    const floor = Math.max(Date.now(), detail.deadline ? Date.parse(detail.deadline) : 0)
                    if (!(at > floor)) throw new Error(t('cases.form.deadlineLater'))
                  },
                },
              ]}
            >
              <Input type="datetime-local" data-testid="case-field-newDeadline" min={localInput(new Date().toISOString())} />
            </Form.Item>
          )}
          {has('into') && (
            <Form.Item name="into" label={t('cases.form.into')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select data-testid="case-field-into" showSearch={{ optionFilterProp: 'label' }} placeholder={t('cases.form.intoPlaceholder')} options={candidates} />
            </Form.Item>
          )}
          {showReason && (
            <Form.Item
              name="reason"
              label={action === 'urge' ? t('cases.form.urgeReason') : action === 'reject' ? t('cases.form.rejectOther') : t('cases.form.reason')}
              rules={[...(reasonRequired ? [{ required: true, whitespace: true, message: t('validation.required') }] : []), max500]}
            >
              <Input.TextArea data-testid="case-field-reason" autoSize={{ minRows: 2, maxRows: 6 }} showCount maxLength={500} />
            </Form.Item>
          )}
          {has('photoIds') && (
            <Form.Item
              name="photos"
              label={t('cases.form.photos')}
              valuePropName="fileList"
              getValueFromEvent={(e: { fileList: UploadFile<StoredFile>[] }) => e.fileList}
              rules={[{
                validator: async (_, files: UploadFile<StoredFile>[] | undefined) => {
                  if (!(files ?? []).some((f) => f.status === 'done' && f.response?.id)) throw new Error(t('cases.form.photosRequired'))
                },
              }]}
              required
            >
              <Upload<StoredFile>
                data-testid="case-field-photos"
                listType="picture-card"
                accept="image/*"
                capture={camera ? 'environment' : undefined}
                multiple
                maxCount={20}
                customRequest={({ file, onProgress, onSuccess, onError }) => {
                  const blob = file as File
                  uploadFile(blob, blob.name || 'photo.jpg', (fraction) => onProgress?.({ percent: Math.round(fraction * 100) })).then(
                    (stored) => onSuccess?.(stored),
                    (e: unknown) => {
                      message.error(t('cases.form.uploadFailed', { message: errorMessage(e) }))
                      onError?.(e instanceof Error ? e : new Error(String(e)))
                    },
                  )
                }}
              >
                <button type="button" style={{ border: 0, background: 'none', cursor: 'pointer' }}>
                  <PlusOutlined />
                  <div style={{ marginTop: 6 }}>{camera ? t('field.photos.take') : t('cases.form.upload')}</div>
                </button>
              </Upload>
            </Form.Item>
          )}
          <Form.Item name="comment" label={t('cases.form.comment')} rules={[max500]}>
            <Input.TextArea data-testid="case-field-comment" placeholder={t('cases.form.commentPlaceholder')} autoSize={{ minRows: 2, maxRows: 6 }} maxLength={500} />
          </Form.Item>
          {action === 'approve_extension' && pendingExtension?.reason && (
            <Typography.Paragraph type="secondary">{t('cases.entry.reason', { reason: pendingExtension.reason })}</Typography.Paragraph>
          )}
        </Form>
      </div>
    </Modal>
  )
}
