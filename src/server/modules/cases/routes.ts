// Case routes: report, list, detail, and one workflow step at a time.
import { principalOf } from '../../platform/auth/plugin.js'
import type { App } from '../../platform/http.js'
import * as s from './schemas.js'
import type { CaseService } from './service.js'

export function caseRoutes(app: App, cases: CaseService) {
  const tags = ['cases']

  app.post('/api/cases', {
    config: { permission: 'case:report' },
    schema: { tags, summary: 'Report a problem (idempotent by clientId): placed in its grid cell, street and community', body: s.ReportBody, response: { 200: s.ReportReply } },
  }, async (request) => cases.report(principalOf(request), request.body))

  app.get('/api/cases', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'Cases in your scope (placed there or dispatched to your unit), with lights', querystring: s.CaseQuery, response: { 200: s.CaseList } },
  }, async (request) => {
    const { page, pageSize, state, from, to, ...filter } = request.query
    return cases.list(principalOf(request), { ...filter, states: state, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined }, page, pageSize)
  })

  app.get('/api/cases/:id', {
    config: { permission: 'case:read' },
    schema: { tags, summary: 'One case with its timeline and the steps you may take now', params: s.IdParams, response: { 200: s.CaseDetail } },
  }, async (request) => cases.get(principalOf(request), request.params.id))

  app.post('/api/cases/:id/actions', {
    config: { permission: 'case:act' },
    schema: { tags, summary: 'Take one workflow step (file, dispatch, dispose, check, close, return, extend, suspend, urge …)', params: s.IdParams, body: s.ActionBody, response: { 200: s.CaseDetail } },
  }, async (request) => {
    const { version, ...action } = request.body
    return cases.act(principalOf(request), request.params.id, version, action)
  })
}
