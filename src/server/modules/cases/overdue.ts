// The overdue job (超期): marks each open case once per deadline it has missed, records it, and tells every process.
import { sql } from 'kysely'
import { audit, SYSTEM_ACTOR } from '../../platform/audit.js'
import type { Db } from '../../platform/db/engine.js'
import type { EventBus } from '../../platform/events.js'
import { notifyOverdue, pushNotifications } from '../notifications/service.js'
import * as repo from './repository.js'

export const OVERDUE_JOB = 'cases.overdue'
export const OVERDUE_EVERY_MS = 60_000

/** Cases claimed in one transaction; a round repeats until none are left (or MAX_BATCHES, the rest wait a minute). */
const BATCH = 200
const MAX_BATCHES = 50

interface Marked {
  id: string
  ticket: string
  state: string
  org_path: string
  assigned_unit_id: string | null
  assigned_unit_path: string | null
  grid_cell_id: string | null
  due: Date
}

/**
 * One round of the job: every case whose current deadline (the disposal deadline while dispatched or in disposal,
 * else the step deadline) lies before `now` and has not been marked for that deadline gets one `overdue` timeline
 * entry and one audit entry. Rows are claimed with FOR UPDATE SKIP LOCKED and the mark is re-checked on the locked
 * row, so any number of processes may run it at once and each deadline is marked once. The people who hold the
 * step are notified (modules/notifications). Suspended cases have no
 * running clock and are left alone. Returns the ids marked by this call.
 */
export async function markOverdue(db: Db, events: EventBus, now = new Date()): Promise<string[]> {
  const all: string[] = []
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const notified: string[] = []
    const marked = await db.kysely.transaction().execute(async (trx) => {
      // the CASE expression and the conditions match the partial index cases_unmarked_deadline (0004_overdue.sql)
      const claimed = await sql<Marked>`
        update cases c set overdue_marked_deadline = d.due
        from (
          select id, (CASE WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline ELSE step_deadline END) as due
          from cases
          where state IN ('reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'disposed', 'checked')
            and (CASE WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline ELSE step_deadline END) < ${now}
            and overdue_marked_deadline is distinct from (CASE WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline ELSE step_deadline END)
          order by 2
          limit ${BATCH}
          for update skip locked
        ) d
        where c.id = d.id
        returning c.id, c.ticket, c.state, c.org_path, c.assigned_unit_id, c.assigned_unit_path, c.grid_cell_id, d.due`.execute(trx)
      for (const row of claimed.rows) {
        const due = new Date(row.due)
        const detail = { deadline: due.toISOString(), deadlineKind: isDisposing(row.state) ? 'disposal' : 'step' }
        await repo.insertTimeline(trx, {
          case_id: row.id, kind: 'overdue', action: 'overdue', at: now, actor_id: null, role: 'system', unit_id: isDisposing(row.state) ? row.assigned_unit_id : null,
          from_state: row.state, to_state: row.state, comment: null, reason: null, photo_ids: [], detail,
        })
        await audit(trx, SYSTEM_ACTOR, { action: 'case.overdue', entityType: 'case', entityId: row.id, details: { state: row.state, ...detail } })
        notified.push(...(await notifyOverdue(trx, { ...row, due })))
      }
      return claimed.rows
    })
    for (const row of marked) {
      const paths = { orgPath: row.org_path, assignedUnitPath: row.assigned_unit_path }
      await events.publish({ type: 'case.changed', caseId: row.id, ...paths })
      await events.publish({ type: 'case.overdue', caseId: row.id, ticket: row.ticket, state: row.state, deadline: new Date(row.due).toISOString(), ...paths })
      all.push(row.id)
    }
    // each person who holds a step that ran out of time hears of it on their open pages
    await pushNotifications(events, notified)
    if (marked.length < BATCH) break
  }
  return all
}

/** The handler Jobs.register takes: `jobs.register(OVERDUE_JOB, overdueJob(db, events), OVERDUE_EVERY_MS)`. */
export function overdueJob(db: Db, events: EventBus): () => Promise<void> {
  return async () => {
    await markOverdue(db, events)
  }
}

const isDisposing = (state: string) => state === 'dispatched' || state === 'in_disposal'
