// Evaluation routes (综合考核): rankings, the cases behind a figure, weights, publishing a period and its difference, reports.
import { principalOf } from '../../platform/auth/plugin.js'
import { pickLocale } from '../../platform/errors.js'
import type { App } from '../../platform/http.js'
import { AppError } from '../../platform/errors.js'
import { FAMILIES, type Family, formula, type Subject, SUBJECTS } from './indicators.js'
import { periodOf } from './period.js'
import { reportHtml, reportWorkbook } from './report.js'
import * as s from './schemas.js'
import type { EvaluationService } from './service.js'

/** The report's subjects from a comma-separated list; default the 通报's two tables, units and streets. */
function subjectsOf(text: string | undefined): Subject[] {
  const list = (text ?? 'units,streets').split(',').map((x) => x.trim()).filter(Boolean)
  const unknown = list.filter((x) => !(SUBJECTS as readonly string[]).includes(x))
  if (unknown.length || list.length === 0) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `未知的考核对象：${unknown.join(', ')}`, en: `unknown subjects: ${unknown.join(', ')}` } })
  return list as Subject[]
}

export function evaluationRoutes(app: App, evaluation: EvaluationService) {
  const tags = ['evaluation']

  app.get('/api/evaluation/rankings', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'A period\'s ranking of one subject with the formula and the change against the previous period (a published period answers its published figures)', querystring: s.RankingQuery, response: { 200: s.RankingReply } },
  }, async (request) => evaluation.rankings(principalOf(request), request.query.subject ?? 'units', periodOf(request.query, new Date())))

  app.get('/api/evaluation/cases', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'The cases behind one figure of one subject (drill-down)', querystring: s.DrillQuery, response: { 200: s.DrillReply } },
  }, async (request) => {
    const q = request.query
    return evaluation.cases(principalOf(request), q.subject, q.id, q.indicator, periodOf(q, new Date()))
  })

  app.get('/api/evaluation/settings', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'The district\'s weights and deductions, with the formulas they make', response: { 200: s.SettingsReply } },
  }, async () => withFormulas(await evaluation.settings()))

  app.put('/api/evaluation/settings', {
    config: { permission: 'evaluation:configure' },
    schema: { tags, summary: 'Set the weights (points adding up to 100), deductions and the automatic publication (audited; published periods keep theirs)', body: s.Settings, response: { 200: s.SettingsReply } },
  }, async (request) => withFormulas(await evaluation.putSettings(principalOf(request), request.body)))

  app.get('/api/evaluation/periods', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'The published periods, newest first', response: { 200: s.PublishedReply } },
  }, async () => ({ items: await evaluation.published() }))

  app.post('/api/evaluation/periods/:period/freeze', {
    config: { permission: 'evaluation:publish' },
    schema: { tags, summary: 'Publish (freeze) a finished period: its rankings never change afterwards', params: s.PeriodParams, response: { 200: s.FreezeReply } },
  }, async (request) => evaluation.freeze(principalOf(request), request.params.period))

  app.get('/api/evaluation/periods/:period/diff', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'What re-computing a published period now would change', params: s.PeriodParams, response: { 200: s.DiffReply } },
  }, async (request) => evaluation.diff(principalOf(request), request.params.period))

  app.get('/api/evaluation/report.xlsx', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'The report (通报) as an Excel workbook, one sheet per subject', querystring: s.ReportQuery },
  }, async (request, reply) => {
    const { period, rankings } = await reportData(request.query, principalOf(request))
    reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    reply.header('content-disposition', `attachment; filename="evaluation-${period}.xlsx"`)
    return reply.send(await reportWorkbook(rankings, pickLocale(request.headers['accept-language'])))
  })

  app.get('/api/evaluation/report.html', {
    config: { permission: 'evaluation:read' },
    schema: { tags, summary: 'The report (通报) as a printable page (print it to PDF from the browser)', querystring: s.ReportQuery },
  }, async (request, reply) => {
    const { rankings } = await reportData(request.query, principalOf(request))
    const locale = request.query.lang === 'en' ? 'en' : pickLocale(request.headers['accept-language'])
    return reply.type('text/html; charset=utf-8').send(reportHtml(rankings, locale))
  })

  async function reportData(query: { period?: string | undefined; from?: string | undefined; to?: string | undefined; subjects?: string | undefined }, principal: ReturnType<typeof principalOf>) {
    const period = periodOf(query, new Date())
    const rankings = []
    for (const subject of subjectsOf(query.subjects)) rankings.push(await evaluation.rankings(principal, subject, period))
    return { period: period.key, rankings }
  }
}

function withFormulas<T extends { settings: Parameters<typeof formula>[1] }>(reply: T) {
  return { ...reply, formulas: Object.fromEntries(FAMILIES.map((f) => [f, formula(f, reply.settings)])) as Record<Family, ReturnType<typeof formula>> }
}
