-- Indexes for the case list's filters and sorts and the duplicate check at district scale. Each was chosen from the
-- plans of bench/cases.ts (1,000,000 cases, ~10 k open, native PostgreSQL 15); the times are the database's own
-- (EXPLAIN ANALYZE), before → after, on the same data.

-- The list filtered by class (classCode), newest first, and its count; and the duplicate check of every report (same
-- class, reported in the last 72 h). A rare class was found by a Parallel Seq Scan of the whole table: its count took
-- 187 ms in a street's scope and 162 ms in the district's, now 15 ms and 3.5 ms; the duplicate check 4.7 → 1.1 ms.
CREATE INDEX cases_class_created ON cases (class_code, created_at);

-- The list filtered by street (streetId), newest first, and its count. For a small street (2.5 % of the cases) the page
-- took 27 ms and the count 890 ms by scanning, now 0.6 ms and 120 ms (11 ms when the count stops at 10,001 rows).
-- For the large streets (17–19 % of the cases) a scan stays cheaper and the planner keeps it.
CREATE INDEX cases_street_created ON cases (street_id, created_at);

-- sort=deadline: nearest deadline first, then newest; finished cases (no due_at) last. The index holds that order, so a
-- page reads its 20 rows instead of sorting every case in scope: 295 ms (a street) and 546 ms (the district) → 0.2 ms.
-- cases_due (0007) stays: partial and small, it serves overdue, the light filters and the running cases' light sort.
CREATE INDEX cases_deadline ON cases (due_at ASC NULLS LAST, created_at DESC);

-- "Most pressing first" reads the running cases (due_at set, ~1 % of all) of one scope: these find them without
-- or-ing the whole scope's rows (a street's 190,000 of a million) first.
CREATE INDEX cases_running_org_path ON cases (org_path text_pattern_ops) WHERE due_at IS NOT NULL;
CREATE INDEX cases_running_assigned ON cases (assigned_unit_path text_pattern_ops) WHERE due_at IS NOT NULL;
