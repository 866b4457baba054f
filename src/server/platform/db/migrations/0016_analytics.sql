-- The city management brain (城管大脑): analysis and the command screen read the cases with set-based aggregates.

-- "Closed today" on the command screen: without it every refresh counted the closed cases by scanning the table
-- (1,000,000 cases: a parallel sequential scan); with it the day's few hundred rows are read from the index.
CREATE INDEX cases_closed_at ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- The period aggregates (trends, sources per street, hot spots, forecasts) read a range of report times and a few
-- short columns of every case in it: 128,000 cases for 90 days of a district. From this index alone (an index-only
-- scan, ~110 bytes a case) instead of the wide rows of the table; measured on 1,000,000 cases (bench/brain.ts), the
-- hot spots' window over 90 days 245 → 182 ms and its grouping no longer fetches 128,000 rows from the heap.
CREATE INDEX cases_created_cover ON cases (created_at) INCLUDE (grid_cell_id, class_kind, class_code, state, source, street_id, assigned_unit_id);

-- Existing installations: the roles that watch the district (and the street and unit staff, in their own scope) read
-- the analysis; a fresh installation gets this from the built-in roles (platform/auth/permissions.ts).
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['analytics:read']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('admin', 'leader', 'shift_leader', 'acceptor', 'dispatcher', 'disposal');
