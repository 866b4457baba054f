-- Cases (案卷) of the closed loop and their timeline; every step is a row, nothing is ever deleted.
CREATE SEQUENCE case_ticket_seq;

CREATE TABLE cases (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the number people quote: district code, date, sequence (e.g. 420117-20261125-000042)
  ticket              text NOT NULL UNIQUE,
  source              text NOT NULL CHECK (source IN ('supervisor', 'citizen', 'hotline', 'leader', 'upper_platform', 'sensor', 'video_ai', 'media')),
  -- idempotency: a retried upload with the same client id never makes a second case
  client_id           text NOT NULL,
  reported_by         uuid REFERENCES users(id),
  class_kind          text NOT NULL,
  class_code          text NOT NULL,
  urgency             text NOT NULL CHECK (urgency IN ('urgent', 'important', 'normal', 'complex')),
  description         text NOT NULL,
  address             text,
  position            geometry(Point, 4326) NOT NULL,
  grid_cell_id        uuid REFERENCES grid_cells(id),
  community_id        uuid REFERENCES org_units(id),
  street_id           uuid REFERENCES org_units(id),
  -- org path of the place (street/community), for the data scope of region staff
  org_path            text NOT NULL,
  state               text NOT NULL,
  step_started_at     timestamptz NOT NULL,
  step_deadline       timestamptz,
  assigned_unit_id    uuid REFERENCES org_units(id),
  assigned_unit_path  text,
  disposal_deadline   timestamptz,
  pending_extension   jsonb,
  pending_suspension  jsonb,
  reject_reason       text,
  merged_into         uuid REFERENCES cases(id),
  counters            jsonb NOT NULL,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  closed_at           timestamptz,
  FOREIGN KEY (class_kind, class_code) REFERENCES case_classes (kind, small_code)
);
CREATE UNIQUE INDEX cases_client ON cases (source, client_id);
CREATE INDEX cases_state ON cases (state, step_deadline);
CREATE INDEX cases_org_path ON cases (org_path text_pattern_ops);
CREATE INDEX cases_assigned ON cases (assigned_unit_path text_pattern_ops) WHERE assigned_unit_path IS NOT NULL;
CREATE INDEX cases_created ON cases (created_at);
CREATE INDEX cases_position ON cases USING gist (position);

CREATE TABLE case_timeline (
  id          bigserial PRIMARY KEY,
  case_id     uuid NOT NULL REFERENCES cases(id),
  kind        text NOT NULL,
  action      text NOT NULL,
  at          timestamptz NOT NULL,
  actor_id    uuid REFERENCES users(id),
  role        text NOT NULL,
  unit_id     uuid REFERENCES org_units(id),
  from_state  text NOT NULL,
  to_state    text NOT NULL,
  comment     text,
  reason      text,
  photo_ids   text[] NOT NULL DEFAULT '{}',
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_timeline_case ON case_timeline (case_id, id);
CREATE INDEX case_timeline_kind_at ON case_timeline (kind, at);

-- Built-in roles of an existing installation gain the case permissions (a fresh one gets them when the roles are seeded).
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['case:read', 'case:act']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('leader', 'shift_leader', 'acceptor', 'dispatcher', 'supervisor', 'disposal', 'officer');
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['case:report']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('admin', 'leader', 'shift_leader', 'acceptor', 'supervisor');
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['case:read', 'case:act']::text[]) ORDER BY 1)
  WHERE builtin AND key = 'admin';
