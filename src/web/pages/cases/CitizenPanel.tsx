// A citizen report on the case page: who reported it and how (phone, name, channel, client app), why intake found it
// suspect, the reporter's ratings; and for the centre (acceptors, shift leaders) what the public sees of it — the
// description, the chosen photos — and the reply to the reporter (PUT /api/cases/:id/publication).
import { useEffect, useMemo, useState } from 'react'
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Image, Input, Space, Switch, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { getCaseCitizen, publicReport, putPublication, thumbnailUrl, type CaseDetail, type Lang, type ReporterOf } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatDateTime } from '../../app/format'
import { ServerError } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'

/** Who may publish and reply (the server's rule: the supervision centre). */
const PUBLISHERS = ['acceptor', 'shift_leader', 'admin']
const RATING_COLOURS: Record<string, string> = { satisfied: 'green', basically_satisfied: 'blue', unsatisfied: 'red' }

function ReporterCard({ data, lang }: { data: ReporterOf; lang: Lang }) {
  const { t } = useTranslation()
  const r = data.report
  const name = r ? [r.lastName, r.firstName].filter(Boolean).join('') : ''
  return (
    <Card size="small" title={t('cases.citizen.title')} data-testid="case-citizen">
      {r?.suspect && (
        <Alert type="warning" showIcon style={{ marginBottom: 8 }} data-testid="case-citizen-suspect"
          title={t('cases.citizen.suspect', { reason: t(`cases.citizen.suspectReasons.${r.suspect}`, { defaultValue: r.suspect }) })} />
      )}
      {r && (
        <Descriptions size="small" column={1} items={[
          { key: 'channel', label: t('cases.citizen.channel'), children: t(`cases.citizen.channels.${r.channel}`, { defaultValue: r.channel }) + (r.client ? ` · ${r.client}` : '') },
          { key: 'phone', label: t('cases.citizen.phone'), children: <span data-testid="case-citizen-phone">{r.phone ?? t('cases.citizen.none')}</span> },
          ...(name ? [{ key: 'name', label: t('cases.citizen.name'), children: name }] : []),
          ...(r.email ? [{ key: 'email', label: t('cases.citizen.email'), children: r.email }] : []),
        ]} />
      )}
      <Typography.Text type="secondary">{t('cases.citizen.ratings')}</Typography.Text>
      {data.ratings.length === 0
        ? <div><Typography.Text type="secondary">{t('cases.citizen.noRatings')}</Typography.Text></div>
        : data.ratings.map((rating) => (
          <div key={rating.at} className="xh-timeline-text" data-testid="case-citizen-rating" data-rating={rating.rating}>
            <Tag color={RATING_COLOURS[rating.rating]}>{t(`citizen.rating.${rating.rating}`)}</Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(rating.at, lang)}</Typography.Text>
            {rating.comment && <div style={{ whiteSpace: 'pre-wrap' }}>{rating.comment}</div>}
          </div>
        ))}
    </Card>
  )
}

/** The photo id in a public photo's address (/api/public/photos/:id). */
const photoIdOf = (url: string) => url.split('/').filter(Boolean)[3] ?? ''

function PublicationEditor({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const photos = useMemo(() => [...new Set(detail.timeline.flatMap((e) => e.photoIds))], [detail.timeline])
  const [descriptionPublic, setDescriptionPublic] = useState(detail.publicDescription)
  const [reply, setReply] = useState(detail.publicReply ?? '')
  const [chosen, setChosen] = useState<string[] | null>(null)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  // which photos are public now: what the public view of the case shows
  useEffect(() => {
    let live = true
    publicReport(detail.ticket).then((view) => live && setChosen((c) => c ?? view.photos.map((p) => photoIdOf(p.url))), () => live && setChosen((c) => c ?? []))
    return () => {
      live = false
    }
  }, [detail.ticket])

  const save = async () => {
    setSaving(true)
    setError(null)
    try {
      await putPublication(detail.id, { descriptionPublic, photoIds: chosen ?? [], reply: reply.trim() || null })
      message.success(t('cases.citizen.saved'))
    } catch (e) {
      setError(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Card size="small" title={t('cases.citizen.publication')} data-testid="case-publication">
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        <label style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <Switch checked={descriptionPublic} onChange={setDescriptionPublic} data-testid="case-publication-description" />
          {t('cases.citizen.publishDescription')}
        </label>
        <div>
          <Typography.Text type="secondary">{t('cases.citizen.publishPhotos')}</Typography.Text>
          {photos.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cases.noPhotos')} /> : (
            <Checkbox.Group value={chosen ?? []} onChange={(v) => setChosen(v as string[])} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginTop: 4 }}>
              {photos.map((id) => (
                <Checkbox key={id} value={id} data-testid={`case-publication-photo-${id}`}>
                  <Image src={thumbnailUrl(id)} preview={false} width={64} height={64} alt="" style={{ objectFit: 'cover', borderRadius: 4 }} />
                </Checkbox>
              ))}
            </Checkbox.Group>
          )}
        </div>
        <div>
          <Typography.Text type="secondary">{t('cases.citizen.reply')}</Typography.Text>
          <Input.TextArea value={reply} onChange={(e) => setReply(e.target.value)} maxLength={1000} showCount autoSize={{ minRows: 2, maxRows: 6 }}
            placeholder={t('cases.citizen.replyPlaceholder')} data-testid="case-publication-reply" />
        </div>
        <ServerError error={error} style={{ marginBottom: 0 }} />
        <Button type="primary" onClick={() => void save()} loading={saving} disabled={chosen === null} data-testid="case-publication-save">{t('common.save')}</Button>
      </Space>
    </Card>
  )
}

/** The citizen cards of a case reported by a citizen (nothing for other sources). */
export function CitizenPanel({ detail, lang }: { detail: CaseDetail; lang: Lang }) {
  const { me, can } = useAuth()
  const citizen = detail.source === 'citizen'
  const { data, error } = useLoad(() => (citizen ? getCaseCitizen(detail.id) : Promise.resolve(null)), null as ReporterOf | null, [detail.id, detail.version, citizen])
  if (!citizen) return null
  const publisher = can('case:act') && (me?.roles ?? []).some((r) => PUBLISHERS.includes(r))
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <ServerError error={error} style={{ marginBottom: 0 }} />
      {data && <ReporterCard data={data} lang={lang} />}
      {publisher && <PublicationEditor key={detail.id} detail={detail} />}
    </div>
  )
}
