-- The audit names the person's delegation and purpose. Found under 0.2: an
-- agent sub-delegating to itself with a purpose it wrote made
-- audit_decisions show its reads under that purpose and the child link
-- (only delegation_chain[1] still named the person's). Now the log's
-- purpose is the root link's, and the views show the root delegation and
-- its purpose first, then the whole chain and the link the agent acted
-- under -- for a self-sub-delegation and one to another agent alike.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS ap_docs;
DROP ROLE IF EXISTS ap_bot, ap_helper;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define viewer: [user]
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor or viewer from parent
$dsl$) > 0 AS model_written;
CREATE TABLE ap_docs (id bigint PRIMARY KEY, folder_id bigint, title text);
INSERT INTO ap_docs VALUES (1, 1, 'q1 results'), (2, 1, 'q1 costs'), (3, 2, 'payroll');
SELECT agentauthz.sync_tuples('ap_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS synced;
SELECT agentauthz.protect('ap_docs', 'document', 'id');
SELECT agentauthz.write_tuple('folder:1', 'viewer', 'user:anne');
SELECT agentauthz.write_tuple('folder:2', 'viewer', 'user:anne');
SELECT agentauthz.create_agent_role('ap_bot', 'agent:ap', tables => ARRAY['ap_docs']::regclass[]);
SELECT agentauthz.create_agent_role('ap_helper', 'agent:ap-helper', tables => ARRAY['ap_docs']::regclass[]);
SELECT agentauthz.delegate('user:anne', 'agent:ap', ARRAY['viewer@folder:1'], now() + interval '1 hour',
                           'summarize Q1') AS token \gset
SELECT max(id) AS root FROM agentauthz.delegations \gset
TRUNCATE agentauthz.audit_log, agentauthz.audit_chain;
SET agentauthz.audit = 'all';

-- The agent sub-delegates to itself under a purpose of its own, and reads
-- under the child; then hands a part to another agent, which reads too.
SET ROLE ap_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') IS NOT NULL AS acting;
SELECT agentauthz.subdelegate('agent:ap', ARRAY['viewer@folder:1'], now() + interval '1 hour',
                              'routine maintenance, nothing to see') AS self_token \gset
SELECT agentauthz.subdelegate('agent:ap-helper', ARRAY['viewer@document:2'], now() + interval '1 hour',
                              'check the costs') AS helper_token \gset
COMMIT;
BEGIN;
SELECT agentauthz.act_for(:'self_token') ->> 'purpose' AS acting_for;
SELECT id, title FROM ap_docs ORDER BY id;
COMMIT;
SELECT agentauthz.audit_flush();
RESET ROLE;
SET ROLE ap_helper;
BEGIN;
SELECT agentauthz.act_for(:'helper_token') ->> 'purpose' AS acting_for;
SELECT id, title FROM ap_docs ORDER BY id;
COMMIT;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT id AS self_link FROM agentauthz.delegations WHERE purpose = 'routine maintenance, nothing to see' \gset
SELECT id AS helper_link FROM agentauthz.delegations WHERE purpose = 'check the costs' \gset

-- What the log and the views say: the person's delegation and purpose,
-- then the chain and the acting link.
SELECT DISTINCT actor, principal, purpose,
       delegation_chain = ARRAY[:root, :self_link]::bigint[] AS chain_root_then_self,
       delegation_chain = ARRAY[:root, :helper_link]::bigint[] AS chain_root_then_helper
  FROM agentauthz.audit_log WHERE kind = 'check' ORDER BY actor;
SELECT actor, principal, delegation_id = :root AS root_delegation, purpose,
       delegation_chain[2] = acting_delegation_id AS chain_ends_at_acting_link,
       acting_delegation_id = :self_link AS acting_self, acting_delegation_id = :helper_link AS acting_helper,
       object_id, decision
  FROM agentauthz.audit_decisions ORDER BY actor, object_id;
SELECT actor, principal, delegation_id = :root AS root_delegation, purpose,
       cardinality(delegation_chain) AS links, acting_delegation_id <> delegation_id AS acted_under_a_child,
       allowed, denied
  FROM agentauthz.audit_by_delegation ORDER BY actor;
-- The views index the chain by its bounds, not from 1: a chain stored with
-- another lower bound still names its root and acting link.
UPDATE agentauthz.audit_log SET delegation_chain = ('[0:1]={' || :root || ',' || :self_link || '}')::bigint[]
 WHERE actor = 'agent:ap';
SELECT DISTINCT delegation_id = :root AS root_delegation, acting_delegation_id = :self_link AS acting_self
  FROM agentauthz.audit_decisions WHERE actor = 'agent:ap';
SELECT DISTINCT delegation_id = :root AS root_delegation, acting_delegation_id = :self_link AS acting_self
  FROM agentauthz.audit_by_delegation WHERE actor = 'agent:ap';

RESET agentauthz.audit;
DROP TABLE ap_docs;
DROP EXTENSION agentauthz CASCADE;
DROP OWNED BY ap_bot, ap_helper;
DROP ROLE ap_bot, ap_helper;
