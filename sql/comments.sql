-- Every function of the extension carries a comment saying what it does and
-- who may call it (\df+, obj_description): a function added without one is
-- listed below and fails this test. A fresh install is the default version.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

SELECT extversion FROM pg_extension WHERE extname = 'agentauthz';

-- The extension's functions without a comment: none.
SELECT p.oid::regprocedure AS function_without_comment
  FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
 WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
   AND d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'agentauthz')
   AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''
 ORDER BY 1::text;

-- The query above sees them all: every function in the schema is a member.
SELECT count(*) > 0 AS has_functions,
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
            AND d.deptype = 'e')) AS not_members
  FROM pg_proc p WHERE p.pronamespace = 'agentauthz'::regnamespace;
