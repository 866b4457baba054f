-- Overdue marking (超期): the deadline a case was last marked overdue for, so the background job marks each deadline once.
ALTER TABLE cases ADD COLUMN overdue_marked_deadline timestamptz;

-- The job's search: running cases not yet marked for their current deadline (the disposal deadline while a unit holds
-- the case, else the step deadline), by that deadline. A marked case leaves the index until its deadline changes.
-- The expressions must stay identical to the query in modules/cases/overdue.ts for the planner to use the index.
CREATE INDEX cases_unmarked_deadline ON cases ((CASE WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline ELSE step_deadline END))
  WHERE state IN ('reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'disposed', 'checked')
    AND overdue_marked_deadline IS DISTINCT FROM (CASE WHEN state IN ('dispatched', 'in_disposal') THEN disposal_deadline ELSE step_deadline END);
