// Map page: the district's grid on the configured base map; a click looks up the cell and its responsible people.
import { useCallback, useEffect, useRef, useState } from 'react'
import { Alert, Button, Card, Drawer, Spin } from 'antd'
import { CloseOutlined } from '@ant-design/icons'
import type { MapMouseEvent } from 'maplibre-gl'
import type { Geometry } from 'geojson'
import { useTranslation } from 'react-i18next'
import { getConfig, gridExtent, lookup, type AppConfig, type CellCollection } from '../../api/client'
import { errorMessage } from '../../app/ServerError'
import { useIsMobile } from '../../app/useIsMobile'
import { GridCellsLayer } from '../../map/GridCellsLayer'
import { MapView } from '../../map/MapView'
import { SelectedCellLayer } from '../../map/SelectedCellLayer'
import { LookupPanel, type LookupState } from './LookupPanel'

export default function MapPage() {
  const { t } = useTranslation()
  const mobile = useIsMobile()
  const [config, setConfig] = useState<AppConfig | null>(null)
  const [configError, setConfigError] = useState<unknown>(null)
  const [cellCount, setCellCount] = useState<number | null>(null)
  const [layerError, setLayerError] = useState<unknown>(null)
  const [state, setState] = useState<LookupState | null>(null)
  const [selected, setSelected] = useState<Geometry | null>(null)
  const geometries = useRef(new Map<string, Geometry>())
  const sequence = useRef(0)

  useEffect(() => {
    // The map opens on the cells the user may see (a street's staff on their street), else on the district.
    Promise.all([getConfig(), gridExtent().catch(() => ({ bbox: null }))]).then(
      ([appConfig, extent]) => setConfig(extent.bbox ? { ...appConfig, bbox: extent.bbox } : appConfig),
      setConfigError,
    )
  }, [])

  const onData = useCallback((cells: CellCollection) => {
    for (const f of cells.features) if (f.id !== undefined) geometries.current.set(String(f.id), f.geometry)
    setCellCount(cells.features.length)
    setLayerError(null)
  }, [])

  const onClick = useCallback((event: MapMouseEvent) => {
    const point: [number, number] = [event.lngLat.lng, event.lngLat.lat]
    const mine = ++sequence.current
    setState({ status: 'loading', point })
    lookup(point[0], point[1]).then(
      (result) => {
        if (mine !== sequence.current) return
        setState({ status: 'done', point, result })
        setSelected(result.cell ? geometries.current.get(result.cell.id) ?? null : null)
      },
      (error: unknown) => {
        if (mine !== sequence.current) return
        setState({ status: 'failed', point, error })
        setSelected(null)
      },
    )
  }, [])

  const close = () => {
    sequence.current++
    setState(null)
    setSelected(null)
  }

  if (configError) return <div className="xh-page"><Alert type="error" showIcon title={errorMessage(configError)} /></div>
  if (!config) return <div className="xh-center"><Spin size="large" /></div>

  return (
    <div className="xh-map-page" data-testid="map-page">
      <MapView config={config} onClick={onClick}>
        <GridCellsLayer onData={onData} onError={setLayerError} />
        <SelectedCellLayer geometry={selected} point={state?.point ?? null} />
      </MapView>
      {cellCount !== null && (
        <div className="xh-map-status" data-testid="map-canvas-ready" data-count={cellCount}>
          {t('map.cellsInView', { count: cellCount })}
        </div>
      )}
      {layerError !== null && (
        <Alert className="xh-map-error" type="warning" showIcon closable title={errorMessage(layerError)} />
      )}
      {state && !mobile && (
        <Card
          className="xh-lookup-card"
          size="small"
          title={t('map.lookupTitle')}
          extra={<Button type="text" size="small" icon={<CloseOutlined />} onClick={close} aria-label={t('common.close')} />}
        >
          <LookupPanel state={state} />
        </Card>
      )}
      {mobile && (
        <Drawer
          open={state !== null}
          placement="bottom"
          size="45%"
          mask={false}
          title={t('map.lookupTitle')}
          onClose={close}
          styles={{ body: { paddingTop: 8 } }}
        >
          {state && <LookupPanel state={state} />}
        </Drawer>
      )}
    </div>
  )
}
