// Analytics routes (城管大脑): the command screen's summary, trends, hot spots, sources per street, forecasts.
import { principalOf } from '../../platform/auth/plugin.js'
import type { App } from '../../platform/http.js'
import * as s from './schemas.js'
import { type AnalyticsService, periodOf } from './service.js'

export function analyticsRoutes(app: App, analytics: AnalyticsService) {
  const tags = ['analytics']
  const config = { permission: 'analytics:read' as const }

  app.get('/api/analytics/summary', {
    config,
    schema: { tags, summary: 'The command screen: today’s and this month’s counts, closure rate, open cases by light and street, the most overdue', querystring: s.SummaryQuery, response: { 200: s.Summary } },
  }, async (request) => analytics.summary(principalOf(request), request.query.overdue))

  app.get('/api/analytics/trends', {
    config,
    schema: { tags, summary: 'Cases reported per day, week or month by class, source, street or unit (default the last 30 days)', querystring: s.TrendQuery, response: { 200: s.Trends } },
  }, async (request) => {
    const { by, interval, limit, from, to } = request.query
    return analytics.trends(principalOf(request), { by, interval, limit: limit ?? 8, period: periodOf({ from, to }, interval === 'month' ? 365 : interval === 'week' ? 91 : 30) })
  })

  app.get('/api/analytics/hotspots', {
    config,
    schema: { tags, summary: 'Grid cells × classes with recurring problems and why (time of day, weekday), and the heat of every cell (default the last 90 days)', querystring: s.HotspotQuery, response: { 200: s.Hotspots } },
  }, async (request) => {
    const { withinDays, limit, from, to } = request.query
    return analytics.hotspots(principalOf(request), { withinDays: withinDays ?? 30, limit: limit ?? 30, period: periodOf({ from, to }, 90) })
  })

  app.get('/api/analytics/street-sources', {
    config,
    schema: { tags, summary: 'The top sources of problems in each street (default the last 30 days)', querystring: s.SourcesQuery, response: { 200: s.StreetSources } },
  }, async (request) => {
    const { top, from, to } = request.query
    return analytics.streetSources(principalOf(request), { top: top ?? 3, period: periodOf({ from, to }, 30) })
  })

  app.get('/api/analytics/forecast', {
    config,
    schema: { tags, summary: 'Expected reports per day and week ahead (seasonal baseline with weekday and holiday effects) and the backtest error', querystring: s.ForecastQuery, response: { 200: s.Forecast } },
  }, async (request) => {
    const { horizon, historyDays, backtestWeeks, ...filter } = request.query
    return analytics.forecast(principalOf(request), { ...filter, horizon: horizon ?? 28, historyDays: historyDays ?? 182, backtestWeeks: backtestWeeks ?? 4 })
  })
}
