-- hotspot_refresh() works out each touched cell and class's chain from the first changed report on, not from its
-- first report ever, and writes a new report with its previous_at at once instead of inserting it and updating it
-- after. At 500 reports/s the refresh every 10 s took 0.5–0.7 s of a core (5,000 reports: the chain's window over every
-- report of 5,000 pairs, then an UPDATE of the 5,000 rows just inserted), and Open311 intake's p99 at 500/s was 36–45 ms
-- with the refresh job off and 50–145 ms with it on (bench/open311.ts). By hand, 5,000 changed reports among 26,000:
-- 287–343 ms before, 170–195 ms after. The copy it keeps is unchanged: the same rows as hotspot_rebuild() makes
-- (hotspot-reports.test.ts checks it over rounds of reports added, moved in time, voided and restored).

CREATE OR REPLACE FUNCTION hotspot_refresh() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  old_cells uuid[];
  old_kinds text[];
  old_codes text[];
  old_times timestamptz[];
BEGIN
  PERFORM pg_advisory_xact_lock(420117006);
  WITH taken AS (DELETE FROM hotspot_stale RETURNING case_id)
  SELECT array_agg(DISTINCT case_id) INTO ids FROM taken;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;

  -- where the changed cases were counted (their old rows) and where they count now (fresh): each pair's chain changes
  -- from the earliest of those times on (t0); the report just before t0 keeps its place and seeds the chain
  WITH old AS (
    DELETE FROM hotspot_reports WHERE case_id = ANY (ids) RETURNING grid_cell_id, class_kind, class_code, reported_at
  )
  SELECT array_agg(grid_cell_id), array_agg(class_kind), array_agg(class_code), array_agg(reported_at)
    INTO old_cells, old_kinds, old_codes, old_times FROM old;

  INSERT INTO hotspot_paths (org_path, unit_path)
    SELECT DISTINCT org_path, coalesce(assigned_unit_path, '') FROM cases
    WHERE id = ANY (ids) AND grid_cell_id IS NOT NULL AND state NOT IN ('rejected', 'invalid', 'merged', 'cancelled')
    ON CONFLICT DO NOTHING;

  WITH fresh AS (
    SELECT c.id AS case_id, c.grid_cell_id, c.class_kind, c.class_code, c.created_at AS reported_at, p.id AS path_id
    FROM cases c JOIN hotspot_paths p ON p.org_path = c.org_path AND p.unit_path = coalesce(c.assigned_unit_path, '')
    WHERE c.id = ANY (ids) AND c.grid_cell_id IS NOT NULL AND c.state NOT IN ('rejected', 'invalid', 'merged', 'cancelled')
  ), pairs AS (
    SELECT grid_cell_id, class_kind, class_code, min(at) AS t0 FROM (
      SELECT * FROM unnest(old_cells, old_kinds, old_codes, old_times) AS o(grid_cell_id, class_kind, class_code, at)
      UNION ALL
      SELECT grid_cell_id, class_kind, class_code, reported_at FROM fresh
    ) changed GROUP BY grid_cell_id, class_kind, class_code
  ), chain_rows AS (
    -- the kept reports from t0 on, the one before t0 (seed: its own previous_at stands), and the fresh ones
    SELECT h.case_id, h.grid_cell_id, h.class_kind, h.class_code, h.reported_at, h.previous_at, false AS is_fresh, false AS is_seed
    FROM pairs p JOIN hotspot_reports h
      ON h.grid_cell_id = p.grid_cell_id AND h.class_kind = p.class_kind AND h.class_code = p.class_code AND h.reported_at >= p.t0
    UNION ALL
    SELECT s.case_id, p.grid_cell_id, p.class_kind, p.class_code, s.reported_at, s.previous_at, false, true
    FROM pairs p CROSS JOIN LATERAL (
      SELECT h.case_id, h.reported_at, h.previous_at FROM hotspot_reports h
      WHERE h.grid_cell_id = p.grid_cell_id AND h.class_kind = p.class_kind AND h.class_code = p.class_code AND h.reported_at < p.t0
      ORDER BY h.reported_at DESC, h.case_id DESC LIMIT 1
    ) s
    UNION ALL
    SELECT case_id, grid_cell_id, class_kind, class_code, reported_at, NULL, true, false FROM fresh
  ), chain AS (
    SELECT case_id, is_fresh, is_seed, previous_at AS was,
      lag(reported_at) OVER (PARTITION BY grid_cell_id, class_kind, class_code ORDER BY reported_at, case_id) AS previous_at
    FROM chain_rows
  ), added AS (
    INSERT INTO hotspot_reports (case_id, grid_cell_id, class_kind, class_code, reported_at, previous_at, path_id)
      SELECT f.case_id, f.grid_cell_id, f.class_kind, f.class_code, f.reported_at, ch.previous_at, f.path_id
      FROM fresh f JOIN chain ch ON ch.case_id = f.case_id AND ch.is_fresh
    RETURNING 1
  )
  UPDATE hotspot_reports r SET previous_at = ch.previous_at
    FROM chain ch
    WHERE NOT ch.is_fresh AND NOT ch.is_seed AND r.case_id = ch.case_id AND ch.was IS DISTINCT FROM ch.previous_at;

  RETURN cardinality(ids);
END $$;
