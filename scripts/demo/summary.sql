-- One line per actor for the side-by-side table: rows visible in each
-- table, then what its writes did. Run as an agent's role with :token, or
-- as the application's role with :person (through set_subject), for
-- comparison with what the person may do.
\set QUIET 1
\pset tuples_only on
\pset format unaligned
SELECT CASE WHEN :'token' <> '' THEN agentauthz.act_for(:'token', false) IS NOT NULL
            ELSE agentauthz.set_subject(:'person', false) IS NOT NULL END AS acting \gset
SELECT (SELECT count(*) FROM crm_accounts) AS accounts, (SELECT count(*) FROM hr_records) AS hr,
       (SELECT count(*) FROM repositories) AS repos, (SELECT count(*) FROM deployments) AS deploys,
       (SELECT count(*) FROM documents) AS docs, (SELECT count(*) FROM support_tickets) AS tickets,
       (SELECT count(*) FROM billing_records) AS billing, (SELECT count(*) FROM refunds) AS refunds \gset
-- Writes, counted before the transaction is rolled back.
BEGIN;
WITH t AS (UPDATE support_tickets SET status = 'triaged' WHERE status = 'open' RETURNING 1)
SELECT count(*) || ' updated' AS tickets_updated FROM t \gset
WITH b AS (UPDATE billing_records SET status = 'paid' RETURNING 1)
SELECT count(*) || ' updated' AS billing_updated FROM b \gset
\set ON_ERROR_STOP 0
\set deploy deployed
INSERT INTO deployments (repository_id, environment, version) VALUES (1, 'production', 'v1.5');
\if :ERROR
  \set deploy 'refused (' :LAST_ERROR_SQLSTATE ')'
\endif
ROLLBACK;
-- Refunds under and over the person's limit of 100.
\set refund_60 refunded
BEGIN;
INSERT INTO refunds (queue, ticket_id, amount) VALUES ('main', 3, 60);
\if :ERROR
  \set refund_60 'refused (' :LAST_ERROR_SQLSTATE ')'
\endif
ROLLBACK;
\set refund_500 refunded
BEGIN;
INSERT INTO refunds (queue, ticket_id, amount) VALUES ('main', 3, 500);
\if :ERROR
  \set refund_500 'refused (' :LAST_ERROR_SQLSTATE ')'
\endif
ROLLBACK;
\echo :accounts|:hr|:repos|:deploys|:docs|:tickets|:billing|:refunds|:tickets_updated|:billing_updated|:deploy|:refund_60|:refund_500
