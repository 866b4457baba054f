// Photos taken with the phone's camera (the file picker where there is none): up to `max`, shown as thumbnails, each
// removable. Works as a form control over File objects; nothing is uploaded here.
import { useEffect, useRef, useState } from 'react'
import { App, Button } from 'antd'
import { CameraOutlined, CloseOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'

export const MAX_PHOTOS = 9

export function PhotoPicker({ value = [], onChange, max = MAX_PHOTOS, id }: {
  value?: File[]
  onChange?: (files: File[]) => void
  max?: number
  id?: string
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const input = useRef<HTMLInputElement>(null)
  const [urls, setUrls] = useState<string[]>([])
  useEffect(() => {
    const made = value.map((file) => URL.createObjectURL(file))
    setUrls(made)
    return () => made.forEach((url) => URL.revokeObjectURL(url))
  }, [value])

  const add = (list: FileList | null) => {
    const picked = [...(list ?? [])].filter((f) => f.type === '' || f.type.startsWith('image/'))
    if (picked.length === 0) return
    const room = max - value.length
    if (picked.length > room) message.warning(t('field.photos.tooMany', { max }))
    if (room > 0) onChange?.([...value, ...picked.slice(0, room)])
  }

  return (
    <div className="xh-field-photos" data-testid="field-photos" data-count={value.length}>
      {value.map((file, i) => (
        <div key={`${i}-${file.name}-${file.lastModified}`} className="xh-field-thumb" data-testid="field-photo">
          {urls[i] && <img src={urls[i]} alt={file.name} />}
          <Button
            size="small"
            shape="circle"
            icon={<CloseOutlined />}
            className="xh-field-thumb-remove"
            aria-label={t('field.photos.remove')}
            data-testid="field-photo-remove"
            onClick={() => onChange?.(value.filter((_, j) => j !== i))}
          />
        </div>
      ))}
      {value.length < max && (
        <button type="button" id={id} className="xh-field-thumb xh-field-camera" onClick={() => input.current?.click()} data-testid="field-photo-take">
          <CameraOutlined style={{ fontSize: 26 }} />
          <span>{value.length === 0 ? t('field.photos.take') : t('field.photos.more', { count: value.length, max })}</span>
        </button>
      )}
      <input
        ref={input}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        style={{ display: 'none' }}
        data-testid="field-photo-input"
        onChange={(e) => {
          add(e.target.files)
          e.target.value = '' // the same photo may be taken again after a removal
        }}
      />
    </div>
  )
}
