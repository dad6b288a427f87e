-- agentauthz 0.5 -> 0.6: caches that survive unrelated commits. There is
-- no agentauthz--0.6.sql: CREATE EXTENSION installs 0.3 and applies the
-- update scripts, so a fresh install and an updated one run the same
-- statements.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.6'" to load this file. \quit

-- Writes to the engine's tables mark their transaction ----------------------------

-- Every backend keeps what it read across the commits of transactions
-- that wrote none of these tables; the transactions that do mark
-- themselves (in shared memory, before they can commit). A row trigger,
-- as nothing skips one: a RETURNING statement stopped after its first rows
-- never fires its AFTER STATEMENT triggers, and logical replication's
-- apply fires row triggers only. ALWAYS: also under
-- session_replication_role = replica.
CREATE FUNCTION agentauthz.note_write() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_note_write';
COMMENT ON FUNCTION agentauthz.note_write() IS
  'Trigger function on the tables the engine reads (tuples, models, agents, delegations, protected_tables, synced_columns), before each row written and each TRUNCATE: marks the writing transaction, so that every backend drops what it kept when that transaction commits, and only then. Nobody calls it; it fires on those tables only.';
REVOKE ALL ON FUNCTION agentauthz.note_write() FROM PUBLIC;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tuples', 'models', 'agents', 'delegations', 'protected_tables',
                           'synced_columns'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON agentauthz.%I '
                   'FOR EACH ROW EXECUTE FUNCTION agentauthz.note_write()', t || '_written', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON agentauthz.%I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.note_write()', t || '_emptied', t);
    EXECUTE format('ALTER TABLE agentauthz.%I ENABLE ALWAYS TRIGGER %I', t, t || '_written');
    EXECUTE format('ALTER TABLE agentauthz.%I ENABLE ALWAYS TRIGGER %I', t, t || '_emptied');
  END LOOP;
END
$$;

-- The actor's and the tuples' own triggers fire under
-- session_replication_role = replica too: a delegation revoked there must
-- reach an agent inside its REPEATABLE READ transaction as any other.
ALTER TABLE agentauthz.agents ENABLE ALWAYS TRIGGER agents_changed;
ALTER TABLE agentauthz.agents ENABLE ALWAYS TRIGGER agents_truncated;
ALTER TABLE agentauthz.delegations ENABLE ALWAYS TRIGGER delegations_changed;
ALTER TABLE agentauthz.delegations ENABLE ALWAYS TRIGGER delegations_truncated;
ALTER TABLE agentauthz.tuples ENABLE ALWAYS TRIGGER tuples_changed;
ALTER TABLE agentauthz.tuples ENABLE ALWAYS TRIGGER tuples_truncated;

-- What a backend's caches did ------------------------------------------------------

CREATE FUNCTION agentauthz.cache_stats(OUT views bigint, OUT views_kept bigint,
                                       OUT writes_marked boolean)
    RETURNS record
    LANGUAGE c STRICT VOLATILE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'agentauthz_cache_stats';
COMMENT ON FUNCTION agentauthz.cache_stats() IS
  'This backend''s engine caches: views (the times it started over from what is visible) and views_kept (the statements that kept what an earlier one read, as no transaction that wrote the engine''s tables committed in between), and writes_marked (whether writing transactions are marked, so that other commits leave the caches in place: the library is preloaded and this is not a standby). For agentauthz_admin.';
REVOKE ALL ON FUNCTION agentauthz.cache_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.cache_stats() TO agentauthz_admin;
