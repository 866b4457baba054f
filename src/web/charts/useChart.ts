// ECharts for the pages that draw charts (telemetry, analysis, the command screen): only line and bar charts and the
// components they use are registered, so the bundle stays small and loads with those pages only. The chart follows
// its box's size and the UI language, and is disposed with the component.
import { useEffect, useRef, type RefObject } from 'react'
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core'
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts'
import {
  DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent,
  type DataZoomComponentOption, type GridComponentOption, type LegendComponentOption, type MarkAreaComponentOption, type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { Lang } from '../api/client'

use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, MarkLineComponent, MarkAreaComponent, CanvasRenderer])

export type ChartOption = ComposeOption<
  | LineSeriesOption | BarSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | DataZoomComponentOption
  | MarkLineComponentOption | MarkAreaComponentOption
>

/** Renders `option` into the returned element's box; a new option replaces the old one whole. `theme` 'dark' for the screen. */
export function useChart(option: ChartOption | null, lang: Lang, theme?: 'dark'): RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | null>(null)
  const latest = useRef(option)
  useEffect(() => {
    latest.current = option
  }, [option])

  useEffect(() => {
    const element = ref.current
    if (!element) return
    const instance = init(element, theme, { renderer: 'canvas', locale: lang === 'en' ? 'EN' : 'ZH' })
    chart.current = instance
    // a new language or theme makes a new chart: it draws the option it had at once
    if (latest.current) instance.setOption(latest.current, { notMerge: true })
    const observer = new ResizeObserver(() => instance.resize())
    observer.observe(element)
    return () => {
      observer.disconnect()
      instance.dispose()
      chart.current = null
    }
  }, [lang, theme])

  useEffect(() => {
    if (option) chart.current?.setOption(option, { notMerge: true })
    else chart.current?.clear()
  }, [option])

  return ref
}
