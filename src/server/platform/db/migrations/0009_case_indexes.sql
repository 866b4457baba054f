-- Indexes for the case list and the duplicate check at district scale (bench/cases.ts: 1,000,000 cases, ~10 k open).
-- Each one was chosen from the plans EXPLAIN ANALYZE showed there; the times are the database's, native PostgreSQL 15.

-- The list filtered by class (classCode), newest first, and its count. Also the duplicate check at every report
-- (same class, reported in the last 72 h): it was a Parallel Seq Scan of the whole table for a rare class in a street's
-- scope (365 ms for its count) and reads only that class's recent rows now (8–17 ms; the duplicate check 0.3–10 ms).
CREATE INDEX cases_class_created ON cases (class_code, created_at);

-- The list filtered by street (streetId), newest first, and its count: a Parallel Seq Scan before (200–490 ms), now a
-- range of this index for a street with a small share of the district's cases.
CREATE INDEX cases_street_created ON cases (street_id, created_at);

-- sort=deadline (nearest first, then newest; finished cases, which have no due_at, last): the index gives that order
-- as it is, so a page reads its 20 rows instead of sorting every case in scope (500–720 ms before, 0.4 ms now).
-- cases_due (0007) stays: it is partial and small, for overdue, light filters and the light sort of running cases.
CREATE INDEX cases_deadline ON cases (due_at ASC NULLS LAST, created_at DESC);
