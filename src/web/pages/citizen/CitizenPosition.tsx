// Where the problem is, for a citizen: the phone's position (WGS-84) as a pin on a map of the district, which they
// may drag or move with a tap; no position from the phone, the map shows the district and a tap places the pin.
// Works as a form control; the coordinates are WGS-84 like the map.
import { useEffect, useMemo } from 'react'
import { Alert, Button, Spin, Typography } from 'antd'
import { AimOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { Bbox, Lang } from '../../api/client'
import { useAuth } from '../../app/auth'
import { MapView, useMap } from '../../map/MapView'
import { formatDistance } from '../field/geo'
import { Pin, type PinnedPosition, useDevicePin, usePinMapConfig } from '../field/PositionPicker'

/** Half the view around the phone's position, in degrees (a few streets). */
const AROUND: [number, number] = [0.006, 0.0045]

/** Moves the map to a box once (the phone's surroundings). */
function FitTo({ bbox }: { bbox: Bbox }) {
  const map = useMap()
  useEffect(() => {
    map.fitBounds(bbox, { duration: 0 })
  }, [map, bbox])
  return null
}

export function CitizenPosition({ value, onChange, id }: {
  value?: PinnedPosition
  onChange?: (value: PinnedPosition) => void
  id?: string
}) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const { config } = useAuth()
  // each fix from the phone places the pin (the button asks again: back to where the phone is)
  const { geo, around } = useDevicePin(onChange, AROUND)
  // the map opens on the district and moves to the phone's surroundings when it answers
  const mapConfig = usePinMapConfig(config?.bbox ?? null)
  const point = useMemo<[number, number] | null>(() => (value ? [value.lng, value.lat] : null), [value?.lng, value?.lat])
  const place = ([lng, lat]: [number, number]) => onChange?.({ lng, lat, accuracy: null })

  return (
    <div className="xh-field-position" id={id} data-testid="citizen-position">
      {geo.problem && (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} data-testid="citizen-geo-problem" title={t(`citizen.position.problem.${geo.problem}`)} />
      )}
      <div className="xh-field-map xh-citizen-map-small">
        {mapConfig ? (
          <MapView config={mapConfig} padding={8} onClick={point ? undefined : (e) => place([e.lngLat.lng, e.lngLat.lat])}>
            {around && <FitTo bbox={around} />}
            {point && <Pin point={point} onMove={place} />}
          </MapView>
        ) : (
          <div className="xh-center" style={{ height: '100%', gap: 8 }}>
            <Spin size="small" />
            <Typography.Text type="secondary">{t('field.position.locating')}</Typography.Text>
          </div>
        )}
        {mapConfig && !point && <div className="xh-citizen-map-hint">{t('citizen.position.tap')}</div>}
      </div>
      <div className="xh-field-position-foot">
        <div style={{ minWidth: 0, flex: 1 }}>
          {value ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="citizen-coordinates" data-manual={value.accuracy === null}>
              {value.accuracy !== null
                ? t('citizen.position.device', { distance: formatDistance(value.accuracy, lang) })
                : t('citizen.position.manual')}
            </Typography.Text>
          ) : (
            <Typography.Text type="secondary">{geo.locating ? t('field.position.locating') : t('citizen.position.tap')}</Typography.Text>
          )}
        </div>
        <Button size="large" icon={<AimOutlined />} onClick={geo.locate} loading={geo.locating} data-testid="citizen-locate">{t('citizen.position.locate')}</Button>
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('citizen.position.hint')}</Typography.Text>
    </div>
  )
}
