// What the analysis pages and the command screen share about their charts (the chart itself: charts/useChart.ts).
export { useChart, type ChartOption } from '../../charts/useChart'

/** A short date label (MM-DD) of a local date. */
export const shortDate = (date: string) => date.slice(5)
