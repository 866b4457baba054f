-- Lights (亮灯) in the database: the instant the running clock of a case runs out (due_at: the disposal deadline while
-- a unit holds the case, else the step deadline; null while suspended or once finished) and the instant it turns
-- yellow (yellow_at). The service sets both with every step, so lists and the command map filter and sort by light
-- in SQL instead of computing working time for every row.
ALTER TABLE cases ADD COLUMN due_at timestamptz, ADD COLUMN yellow_at timestamptz;

UPDATE cases SET
  due_at = CASE
    WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline
    WHEN state IN ('reported', 'verifying', 'verified', 'filed', 'disposed', 'checked') THEN step_deadline
  END;
-- rows from before this migration: yellow when a fifth of the span remains on the clock (new steps use working time)
UPDATE cases SET yellow_at = due_at - (due_at - step_started_at) * 0.2 WHERE due_at IS NOT NULL;

-- "most pressing first" and "overdue" over the running cases
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
