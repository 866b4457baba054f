-- Hot spots (热点) read a narrow copy of the reports they count, each with the time of the report before it in the same
-- grid cell and class, instead of sorting a period's cases by cell, class and time on every request (bench/brain.ts on
-- 1,000,000 cases: p99 350–450 ms; docs/analytics.md). A daily roll-up per cell, class and day was measured first and
-- would hold as many rows as reports: 1,370 reports a day spread over 5,046 cells × 82 classes almost never share a
-- cell, class and day (800,192 such days for 802,429 counted reports).
--
-- A report counts when it is placed in a grid cell and is no void report (rejected, invalid, merged, cancelled: the
-- analytics module's VOID_STATES). Triggers on cases note which cases changed in a way that matters (reported, moved,
-- made void or counted again, dispatched elsewhere); hotspot_refresh() brings the copy up to date for those, under
-- one lock, run by the hotspots.refresh job every 10 s and before every hot-spot question, so answers are exact as of
-- the question and case intake only appends one row to hotspot_stale.

-- The org path and the dispatched unit's path of reports (every pair met, a few thousand): a report's data scope in
-- 4 bytes. A user's scope is the paths under their unit's path (the cases module's rule).
CREATE TABLE hotspot_paths (
  id         serial PRIMARY KEY,
  org_path   text NOT NULL,
  -- '' while not dispatched
  unit_path  text NOT NULL,
  UNIQUE (org_path, unit_path)
);

CREATE TABLE hotspot_reports (
  case_id       uuid PRIMARY KEY,
  grid_cell_id  uuid NOT NULL,
  class_kind    text NOT NULL,
  class_code    text NOT NULL,
  reported_at   timestamptz NOT NULL,
  -- the counted report before this one in the same cell and class (whatever its scope), null for the first
  previous_at   timestamptz,
  path_id       integer NOT NULL REFERENCES hotspot_paths (id)
);
-- A period's reports per cell (the heat map of the whole district) from the index alone.
CREATE INDEX hotspot_reports_period ON hotspot_reports (reported_at) INCLUDE (grid_cell_id);
-- The reports that follow the one before them within 90 days (the longest `withinDays`; 30 % of the bench's reports),
-- the only ones that can recur: the district's recurrences per cell and class are counted from here.
CREATE INDEX hotspot_reports_close ON hotspot_reports (reported_at) INCLUDE (grid_cell_id, class_kind, class_code, previous_at)
  WHERE reported_at - previous_at <= interval '90 days';
-- A scope's reports of a period, path by path: a street reads its share (~20,000 of 100,000 for 90 days) and no more.
CREATE INDEX hotspot_reports_scope ON hotspot_reports (path_id, reported_at) INCLUDE (grid_cell_id, class_kind, class_code);
-- One cell and class in time order: the chain a refresh works out again, and the hours of a hot spot's reports.
CREATE INDEX hotspot_reports_pair ON hotspot_reports (grid_cell_id, class_kind, class_code, reported_at) INCLUDE (path_id);

-- Cases changed since the last refresh (no index: a refresh takes every row).
CREATE TABLE hotspot_stale (case_id uuid NOT NULL);

CREATE FUNCTION hotspot_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hotspot_stale (case_id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END $$;

CREATE TRIGGER hotspot_reported AFTER INSERT ON cases FOR EACH ROW
  WHEN (NEW.grid_cell_id IS NOT NULL) EXECUTE FUNCTION hotspot_touched();
-- Most workflow steps set state and assigned_unit_path without changing what hot spots count: those log nothing.
CREATE TRIGGER hotspot_changed AFTER UPDATE OF created_at, grid_cell_id, class_kind, class_code, state, org_path, assigned_unit_path ON cases
  FOR EACH ROW WHEN ((OLD.grid_cell_id IS NOT NULL OR NEW.grid_cell_id IS NOT NULL) AND (
    OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.grid_cell_id IS DISTINCT FROM NEW.grid_cell_id
    OR OLD.class_kind IS DISTINCT FROM NEW.class_kind OR OLD.class_code IS DISTINCT FROM NEW.class_code
    OR OLD.org_path IS DISTINCT FROM NEW.org_path OR OLD.assigned_unit_path IS DISTINCT FROM NEW.assigned_unit_path
    OR (OLD.state IN ('rejected', 'invalid', 'merged', 'cancelled')) <> (NEW.state IN ('rejected', 'invalid', 'merged', 'cancelled'))))
  EXECUTE FUNCTION hotspot_touched();
-- Cases are never deleted by the application; by hand they may be.
CREATE TRIGGER hotspot_removed AFTER DELETE ON cases FOR EACH ROW
  WHEN (OLD.grid_cell_id IS NOT NULL) EXECUTE FUNCTION hotspot_touched();

CREATE FUNCTION hotspot_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE hotspot_reports, hotspot_stale;
  RETURN NULL;
END $$;
CREATE TRIGGER hotspot_emptied AFTER TRUNCATE ON cases FOR EACH STATEMENT EXECUTE FUNCTION hotspot_emptied();

-- Brings hotspot_reports up to date with the cases changed since the last refresh; returns how many cases it took.
-- Refreshes take turns on one lock. Each statement sees what committed before it began: a change committed after the
-- stale rows were taken is taken by the next refresh (its stale row is still there), so nothing is missed.
CREATE FUNCTION hotspot_refresh() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  cells uuid[];
  kinds text[];
  codes text[];
BEGIN
  PERFORM pg_advisory_xact_lock(420117006);
  WITH taken AS (DELETE FROM hotspot_stale RETURNING case_id)
  SELECT array_agg(DISTINCT case_id) INTO ids FROM taken;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  -- the cells and classes whose chains change: where the cases were counted, and where they count now
  SELECT array_agg(grid_cell_id), array_agg(class_kind), array_agg(class_code) INTO cells, kinds, codes FROM (
    SELECT grid_cell_id, class_kind, class_code FROM hotspot_reports WHERE case_id = ANY (ids)
    UNION
    SELECT grid_cell_id, class_kind, class_code FROM cases
    WHERE id = ANY (ids) AND grid_cell_id IS NOT NULL AND state NOT IN ('rejected', 'invalid', 'merged', 'cancelled')
  ) touched;
  DELETE FROM hotspot_reports WHERE case_id = ANY (ids);
  INSERT INTO hotspot_paths (org_path, unit_path)
    SELECT DISTINCT org_path, coalesce(assigned_unit_path, '') FROM cases
    WHERE id = ANY (ids) AND grid_cell_id IS NOT NULL AND state NOT IN ('rejected', 'invalid', 'merged', 'cancelled')
    ON CONFLICT DO NOTHING;
  INSERT INTO hotspot_reports (case_id, grid_cell_id, class_kind, class_code, reported_at, path_id)
    SELECT c.id, c.grid_cell_id, c.class_kind, c.class_code, c.created_at, p.id
    FROM cases c JOIN hotspot_paths p ON p.org_path = c.org_path AND p.unit_path = coalesce(c.assigned_unit_path, '')
    WHERE c.id = ANY (ids) AND c.grid_cell_id IS NOT NULL AND c.state NOT IN ('rejected', 'invalid', 'merged', 'cancelled');
  UPDATE hotspot_reports r SET previous_at = chain.previous_at
  FROM (
    SELECT h.case_id, lag(h.reported_at) OVER (PARTITION BY h.grid_cell_id, h.class_kind, h.class_code ORDER BY h.reported_at, h.case_id) AS previous_at
    FROM hotspot_reports h
    WHERE (h.grid_cell_id, h.class_kind, h.class_code) IN (SELECT * FROM unnest(cells, kinds, codes))
  ) chain
  WHERE r.case_id = chain.case_id AND r.previous_at IS DISTINCT FROM chain.previous_at;
  RETURN cardinality(ids);
END $$;

-- Builds hotspot_reports again from every case (this migration; a bench after loading cases with triggers off);
-- returns how many reports count.
CREATE FUNCTION hotspot_rebuild() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  counted integer;
BEGIN
  PERFORM pg_advisory_xact_lock(420117006);
  DELETE FROM hotspot_stale;
  TRUNCATE hotspot_reports;
  DELETE FROM hotspot_paths;
  INSERT INTO hotspot_paths (org_path, unit_path)
    SELECT DISTINCT org_path, coalesce(assigned_unit_path, '') FROM cases
    WHERE grid_cell_id IS NOT NULL AND state NOT IN ('rejected', 'invalid', 'merged', 'cancelled');
  INSERT INTO hotspot_reports (case_id, grid_cell_id, class_kind, class_code, reported_at, previous_at, path_id)
    SELECT c.id, c.grid_cell_id, c.class_kind, c.class_code, c.created_at,
      lag(c.created_at) OVER (PARTITION BY c.grid_cell_id, c.class_kind, c.class_code ORDER BY c.created_at, c.id), p.id
    FROM cases c JOIN hotspot_paths p ON p.org_path = c.org_path AND p.unit_path = coalesce(c.assigned_unit_path, '')
    WHERE c.grid_cell_id IS NOT NULL AND c.state NOT IN ('rejected', 'invalid', 'merged', 'cancelled')
    ORDER BY c.created_at;
  GET DIAGNOSTICS counted = ROW_COUNT;
  RETURN counted;
END $$;

SELECT hotspot_rebuild();
