// Where a map opens: the extent of the user's grid cells, else the district (null until known).
import { useEffect, useMemo, useState } from 'react'
import { gridExtent, type AppConfig } from '../api/client'
import { useAuth } from '../app/auth'

export type MapConfig = Pick<AppConfig, 'baseMap' | 'tiandituKey' | 'bbox'>

export function useMapConfig(): MapConfig | null {
  const { config, can } = useAuth()
  const [extent, setExtent] = useState<MapConfig['bbox'] | null | undefined>(undefined)
  const gridReadable = can('grid:read')
  useEffect(() => {
    if (!gridReadable) {
      setExtent(null)
      return
    }
    gridExtent().then((r) => setExtent(r.bbox), () => setExtent(null))
  }, [gridReadable])
  return useMemo<MapConfig | null>(() => {
    if (!config || extent === undefined) return null
    return { baseMap: config.baseMap, tiandituKey: config.tiandituKey, bbox: extent ?? config.bbox }
  }, [config, extent])
}
