-- The audit log's hash chain is extended at commit time. Each entry is first written to audit_pending, in the
-- transaction of its change; a deferred trigger moves it into audit_log as that transaction commits, and the chain's
-- lock (audit_log_chain, 0001) is taken there. The lock is held until the commit, and is taken by every audited change
-- in turn, so how long it is held bounds the audited changes per second: taken by the INSERT into audit_log it was held
-- while the application got the answer and sent COMMIT (a round trip that waits for a busy event loop: milliseconds
-- under load); taken at commit it is held for the insert and the commit's WAL flush only.
-- Nothing stays in audit_pending (rolled back with its change, or moved at commit), so it is UNLOGGED: no WAL for it.
CREATE UNLOGGED TABLE audit_pending (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  actor_name   text,
  action       text NOT NULL,
  entity_type  text,
  entity_id    text,
  outcome      text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'refused', 'failed')),
  ip           text,
  user_agent   text,
  details      jsonb NOT NULL DEFAULT '{}'
);

CREATE FUNCTION audit_pending_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (at, actor_id, actor_name, action, entity_type, entity_id, outcome, ip, user_agent, details)
  VALUES (NEW.at, NEW.actor_id, NEW.actor_name, NEW.action, NEW.entity_type, NEW.entity_id, NEW.outcome, NEW.ip, NEW.user_agent, NEW.details);
  DELETE FROM audit_pending WHERE id = NEW.id;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER audit_pending_commit AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_pending_commit();

-- The chain follows the ids (verifyAuditChain reads it in id order), so an entry's id is drawn under the chain's lock:
-- drawn by the column default before the lock, as 0001 did, two transactions could chain in the other order than their
-- ids, and the log then failed its check with nothing tampered (found with 600 concurrent audited transactions).
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(420117001);
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(NEW.prev_hash, repeat('0', 64));
  NEW.hash := encode(sha256(convert_to(concat_ws('|', NEW.prev_hash, NEW.id::text, extract(epoch FROM NEW.at)::text,
    coalesce(NEW.actor_id::text, ''), coalesce(NEW.actor_name, ''), NEW.action, coalesce(NEW.entity_type, ''),
    coalesce(NEW.entity_id, ''), NEW.outcome, coalesce(NEW.ip, ''), NEW.details::text), 'UTF8')), 'hex');
  RETURN NEW;
END $$;
