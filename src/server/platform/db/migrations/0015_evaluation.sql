-- Comprehensive evaluation (综合考核): what each timeline step was measured against, the district's weights, and
-- published (frozen) periods with the figures as they were published.

-- Every step records the deadline of the step it ended (the disposal deadline while a unit held the case, else the
-- step deadline) and the unit that held the case, so "late" and "whose" are counted from the timeline alone: a late
-- step stays late however it ended (disposed, returned, reassigned, cancelled), and later edits of the case cannot
-- move it. Rows from before this migration have no deadline (they count as on time) and get their holder below.
ALTER TABLE case_timeline ADD COLUMN due_at timestamptz, ADD COLUMN holder_unit_id uuid REFERENCES org_units(id);

UPDATE case_timeline t SET holder_unit_id = h.unit_id
FROM (
  SELECT e.id, (
    SELECT (d.detail->>'unitId')::uuid FROM case_timeline d
    WHERE d.case_id = e.case_id AND d.id < e.id AND d.kind IN ('dispatched', 'reassigned') ORDER BY d.id DESC LIMIT 1
  ) AS unit_id
  FROM case_timeline e
  WHERE e.from_state IN ('dispatched', 'in_disposal', 'suspended', 'disposed')
) h
WHERE h.id = t.id AND h.unit_id IS NOT NULL;

-- The evaluation reads a period's steps by kind and time (case_timeline_kind_at, 0002).
-- A closed case is late when any of its steps ran late: these few steps (a step taken after its deadline) in their own
-- small index, so each closing of the period is checked by one index probe instead of reading all of its steps.
CREATE INDEX case_timeline_late ON case_timeline (case_id, id) WHERE at > due_at;
-- The supervisors' reports and the problems they missed are counted when filed:
CREATE INDEX case_timeline_filed ON case_timeline (case_id) WHERE kind = 'filed';

-- A district's weights and deductions (DOMAIN.md "Evaluation": every district sets its own).
CREATE TABLE evaluation_settings (
  district_id  uuid PRIMARY KEY REFERENCES org_units(id),
  settings     jsonb NOT NULL,
  version      integer NOT NULL DEFAULT 1,
  updated_by   uuid REFERENCES users(id),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A published period (通报): its figures for every subject as published; never changed afterwards.
CREATE TABLE evaluation_periods (
  district_id  uuid NOT NULL REFERENCES org_units(id),
  period       text NOT NULL,
  period_from  timestamptz NOT NULL,
  period_to    timestamptz NOT NULL,
  settings     jsonb NOT NULL,
  results      jsonb NOT NULL,
  frozen_by    uuid REFERENCES users(id),
  frozen_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (district_id, period)
);

-- Who reads the rankings (the centre, leaders, and units and streets for their own rows), configures and publishes.
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['evaluation:read', 'evaluation:configure', 'evaluation:publish']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('admin', 'leader');
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['evaluation:read']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('shift_leader', 'acceptor', 'dispatcher', 'disposal');
