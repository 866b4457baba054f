// The map component: one MapLibre map on the configured base layer, fitted to the district; layers are its children.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react'
import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl, type MapMouseEvent } from 'maplibre-gl'
import 'maplibre-gl/dist/maplibre-gl.css'
import workerUrl from 'maplibre-gl-worker-url?url'
import type { AppConfig } from '../api/client'
import { baseStyle } from './baseStyle'

declare global {
  interface Window {
    /** The live map, for browser tests that click projected points. */
    __xiuhuaMap?: MapLibreMap
  }
}

setWorkerUrl(workerUrl)

const MapContext = createContext<MapLibreMap | null>(null)

/** The map of the enclosing MapView; layer components render only once it has loaded. */
export function useMap(): MapLibreMap {
  const map = useContext(MapContext)
  if (!map) throw new Error('useMap outside MapView')
  return map
}

export function MapView({ config, onClick, padding = 24, children }: {
  config: Pick<AppConfig, 'baseMap' | 'tiandituKey' | 'bbox'>
  onClick?: (event: MapMouseEvent) => void
  /** Room kept free around the start view (read once, when the map is made), e.g. where a panel covers the map. */
  padding?: number | { top: number; bottom: number; left: number; right: number }
  children?: ReactNode
}) {
  const container = useRef<HTMLDivElement>(null)
  const [map, setMap] = useState<MapLibreMap | null>(null)
  const clickRef = useRef(onClick)
  useEffect(() => {
    clickRef.current = onClick
  }, [onClick])
  const { baseMap, tiandituKey, bbox } = config

  useEffect(() => {
    if (!container.current) return
    const instance = new MapLibreMap({
      container: container.current,
      style: baseStyle({ baseMap, tiandituKey }),
      bounds: bbox,
      fitBoundsOptions: { padding },
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      maxZoom: 19,
    })
    instance.touchZoomRotate.disableRotation()
    instance.addControl(new NavigationControl({ showCompass: false }), 'bottom-right')
    instance.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left')
    window.__xiuhuaMap = instance
    const click = (e: MapMouseEvent) => clickRef.current?.(e)
    instance.on('click', click)
    instance.once('load', () => setMap(instance))
    return () => {
      instance.off('click', click)
      if (window.__xiuhuaMap === instance) delete window.__xiuhuaMap
      setMap(null)
      instance.remove()
    }
  }, [baseMap, tiandituKey, bbox])

  return (
    <div className="xh-map-wrap">
      <div ref={container} className="xh-map" data-testid="map" />
      {map && <MapContext.Provider value={map}>{children}</MapContext.Provider>}
    </div>
  )
}
