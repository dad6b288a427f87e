-- Models: parsing, validation errors with SQLSTATE 42601 and positions,
-- versioning, read_model, and replacement without touching stored tuples.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

-- Reports the SQLSTATE and message of a statement instead of failing.

-- No model yet: reads are NULL, evaluation says what is missing.
SELECT agentauthz.read_model() IS NULL AS no_model;
SELECT regress.try($$SELECT agentauthz.check('user:anne', 'viewer', 'document:1')$$);

SELECT agentauthz.write_model($dsl$
model
  schema 1.1

# people and the groups they belong to
type user
type group
  relations
    define member: [user, group#member]

type document
  relations
    define owner: [user]
    define editor: [user, group#member] or owner   # owners edit
    define viewer: [user, user:*, group#member] or editor
$dsl$) AS first_model;

SELECT agentauthz.read_model() LIKE '%define viewer%' AS active_is_first;
SELECT count(*) FROM agentauthz.models;

-- Syntax errors: 42601 with line and column.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer [user]')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.0
type user')$$);
SELECT regress.try($$SELECT agentauthz.write_model('type user')$$);
SELECT regress.try($$SELECT agentauthz.write_model('')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user] or editor and owner
    define editor: [user]
    define owner: [user]')$$);

-- Semantic errors, as OpenFGA reports them.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [employee]')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user] or editor')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type group
  relations
    define member: [user]
type document
  relations
    define viewer: [user, group#admin]')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type user')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user]
    define viewer: [user]')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type self')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define this: [user]')$$);
-- The tupleset of `X from Y` must be directly assignable.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type folder
  relations
    define viewer: [user]
type document
  relations
    define owner: [folder]
    define parent: owner
    define viewer: viewer from parent')$$);
-- A relation no subject can ever satisfy (no entry point).
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: editor
    define editor: viewer')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user] and editor
    define editor: editor')$$);
-- A type restriction naming a condition the model does not declare (more
-- condition errors in conditions_model.sql).
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with in_offce]
condition in_office(ip: ipaddress) {
  ip.in_cidr("10.0.0.0/8")
}')$$);

-- Failed writes stored nothing; the first model is still the active one.
SELECT count(*) FROM agentauthz.models;

-- Names may contain '-' and '_'; a type may be called 'module'.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type module
  relations
    define can_read: [user]
type team-space
  relations
    define read_only_member: [user] or can_view
    define can_view: [user]
$dsl$) AS second_model;
SELECT agentauthz.write_tuple('team-space:alpha', 'read_only_member', 'user:anne');
SELECT agentauthz.check('user:anne', 'read_only_member', 'team-space:alpha');

-- read_model by id, and the newest is active.
SELECT agentauthz.read_model(1) LIKE '%type document%' AS first_by_id;
SELECT agentauthz.read_model() LIKE '%team-space%' AS newest_active;
SELECT agentauthz.read_model(999) IS NULL AS unknown_id;

-- A new model replaces the old one without touching stored tuples:
-- tuples it does not allow stay stored but are ignored.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type employee
type document
  relations
    define viewer: [user]
$dsl$) AS third_model;
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:1');
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type employee
type document
  relations
    define viewer: [employee]
$dsl$) AS fourth_model;
SELECT count(*) AS stored FROM agentauthz.tuples WHERE object = 'document:1';
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS ignored_old_tuple;
SELECT * FROM agentauthz.list_objects('user:anne', 'viewer', 'document');
-- ... and is honoured again when a model allows it again.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type employee
type document
  relations
    define viewer: [user, employee]
$dsl$) AS fifth_model;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS honoured_again;

-- Non-admin roles cannot write models.
CREATE ROLE model_outsider;
SET ROLE model_outsider;
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user')$$);
RESET ROLE;
DROP ROLE model_outsider;
