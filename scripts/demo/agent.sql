-- What every agent runs: plain SQL, as anyone would type it in psql. The
-- token is the agent's own; nothing else differs between agents. psql 15
-- cannot send it as a bind parameter (\bind is psql 16's), so :'token'
-- puts it in the statement as a literal: the preloaded library keeps it
-- out of the server log and pg_stat_activity, and it is not echoed here.
\echo 'SELECT agentauthz.act_for(:''token'', local => false) ->> ''purpose'' AS acting_for;'
SELECT agentauthz.act_for(:'token', local => false) ->> 'purpose' AS acting_for;
\set ECHO queries
SELECT name, owner, pipeline FROM crm_accounts ORDER BY id;
SELECT employee, salary FROM hr_records ORDER BY id;
SELECT name FROM repositories ORDER BY id;
SELECT r.name AS repository, d.environment, d.version FROM deployments d JOIN repositories r ON r.id = d.repository_id ORDER BY d.id;
SELECT folder_id, title FROM documents ORDER BY id;
SELECT customer, subject, status FROM support_tickets ORDER BY id;
SELECT customer, amount, status FROM billing_records ORDER BY id;
SELECT ticket_id, amount FROM refunds ORDER BY id;
-- Writes, in a transaction rolled back so the next agent sees the same data.
BEGIN;
UPDATE support_tickets SET status = 'triaged' WHERE status = 'open';
UPDATE billing_records SET status = 'paid';
\set ON_ERROR_STOP 0
INSERT INTO deployments (repository_id, environment, version) VALUES (1, 'production', 'v1.5');
ROLLBACK;
-- Refunds: allowed up to the person's limit, each in its own transaction.
BEGIN;
INSERT INTO refunds (queue, ticket_id, amount) VALUES ('main', 3, 60);
ROLLBACK;
BEGIN;
INSERT INTO refunds (queue, ticket_id, amount) VALUES ('main', 3, 500);
ROLLBACK;
