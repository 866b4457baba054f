// Base map styles without glyphs or sprites, so nothing fails offline: plain background, OSM raster, or Tianditu raster.
import type { StyleSpecification } from 'maplibre-gl'
import type { AppConfig } from '../api/client'

const BACKGROUND = { id: 'background', type: 'background', paint: { 'background-color': '#eef2f6' } } as const

function tianditu(layer: 'vec_w' | 'cva_w', key: string): string[] {
  return Array.from({ length: 8 }, (_, i) =>
    `https://t${i}.tianditu.gov.cn/DataServer?T=${layer}&x={x}&y={y}&l={z}&tk=${encodeURIComponent(key)}`)
}

export function baseStyle(config: Pick<AppConfig, 'baseMap' | 'tiandituKey'>): StyleSpecification {
  if (config.baseMap === 'osm') {
    return {
      version: 8,
      sources: {
        osm: {
          type: 'raster',
          tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
          tileSize: 256,
          maxzoom: 19,
          attribution: '© <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noreferrer">OpenStreetMap</a>',
        },
      },
      layers: [BACKGROUND, { id: 'osm', type: 'raster', source: 'osm' }],
    }
  }
  if (config.baseMap === 'tianditu' && config.tiandituKey) {
    const attribution = '© <a href="https://www.tianditu.gov.cn/" target="_blank" rel="noreferrer">天地图</a>'
    return {
      version: 8,
      sources: {
        tdtVec: { type: 'raster', tiles: tianditu('vec_w', config.tiandituKey), tileSize: 256, maxzoom: 18, attribution },
        tdtCva: { type: 'raster', tiles: tianditu('cva_w', config.tiandituKey), tileSize: 256, maxzoom: 18 },
      },
      layers: [BACKGROUND, { id: 'tdt-vec', type: 'raster', source: 'tdtVec' }, { id: 'tdt-cva', type: 'raster', source: 'tdtCva' }],
    }
  }
  return { version: 8, sources: {}, layers: [BACKGROUND] }
}
