// ECharts for the analysis pages and the command screen: only line and bar charts with their components are
// registered (the bundle stays small, and loads with these pages only). The chart follows its box's size and the UI
// language, and is disposed with the component.
import { useEffect, useRef, type RefObject } from 'react'
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core'
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts'
import {
  GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent,
  type GridComponentOption, type LegendComponentOption, type MarkAreaComponentOption, type TooltipComponentOption,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { Lang } from '../../api/client'

use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, MarkAreaComponent, CanvasRenderer])

export type ChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | MarkAreaComponentOption>

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

/** A short date label (MM-DD) of a local date. */
export const shortDate = (date: string) => date.slice(5)
