-- IoT perception (物联感知): device models, the device registry, telemetry history (partitioned by day) with the
-- latest values beside it, rules and alarms. Telemetry is one row per message: the values travel as one jsonb object.

-- A device model (profile): the telemetry keys a type of device sends, with units and valid ranges, and how often
-- it reports. The built-in models are seeded from modules/iot/models.ts and may be edited by admins.
CREATE TABLE device_models (
  key              text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,39}$'),
  name             text NOT NULL,
  name_en          text NOT NULL,
  -- [{ key, name, nameEn, unit, type: 'number' | 'boolean' | 'string', min?, max? }]
  telemetry        jsonb NOT NULL,
  -- expected reporting interval; "offline" is counted in these
  interval_seconds integer NOT NULL CHECK (interval_seconds BETWEEN 1 AND 604800),
  -- the case class an alarm of this model files by default
  class_kind       text CHECK (class_kind IN ('component', 'event')),
  class_code       text,
  builtin          boolean NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the operator's device number (设备编号), unique in the district
  code           text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
  name           text NOT NULL,
  model_key      text NOT NULL REFERENCES device_models (key),
  lng            double precision,
  lat            double precision,
  cell_id        uuid REFERENCES grid_cells (id),
  street_id      uuid REFERENCES org_units (id),
  community_id   uuid REFERENCES org_units (id),
  address        text,
  -- org path of the place (street/community; the district when unplaced), for the data scope of region staff
  org_path       text NOT NULL,
  -- the facility it watches: a public toilet, a census component, a transfer station …
  facility_kind  text,
  facility_name  text,
  facility_ref   text,
  owner_unit_id  uuid REFERENCES org_units (id),
  owner_unit_path text,
  installed_on   date,
  -- the access token (ThingsBoard convention: the MQTT user name) is shown once; only its SHA-256 is kept.
  -- NULL = revoked (the device is refused until a new token is issued)
  token_sha256   text UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  token_hint     text,
  token_issued_at timestamptz,
  state          text NOT NULL DEFAULT 'never' CHECK (state IN ('never', 'online', 'offline')),
  last_seen      timestamptz,
  -- messages refused as malformed, and messages stored with a flag (unknown key, out of range)
  rejected_count bigint NOT NULL DEFAULT 0,
  flagged_count  bigint NOT NULL DEFAULT 0,
  last_reject    text,
  -- client attributes (v1/devices/me/attributes): firmware, SIM, …
  attributes     jsonb NOT NULL DEFAULT '{}',
  enabled        boolean NOT NULL DEFAULT true,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_model ON devices (model_key);
CREATE INDEX devices_street ON devices (street_id);

-- The history: one row per message, partitioned by day (telemetry_YYYYMMDD, made ahead by a job and on demand;
-- the retention setting drops whole partitions). values: { key: number | boolean | string } as received and valid;
-- flags: NULL when clean, else { unknown: [keys], outOfRange: [keys] }.
CREATE TABLE telemetry (
  device_id uuid NOT NULL,
  ts        timestamptz NOT NULL,
  values    jsonb NOT NULL,
  flags     jsonb
) PARTITION BY RANGE (ts);
CREATE INDEX telemetry_device_ts ON telemetry (device_id, ts);

-- The newest value of every key of every device: { key: { v, ts, q } } (q: 0 ok, 1 out of range, 2 unknown key).
CREATE TABLE device_latest (
  device_id  uuid PRIMARY KEY REFERENCES devices (id),
  ts         timestamptz NOT NULL,
  values     jsonb NOT NULL DEFAULT '{}'
);

-- A rule of a model (device_id NULL) or of one device (overrides the model's rule of the same name).
-- condition: { all: [ { type: 'threshold', key, op: 'above' | 'below', value, clear? }
--                     | { type: 'sustained', key, op, value, seconds, clear? }
--                     | { type: 'rate', key, change, seconds }          -- |Δ| ≥ change within seconds
--                     | { type: 'offline', intervals } ] }              -- no message for N intervals
CREATE TABLE iot_rules (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model_key   text NOT NULL REFERENCES device_models (key),
  device_id   uuid REFERENCES devices (id),
  name        text NOT NULL,
  name_en     text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  condition   jsonb NOT NULL,
  -- an alarm of this rule files a case in the case loop (class, urgency), linked back
  create_case boolean NOT NULL DEFAULT false,
  class_kind  text CHECK (class_kind IN ('component', 'event')),
  class_code  text,
  enabled     boolean NOT NULL DEFAULT true,
  builtin     boolean NOT NULL DEFAULT false,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX iot_rules_model ON iot_rules (model_key);
CREATE UNIQUE INDEX iot_rules_name ON iot_rules (model_key, COALESCE(device_id, '00000000-0000-0000-0000-000000000000'::uuid), name);

-- An alarm: active → acknowledged → cleared. At most one open alarm per device and rule; repeats count on it.
CREATE TABLE alarms (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  device_id       uuid NOT NULL REFERENCES devices (id),
  rule_id         uuid NOT NULL REFERENCES iot_rules (id),
  severity        text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  state           text NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
  raised_at       timestamptz NOT NULL,
  last_at         timestamptz NOT NULL,
  repeats         integer NOT NULL DEFAULT 0,
  -- the values that raised it, and the newest that kept it up
  detail          jsonb NOT NULL DEFAULT '{}',
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES users (id),
  cleared_at      timestamptz,
  cleared_by      uuid REFERENCES users (id),
  clear_reason    text,
  case_id         uuid REFERENCES cases (id)
);
CREATE UNIQUE INDEX alarms_open ON alarms (device_id, rule_id) WHERE state <> 'cleared';
CREATE INDEX alarms_state ON alarms (state, raised_at DESC);
CREATE INDEX alarms_device ON alarms (device_id, raised_at DESC);

-- Admins and operators see and manage devices; the command centre sees and handles alarms.
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['device:read', 'device:write', 'alarm:read', 'alarm:act']::text[]) ORDER BY 1)
  WHERE builtin AND key = 'admin';
UPDATE roles SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || ARRAY['device:read', 'alarm:read', 'alarm:act']::text[]) ORDER BY 1)
  WHERE builtin AND key IN ('leader', 'shift_leader', 'acceptor', 'dispatcher');
