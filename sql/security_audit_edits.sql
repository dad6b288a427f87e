-- verify_audit() catches every edit of a stored row, also those the hash
-- alone cannot see: the hash covers the record a row decodes to, in which
-- NULL and '' (or '{}'), 0 and NULL, '{1}' and '[0:0]={1}' are the same.
-- The writer stores one form of each, so a row in any other form is
-- reported as edited. A superuser edits each column of logged rows in
-- every such way -- the newest row among them, whose hash is the exported
-- head (audit_chain.last_hash), so comparing the head would not notice --
-- and every edit is reported; undone, the chain verifies again.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS edit_docs;
DROP ROLE IF EXISTS edit_bot;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne') FROM generate_series(1, 2) g;
CREATE TABLE edit_docs (id bigint PRIMARY KEY, title text);
INSERT INTO edit_docs VALUES (1, 'plan'), (2, 'budget'), (3, 'salaries'), (4, 'merger');
SELECT agentauthz.protect('edit_docs', 'document', 'id');
SELECT agentauthz.create_agent_role('edit_bot', 'agent:editor', tables => '{edit_docs}');
SELECT agentauthz.delegate('user:anne', 'agent:editor', '{viewer@document:*}', now() + interval '1 hour',
                           'edits') AS token \gset

-- Rows of every kind of content: a purge record (most columns NULL), check
-- rows (object and decision), and last a summary (samples, counts).
SET ROLE edit_bot;
SELECT count(*) FROM edit_docs;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT agentauthz.purge_audit(now() + interval '1 minute') AS purged;
SET agentauthz.audit = 'all';
SET ROLE edit_bot;
SELECT agentauthz.act_for(:'token', false) IS NOT NULL AS acting;
SELECT id FROM edit_docs ORDER BY id;
RESET ROLE;
SET agentauthz.audit = 'summary';
SET ROLE edit_bot;
SELECT id FROM edit_docs ORDER BY id;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT id, kind, db_role, actor, delegation_chain, query_id IS NOT NULL AS has_query_id, object_id,
       decision, allowed_count, denied_count, allowed_sample, denied_sample, detail
  FROM agentauthz.audit_log ORDER BY id;
SELECT last_id FROM agentauthz.audit_chain;
SELECT * FROM agentauthz.verify_audit();

-- Runs the statements in a subtransaction, reports what verify_audit()
-- says of the result, then undoes them. 'nothing stored changed' when it
-- verifies and the rows read back exactly as before (an edit that is none).
CREATE FUNCTION pg_temp.edit(VARIADIC statements text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  before text;
  head bytea;
  statement text;
  verdict text;
BEGIN
  SELECT string_agg(l::text, ' ' ORDER BY id), (SELECT last_hash FROM agentauthz.audit_chain)
    INTO before, head FROM agentauthz.audit_log l;
  BEGIN
    FOREACH statement IN ARRAY statements LOOP
      EXECUTE statement;
    END LOOP;
    SELECT CASE WHEN NOT ok THEN detail
                WHEN (SELECT string_agg(l::text, ' ' ORDER BY id) FROM agentauthz.audit_log l) = before
                THEN 'nothing stored changed'
                ELSE 'NOT CAUGHT: ' || detail END
      INTO verdict FROM agentauthz.verify_audit();
    IF (SELECT last_hash FROM agentauthz.audit_chain) IS DISTINCT FROM head THEN
      verdict := verdict || ' (and the head moved)';
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'AZ999', MESSAGE = 'undo';
  EXCEPTION
    WHEN SQLSTATE 'AZ999' THEN NULL;
    WHEN OTHERS THEN verdict := SQLSTATE || ': ' || SQLERRM;
  END;
  RETURN verdict;
END
$$;

-- The newest row (7, a summary): the exported head is its hash, and no
-- edit here moves it.
SELECT change, pg_temp.edit(format('UPDATE agentauthz.audit_log SET %s WHERE id = 7', change)) AS verify_audit
  FROM (VALUES
    ('delegation_chain = ''[0:0]={1}'''),
    ('delegation_chain = ''[2:2]={1}'''),
    ('delegation_chain = ''{{1}}'''),
    ('delegation_chain = ''{1,NULL}'''),
    ('delegation_chain = NULL'),
    ('allowed_sample = ''[2:3]={1,2}'''),
    ('allowed_sample = ''[0:1]={1,2}'''),
    ('denied_sample = ''{{3,4}}'''),
    ('denied_sample = ''{3,4,NULL}'''),
    ('denied_sample = ''{NULL,4}'''),
    ('allowed_sample = ''{1," 2"}'''),
    ('detail = '''''),
    ('object_id = '''''),
    ('decision = '''''),
    ('query_id = NULL'),
    ('query_id = -query_id'),
    ('db_role = '''''),
    ('db_role = NULL'),
    ('backend_pid = NULL'),
    ('actor = ''agent:editor '''),
    ('purpose = '' edits'''),
    ('kind = '' summary'''),
    ('logged_at = logged_at + interval ''1 microsecond'''),
    ('allowed_count = -allowed_count'),
    ('allowed_count = allowed_count + 0 * -0'),
    ('prev_hash = ''\x00''')
  ) AS edits(change);

-- The purge record (row 2): NULL where the writer stores nothing, and each
-- NULL made '' or '{}' or 0.
SELECT change, pg_temp.edit(format('UPDATE agentauthz.audit_log SET %s WHERE id = 2', change)) AS verify_audit
  FROM (VALUES
    ('actor = '''''),
    ('principal = '''''),
    ('purpose = '''''),
    ('query_hash = '''''),
    ('relation = '''''),
    ('object_type = '''''),
    ('object_id = '''''),
    ('decision = '''''),
    ('delegation_chain = ''{}'''),
    ('allowed_sample = ''{}'''),
    ('denied_sample = ''{}'''),
    ('query_id = 0'),
    ('query_id = -0'),
    ('detail = NULL'),
    ('db_role = NULL')
  ) AS edits(change);

-- A check row (row 3): its own columns, and counts of 0 made NULL once the
-- NOT NULL constraint is dropped.
SELECT change, pg_temp.edit(format('UPDATE agentauthz.audit_log SET %s WHERE id = 3', change)) AS verify_audit
  FROM (VALUES
    ('object_id = '' 1'''),
    ('decision = ''allowed '''),
    ('relation = ''Viewer'''),
    ('allowed_sample = ''{1}'''),
    ('denied_count = -0')
  ) AS edits(change);
SELECT pg_temp.edit('ALTER TABLE agentauthz.audit_log ALTER allowed_count DROP NOT NULL',
                    'UPDATE agentauthz.audit_log SET allowed_count = NULL WHERE id = 3') AS allowed_count_null;
SELECT pg_temp.edit('ALTER TABLE agentauthz.audit_log ALTER denied_count DROP NOT NULL',
                    'UPDATE agentauthz.audit_log SET denied_count = NULL WHERE id = 7') AS denied_count_null;
SELECT pg_temp.edit('ALTER TABLE agentauthz.audit_log ALTER kind DROP NOT NULL',
                    'UPDATE agentauthz.audit_log SET kind = NULL WHERE id = 3') AS kind_null;
SELECT pg_temp.edit('ALTER TABLE agentauthz.audit_log ALTER row_hash DROP NOT NULL',
                    'UPDATE agentauthz.audit_log SET row_hash = NULL WHERE id = 7') AS row_hash_null;
-- A column whose type was altered is not read as if it were not.
SELECT pg_temp.edit('ALTER TABLE agentauthz.audit_log ALTER query_id TYPE numeric') AS query_id_made_numeric;

-- Edited for real and restored: reported, then verified again.
UPDATE agentauthz.audit_log SET delegation_chain = '[0:0]={1}', detail = '' WHERE id = 7;
SELECT * FROM agentauthz.verify_audit();
UPDATE agentauthz.audit_log SET delegation_chain = '{1}', detail = NULL WHERE id = 7;
SELECT * FROM agentauthz.verify_audit();
