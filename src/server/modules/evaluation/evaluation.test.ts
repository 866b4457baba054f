// The evaluation against the real database: a hand-built case history of March 2025 (and a step in February and one
// in April around it, and a reassignment in June), with every expected figure worked out by hand below; no data,
// publishing, the difference report, settings, reports, and who may read what.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, supervisorPoint, type TestApp, unitIdOf } from '../../../../test/helpers.js'

/** An instant in China time, 2025: at('03-02 10:00'). */
const at = (text: string) => new Date(`2025-${text.replace(' ', 'T')}:00+08:00`)

/*
 * The history. Units: A (a department with a sub-unit A′ whose figures roll up to A), B (another department).
 * Streets: S1 (cells s1a — the demo supervisor's — and s1b), S2 (cell s2), S3 (cell s3). Classes X, Y, Z.
 * People: the supervisor 刘监督员; the acceptors 李受理 (acc) and 赵值班长 (shift: a shift leader who also accepts);
 * the dispatcher 陈派遣 (disp). Filings and dispatches name who took them and their deadline ("acc, due 12:00").
 *
 * | case | place, class, source        | steps (China time)                                                                        |
 * | c1   | s1a X supervisor            | reported 03-01, filed 03-02 09:00, → A 03-02 10:00 (due 03-05), disposed 03-04 (on time), |
 * |      |                             | check passed 03-04 by the supervisor (due 03-04 18:00, on time), closed 03-04             |
 * | c2   | s1a Y supervisor            | reported 03-02, filed 03-02, → A 03-03 (due 03-06), disposed 03-08 (LATE), rework 03-09   |
 * |      |                             | 10:00 by the supervisor (due 09:00, LATE check; new due 03-12), disposed 03-11 (on time), |
 * |      |                             | closed 03-12 (closed LATE: a step ran late)                                               |
 * | c3   | s1b X hotline               | reported 02-26, filed 02-26, → A 02-27 (due 03-02): February; disposed 03-01 (on time),   |
 * |      |                             | closed 03-02 (on time) — spans the boundary                                               |
 * | c4   | s2  X hotline               | reported 03-09, filed 03-09, → A 03-10 (due 03-13), RETURNED 03-15 (ran late: ended late),|
 * |      |                             | → B 03-15 (due 03-18), disposed by B 03-17 (on time), closed 03-18 (LATE: A's step)       |
 * | c5   | s1b Y hotline               | reported 03-19, filed 03-19, → A 03-20 (due 03-23), extension approved 03-22 (due 03-30), |
 * |      |                             | urged 03-29, still in disposal: OPEN past its deadline (03-30)                            |
 * | c6   | s2  Y hotline               | reported 03-24, filed 03-24, → A 03-25 (due 03-28), SUSPENDED 03-26 (in time)             |
 * | c7   | s2  Z hotline               | reported 03-25, filed 03-25, → A′ 03-26 (due 04-02), disposed 04-01: April                |
 * | c8   | s1a X citizen               | reported 03-20, verified 03-20 11:00 by the supervisor (due 12:00, on time), filed 03-20: |
 * |      |                             | RECURRENT (c1: same cell and class 19 days earlier); MISSED by the supervisor             |
 * | c9   | s1a Z supervisor            | reported 03-21, rejected (not a problem): not valid                                       |
 * | c10  | s2  Z hotline               | reported 01-10, filed 01-10, closed 03-05 (on time): an old case closed in March          |
 * | c11  | s3  Y hotline               | reported 03-10, filed 03-10 10:00, CANCELLED 03-12: filed wrongly                         |
 * | c12  | s3  Z hotline               | reported 03-11, filed 03-11 15:00, MERGED into another case 03-13: filed wrongly          |
 *
 * Filings (立案): c1 acc 09:00 due 12:00; c2 acc 09:00 due 08:30 (LATE); c3 acc (February, on time); c4 shift on time;
 *   c5 acc on time; c6 acc 10:00 due 09:30 (LATE); c7 acc on time; c8 acc on time; c9 REJECTED by acc; c10 nobody (January);
 *   c11 acc on time; c12 shift 15:00 due 11:00 (LATE).
 * Dispatches (派遣): c1 disp on time; c2 disp 10:00 due 09:00 (LATE); c3 disp (February, on time); c4 → A disp on time,
 *   then RETURNED by A, → B disp on time; c5 disp on time; c6 disp 10:00 due 09:00 (LATE); c7 automatic (the responsibility
 *   matrix: nobody). The late filings and dispatches are of cases closed late anyway or not closed, so the regions'
 *   figures do not move.
 *
 * Unit A, March: dispatched c1 c2 c4 c5 c6 c7 = 6; returned 1 (c4); disposed on time c1 c2′ c3 = 3, late c2 = 1;
 *   ended late c4, open overdue c5 → undisposed 2; due = 4 + 2 = 6; overdue = 1 + 2 = 3; reworked 1, extended 1,
 *   suspended 1, urged 1. Rates: disposal 4/6, on time 3/6 = 0.5, rework 1/4 = 0.25, return 1/6.
 *   Composite = 0.5×50 + (4/6)×30 + (1 − 0.25)×20 − 3×1 − 1×0.5 = 25 + 20 + 15 − 3.5 = 56.5.
 * Unit B, March: dispatched 1, disposed on time 1 → due 1, every rate full → 100. Every other unit: nothing → 100.
 * Unit A, February: dispatched c3, nothing due → 100 (rank 1, shared).
 *
 * Street S1, March: reported c1 c2 c5 c8 c9 = 5; filed c1 c2 c5 c8 = 4; closed c1 c2 c3 = 3, on time c1 c3 = 2;
 *   recurrent c8 = 1. Closure 3/4, on-time closure 2/4, recurrence 1/5.
 *   Composite = 0.5×50 + 0.75×30 + 0.8×20 = 25 + 22.5 + 16 = 63.5.
 * Street S2, March: reported c4 c6 c7 = 3, filed 3, closed c4 (late) c10 (on time) = 2, on time 1, recurrent 0.
 *   Composite = (1/3)×50 + (2/3)×30 + 1×20 = 16.67 + 20 + 20 = 56.67.
 * Street S3, March: reported c11 c12 = 2, filed 2, closed 0, recurrent 0 → 0×50 + 0×30 + 1×20 = 20.
 * Every other unit and street: nothing counted in March → no data (composite and rank null), listed after the ranked.
 * Supervisor, March: reported c1 c2 c9 = 3, valid 2, filed 2, missed c8 = 1; verifications 1 (on time); checks c1 (on
 *   time), c2 (late) = 2. Valid 2/3, missed 1/4, on-time verification 1, on-time check 0.5.
 *   Composite = (2/3)×30 + 1×25 + 0.5×25 + 0.75×20 = 20 + 25 + 12.5 + 15 = 72.5.
 * Acceptor 李受理, March: filings c1 c2 c5 c6 c7 c8 c11 = 7; wrong c11 → accurate 6; late c2 c6 → on time 5; rejected
 *   c9 = 1. Accurate 6/7, on time 5/7. Composite = (6/7)×60 + (5/7)×40 = 360/7 + 200/7 = 80.
 *   February: c3, accurate and on time → 100, rank 1.
 * Acceptor 赵值班长, March: filings c4 c12 = 2; wrong c12, late c12 → 0.5 and 0.5 → 50.
 * Dispatcher 陈派遣, March: dispatches c1 c2 c4→A c4→B c5 c6 = 6 (c7 was automatic); returned c4→A → accurate 5; late c2
 *   c6 → on time 4. Composite = (5/6)×60 + (4/6)×40 = 50 + 26.67 = 76.67.
 *
 * June: j1 (s3, X, hotline) reported 06-02 09:00, filed 06-02 10:00 by acc (on time), → B 06-02 11:00 by disp (due 12:00),
 *   REASSIGNED → A 06-03 by shift (a shift leader, not a dispatcher by role), RETURNED by A 06-04 10:00, → B 06-04 11:00
 *   by disp (due 10:30, LATE). The return answers the reassignment, not the first dispatch:
 *   陈派遣: 2 dispatches, both kept (accurate 1), on time 1 of 2 → 1×60 + 0.5×40 = 80, rank 1.
 *   赵值班长: 1 reassignment, returned → accurate 0; no dispatch of their own to time (counts in full) → 0×60 + 1×40 = 40.
 *   Acceptors in June: 李受理 1 filing → 100; 赵值班长 nothing → no data.
 */

let t: TestApp
let leader: string
const id: Record<string, string> = {}
const caseIds: Record<string, string> = {}

async function refs() {
  const k = t.db.kysely
  const district = await k.selectFrom('org_units').select(['id']).where('kind', '=', 'district').executeTakeFirstOrThrow()
  const sub = await k.selectFrom('org_units').select(['id', 'parent_id']).where('kind', '=', 'sub_unit').orderBy('code').executeTakeFirstOrThrow()
  const water = await k.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.unit_id').select(['org_units.id']).where('users.username', '=', 'dept').executeTakeFirstOrThrow()
  const supervisor = await k.selectFrom('users').select('id').where('username', '=', 'supervisor').executeTakeFirstOrThrow()
  const s1a = await k.selectFrom('grid_cell_people').innerJoin('grid_cells', 'grid_cells.id', 'grid_cell_people.grid_cell_id')
    .select(['grid_cells.id', 'grid_cells.community_id', 'grid_cells.org_path']).where('user_id', '=', supervisor.id).where('duty', '=', 'supervisor').orderBy('code').executeTakeFirstOrThrow()
  const s1 = await k.selectFrom('org_units').select(['id', 'path']).where('id', '=', (await k.selectFrom('org_units').select('parent_id').where('id', '=', s1a.community_id).executeTakeFirstOrThrow()).parent_id!).executeTakeFirstOrThrow()
  // s1b and s2 lie outside the supervisor's cells, so only c8 is a problem they missed
  const notTheirs = k.selectFrom('grid_cell_people').select('grid_cell_id').where('user_id', '=', supervisor.id)
  const s1b = await k.selectFrom('grid_cells').select(['id', 'community_id', 'org_path']).where('org_path', 'like', `${s1.path}%`).where('id', 'not in', notTheirs).orderBy('code').executeTakeFirstOrThrow()
  const s2 = await k.selectFrom('grid_cells').select(['id', 'community_id', 'org_path']).where('org_path', 'not like', `${s1.path}%`).where('id', 'not in', notTheirs).orderBy('code').executeTakeFirstOrThrow()
  const s2street = await k.selectFrom('org_units').select(['parent_id', 'path']).where('id', '=', s2.community_id).executeTakeFirstOrThrow()
  const s2path = (await k.selectFrom('org_units').select('path').where('id', '=', s2street.parent_id!).executeTakeFirstOrThrow()).path
  const s3 = await k.selectFrom('grid_cells').select(['id', 'community_id', 'org_path']).where('org_path', 'not like', `${s1.path}%`).where('org_path', 'not like', `${s2path}%`)
    .where('id', 'not in', notTheirs).orderBy('code').executeTakeFirstOrThrow()
  const s3street = await k.selectFrom('org_units').select('parent_id').where('id', '=', s3.community_id).executeTakeFirstOrThrow()
  const people = Object.fromEntries((await k.selectFrom('users').select(['id', 'username']).where('username', 'in', ['acceptor', 'shiftleader', 'dispatcher', 'admin']).execute()).map((u) => [u.username, u.id]))
  const classes = await k.selectFrom('case_classes').select(['kind', 'small_code']).where('active', '=', true).orderBy('kind').orderBy('small_code').limit(3).execute()
  Object.assign(id, {
    district: district.id, A: sub.parent_id!, subA: sub.id, B: water.id, supervisor: supervisor.id, S1: s1.id, S2: s2street.parent_id!, S3: s3street.parent_id!,
    acc: people.acceptor!, shift: people.shiftleader!, disp: people.dispatcher!, admin: people.admin!,
  })
  if (id.A === id.B) throw new Error('the test needs two different departments')
  return { cells: { s1a: { ...s1a, street: s1.id }, s1b: { ...s1b, street: s1.id }, s2: { ...s2, street: s2street.parent_id! }, s3: { ...s3, street: s3street.parent_id! } }, classes }
}

type Cells = Awaited<ReturnType<typeof refs>>['cells']

interface Step { kind: string; at: string; due?: string; holder?: string; unit?: string; actor?: string; from?: string }

async function history() {
  const { cells, classes } = await refs()
  const [X, Y, Z] = classes as [typeof classes[number], typeof classes[number], typeof classes[number]]
  const k = t.db.kysely
  let n = 0
  async function make(name: string, cell: keyof Cells, cls: typeof X, source: string, reported: string, state: string, steps: Step[], current: { unit?: string; due?: string } = {}) {
    const c = cells[cell]
    n += 1
    const { rows } = await sql<{ id: string }>`
      insert into cases (ticket, source, client_id, reported_by, class_kind, class_code, urgency, description, position, grid_cell_id, community_id, street_id,
        org_path, state, step_started_at, assigned_unit_id, assigned_unit_path, counters, created_at, due_at)
      select ${`EVAL-${n}`}, ${source}, ${`eval-${n}`}, ${source === 'supervisor' ? id.supervisor! : null}, ${cls.kind}, ${cls.small_code}, 'normal', ${name},
        (select ST_PointOnSurface(geom) from grid_cells where id = ${c.id}), ${c.id}, ${c.community_id}, ${c.street}, ${c.org_path}, ${state}, ${at(reported)},
        ${current.unit ?? null}, (select path from org_units where id = ${current.unit ?? null}), '{}'::jsonb, ${at(reported)}, ${current.due ? at(current.due) : null}
      returning id`.execute(k)
    const caseId = rows[0]!.id
    caseIds[name] = caseId
    await k.insertInto('case_timeline').values({ case_id: caseId, kind: 'reported', action: 'report', at: at(reported), actor_id: null, role: source, unit_id: null, from_state: 'reported', to_state: 'reported', photo_ids: [], detail: '{}' }).execute()
    for (const s of steps) {
      await k.insertInto('case_timeline').values({
        case_id: caseId, kind: s.kind, action: s.kind, at: at(s.at), actor_id: s.actor ?? null, role: 'test', unit_id: null,
        from_state: s.from ?? (['returned', 'suspended', 'disposal_reported', 'reassigned', 'extension_approved', 'urged'].includes(s.kind) ? 'in_disposal' : 'filed'), to_state: 'test', photo_ids: [],
        detail: JSON.stringify(s.unit ? { unitId: s.unit } : {}), due_at: s.due ? at(s.due) : null, holder_unit_id: s.holder ?? null,
      }).execute()
    }
  }
  const A = id.A!, B = id.B!, sup = id.supervisor!, acc = id.acc!, shift = id.shift!, disp = id.disp!
  await make('c1', 's1a', X, 'supervisor', '03-01 09:00', 'closed', [
    { kind: 'filed', at: '03-02 09:00', due: '03-02 12:00', actor: acc }, { kind: 'dispatched', at: '03-02 10:00', due: '03-02 12:00', unit: A, actor: disp },
    { kind: 'disposal_reported', at: '03-04 10:00', due: '03-05 10:00', holder: A },
    { kind: 'check_passed', at: '03-04 15:00', due: '03-04 18:00', holder: A, actor: sup, from: 'disposed' }, { kind: 'closed', at: '03-04 16:00', holder: A },
  ])
  await make('c2', 's1a', Y, 'supervisor', '03-02 08:00', 'closed', [
    { kind: 'filed', at: '03-02 09:00', due: '03-02 08:30', actor: acc }, { kind: 'dispatched', at: '03-03 10:00', due: '03-03 09:00', unit: A, actor: disp },
    { kind: 'disposal_reported', at: '03-08 10:00', due: '03-06 10:00', holder: A },
    { kind: 'reworked', at: '03-09 10:00', due: '03-09 09:00', holder: A, actor: sup, from: 'disposed' },
    { kind: 'disposal_reported', at: '03-11 10:00', due: '03-12 10:00', holder: A }, { kind: 'closed', at: '03-12 10:00', holder: A },
  ])
  await make('c3', 's1b', X, 'hotline', '02-26 09:00', 'closed', [
    { kind: 'filed', at: '02-26 10:00', due: '02-26 12:00', actor: acc }, { kind: 'dispatched', at: '02-27 10:00', due: '02-27 12:00', unit: A, actor: disp },
    { kind: 'disposal_reported', at: '03-01 10:00', due: '03-02 10:00', holder: A }, { kind: 'closed', at: '03-02 09:00', holder: A },
  ])
  await make('c4', 's2', X, 'hotline', '03-09 09:00', 'closed', [
    { kind: 'filed', at: '03-09 10:00', due: '03-09 12:00', actor: shift }, { kind: 'dispatched', at: '03-10 10:00', due: '03-10 12:00', unit: A, actor: disp },
    { kind: 'returned', at: '03-15 09:00', due: '03-13 10:00', holder: A }, { kind: 'dispatched', at: '03-15 10:00', due: '03-15 11:00', unit: B, actor: disp },
    { kind: 'disposal_reported', at: '03-17 10:00', due: '03-18 10:00', holder: B }, { kind: 'closed', at: '03-18 10:00', holder: B },
  ])
  await make('c5', 's1b', Y, 'hotline', '03-19 09:00', 'in_disposal', [
    { kind: 'filed', at: '03-19 10:00', due: '03-19 11:00', actor: acc }, { kind: 'dispatched', at: '03-20 10:00', due: '03-20 12:00', unit: A, actor: disp },
    { kind: 'extension_approved', at: '03-22 10:00', due: '03-23 10:00', holder: A }, { kind: 'urged', at: '03-29 10:00', due: '03-30 10:00', holder: A },
  ], { unit: A, due: '03-30 10:00' })
  await make('c6', 's2', Y, 'hotline', '03-24 09:00', 'suspended', [
    { kind: 'filed', at: '03-24 10:00', due: '03-24 09:30', actor: acc }, { kind: 'dispatched', at: '03-25 10:00', due: '03-25 09:00', unit: A, actor: disp },
    { kind: 'suspended', at: '03-26 10:00', due: '03-28 10:00', holder: A },
  ], { unit: A })
  await make('c7', 's2', Z, 'hotline', '03-25 09:00', 'disposed', [
    { kind: 'filed', at: '03-25 10:00', due: '03-25 12:00', actor: acc }, { kind: 'dispatched', at: '03-26 10:00', due: '03-26 12:00', unit: id.subA! },
    { kind: 'disposal_reported', at: '04-01 10:00', due: '04-02 10:00', holder: id.subA! },
  ], { unit: id.subA! })
  await make('c8', 's1a', X, 'citizen', '03-20 09:00', 'filed', [
    { kind: 'verified', at: '03-20 11:00', due: '03-20 12:00', actor: sup, from: 'verifying' }, { kind: 'filed', at: '03-20 12:00', due: '03-20 15:00', actor: acc, from: 'verified' },
  ])
  await make('c9', 's1a', Z, 'supervisor', '03-21 09:00', 'rejected', [{ kind: 'rejected', at: '03-21 10:00', due: '03-21 12:00', actor: acc, from: 'reported' }])
  await make('c10', 's2', Z, 'hotline', '01-10 09:00', 'closed', [{ kind: 'filed', at: '01-10 10:00' }, { kind: 'closed', at: '03-05 10:00' }])
  await make('c11', 's3', Y, 'hotline', '03-10 09:00', 'cancelled', [
    { kind: 'filed', at: '03-10 10:00', due: '03-10 12:00', actor: acc }, { kind: 'cancelled', at: '03-12 10:00', actor: id.admin! },
  ])
  await make('c12', 's3', Z, 'hotline', '03-11 09:00', 'merged', [
    { kind: 'filed', at: '03-11 15:00', due: '03-11 11:00', actor: shift }, { kind: 'merged', at: '03-13 10:00', actor: shift },
  ])
  await make('j1', 's3', X, 'hotline', '06-02 09:00', 'dispatched', [
    { kind: 'filed', at: '06-02 10:00', due: '06-02 12:00', actor: acc }, { kind: 'dispatched', at: '06-02 11:00', due: '06-02 12:00', unit: B, actor: disp },
    { kind: 'reassigned', at: '06-03 10:00', due: '06-05 10:00', unit: A, holder: B, actor: shift }, { kind: 'returned', at: '06-04 10:00', due: '06-06 10:00', holder: A },
    { kind: 'dispatched', at: '06-04 11:00', due: '06-04 10:30', unit: B, actor: disp },
  ], { unit: B, due: '06-09 10:00' })
}

beforeAll(async () => {
  t = await createTestApp()
  leader = await t.login('leader')
  await history()
}, 120_000)

afterAll(async () => {
  await t?.close()
})

const get = async (url: string, token = leader) => t.app.inject({ method: 'GET', url, headers: bearer(token) })

interface RankingBody {
  subject: string
  period: { from: string; to: string; label: string }
  frozen: boolean
  frozenAt: string | null
  formula: { 'zh-CN': string; en: string }
  rows: Array<{ rank: number | null; id: string; name: string; composite: number | null; previousRank: number | null; previousComposite: number | null; indicators: Record<string, number | null> }>
}

const ranking = async (query: string, token = leader) => {
  const r = await get(`/api/evaluation/rankings?${query}`, token)
  expect(r.statusCode, r.body).toBe(200)
  return r.json() as RankingBody
}

describe('what the workflow records for the evaluation', () => {
  it('every step keeps the deadline it ran to and the unit that held the case', async () => {
    const tokens = Object.fromEntries(await Promise.all(['supervisor', 'acceptor', 'dispatcher', 'zhucheng'].map(async (u) => [u, await t.login(u)] as const)))
    const point = await supervisorPoint(t.db)
    const zhucheng = await unitIdOf(t.db, '420117001')
    const reported = await t.app.inject({ method: 'POST', url: '/api/cases', headers: bearer(tokens.supervisor!), payload: { clientId: `eval-${Date.now()}`, source: 'supervisor', classKind: 'component', classCode: '0103', description: '井盖缺失', ...point } })
    expect(reported.statusCode, reported.body).toBe(200)
    const caseId = (reported.json() as { case: { id: string } }).case.id
    const act = async (user: string, action: Record<string, unknown>) => {
      const current = (await get(`/api/cases/${caseId}`, tokens[user])).json() as { version: number; state: string }
      const r = await t.app.inject({ method: 'POST', url: `/api/cases/${caseId}/actions`, headers: bearer(tokens[user]!), payload: { version: current.version, ...action } })
      expect(r.statusCode, r.body).toBe(200)
      return r.json() as { state: string; deadline: string | null }
    }
    const filed = await act('acceptor', { type: 'file' })
    const dispatched = filed.state === 'dispatched' ? filed : await act('dispatcher', { type: 'dispatch', unitId: zhucheng })
    await act('zhucheng', { type: 'sign_for' })
    await act('zhucheng', { type: 'return', reason: '不属于本单位' })
    const steps = await t.db.kysely.selectFrom('case_timeline').select(['kind', 'due_at', 'holder_unit_id']).where('case_id', '=', caseId).orderBy('id').execute()
    const returned = steps.find((s) => s.kind === 'returned')!
    expect(returned.holder_unit_id).toBe(zhucheng)
    expect(returned.due_at?.toISOString()).toBe(dispatched.deadline)
    const dispatch = steps.find((s) => s.kind === 'dispatched')!
    expect(dispatch.holder_unit_id).toBeNull()
    expect(dispatch.due_at).not.toBeNull() // the dispatch step's own time limit
  })
})

describe('the worked example (March 2025)', () => {
  it('disposal units: the figures of unit A, its sub-unit rolled up, the formula beside them', async () => {
    const body = await ranking('subject=units&period=2025-03')
    expect(body.period).toEqual({ key: '2025-03', from: '2025-02-28T16:00:00.000Z', to: '2025-03-31T16:00:00.000Z', label: '2025-03' })
    expect(body.frozen).toBe(false)
    expect(body.formula['zh-CN']).toContain('按期处置率 × 50')
    const a = body.rows.find((r) => r.id === id.A)!
    expect(a.indicators).toEqual({
      due: 6, disposed: 4, onTime: 3, overdueDisposed: 1, undisposed: 2, reworked: 1, returned: 1, extended: 1, suspended: 1, dispatched: 6, urged: 1, overdue: 3,
      disposalRate: 0.6667, onTimeRate: 0.5, reworkRate: 0.25, returnRate: 0.1667,
    })
    expect(a.composite).toBe(56.5)
    const b = body.rows.find((r) => r.id === id.B)!
    expect(b).toMatchObject({ rank: 1, composite: 100 })
    expect(b.indicators).toMatchObject({ due: 1, disposed: 1, onTime: 1, dispatched: 1 })
    expect(body.rows.slice(0, 2).map((r) => [r.id, r.rank])).toEqual([[id.B, 1], [id.A, 2]])
    // February: A had only c3 dispatched, nothing due
    expect(a).toMatchObject({ previousRank: 1, previousComposite: 100 })
    expect(body.rows.some((r) => r.id === id.subA)).toBe(false)
  })

  it('regions: streets S1 and S2', async () => {
    const body = await ranking('subject=streets&period=2025-03')
    const s1 = body.rows.find((r) => r.id === id.S1)!
    expect(s1.indicators).toMatchObject({ reported: 5, filed: 4, closed: 3, closedOnTime: 2, recurrent: 1, closureRate: 0.75, onTimeClosureRate: 0.5, recurrenceRate: 0.2 })
    expect(s1.indicators.perKm2).toBeGreaterThan(0)
    expect(s1.composite).toBe(63.5)
    const s2 = body.rows.find((r) => r.id === id.S2)!
    expect(s2.indicators).toMatchObject({ reported: 3, filed: 3, closed: 2, closedOnTime: 1, recurrent: 0 })
    expect(s2.composite).toBe(56.67)
    const s3 = body.rows.find((r) => r.id === id.S3)!
    expect(s3.indicators).toMatchObject({ reported: 2, filed: 2, closed: 0, closureRate: 0, recurrenceRate: 0 })
    expect(s3.composite).toBe(20)
    expect(body.rows.slice(0, 3).map((r) => [r.id, r.rank])).toEqual([[id.S1, 1], [id.S2, 2], [id.S3, 3]])
  })

  it('regions: communities and cells count the same cases at their own level', async () => {
    const cells = await ranking('subject=cells&period=2025-03')
    const total = cells.rows.reduce((sum, r) => sum + (r.indicators.reported ?? 0), 0)
    expect(total).toBe(10) // c1 c2 c4 c5 c6 c7 c8 c9 c11 c12
    const communities = await ranking('subject=communities&period=2025-03')
    expect(communities.rows.reduce((sum, r) => sum + (r.indicators.closed ?? 0), 0)).toBe(5) // c1 c2 c3 c4 c10
  })

  it('field supervisors: the demo supervisor', async () => {
    const body = await ranking('subject=supervisors&period=2025-03')
    const s = body.rows.find((r) => r.id === id.supervisor)!
    expect(s.indicators).toMatchObject({ reported: 3, valid: 2, filed: 2, missed: 1, verifications: 1, verifiedOnTime: 1, checks: 2, checkedOnTime: 1, validRate: 0.6667, missRate: 0.25, onTimeVerificationRate: 1, onTimeCheckRate: 0.5 })
    expect(s.composite).toBe(72.5)
  })

  it('no data: a unit or street with nothing counted in the period is not ranked, and is listed after the ranked', async () => {
    for (const [subject, ranked] of [['units', 2], ['streets', 3]] as const) {
      const body = await ranking(`subject=${subject}&period=2025-03`)
      expect(body.rows.length, subject).toBeGreaterThan(ranked)
      expect(body.rows.slice(0, ranked).every((r) => r.composite !== null && r.rank !== null), subject).toBe(true)
      for (const r of body.rows.slice(ranked)) {
        expect(r, `${subject} ${r.name}`).toMatchObject({ rank: null, composite: null })
        expect(Object.entries(r.indicators).filter(([k, v]) => !k.endsWith('Rate') && v), r.name).toEqual([])
      }
      // listed by name among themselves
      const names = body.rows.slice(ranked).map((r) => r.name)
      expect(names).toEqual([...names].sort(new Intl.Collator('zh-CN').compare))
    }
  })

  it('acceptors: accurate and on-time filing rates of 李受理 and 赵值班长, the formula beside them', async () => {
    const body = await ranking('subject=acceptors&period=2025-03')
    expect(body.formula['zh-CN']).toBe('综合指标值 = 准确立案率 × 60 + 按时立案率 × 40（百分制）')
    expect(body.rows.map((r) => [r.id, r.rank, r.composite])).toEqual([[id.acc, 1, 80], [id.shift, 2, 50]])
    expect(body.rows[0]!.indicators).toEqual({
      filed: 7, accurateFiled: 6, wronglyFiled: 1, filedOnTime: 5, filedLate: 2, rejected: 1, accurateFilingRate: 0.8571, onTimeFilingRate: 0.7143,
    })
    expect(body.rows[1]!.indicators).toMatchObject({ filed: 2, accurateFiled: 1, wronglyFiled: 1, filedOnTime: 1, filedLate: 1, rejected: 0 })
    // February: 李受理 filed c3 alone; 赵值班长 filed nothing (no data, not ranked)
    expect(body.rows.map((r) => [r.previousRank, r.previousComposite])).toEqual([[1, 100], [null, null]])
  })

  it('dispatchers: accurate (not returned) and on-time dispatch rates of 陈派遣; the automatic dispatch counts for no one', async () => {
    const body = await ranking('subject=dispatchers&period=2025-03')
    expect(body.rows.map((r) => [r.id, r.rank, r.composite])).toEqual([[id.disp, 1, 76.67]])
    expect(body.rows[0]!.indicators).toEqual({
      dispatched: 6, accurateDispatched: 5, returned: 1, dispatchedOnTime: 4, dispatchedLate: 2, accurateDispatchRate: 0.8333, onTimeDispatchRate: 0.6667,
    })
  })

  it('dispatchers in June: a return answers the reassignment before it, not the first dispatch; whoever reassigned is ranked', async () => {
    const dispatchers = await ranking('subject=dispatchers&period=2025-06')
    expect(dispatchers.rows.map((r) => [r.id, r.rank, r.composite])).toEqual([[id.disp, 1, 80], [id.shift, 2, 40]])
    expect(dispatchers.rows[0]!.indicators).toMatchObject({ dispatched: 2, accurateDispatched: 2, returned: 0, dispatchedOnTime: 1, dispatchedLate: 1 })
    expect(dispatchers.rows[1]!.indicators).toMatchObject({ dispatched: 1, accurateDispatched: 0, returned: 1, dispatchedOnTime: 0, dispatchedLate: 0, onTimeDispatchRate: null })
    const acceptors = await ranking('subject=acceptors&period=2025-06')
    expect(acceptors.rows.map((r) => [r.id, r.rank, r.composite])).toEqual([[id.acc, 1, 100], [id.shift, null, null]])
  })

  it('any period: from/to days, with the previous period of as many days', async () => {
    const body = await ranking(`subject=units&from=2025-03-01&to=2025-03-10`)
    expect(body.period.label).toBe('2025-03-01 – 2025-03-10')
    const a = body.rows.find((r) => r.id === id.A)!
    // c1 c2 c3 disposed (c2 twice: late 03-08, not yet the second), c1 c2 dispatched; c4 dispatched 03-10
    expect(a.indicators).toMatchObject({ dispatched: 3, disposed: 3, onTime: 2, overdueDisposed: 1, reworked: 1 })
  })

  it('drills down from a figure to the cases behind it', async () => {
    const undisposed = await get(`/api/evaluation/cases?subject=units&id=${id.A}&indicator=undisposed&period=2025-03`)
    expect(undisposed.statusCode, undisposed.body).toBe(200)
    const body = undisposed.json() as { items: Array<{ id: string; fact: string }>; facts: string[] }
    expect(body.items.map((i) => [i.id, i.fact]).sort()).toEqual([[caseIds.c4, 'ended_late'], [caseIds.c5, 'open_overdue']].sort())
    const recurrent = (await get(`/api/evaluation/cases?subject=streets&id=${id.S1}&indicator=recurrent&period=2025-03`)).json() as { items: Array<{ id: string }> }
    expect(recurrent.items.map((i) => i.id)).toEqual([caseIds.c8])
    const missed = (await get(`/api/evaluation/cases?subject=supervisors&id=${id.supervisor}&indicator=missed&period=2025-03`)).json() as { items: Array<{ id: string }> }
    expect(missed.items.map((i) => i.id)).toEqual([caseIds.c8])
    const unknown = await get(`/api/evaluation/cases?subject=units&id=${id.A}&indicator=nonsense&period=2025-03`)
    expect(unknown.statusCode).toBe(400)
  })

  it('drills down from an acceptor\'s or a dispatcher\'s figure to the cases behind it', async () => {
    const drill = async (query: string) => {
      const r = await get(`/api/evaluation/cases?${query}&period=2025-03`)
      expect(r.statusCode, r.body).toBe(200)
      return (r.json() as { items: Array<{ id: string; fact: string }> }).items.map((i) => [i.id, i.fact]).sort()
    }
    expect(await drill(`subject=acceptors&id=${id.acc}&indicator=wronglyFiled`)).toEqual([[caseIds.c11, 'filed_wrong']])
    const timing = await drill(`subject=acceptors&id=${id.acc}&indicator=onTimeFilingRate`)
    expect(timing).toHaveLength(7)
    expect(timing.filter(([, fact]) => fact === 'filed_late')).toEqual([[caseIds.c2, 'filed_late'], [caseIds.c6, 'filed_late']].sort())
    expect(await drill(`subject=acceptors&id=${id.acc}&indicator=rejected`)).toEqual([[caseIds.c9, 'rejected']])
    expect(await drill(`subject=dispatchers&id=${id.disp}&indicator=returned`)).toEqual([[caseIds.c4, 'dispatch_returned']])
    const accuracy = await drill(`subject=dispatchers&id=${id.disp}&indicator=accurateDispatchRate`)
    expect(accuracy.filter(([c]) => c === caseIds.c4)).toEqual([[caseIds.c4, 'dispatch_accurate'], [caseIds.c4, 'dispatch_returned']])
    expect(accuracy).toHaveLength(6)
  })
})

describe('settings', () => {
  it('refuses weights that do not add up to 100; new weights change the formula and the composite', async () => {
    const current = (await get('/api/evaluation/settings')).json() as { settings: { unit: { weights: Record<string, number>; deductPerOverdue: number; deductPerUrge: number } } & Record<string, unknown> }
    const bad = { ...current.settings, unit: { ...current.settings.unit, weights: { onTimeRate: 50, disposalRate: 30, reworkFree: 30 } } }
    const refused = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: bad })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ error: { code: 'BAD_REQUEST', details: { code: 'BAD_SETTINGS' } } })
    const noDeductions = { ...current.settings, unit: { ...current.settings.unit, deductPerOverdue: 0, deductPerUrge: 0 } }
    const saved = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: noDeductions })
    expect(saved.statusCode, saved.body).toBe(200)
    expect((saved.json() as { formulas: { unit: { en: string } } }).formulas.unit.en).toContain('overdue cases × 0 ')
    const a = (await ranking('subject=units&period=2025-03')).rows.find((r) => r.id === id.A)!
    expect(a.composite).toBe(60)
    // back to the defaults for the tests below
    await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: current.settings })
  })

  it('an older client may leave out the acceptor, dispatcher and publication settings: they keep their values', async () => {
    const current = (await get('/api/evaluation/settings')).json() as { settings: Record<string, unknown> & { acceptor: unknown; dispatcher: unknown; publication: unknown } }
    expect(current.settings).toMatchObject({ acceptor: { weights: { accurateFilingRate: 60, onTimeFilingRate: 40 } }, publication: { auto: true, day: 1 } })
    const changed = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: { ...current.settings, dispatcher: { weights: { accurateDispatchRate: 50, onTimeDispatchRate: 50 } } } })
    expect(changed.statusCode, changed.body).toBe(200)
    expect((changed.json() as { formulas: { dispatcher: { en: string } } }).formulas.dispatcher.en).toBe('composite = accurate dispatch rate × 50 + on-time dispatch rate × 50 (out of 100)')
    const { acceptor: _a, dispatcher: _d, publication: _p, ...older } = current.settings
    const saved = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: older })
    expect(saved.statusCode, saved.body).toBe(200)
    expect((saved.json() as { settings: { dispatcher: unknown } }).settings.dispatcher).toEqual({ weights: { accurateDispatchRate: 50, onTimeDispatchRate: 50 } })
    const badDay = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: { ...current.settings, publication: { auto: true, day: 31 } } })
    expect(badDay.statusCode).toBe(400)
    await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(leader), payload: current.settings })
  })
})

describe('publishing a period', () => {
  it('refuses a period that has not ended', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/evaluation/periods/2999-01/freeze', headers: bearer(leader) })
    expect(r.statusCode).toBe(409)
    expect(r.json()).toMatchObject({ error: { details: { code: 'PERIOD_NOT_OVER' } } })
  })

  it('freezes March: later edits do not change its ranking, and the difference report shows what would have', async () => {
    const before = await ranking('subject=units&period=2025-03')
    const frozen = await t.app.inject({ method: 'POST', url: '/api/evaluation/periods/2025-03/freeze', headers: bearer(leader) })
    expect(frozen.statusCode, frozen.body).toBe(200)
    expect(frozen.json()).toMatchObject({ period: '2025-03', frozen: true, frozenBy: '王局长' })
    const again = await t.app.inject({ method: 'POST', url: '/api/evaluation/periods/2025-03/freeze', headers: bearer(leader) })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ error: { details: { code: 'ALREADY_FROZEN' } } })

    // April: A reports c5 disposed (late), so c5 is no longer open past its March deadline; and a new weight
    await t.db.kysely.insertInto('case_timeline').values({ case_id: caseIds.c5!, kind: 'disposal_reported', action: 'report_disposal', at: at('04-02 10:00'), actor_id: null, role: 'disposal', unit_id: id.A!, from_state: 'in_disposal', to_state: 'disposed', photo_ids: [], detail: '{}', due_at: at('03-30 10:00'), holder_unit_id: id.A! }).execute()
    await t.db.kysely.updateTable('cases').set({ state: 'disposed', due_at: null }).where('id', '=', caseIds.c5!).execute()

    const after = await ranking('subject=units&period=2025-03')
    expect(after.frozen).toBe(true)
    expect(after.frozenAt).not.toBeNull()
    expect(after.rows.map((r) => [r.id, r.rank, r.composite, r.indicators])).toEqual(before.rows.map((r) => [r.id, r.rank, r.composite, r.indicators]))

    const diff = await get('/api/evaluation/periods/2025-03/diff')
    expect(diff.statusCode, diff.body).toBe(200)
    const units = (diff.json() as { subjects: Record<string, Array<{ id: string; published: { composite: number }; now: { composite: number }; indicators: Record<string, unknown> }>> }).subjects.units!
    // live: undisposed 1, due 5, overdue 2 → 0.6×50 + 0.8×30 + 0.75×20 − 2 − 0.5 = 66.5
    expect(units).toEqual([expect.objectContaining({ id: id.A, published: { rank: 2, composite: 56.5 }, now: { rank: 2, composite: 66.5 } })])
    expect(units[0]!.indicators).toMatchObject({ undisposed: [2, 1], due: [6, 5], overdue: [3, 2] })
    const published = (await get('/api/evaluation/periods')).json() as { items: Array<{ period: string }> }
    expect(published.items.map((p) => p.period)).toContain('2025-03')
    // April's previous period is the published March
    const april = (await ranking('subject=units&period=2025-04')).rows.find((r) => r.id === id.A)!
    expect(april.previousComposite).toBe(56.5)
  })

  it('a period published before acceptors and dispatchers were evaluated has no rows of them; its difference shows them as new', async () => {
    // as a publication of the first release stored it: three families of settings, five subjects
    const { acceptor: _a, dispatcher: _d, publication: _p, ...settings } = ((await get('/api/evaluation/settings')).json() as { settings: Record<string, unknown> }).settings
    await t.db.kysely.insertInto('evaluation_periods').values({
      district_id: id.district!, period: '2025-06', period_from: at('06-01 00:00'), period_to: at('07-01 00:00'), frozen_by: null,
      settings: JSON.stringify(settings), results: JSON.stringify({ units: [], streets: [], communities: [], cells: [], supervisors: [] }),
    }).execute()
    const body = await ranking('subject=dispatchers&period=2025-06')
    expect(body).toMatchObject({ frozen: true, rows: [] })
    expect(body.formula.en).toContain('accurate dispatch rate × 60')
    const diff = (await get('/api/evaluation/periods/2025-06/diff')).json() as { subjects: Record<string, Array<{ id: string; published: unknown; now: unknown }>> }
    expect(diff.subjects.dispatchers!.map((d) => [d.id, d.published, d.now])).toEqual([[id.disp, null, { rank: 1, composite: 80 }], [id.shift, null, { rank: 2, composite: 40 }]])
  })

  it('the diff of a period never published is 404', async () => {
    expect((await get('/api/evaluation/periods/2025-01/diff')).statusCode).toBe(404)
  })
})

describe('reports', () => {
  it('the report as Excel and as a printable page', async () => {
    const xlsx = await get('/api/evaluation/report.xlsx?period=2025-03')
    expect(xlsx.statusCode).toBe(200)
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK')
    const html = await get('/api/evaluation/report.html?period=2025-03&subjects=units,streets,supervisors')
    expect(html.statusCode).toBe(200)
    expect(html.body).toContain('数字城管综合考核通报')
    expect(html.body).toContain('56.50')
    expect(html.body).toContain('@page')
    // the units with nothing counted in March: no rank, marked 无数据, after the ranked
    expect(html.body).toContain('<td>—</td><td class="name">')
    expect(html.body).toContain('<span class="nodata">无数据</span>')
    expect(html.body).toContain('无数据：本考核期没有计入的案卷，不参与排名')
    const people = await get('/api/evaluation/report.html?period=2025-03&subjects=acceptors,dispatchers&lang=en')
    expect(people.body).toContain('<h2>Acceptors</h2>')
    expect(people.body).toContain('accurate filing rate × 60')
    expect(people.body).toContain('<b>76.67</b>')
    expect((await get('/api/evaluation/report.html?period=2025-03&subjects=units,nonsense')).statusCode).toBe(400)
  })
})

describe('who may read what', () => {
  it('a department\'s staff read their own row only, and cannot drill into another unit, configure or publish', async () => {
    const dept = await t.login('dept')
    const body = await ranking('subject=units&period=2025-03', dept)
    expect(body.rows.map((r) => r.id)).toEqual([id.B])
    const other = await get(`/api/evaluation/cases?subject=units&id=${id.A}&indicator=due&period=2025-03`, dept)
    expect(other.statusCode).toBe(403)
    expect(other.json()).toMatchObject({ error: { code: 'OUT_OF_SCOPE' } })
    expect((await get(`/api/evaluation/cases?subject=units&id=${id.B}&indicator=due&period=2025-03`, dept)).statusCode).toBe(200)
    // the centre's people are outside a department's scope (though the district is above it)
    expect((await ranking('subject=acceptors&period=2025-03', dept)).rows).toEqual([])
    expect((await ranking('subject=supervisors&period=2025-03', dept)).rows).toEqual([])
    expect((await get(`/api/evaluation/cases?subject=dispatchers&id=${id.disp}&indicator=dispatched&period=2025-03`, dept)).statusCode).toBe(403)
    const put = await t.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: bearer(dept), payload: (await get('/api/evaluation/settings', dept)).json().settings })
    expect(put.statusCode).toBe(403)
    expect((await t.app.inject({ method: 'POST', url: '/api/evaluation/periods/2025-02/freeze', headers: bearer(dept) })).statusCode).toBe(403)
  })

  it('a street\'s staff read their street and the communities and cells in it', async () => {
    const zhucheng = await t.login('zhucheng')
    const streets = await ranking('subject=streets&period=2025-03', zhucheng)
    expect(streets.rows).toHaveLength(1)
    const communities = await ranking('subject=communities&period=2025-03', zhucheng)
    const all = await ranking('subject=communities&period=2025-03')
    expect(communities.rows.length).toBeGreaterThan(0)
    expect(communities.rows.length).toBeLessThan(all.rows.length)
  })

  it('a field supervisor may not read the rankings', async () => {
    const supervisor = await t.login('supervisor')
    expect((await get('/api/evaluation/rankings', supervisor)).statusCode).toBe(403)
  })

  it('the default is the units of the current month', async () => {
    const body = await ranking('')
    expect(body.subject).toBe('units')
    expect(body.period.label).toMatch(/^\d{4}-\d{2}$/)
  })
})
