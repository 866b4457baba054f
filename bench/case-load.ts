// The case table at district scale for the benches: one INSERT … SELECT over generate_series (bench/cases.ts, bench/brain.ts).
import { sql } from 'kysely'
import { ZERO_COUNTERS } from '../src/server/modules/cases/workflow.js'
import type { Db } from '../src/server/platform/db/engine.js'

/**
 * Inserts `total` cases, the first `open` of them still running (reported in the last 30 days, most recently most),
 * the rest finished over the last two years, inserted oldest first as a table grows. Places are random points near the centre of random demo cells (with their
 * community, street and paths), classes from the class table (a few common, many rare), sources and disposal units
 * weighted as a district sees them; deadlines, overdue marks and pending requests as the workflow would leave them.
 * Foreign keys are not re-checked row by row (session_replication_role = replica): every reference comes from a table.
 */
export async function loadCases(db: Db, total: number, open: number): Promise<void> {
  const people = await db.kysely.selectFrom('users').select(['id', 'username']).where('username', 'in', ['supervisor', 'zhucheng']).execute()
  const supervisorId = people.find((p) => p.username === 'supervisor')!.id
  const disposerId = people.find((p) => p.username === 'zhucheng')!.id
  const district = await db.kysely.selectFrom('org_units').select('code').where('kind', '=', 'district').executeTakeFirstOrThrow()
  await db.kysely.transaction().execute(async (trx) => {
    await sql`select setseed(0.2026)`.execute(trx)
    await sql`set local session_replication_role = replica`.execute(trx).catch(() => undefined)
    await sql`
      insert into cases (ticket, source, client_id, reported_by, class_kind, class_code, urgency, description, address, position,
        grid_cell_id, community_id, street_id, org_path, state, step_started_at, step_deadline, assigned_unit_id, assigned_unit_path,
        disposal_deadline, pending_extension, pending_suspension, reject_reason, counters, version, created_at, updated_at, closed_at,
        overdue_marked_deadline, due_at, yellow_at)
      with cells as (
        select (row_number() over (order by c.code))::int - 1 as i, c.id, c.community_id, c.org_path, s.id as street_id, s.path as street_path,
          s.name as street_name, (st_xmin(c.geom) + st_xmax(c.geom)) / 2 as cx, (st_ymin(c.geom) + st_ymax(c.geom)) / 2 as cy,
          st_xmax(c.geom) - st_xmin(c.geom) as w, st_ymax(c.geom) - st_ymin(c.geom) as h
        from grid_cells c join org_units cm on cm.id = c.community_id join org_units s on s.id = cm.parent_id
      ),
      classes as (
        select (row_number() over (order by kind, small_code))::int - 1 as i, kind, small_code, small_name, default_urgency from case_classes where active
      ),
      units as (
        select (row_number() over (order by code))::int - 1 as i, id, path from org_units where kind in ('department', 'sub_unit')
      ),
      draws as (
        select g, g <= ${open} as open, random() as r_cell, random() as r_class, random() as r_state, random() as r_age, random() as r_step,
          random() as r_due, random() as r_unit, random() as r_source, random() as r_x, random() as r_y, random() as r_misc
        from generate_series(1, ${total}) g
      ),
      placed as (
        select d.*, c.id as cell_id, c.community_id, c.org_path, c.street_id, c.street_path, c.street_name,
          c.cx + (d.r_x - 0.5) * 0.6 * c.w as lng, c.cy + (d.r_y - 0.5) * 0.6 * c.h as lat,
          k.kind as class_kind, k.small_code as class_code, k.small_name, k.default_urgency,
          u.id as unit_id, u.path as unit_path,
          case when d.open
            then (array['reported','reported','verifying','verified','filed','filed','dispatched','dispatched','dispatched','in_disposal',
                        'in_disposal','in_disposal','in_disposal','in_disposal','in_disposal','suspended','disposed','disposed','checked','checked'])[1 + floor(d.r_state * 20)::int]
            else (array['closed','closed','closed','closed','closed','closed','closed','closed','closed','closed',
                        'closed','closed','closed','closed','closed','closed','rejected','invalid','cancelled','merged'])[1 + floor(d.r_state * 20)::int]
          end as state,
          case when d.open then now() - d.r_age * d.r_age * interval '30 days' else now() - interval '3 days' - d.r_age * interval '727 days' end as created_at
        from draws d
        join cells c on c.i = floor(d.r_cell * (select count(*) from cells))::int
        join classes k on k.i = floor(d.r_class * d.r_class * (select count(*) from classes))::int
        join units u on u.i = floor(d.r_misc * (select count(*) from units))::int
      ),
      timed as (
        select p.*,
          case when p.open then p.created_at + (now() - p.created_at) * p.r_step else p.created_at + interval '1 hour' * (1 + p.r_step * 70) end as started,
          p.state in ('dispatched','in_disposal','suspended','disposed','checked','closed') as was_dispatched
        from placed p
      ),
      deadlines as (
        select t.*,
          case when t.state in ('reported','verifying','verified','filed','disposed') then t.started + interval '1 hour' * (2 + t.r_due * 46) end as step_due,
          case when t.was_dispatched then t.started + interval '1 hour' * (4 + t.r_due * 92) end as disposal_due
        from timed t
      ),
      due as (
        select d.*, case when d.state in ('dispatched','in_disposal') then d.disposal_due when d.open then d.step_due end as due_at from deadlines d
      )
      select
        ${district.code} || '-' || to_char(created_at at time zone 'Asia/Shanghai', 'YYYYMMDD') || '-B' || lpad(g::text, 7, '0'),
        (array['supervisor','supervisor','supervisor','supervisor','supervisor','supervisor','supervisor','supervisor','supervisor','supervisor',
               'hotline','hotline','hotline','citizen','citizen','leader','upper_platform','sensor','video_ai','media'])[1 + floor(r_source * 20)::int],
        'bench-load-' || g,
        case when r_source < 0.5 then ${supervisorId}::uuid end,
        class_kind, class_code,
        case when r_misc < 0.05 then 'urgent' else default_urgency end,
        small_name || '，请尽快处理',
        street_name || ' ' || (1 + g % 500) || ' 号附近',
        st_setsrid(st_makepoint(lng, lat), 4326),
        cell_id, community_id, street_id, org_path, state, started, step_due,
        case when was_dispatched then (case when r_unit < 0.5 then street_id else unit_id end) end,
        case when was_dispatched then (case when r_unit < 0.5 then street_path else unit_path end) end,
        disposal_due,
        case when state = 'in_disposal' and r_misc < 0.06 then jsonb_build_object('newDeadline', disposal_due + interval '2 days', 'reason', '需协调施工，申请延期',
          'requestedBy', ${disposerId}::text, 'requestedAt', started + interval '1 hour') end,
        case when state = 'in_disposal' and r_misc >= 0.06 and r_misc < 0.09 then jsonb_build_object('reason', '待上级审批', 'requestedBy', ${disposerId}::text,
          'requestedAt', started + interval '1 hour') end,
        case when state = 'rejected' then (array['not_in_scope','duplicate','not_a_problem','outside_area','other'])[1 + floor(r_due * 5)::int] end,
        ${JSON.stringify(ZERO_COUNTERS)}::jsonb,
        case when open then 1 + floor(r_step * 6)::int else 8 end,
        created_at, started,
        case when state = 'closed' then started end,
        case when due_at < now() then due_at end,
        due_at,
        due_at - (due_at - started) * 0.2
      from due
      -- in the order a real table grows: the running cases (the recent ones) sit together in the last pages
      order by created_at
    `.execute(trx)
  })
}
