// The popup of a clicked case on the command map: ticket, class, state, light, deadline, street, and the way to the case.
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import { MapPopup } from '../../map/MapPopup'
import type { CaseMapItem, Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { LightBadge, StateTag } from '../cases/shared'

export function CasePopup({ item, className, onClose }: {
  item: CaseMapItem
  className: (kind: string, code: string) => string
  /** The popup's × was clicked. */
  onClose: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  return (
    <MapPopup at={item.position} onClose={onClose}>
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
      </div>
    </MapPopup>
  )
}
