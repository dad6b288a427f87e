-- Models with conditions (OpenFGA's ABAC): condition blocks and `with` on
-- type restrictions load, read_model returns the DSL exactly as written,
-- and each condition error is a 42601 naming its line and column.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

-- Every form: conditions on plain, userset, wildcard and parent
-- restrictions, beside unconditional ones; parameter lists over several
-- lines; comments; multi-line expressions with a map literal and braces
-- in strings.
CREATE TEMP TABLE written (dsl text);
INSERT INTO written VALUES ($dsl$
model
  schema 1.1

type user
type group
  relations
    define member: [user, user with in_office, group#member with before_deadline]
type folder
  relations
    define viewer: [user, user:* with before_deadline]
type document
  relations
    define parent: [folder with under_limit]
    define viewer: [user with in_region] or viewer from parent

# request attributes the checks need
condition in_office(ip: ipaddress,
                    office: string) {   # the office's network
  ip.in_cidr(office)
}

condition before_deadline(current_time: timestamp, deadline: timestamp) {
  current_time < deadline  // both come from the context
}

condition under_limit(amount: double, limits: map<double>) {
  amount <= {'default': 100.0}['default'] ||
    ('team' in limits && amount <= limits['team'])
}

condition in_region(region: string, allowed: list<string>) {
  region in allowed && region != "}"
}
$dsl$);
SELECT agentauthz.write_model(dsl) AS model_id FROM written;
SELECT agentauthz.read_model() = (SELECT dsl FROM written) AS read_back_unchanged;
SELECT agentauthz.read_model();

-- Errors: 42601 at the offending place. A `with` naming no condition.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with in_regoin]
condition in_region(region: string) {
  region == "eu"
}')$$);
-- A condition no type restriction uses (openfga/language refuses it).
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with in_region]
condition in_region(region: string) {
  region == "eu"
}
condition spare(x: int) {
  x > 0
}')$$);
-- The same condition twice; the same parameter twice.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with in_region]
condition in_region(region: string) {
  region == "eu"
}
condition in_region(country: string) {
  country == "fr"
}')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with in_region]
condition in_region(region: string, region: list<string>) {
  region == "eu"
}')$$);
-- Parameter types OpenFGA does not have, or nests.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with big]
condition big(amount: decimal) {
  amount > 1000
}')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with listed]
condition listed(ids: list<list<int>>) {
  size(ids) > 0
}')$$);
-- Expressions that do not compile: the position is where CEL found the
-- problem, in the model's own lines and columns.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with in_region]
condition in_region(region: string) {
  region == "eu" ||
    regoin == "us"
}')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with small]
condition small(amount: int) { amount < < 10 }')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with small]
condition small(amount: int) {
  amount < 10.5
}')$$);
-- Not a bool; empty; longer than OpenFGA's 512 bytes.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with small]
condition small(amount: int) {
  amount + 1
}')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with small]
condition small(amount: int) {
}')$$);
SELECT regress.try(format($$SELECT agentauthz.write_model(%L)$$, 'model
  schema 1.1
type user
type document
  relations
    define viewer: [user with small]
condition small(amount: int) {
  amount < 10' || repeat(' || amount == 0', 40) || '
}'));
-- A name over OpenFGA's 50 bytes; more than 25 conditions.
SELECT regress.try(format($$SELECT agentauthz.write_model(%L)$$, 'model
  schema 1.1
type user
type document
  relations
    define viewer: [user with ' || repeat('c', 51) || ']
condition ' || repeat('c', 51) || '(x: int) {
  x > 0
}'));
SELECT regress.try(format($$SELECT agentauthz.write_model(%L)$$, 'model
  schema 1.1
type user
type document
  relations
    define viewer: [' || string_agg('user with c' || i, ', ' ORDER BY i) || ']
' || string_agg('condition c' || i || '(x: int) {
  x > ' || i || '
}', E'\n' ORDER BY i)))
  FROM generate_series(1, 26) AS i;
-- Syntax errors: a type after a condition; no parameter; a body never
-- closed; `with` and no name.
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
condition small(amount: int) {
  amount < 10
}
type document
  relations
    define viewer: [user with small]')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with always]
condition always() {
  true
}')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with small]
condition small(amount: int) {
  {"a": 1}["a"] < amount')$$);
SELECT regress.try($$SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user with]')$$);

-- Failed writes stored nothing; the first model is still the active one.
SELECT count(*) FROM agentauthz.models;
SELECT agentauthz.read_model() = (SELECT dsl FROM written) AS still_active;

-- The model shapes of OpenFGA's condition tests (assets/tests/abac_tests.yaml)
-- all load.
CREATE TEMP TABLE shapes (name text, dsl text);
INSERT INTO shapes VALUES
('direct', 'model
  schema 1.1
type user
type doc
  relations
    define viewer: [user with under_limit]

condition under_limit(amount: int) {
  amount < 100
}'),
('userset', 'model
  schema 1.1
type user
type group
  relations
    define member: [user]
type doc
  relations
    define viewer: [group#member with before_deadline]
condition before_deadline(now: timestamp) {
  now < timestamp("2023-10-11T10:00:00.000Z")
}'),
('userset child', 'model
  schema 1.1
type user
type group
  relations
    define member: [user with before_deadline]
type doc
  relations
    define viewer: [group#member]
condition before_deadline(now: timestamp) {
  now < timestamp("2023-10-11T10:00:00.000Z")
}'),
('nested usersets', 'model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member with from_network]
type doc
  relations
    define viewer: [group#member]
condition from_network(client: ipaddress, network: string) {
  client.in_cidr(network)
}'),
('computed', 'model
  schema 1.1
type user
type doc
  relations
    define editor: [user with under_limit]
    define viewer: editor
condition under_limit(amount: int) {
  amount < 100
}'),
('parent', 'model
  schema 1.1
type user
type folder
  relations
    define viewer: [user]
type doc
  relations
    define parent: [folder with under_limit, folder]
    define viewer: [user] or viewer from parent
condition under_limit(amount: int) {
  amount < 100
}'),
('intersection', 'model
  schema 1.1
type user
type doc
  relations
    define allowed: [user with small]
    define viewer: [user with smaller] and allowed

condition small(a: int) {
  a < 100
}

condition smaller(b: int) {
  b < 50
}'),
('several per type', 'model
  schema 1.1
type user
type folder
  relations
    define viewer: [user with is_ten, user with says_hello, user]
type doc
  relations
    define parent: [folder]
    define viewer: viewer from parent
condition is_ten(x: int) {
  x == 10
}
condition says_hello(s: string) {
  s == "hello"
}'),
('two parameters, double', 'model
  schema 1.1
type user
type doc
  relations
    define viewer: [user with either]
    define reader: [user with positive]
condition either(x: int, y: int) {
  x < 100 || y < 50
}
condition positive(x: double) {
  x > 0.0
}'),
('wildcards', 'model
  schema 1.1
type user
type group1
  relations
    define member: [user with before_deadline, user:* with before_deadline]
type group2
  relations
    define member: [user, user:*]
type folder
  relations
    define viewer: [user, group1#member, group2#member]
type doc
  relations
    define parent: [folder]
    define viewer: viewer from parent
condition before_deadline(now: timestamp) {
  now < timestamp("2023-10-11T10:00:00.000Z")
}');
SELECT name, regress.try(format($$SELECT agentauthz.write_model(%L) > 0$$, dsl)) AS loads
  FROM shapes ORDER BY name;
SELECT s.name, EXISTS (SELECT FROM agentauthz.models m WHERE m.dsl = s.dsl) AS stored_as_written
  FROM shapes s ORDER BY s.name;
