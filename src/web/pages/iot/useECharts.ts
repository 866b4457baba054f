// A small React hook around ECharts: only the parts the telemetry chart needs are registered (line series, grid,
// tooltip, legend, zoom, mark lines, canvas renderer), so the bundle stays small. The chart follows its box's size
// and the UI language, and is disposed with the component.
import { useEffect, useRef, type RefObject } from 'react'
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core'
import { LineChart, type LineSeriesOption } from 'echarts/charts'
import {
  DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
  type DataZoomComponentOption, type GridComponentOption, type LegendComponentOption, type MarkLineComponentOption, type TooltipComponentOption,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { Lang } from '../../api/client'

use([LineChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, MarkLineComponent, CanvasRenderer])

export type ChartOption = ComposeOption<
  LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | DataZoomComponentOption | MarkLineComponentOption
>

/** Renders `option` into the returned element's box; a new option replaces the old one whole. */
export function useECharts(option: ChartOption | null, lang: Lang): RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | null>(null)

  useEffect(() => {
    const element = ref.current
    if (!element) return
    const instance = init(element, undefined, { renderer: 'canvas', locale: lang === 'en' ? 'EN' : 'ZH' })
    chart.current = instance
    const observer = new ResizeObserver(() => instance.resize())
    observer.observe(element)
    return () => {
      observer.disconnect()
      instance.dispose()
      chart.current = null
    }
  }, [lang])

  useEffect(() => {
    if (option) chart.current?.setOption(option, { notMerge: true })
    else chart.current?.clear()
  }, [option, lang])

  return ref
}
