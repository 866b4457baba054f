-- Foundation: organisation (四级网络), grid cells, classes, users and roles, sessions, audit log, jobs.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Organisation units: the region line (district → street/town/zone → community) and the departments beside it.
CREATE TABLE org_units (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id   uuid REFERENCES org_units(id),
  kind        text NOT NULL CHECK (kind IN ('district', 'street', 'zone', 'community', 'department', 'sub_unit')),
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  name_en     text,
  -- '/<district id>/<street id>/…/<own id>/': the data scope of a unit is every row whose path starts with it.
  path        text NOT NULL UNIQUE,
  sort        integer NOT NULL DEFAULT 0,
  centre      geometry(Point, 4326),
  population  integer,
  demo        boolean NOT NULL DEFAULT false,
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'district') = (parent_id IS NULL))
);
CREATE INDEX org_units_parent ON org_units (parent_id);
CREATE INDEX org_units_path ON org_units (path text_pattern_ops);

-- Grid cells (万米单元网格): polygons with the 15-digit code (community code + 3-digit sequence).
CREATE TABLE grid_cells (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code          text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{15}$'),
  name          text,
  community_id  uuid NOT NULL REFERENCES org_units(id),
  org_path      text NOT NULL,
  geom          geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  area_m2       double precision NOT NULL,
  demo          boolean NOT NULL DEFAULT false,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grid_cells_geom ON grid_cells USING gist (geom);
CREATE INDEX grid_cells_community ON grid_cells (community_id);
CREATE INDEX grid_cells_org_path ON grid_cells (org_path text_pattern_ops);

-- One row; bumped by every grid change so each process's in-memory index knows when to reload.
CREATE TABLE grid_revision (
  id        boolean PRIMARY KEY DEFAULT true CHECK (id),
  revision  bigint NOT NULL DEFAULT 0
);
INSERT INTO grid_revision DEFAULT VALUES;

-- Component and event classes (部件/事件 big and small classes, GB/T 30428.2).
CREATE TABLE case_classes (
  kind             text NOT NULL CHECK (kind IN ('component', 'event')),
  small_code       text NOT NULL CHECK (small_code ~ '^[0-9]{4,6}$'),
  big_code         text NOT NULL CHECK (big_code ~ '^[0-9]{2}$'),
  big_name         text NOT NULL,
  big_name_en      text,
  small_name       text NOT NULL,
  small_name_en    text,
  default_urgency  text NOT NULL CHECK (default_urgency IN ('urgent', 'important', 'normal', 'complex')),
  citizen_choice   text,
  status           text NOT NULL DEFAULT 'provisional' CHECK (status IN ('provisional', 'official', 'local')),
  active           boolean NOT NULL DEFAULT true,
  PRIMARY KEY (kind, small_code),
  CHECK (left(small_code, 2) = big_code)
);

-- Roles are named permission sets; the built-in ones follow PRODUCT.md and cannot be removed.
CREATE TABLE roles (
  key          text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,39}$'),
  name         text NOT NULL,
  name_en      text NOT NULL,
  permissions  text[] NOT NULL DEFAULT '{}',
  builtin      boolean NOT NULL DEFAULT false,
  version      integer NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username             text NOT NULL CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
  display_name         text NOT NULL,
  phone                text,
  unit_id              uuid NOT NULL REFERENCES org_units(id),
  roles                text[] NOT NULL DEFAULT '{}',
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  password_hash        text NOT NULL,
  password_changed_at  timestamptz NOT NULL DEFAULT now(),
  must_change_password boolean NOT NULL DEFAULT false,
  failed_attempts      integer NOT NULL DEFAULT 0,
  locked_until         timestamptz,
  last_login_at        timestamptz,
  demo                 boolean NOT NULL DEFAULT false,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_unit ON users (unit_id);

-- Who is responsible for which grid cell (field supervisor, grid worker, …).
CREATE TABLE grid_cell_people (
  grid_cell_id  uuid NOT NULL REFERENCES grid_cells(id),
  user_id       uuid NOT NULL REFERENCES users(id),
  duty          text NOT NULL DEFAULT 'supervisor' CHECK (duty IN ('supervisor', 'grid_worker', 'responsible')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (grid_cell_id, user_id, duty)
);
CREATE INDEX grid_cell_people_user ON grid_cell_people (user_id);

-- Sessions: the token itself is never stored, only its SHA-256.
CREATE TABLE sessions (
  token_hash    text PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users(id),
  kind          text NOT NULL CHECK (kind IN ('cookie', 'bearer')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ip            text,
  user_agent    text,
  revoked_at    timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Audit log (等保 2.0): append-only and hash-chained, so an edit or a deletion cannot go unnoticed.
CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  actor_name   text,
  action       text NOT NULL,
  entity_type  text,
  entity_id    text,
  outcome      text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'refused', 'failed')),
  ip           text,
  user_agent   text,
  details      jsonb NOT NULL DEFAULT '{}',
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(420117001);
  SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(NEW.prev_hash, repeat('0', 64));
  NEW.hash := encode(sha256(convert_to(concat_ws('|', NEW.prev_hash, NEW.id::text, extract(epoch FROM NEW.at)::text,
    coalesce(NEW.actor_id::text, ''), coalesce(NEW.actor_name, ''), NEW.action, coalesce(NEW.entity_type, ''),
    coalesce(NEW.entity_id, ''), NEW.outcome, coalesce(NEW.ip, ''), NEW.details::text), 'UTF8')), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Background jobs and outbox, claimed with FOR UPDATE SKIP LOCKED by any process.
CREATE TABLE jobs (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}',
  run_at       timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 10,
  locked_by    text,
  locked_until timestamptz,
  last_error   text,
  done_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- a recurring job has one pending row per key
  unique_key   text
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (unique_key) WHERE done_at IS NULL AND unique_key IS NOT NULL;
