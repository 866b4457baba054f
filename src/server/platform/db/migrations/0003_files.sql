-- Files (photos, evidence) of the files module: the bytes live in storage under their keys, the facts here; nothing is ever deleted.
CREATE TABLE files (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind           text NOT NULL CHECK (kind IN ('photo')),
  -- sniffed from the bytes, never the type the client claimed
  content_type   text NOT NULL,
  size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
  sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key    text NOT NULL UNIQUE,
  -- as displayed (EXIF orientation applied)
  width          integer CHECK (width > 0),
  height         integer CHECK (height > 0),
  thumbnail_key  text UNIQUE,
  uploaded_by    uuid NOT NULL REFERENCES users(id),
  uploaded_at    timestamptz NOT NULL DEFAULT now(),
  -- set when a case step first uses the file
  case_id        uuid REFERENCES cases(id),
  CHECK (kind <> 'photo' OR (width IS NOT NULL AND height IS NOT NULL AND thumbnail_key IS NOT NULL))
);
CREATE INDEX files_case ON files (case_id) WHERE case_id IS NOT NULL;
-- a retried upload of the same bytes by the same person finds its first copy
CREATE INDEX files_uploader_sha256 ON files (uploaded_by, sha256);
