-- The responsibility matrix (责任矩阵): which unit disposes of which class in which area; the most specific rule wins.
CREATE TABLE dispatch_rules (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  class_kind    text NOT NULL CHECK (class_kind IN ('component', 'event')),
  -- a small class, or a whole big class when small_code is null
  big_code      text NOT NULL CHECK (big_code ~ '^[0-9]{2}$'),
  small_code    text CHECK (small_code ~ '^[0-9]{4,6}$' AND left(small_code, 2) = big_code),
  -- the area the rule covers: the district, a street/zone or a community
  area_unit_id  uuid NOT NULL REFERENCES org_units(id),
  unit_id       uuid NOT NULL REFERENCES org_units(id),
  -- dispatch without a dispatcher once the case is filed
  auto          boolean NOT NULL DEFAULT false,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dispatch_rules_key ON dispatch_rules (class_kind, big_code, coalesce(small_code, ''), area_unit_id);

UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['case:configure']::text[]) ORDER BY 1)
  WHERE builtin AND key = 'admin';
