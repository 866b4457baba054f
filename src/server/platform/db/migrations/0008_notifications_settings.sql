-- Notifications (提醒): what a person must know without looking — a step of theirs that ran out of time. Kept per
-- recipient, read or not; never deleted (the read time records that it was seen).
CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL,
  case_id uuid REFERENCES cases (id),
  -- what the notification says: ticket, state, deadline …; the web renders it in the reader's language
  payload jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- District settings an administrator changes at run time (the working calendar first): one JSON value per key.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id)
);
