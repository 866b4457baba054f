-- Citizen service (公众服务) and Open311: who reported what from outside, what of a case the public may see, the
-- citizens' satisfaction ratings and the keys of integrating 311 clients. Personal data stays in citizen_reports and
-- never leaves through a public route.

-- A citizen's photo has no uploading user; the public sees a photo only once staff mark it public (faces, plates).
ALTER TABLE files ALTER COLUMN uploaded_by DROP NOT NULL;
ALTER TABLE files ADD COLUMN public boolean NOT NULL DEFAULT false;

-- What staff publish of a case: its description (once checked for personal data) and the reply (回复) to the reporter.
ALTER TABLE cases ADD COLUMN public_description boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN public_reply text;
-- an unsatisfied rating waits for the centre's review (复核): { rating, comment, ratedAt }
ALTER TABLE cases ADD COLUMN pending_review jsonb;
CREATE INDEX cases_pending_review ON cases (created_at) WHERE pending_review IS NOT NULL;

-- Keys of Open311 clients (api_key): only the SHA-256 of the key is kept; revoked keys stay for the record.
CREATE TABLE open311_keys (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text NOT NULL,
  key_sha256      text NOT NULL UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
  -- the first characters, so staff can tell keys apart
  key_hint        text NOT NULL,
  requests_per_minute integer NOT NULL DEFAULT 600 CHECK (requests_per_minute BETWEEN 1 AND 100000),
  -- signed webhook told when a request made with this key changes stage
  webhook_url     text,
  webhook_secret  text,
  created_by      uuid REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  revoked_by      uuid REFERENCES users (id)
);

-- One row per case that came from a citizen (web page or Open311 client).
CREATE TABLE citizen_reports (
  case_id      uuid PRIMARY KEY REFERENCES cases (id),
  channel      text NOT NULL CHECK (channel IN ('web', 'open311')),
  -- the friendly problem type the citizen chose (classes.citizen_choice) or the Open311 service_code
  service_code text NOT NULL,
  -- the secret the reporter follows and rates the case with (Open311 "token")
  token        text NOT NULL UNIQUE,
  -- personal data: never on a public route
  phone        text,
  phone_sha256 text,
  first_name   text,
  last_name    text,
  email        text,
  device_id    text,
  account_id   text,
  api_key_id   uuid REFERENCES open311_keys (id),
  attributes   jsonb NOT NULL DEFAULT '{}',
  media_url    text,
  ip           text,
  -- why intake thought it might be spam (the acceptor decides; nothing is dropped)
  suspect      text,
  -- the public stage the reporter was last told of (SMS, webhook)
  notified_stage text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX citizen_reports_phone ON citizen_reports (phone_sha256, created_at) WHERE phone_sha256 IS NOT NULL;
CREATE INDEX citizen_reports_key ON citizen_reports (api_key_id, created_at) WHERE api_key_id IS NOT NULL;

-- Satisfaction (满意度) of the reporter, one per closing they rate.
CREATE TABLE case_ratings (
  id         bigserial PRIMARY KEY,
  case_id    uuid NOT NULL REFERENCES cases (id),
  rating     text NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
  comment    text,
  -- the closing rated: a reopened and closed-again case may be rated again
  closed_at  timestamptz NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, closed_at)
);

-- One-time codes sent by SMS to follow one's reports by phone number: only hashes are kept.
CREATE TABLE citizen_codes (
  id           bigserial PRIMARY KEY,
  phone_sha256 text NOT NULL,
  code_sha256  text NOT NULL,
  expires_at   timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  used_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX citizen_codes_phone ON citizen_codes (phone_sha256, created_at DESC);
