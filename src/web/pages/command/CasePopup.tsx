// The popup of a clicked case on the command map: ticket, class, state, light, deadline, street, and the way to the case.
import { useEffect, useRef, useState } from 'react'
import { createPortal } from 'react-dom'
import { Link } from 'react-router'
import { Popup } from 'maplibre-gl'
import { useTranslation } from 'react-i18next'
import type { CaseMapItem, Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { useMap } from '../../map/MapView'
import { LightBadge, StateTag } from '../cases/shared'

export function CasePopup({ item, className, onClose }: {
  item: CaseMapItem
  className: (kind: string, code: string) => string
  /** The popup's × was clicked. */
  onClose: () => void
}) {
  const map = useMap()
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [container] = useState(() => document.createElement('div'))
  const closeRef = useRef(onClose)
  useEffect(() => {
    closeRef.current = onClose
  }, [onClose])
  const [popup] = useState(() => new Popup({ closeButton: true, closeOnClick: false, maxWidth: '280px', offset: 10 }).setDOMContent(container))
  const [lng, lat] = item.position

  useEffect(() => {
    popup.setLngLat([lng, lat])
  }, [popup, lng, lat])

  useEffect(() => {
    const closed = () => closeRef.current()
    popup.addTo(map)
    popup.on('close', closed)
    return () => {
      popup.off('close', closed)
      popup.remove()
    }
  }, [map, popup])

  return createPortal(
    <div className="xh-case-popup" data-testid="command-popup" data-case-id={item.id}>
      <Link to={`/cases/${item.id}`} className="xh-ticket" data-testid="command-popup-ticket">{item.ticket}</Link>
      <div className="xh-case-popup-line">
        <StateTag state={item.state} testId="command-popup-state" />
        {item.light && <LightBadge light={item.light} />}
      </div>
      <div data-testid="command-popup-class">{className(item.classKind, item.classCode)}</div>
      {item.streetName && <div className="xh-case-popup-meta">{item.streetName}</div>}
      <div className="xh-case-popup-meta" data-testid="command-popup-deadline">{t('cases.deadline')} {formatDateTime(item.deadline, lang)}</div>
      <Link to={`/cases/${item.id}`} data-testid="command-popup-open">{t('command.open')}</Link>
    </div>,
    container,
  )
}
