// The popup of a clicked case on the command map: ticket, class, state, light, deadline, street, and the way to the case.
// A marker carries only where the case is and how pressing; the popup reads the case itself when it opens.
import { Alert, Skeleton } from 'antd'
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import { MapPopup } from '../../map/MapPopup'
import { getCase, type CaseDetail, type CaseMapItem, type Lang } from '../../api/client'
import { formatDateTime } from '../../app/format'
import { errorMessage } from '../../app/ServerError'
import { useLoad } from '../../app/useLoad'
import { LightBadge, StateTag } from '../cases/shared'

export function CasePopup({ item, className, onClose }: {
  item: CaseMapItem
  className: (kind: string, code: string) => string
  /** The popup's × was clicked. */
  onClose: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  // read again when the marker's light changes (the map reloads when the case changes)
  const { data: detail, error } = useLoad<CaseDetail | null>(() => getCase(item.id), null, [item.id, item.light])
  const shown = detail?.id === item.id ? detail : null
  return (
    <MapPopup at={item.position} onClose={onClose}>
      <div className="xh-case-popup" data-testid="command-popup" data-case-id={item.id}>
        {shown ? (
          <>
            <Link to={`/cases/${item.id}`} className="xh-ticket" data-testid="command-popup-ticket">{shown.ticket}</Link>
            <div className="xh-case-popup-line">
              <StateTag state={shown.state} testId="command-popup-state" />
              {shown.light && <LightBadge light={shown.light} />}
            </div>
            <div data-testid="command-popup-class">{className(shown.classKind, shown.classCode)}</div>
            {shown.streetName && <div className="xh-case-popup-meta">{shown.streetName}</div>}
            <div className="xh-case-popup-meta" data-testid="command-popup-deadline">{t('cases.deadline')} {formatDateTime(shown.deadline, lang)}</div>
          </>
        ) : error ? (
          <Alert type="error" showIcon message={errorMessage(error)} data-testid="command-popup-error" />
        ) : (
          <Skeleton active title={false} paragraph={{ rows: 3 }} data-testid="command-popup-loading" />
        )}
        <Link to={`/cases/${item.id}`} data-testid="command-popup-open">{t('command.open')}</Link>
      </div>
    </MapPopup>
  )
}
