-- A statement's own refusal. A statement that makes several changes at once (intake's, cases/repository.ts) finds
-- out in one of its parts that another part must not stand: it calls this, the whole statement is undone, and the
-- server answers the error's code (SQLSTATE XH001, the code in the message, what it concerns in the detail).
CREATE FUNCTION xiuhua_refuse(code text, detail text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'XH001', MESSAGE = code, DETAIL = detail;
END $$;
