-- The auditor's view of the demo, as the auditor's own role: what each
-- agent touched and was refused, for whom, under which delegation and
-- purpose; then the objects the research agent touched (it is audited at
-- level all) and whether the log is intact.
\pset footer off
\echo 'Per agent and delegation, today:'
SELECT actor, principal AS "for", delegation_id AS delegation, purpose, statements, allowed, denied
  FROM agentauthz.audit_by_delegation
 WHERE day = date_trunc('day', now())
 ORDER BY actor;
\echo 'What the research agent touched in the last day, and for whom:'
SELECT principal AS "for", purpose, object_type, decision, count(*) AS objects,
       string_agg(object_id, ', ' ORDER BY object_id) AS ids
  FROM (SELECT DISTINCT principal, purpose, object_type, object_id, decision
          FROM agentauthz.audit_decisions
         WHERE actor = 'agent:research' AND complete AND logged_at >= now() - interval '1 day') d
 GROUP BY 1, 2, 3, 4
 ORDER BY 3, 4;
\echo 'Is the log intact?'
SELECT ok, rows_checked, detail FROM agentauthz.verify_audit();
