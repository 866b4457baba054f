-- The command map (GET /api/cases/map) reads every open case in a box: its id, position, lights and the two scope
-- paths. Open cases are ~1 % of the table and lie scattered over its pages, so reading them from the heap touched a
-- page per case (10,000 open among 1,000,000: 3,500–8,400 pages, 12–26 ms before sorting). This index holds just the
-- open cases with what the map reads, so the map is an index-only scan of a few MB (2.9 MB for 10,000).
-- The predicate lists OPEN_STATES (workflow-table.ts); a test checks that the two stay the same.
CREATE INDEX cases_open_map ON cases (due_at) INCLUDE (yellow_at, position, org_path, assigned_unit_path, id, state)
  WHERE state IN ('reported', 'verifying', 'verified', 'filed', 'dispatched', 'in_disposal', 'suspended', 'disposed', 'checked');
