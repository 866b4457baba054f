// Evaluation use cases: compute a period's rankings, drill down to the cases behind a figure, set the weights, publish
// (freeze) a period — by hand, or the previous month by itself — and show what a re-computation would change. Formulas
// in indicators.ts, SQL in repository.ts.
import type { Db } from '../../platform/db/engine.js'
import { type Actor, audit, SYSTEM_ACTOR } from '../../platform/audit.js'
import { actorOf, type Principal } from '../../platform/auth/principal.js'
import { AppError } from '../../platform/errors.js'
import type { OrgService } from '../org/service.js'
import {
  composite, DEFAULT_SETTINGS, difference, DRILL, FAMILY, formula, type Counts, type EvaluationSettings, type Family, type Indicators,
  indicatorsOf, rank, round2, settingsProblem, type Subject, SUBJECTS, withPrevious, type RowDifference,
} from './indicators.js'
import { localDay, type Period, parsePeriodKey, periodOf, previousPeriod } from './period.js'
import * as repo from './repository.js'

/** A ranked row as computed and as published: the contract's row plus the path that decides who may read it. */
export interface ResultRow {
  /** Null with the composite: no data in the period. */
  rank: number | null
  id: string
  name: string
  nameEn: string | null
  path: string
  composite: number | null
  indicators: Indicators
}

export type Results = Record<Subject, ResultRow[]>

export interface Ranking {
  subject: Subject
  period: { key: string; from: string; to: string; label: string }
  frozen: boolean
  frozenAt: string | null
  formula: { 'zh-CN': string; en: string }
  rows: Array<ResultRow & { previousRank: number | null; previousComposite: number | null }>
}

type CountRow = { subject_id: string; fact: string; n: string }

/** What the SQL counted for each family of a period. */
interface Counted {
  unit: CountRow[]
  region: Awaited<ReturnType<typeof repo.regionCounts>>
  supervisor: CountRow[]
  acceptor: CountRow[]
  dispatcher: CountRow[]
}

/** Settings as a client sends them: the groups added after the first release may be left out (they stay as they are). */
export type SettingsInput = Omit<EvaluationSettings, 'acceptor' | 'dispatcher' | 'publication'> & Partial<Pick<EvaluationSettings, 'acceptor' | 'dispatcher' | 'publication'>>

const LEVEL: Partial<Record<Subject, repo.RegionLevel>> = { streets: 'street', communities: 'community', cells: 'cell' }
/** Most cases a drill-down lists. */
export const DRILL_LIMIT = 1000

const district = (org: OrgService) => {
  const d = org.district()
  if (!d) throw new AppError('UNAVAILABLE', { reason: { 'zh-CN': '尚未建立组织机构', en: 'no organisation yet' } })
  return d
}

/** Rates to 4 decimals, densities and counts to 2: what is shown, stored when published and compared afterwards. */
function tidy(indicators: Indicators): Indicators {
  return Object.fromEntries(Object.entries(indicators).map(([k, v]) => [k, v === null ? null : k.endsWith('Rate') ? Math.round(v * 10_000) / 10_000 : round2(v)]))
}

/**
 * A reader sees rows under their data scope and the row of the unit or street they belong to; people (supervisors,
 * acceptors, dispatchers) only under their data scope, so a department does not read the centre's staff.
 */
export function visible(principal: Principal, path: string, family?: Family): boolean {
  const people = family === 'supervisor' || family === 'acceptor' || family === 'dispatcher'
  return path.startsWith(principal.scopePath) || (!people && principal.scopePath.startsWith(path))
}

/** A published period's rows of one subject; none when it was published before the subject was evaluated. */
const publishedRows = (results: unknown, subject: Subject): ResultRow[] => (results as Partial<Results>)[subject] ?? []

export class EvaluationService {
  constructor(
    private readonly db: Db,
    private readonly org: OrgService,
  ) {}

  /** The district's weights and deductions (the defaults until someone sets them). */
  async settings(): Promise<{ settings: EvaluationSettings; version: number; updatedAt: string | null }> {
    const row = await repo.settingsOf(this.db.kysely, district(this.org).id)
    if (!row) return { settings: DEFAULT_SETTINGS, version: 0, updatedAt: null }
    const stored = row.settings as Partial<EvaluationSettings>
    return {
      settings: {
        unit: { ...DEFAULT_SETTINGS.unit, ...stored.unit }, region: { ...DEFAULT_SETTINGS.region, ...stored.region }, supervisor: { ...DEFAULT_SETTINGS.supervisor, ...stored.supervisor },
        acceptor: { ...DEFAULT_SETTINGS.acceptor, ...stored.acceptor }, dispatcher: { ...DEFAULT_SETTINGS.dispatcher, ...stored.dispatcher },
        publication: { ...DEFAULT_SETTINGS.publication, ...stored.publication },
      },
      version: row.version,
      updatedAt: row.updated_at.toISOString(),
    }
  }

  async putSettings(principal: Principal, input: SettingsInput) {
    const current = (await this.settings()).settings
    const settings: EvaluationSettings = { ...input, acceptor: input.acceptor ?? current.acceptor, dispatcher: input.dispatcher ?? current.dispatcher, publication: input.publication ?? current.publication }
    const problem = settingsProblem(settings)
    if (problem) throw new AppError('BAD_REQUEST', { reason: problem }, { code: 'BAD_SETTINGS' })
    const districtId = district(this.org).id
    await this.db.kysely.transaction().execute(async (trx) => {
      await repo.saveSettings(trx, districtId, settings, principal.userId)
      await audit(trx, actorOf(principal), { action: 'evaluation.settings', entityType: 'evaluation_settings', entityId: districtId, details: { settings } })
    })
    return this.settings()
  }

  /** Every subject's ranking of a period, computed now from the timeline: one query per family, run side by side. */
  async computeAll(period: Period, settings: EvaluationSettings, now = new Date()): Promise<Results> {
    const q = this.db.kysely
    const w = this.window(period, settings, now)
    const [unit, region, supervisor, acceptor, dispatcher] = await Promise.all([
      repo.unitCounts(q, w), repo.regionCounts(q, w), repo.supervisorCounts(q, w), repo.staffCounts(q, 'acceptor', w), repo.staffCounts(q, 'dispatcher', w),
    ])
    const out = {} as Results
    for (const subject of SUBJECTS) out[subject] = await this.compute(subject, period, settings, now, { unit, region, supervisor, acceptor, dispatcher })
    return out
  }

  private window(period: Period, settings: EvaluationSettings, now: Date): repo.Window {
    return { from: period.from, to: period.to, now, recurrenceDays: settings.region.recurrenceDays }
  }

  /** One subject's ranking of a period, computed now (from counts already read, when given). */
  async compute(subject: Subject, period: Period, settings: EvaluationSettings, now = new Date(), counted: Partial<Counted> = {}): Promise<ResultRow[]> {
    const family = FAMILY[subject]
    const q = this.db.kysely
    const w = this.window(period, settings, now)
    let subjects: repo.SubjectRow[]
    let counts: CountRow[]
    if (family === 'unit') {
      ;[subjects, counts] = await Promise.all([repo.units(q, district(this.org).id), counted.unit ?? repo.unitCounts(q, w)])
    } else if (family === 'supervisor') {
      ;[subjects, counts] = await Promise.all([repo.supervisors(q), counted.supervisor ?? repo.supervisorCounts(q, w)])
    } else if (family === 'acceptor' || family === 'dispatcher') {
      // the role's holders and whoever else took the steps
      counts = counted[family] ?? await repo.staffCounts(q, family, w)
      subjects = await repo.staff(q, family, [...new Set(counts.map((c) => c.subject_id))])
    } else {
      const level = LEVEL[subject]!
      const [s, all] = await Promise.all([
        level === 'cell' ? repo.cells(q) : repo.regions(q, level === 'street' ? ['street', 'zone'] : ['community']),
        counted.region ?? repo.regionCounts(q, w),
      ])
      subjects = s
      counts = all.filter((r) => r.level === level)
    }
    const bySubject = new Map<string, Counts>()
    for (const c of counts) {
      const m = bySubject.get(c.subject_id) ?? {}
      m[c.fact] = Number(c.n)
      bySubject.set(c.subject_id, m)
    }
    const scored = subjects.map((s) => {
      const indicators = indicatorsOf(family, bySubject.get(s.id) ?? {}, { areaKm2: s.area_m2 ? s.area_m2 / 1e6 : null, population: s.population })
      return { id: s.id, name: s.name, nameEn: s.name_en, path: s.path, composite: composite(family, indicators, settings), indicators: tidy(indicators) }
    })
    return rank(scored)
  }

  /** The ranking the API answers: the published rows of a frozen period, else computed now; with the previous period's. */
  async rankings(principal: Principal, subject: Subject, period: Period): Promise<Ranking> {
    const { settings } = await this.settings()
    const before = previousPeriod(period)
    const districtId = district(this.org).id
    const [frozen, previousFrozen] = await Promise.all([repo.frozenPeriod(this.db.kysely, districtId, period.key), repo.frozenPeriod(this.db.kysely, districtId, before.key)])
    // the period and the one before side by side (native PostgreSQL runs them on two connections)
    const [rows, previous] = await Promise.all([
      frozen ? publishedRows(frozen.results, subject) : this.compute(subject, period, settings),
      previousFrozen ? publishedRows(previousFrozen.results, subject) : this.compute(subject, before, settings),
    ])
    const usedSettings = frozen ? { ...DEFAULT_SETTINGS, ...(frozen.settings as Partial<EvaluationSettings>) } : settings
    return {
      subject,
      period: { key: period.key, from: period.from.toISOString(), to: period.to.toISOString(), label: period.label },
      frozen: Boolean(frozen),
      frozenAt: frozen?.frozen_at.toISOString() ?? null,
      formula: formula(FAMILY[subject], usedSettings),
      rows: withPrevious(rows, previous).filter((r) => visible(principal, r.path, FAMILY[subject])),
    }
  }

  /** The cases behind one figure of one subject (live: a published figure may differ; the diff shows how). */
  async cases(principal: Principal, subject: Subject, id: string, indicator: string, period: Period) {
    const family: Family = FAMILY[subject]
    const facts = DRILL[family][indicator]
    if (!facts) throw new AppError('BAD_REQUEST', { reason: { 'zh-CN': `没有这个指标：${indicator}`, en: `no such indicator: ${indicator}` } }, { code: 'UNKNOWN_INDICATOR' })
    const subjectRow = (await this.subjects(subject, id)).find((s) => s.id === id)
    if (!subjectRow) throw new AppError('NOT_FOUND', { what: { 'zh-CN': '考核对象', en: 'evaluated subject' } })
    if (!visible(principal, subjectRow.path, family)) throw new AppError('OUT_OF_SCOPE')
    const { settings } = await this.settings()
    const rows = await repo.drill(this.db.kysely, this.window(period, settings, new Date()), family, LEVEL[subject] ?? null, id, facts, DRILL_LIMIT + 1)
    const frozen = await repo.frozenPeriod(this.db.kysely, district(this.org).id, period.key)
    return {
      subject, id, name: subjectRow.name, indicator, facts: [...facts], frozen: Boolean(frozen), truncated: rows.length > DRILL_LIMIT,
      items: rows.slice(0, DRILL_LIMIT).map((r) => ({ id: r.case_id, ticket: r.ticket, fact: r.fact, at: r.at.toISOString(), state: r.state, classKind: r.class_kind, classCode: r.class_code, address: r.address })),
    }
  }

  /** The subjects a drill-down may name (`id`: an acceptor or dispatcher who holds no such role but took such steps). */
  private async subjects(subject: Subject, id: string): Promise<repo.SubjectRow[]> {
    const q = this.db.kysely
    switch (subject) {
      case 'units': return repo.units(q, district(this.org).id)
      case 'streets': return repo.regions(q, ['street', 'zone'])
      case 'communities': return repo.regions(q, ['community'])
      case 'cells': return repo.cells(q)
      case 'supervisors': return repo.supervisors(q)
      case 'acceptors': return repo.staff(q, 'acceptor', [id])
      case 'dispatchers': return repo.staff(q, 'dispatcher', [id])
    }
  }

  /** Publishes a finished period: its figures for every subject are stored and never change afterwards. */
  async freeze(principal: Principal, key: string, now = new Date()) {
    const period = parsePeriodKey(key)
    if (period.to > now) throw new AppError('CONFLICT', { reason: { 'zh-CN': '考核期尚未结束，不能发布', en: 'the period has not ended yet' } }, { code: 'PERIOD_NOT_OVER' })
    const { settings } = await this.settings()
    const frozenAt = await this.publish(period, settings, actorOf(principal), principal.userId, now)
    if (!frozenAt) throw new AppError('CONFLICT', { reason: { 'zh-CN': '该考核期已发布，不能更改', en: 'this period is published already and cannot change' } }, { code: 'ALREADY_FROZEN' })
    return { period: period.key, frozen: true, frozenAt: frozenAt.toISOString(), frozenBy: principal.displayName }
  }

  /**
   * The automatic monthly publication (the evaluation.publish job): once the district's publication day has come (UTC+8),
   * the previous month is published with the system as its publisher, unless someone published it already. Any number
   * of processes may run it: the period's key decides, and only the one that stores the period writes the audit
   * entry. Returns the period published by this call, or null.
   */
  async publishDue(now = new Date()): Promise<string | null> {
    const d = this.org.district()
    if (!d) return null
    const { settings } = await this.settings()
    if (!settings.publication.auto || Number(localDay(now).slice(8, 10)) < settings.publication.day) return null
    const period = previousPeriod(periodOf({}, now))
    // the cheap look first: on most rounds of the job the month is published already
    if (await repo.frozenPeriod(this.db.kysely, d.id, period.key)) return null
    return (await this.publish(period, settings, SYSTEM_ACTOR, null, now)) ? period.key : null
  }

  /** Computes and stores every subject of a period; when it was published already, nothing (null), else when it was. */
  private async publish(period: Period, settings: EvaluationSettings, actor: Actor, userId: string | null, now: Date): Promise<Date | null> {
    const districtId = district(this.org).id
    const results = await this.computeAll(period, settings, now)
    const stored = await this.db.kysely.transaction().execute(async (trx) => {
      const stored = await repo.insertFrozen(trx, { district_id: districtId, period: period.key, period_from: period.from, period_to: period.to, settings, results, frozen_by: userId })
      if (stored) {
        await audit(trx, actor, { action: 'evaluation.freeze', entityType: 'evaluation_period', entityId: period.key, details: { from: period.from, to: period.to, settings, automatic: userId === null } })
      }
      return stored
    })
    if (!stored) return null
    return (await repo.frozenPeriod(this.db.kysely, districtId, period.key))!.frozen_at
  }

  /** What re-computing a published period now would change, per subject (rows the reader may see). */
  async diff(principal: Principal, key: string): Promise<{ period: string; frozenAt: string; subjects: Record<Subject, RowDifference[]> }> {
    const period = parsePeriodKey(key)
    const frozen = await repo.frozenPeriod(this.db.kysely, district(this.org).id, period.key)
    if (!frozen) throw new AppError('NOT_FOUND', { what: { 'zh-CN': '已发布的考核期', en: 'published period' } })
    // a period published before a family of settings existed is recomputed with today's defaults for it
    const used = frozen.settings as Partial<EvaluationSettings>
    const now = await this.computeAll(period, { ...DEFAULT_SETTINGS, ...used })
    const subjects = {} as Record<Subject, RowDifference[]>
    for (const subject of SUBJECTS) {
      const published = publishedRows(frozen.results, subject)
      const paths = new Map([...published, ...now[subject]].map((r) => [r.id, r.path]))
      subjects[subject] = difference(published, now[subject]).filter((d) => visible(principal, paths.get(d.id) ?? '', FAMILY[subject]))
    }
    return { period: period.key, frozenAt: frozen.frozen_at.toISOString(), subjects }
  }

  async published() {
    const rows = await repo.frozenList(this.db.kysely, district(this.org).id)
    return rows.map((r) => ({ period: r.period, from: r.period_from.toISOString(), to: r.period_to.toISOString(), frozenAt: r.frozen_at.toISOString() }))
  }
}
