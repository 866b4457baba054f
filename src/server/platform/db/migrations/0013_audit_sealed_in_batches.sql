-- The audit log is sealed into its hash chain in batches, as a transparency log is. Until 0012 every audited transaction
-- took the chain's lock (420117001) and held it through its commit's WAL flush, so all audited changes of the system
-- were serialised, fsync included (about 300 commits/s on one disk). Now an audited transaction only inserts its entry
-- (visible in audit_log as it commits, not yet sealed: chain_seq, prev_hash and hash NULL) and takes no lock; the sealer,
-- audit_seal(), run about every second by the jobs (audit.seal) and before every check of the chain, takes the lock and
-- gives the committed unsealed entries, in id order, the next places in the chain. The chain follows chain_seq, not id:
-- an entry with a lower id whose transaction commits later is sealed later, at a later place.

-- 0011's indirection (audit_pending, moved into audit_log at commit under the lock) is no longer needed.
DROP TABLE audit_pending;
DROP FUNCTION audit_pending_commit();
DROP TRIGGER audit_log_chain ON audit_log;
DROP FUNCTION audit_log_chain();

ALTER TABLE audit_log
  ALTER COLUMN prev_hash DROP NOT NULL,
  ALTER COLUMN hash DROP NOT NULL,
  ADD COLUMN chain_seq bigint UNIQUE;

-- The entries so far were chained in id order: they keep that order, at places 1, 2, 3, ...
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log a SET chain_seq = o.seq FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM audit_log) o WHERE a.id = o.id;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
-- An entry is sealed whole or not at all.
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
  CHECK ((chain_seq IS NULL) = (prev_hash IS NULL) AND (chain_seq IS NULL) = (hash IS NULL));

-- What the sealer has left to do, in the order it does it.
CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE chain_seq IS NULL;

-- An entry's hash: its predecessor's hash and its own content (the formula of 0001's audit_log_chain, unchanged, so the
-- entries sealed before keep their hashes; verifyAuditChain in platform/audit.ts recomputes it on its own).
CREATE FUNCTION audit_entry_hash(prev text, e audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|', prev, e.id::text, extract(epoch FROM e.at)::text,
    coalesce(e.actor_id::text, ''), coalesce(e.actor_name, ''), e.action, coalesce(e.entity_type, ''),
    coalesce(e.entity_id, ''), e.outcome, coalesce(e.ip, ''), e.details::text), 'UTF8')), 'hex')
$$;

-- Append-only: no DELETE, and no UPDATE except sealing an unsealed entry: its content unchanged, the next place in the
-- chain after an entry already sealed (or the first place), that entry's hash as prev_hash and the right hash. So even
-- by hand an entry can only be sealed as the sealer would seal it, and a sealed entry cannot be changed.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  predecessor text;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.action, NEW.entity_type, NEW.entity_id, NEW.outcome, NEW.ip,
          NEW.user_agent, NEW.details)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.action, OLD.entity_type, OLD.entity_id, OLD.outcome, OLD.ip,
          OLD.user_agent, OLD.details) THEN
    IF NEW.chain_seq = 1 THEN
      predecessor := repeat('0', 64);
    ELSE
      SELECT hash INTO predecessor FROM audit_log WHERE chain_seq = NEW.chain_seq - 1;
    END IF;
    IF predecessor IS NOT NULL AND NEW.prev_hash = predecessor AND NEW.hash = audit_entry_hash(NEW.prev_hash, NEW) THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log: entry % is not sealed as the chain requires', OLD.id;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END $$;

-- Seals at most max committed entries (the oldest ids first); returns how many. Sealers take turns on the chain's lock,
-- and each reads the chain's end after taking it (a statement in a function sees what committed before it started).
CREATE FUNCTION audit_seal(max integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  e audit_log;
  sealed integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(420117001);
  SELECT chain_seq, hash INTO last_seq, last_hash FROM audit_log WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
  last_seq := coalesce(last_seq, 0);
  last_hash := coalesce(last_hash, repeat('0', 64));
  FOR e IN SELECT * FROM audit_log WHERE chain_seq IS NULL ORDER BY id LIMIT max LOOP
    last_seq := last_seq + 1;
    e.prev_hash := last_hash;
    last_hash := audit_entry_hash(last_hash, e);
    UPDATE audit_log SET chain_seq = last_seq, prev_hash = e.prev_hash, hash = last_hash WHERE id = e.id AND chain_seq IS NULL;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'audit_seal: entry % was sealed meanwhile', e.id;
    END IF;
    sealed := sealed + 1;
  END LOOP;
  RETURN sealed;
END $$;
