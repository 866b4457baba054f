-- The city management brain (城管大脑): analysis and the command screen read the cases with set-based aggregates.

-- "Closed today" on the command screen: without it every refresh counted the closed cases by scanning the table
-- (1,000,000 cases: a parallel sequential scan); with it the day's few hundred rows are read from the index.
CREATE INDEX cases_closed_at ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- Existing installations: the roles that watch the district (and the street and unit staff, in their own scope) read
-- the analysis; a fresh installation gets this from the built-in roles (platform/auth/permissions.ts).
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['analytics:read']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('admin', 'leader', 'shift_leader', 'acceptor', 'dispatcher', 'disposal');
