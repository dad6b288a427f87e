-- The baseline: the benchmark's model implemented by hand in plain SQL with
-- recursive CTEs over the same agentauthz.tuples table and its indexes --
-- what a team without the extension would write. Semantics (bench/sql/model.fga):
--
--   group#member      : [user, agent, group#member]
--   folder#viewer     : [user, agent, group#member] or owner or viewer from parent
--   document#editor   : [user, group#member] or owner
--   document#viewer   : [user, agent, group#member] or editor or viewer from parent
--
-- So a subject has viewer on a document when a tuple on the document (viewer,
-- editor or owner) or on one of its ancestor folders (viewer or owner) names
-- the subject or a group#member userset the subject belongs to, transitively.
-- Group membership is expanded bottom-up (from the subject to the groups that
-- contain it), the ancestry top-down (from the object to its parents). UNION
-- makes both terminate on cycles. Expired tuples do not grant.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;

-- Relations on the object itself that grant p_relation.
CREATE OR REPLACE FUNCTION bench.cte_self_relations(p_type text, p_relation text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE p_type || '#' || p_relation
           WHEN 'document#viewer' THEN ARRAY['viewer', 'editor', 'owner']
           WHEN 'document#editor' THEN ARRAY['editor', 'owner']
           WHEN 'document#owner'  THEN ARRAY['owner']
           WHEN 'document#parent' THEN ARRAY['parent']
           WHEN 'folder#viewer'   THEN ARRAY['viewer', 'owner']
           WHEN 'folder#owner'    THEN ARRAY['owner']
           WHEN 'folder#parent'   THEN ARRAY['parent']
           WHEN 'group#member'    THEN ARRAY['member']
         END
$$;

CREATE OR REPLACE FUNCTION bench.cte_check(p_subject text, p_relation text, p_object text)
    RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH RECURSIVE
  -- The subject and every group#member userset that contains it, transitively.
  subject_sets(s) AS (
      SELECT p_subject COLLATE "C"
    UNION
      SELECT t.object || '#member'
        FROM subject_sets ss
        JOIN agentauthz.tuples t ON t.subject = ss.s AND t.relation = 'member'
       WHERE t.expires_at IS NULL OR t.expires_at > now()
  ),
  -- The object and, for viewer, its ancestor folders.
  ancestors(o) AS (
      SELECT p_object COLLATE "C"
    UNION
      SELECT t.subject
        FROM ancestors a
        JOIN agentauthz.tuples t ON t.object = a.o AND t.relation = 'parent'
       WHERE p_relation = 'viewer' AND p_object NOT LIKE 'group:%'
         AND (t.expires_at IS NULL OR t.expires_at > now())
  )
  -- The subjects named by the granting tuples on the object and its
  -- ancestors, computed once (an InitPlan), then matched against the
  -- subject's sets as the recursion produces them: the first match stops it.
  -- (Written with ARRAY() so the plan does not depend on the planner's
  -- estimates for the CTEs: a plain three-way join flipped between plans
  -- with 11 and 21 index scans per check from one ANALYZE to the next.)
  SELECT EXISTS (
    SELECT 1
      FROM subject_sets ss
     WHERE ss.s = ANY (ARRAY(
             SELECT t.subject
               FROM ancestors a
               JOIN agentauthz.tuples t ON t.object = a.o
              WHERE t.relation = ANY (CASE WHEN a.o = p_object
                                           THEN bench.cte_self_relations(split_part(p_object, ':', 1), p_relation)
                                           ELSE ARRAY['viewer', 'owner'] END)
                AND (t.expires_at IS NULL OR t.expires_at > now())))
  )
$$;

-- list_objects(subject, 'viewer', 'document' | 'folder') by hand: the
-- objects granted to the subject's sets, plus everything below granted folders.
CREATE OR REPLACE FUNCTION bench.cte_list_objects(p_subject text, p_relation text, p_type text)
    RETURNS SETOF text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH RECURSIVE
  subject_sets(s) AS (
      SELECT p_subject COLLATE "C"
    UNION
      SELECT t.object || '#member'
        FROM subject_sets ss
        JOIN agentauthz.tuples t ON t.subject = ss.s AND t.relation = 'member'
       WHERE t.expires_at IS NULL OR t.expires_at > now()
  ),
  granted(o) AS (
    SELECT t.object
      FROM subject_sets ss
      JOIN agentauthz.tuples t ON t.subject = ss.s
     WHERE ((t.object LIKE 'document:%' AND t.relation IN ('viewer', 'editor', 'owner'))
         OR (t.object LIKE 'folder:%' AND t.relation IN ('viewer', 'owner')))
       AND (t.expires_at IS NULL OR t.expires_at > now())
  ),
  -- Granted folders and all folders below them.
  folders(f) AS (
      SELECT o FROM granted WHERE o LIKE 'folder:%'
    UNION
      SELECT t.object
        FROM folders fo
        JOIN agentauthz.tuples t ON t.subject = fo.f AND t.relation = 'parent'
       WHERE t.object LIKE 'folder:%'
         AND (t.expires_at IS NULL OR t.expires_at > now())
  )
  SELECT o FROM granted
   WHERE p_relation = 'viewer' AND o LIKE p_type || ':%'
  UNION
  -- The children of each visible folder, one index range scan per folder
  -- (OFFSET 0 keeps the planner from turning this into a hash join over
  -- every parent tuple when its row estimate for `folders` is high).
  SELECT c.object
    FROM folders fo
    CROSS JOIN LATERAL (
      SELECT t.object
        FROM agentauthz.tuples t
       WHERE t.subject = fo.f AND t.relation = 'parent' AND t.object LIKE p_type || ':%'
         AND (t.expires_at IS NULL OR t.expires_at > now())
      OFFSET 0) c
   WHERE p_relation = 'viewer'
$$;
