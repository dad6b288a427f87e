-- The demonstration's enterprise: one authorization model, the company's
-- tables protected by it, people's rights as tuples, four agents with their
-- own login roles, and a delegation from a person to each agent.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type team
  relations
    define member: [user, agent, team#member]
type account
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user, team#member] or editor
type hr_record
  relations
    define owner: [user]
    define editor: [user, team#member] or owner
    define viewer: [user, team#member] or editor
type repository
  relations
    define owner: [user]
    define maintainer: [user, team#member] or owner
    define editor: maintainer
    define viewer: [user, team#member] or maintainer
type deployment
  relations
    define repository: [repository]
    define owner: owner from repository
    define editor: maintainer from repository
    define viewer: viewer from repository
type folder
  relations
    define parent: [folder]
    define owner: [user] or owner from parent
    define editor: [user, team#member] or owner or editor from parent
    define viewer: [user, team#member] or editor or viewer from parent
type document
  relations
    define parent: [folder]
    define owner: owner from parent
    define editor: editor from parent
    define viewer: viewer from parent
type ticket
  relations
    define owner: [user]
    define editor: [user, team#member] or owner
    define viewer: [user, team#member] or editor
type billing_record
  relations
    define owner: [user]
    define editor: [user, team#member] or owner
    define viewer: [user, team#member] or editor
type support_queue
  relations
    define refunder: [user with within_limit]
type refund
  relations
    define queue: [support_queue]
    define owner: refunder from queue
    define editor: refunder from queue
    define viewer: refunder from queue

condition within_limit(amount: double, limit: double) {
  amount <= limit
}
$dsl$) AS model_id \gset

-- The company's tables: plain tables, as any application has them.
CREATE TABLE crm_accounts (id int PRIMARY KEY, name text, owner text, pipeline numeric);
CREATE TABLE hr_records (id int PRIMARY KEY, employee text, salary numeric, review text);
CREATE TABLE repositories (id int PRIMARY KEY, name text, team text);
CREATE TABLE deployments (id serial PRIMARY KEY, repository_id int REFERENCES repositories,
                          environment text, version text);
CREATE TABLE folders (id text PRIMARY KEY, parent_id text REFERENCES folders);
CREATE TABLE documents (id int PRIMARY KEY, folder_id text REFERENCES folders, title text);
CREATE TABLE support_tickets (id int PRIMARY KEY, customer text, subject text, status text);
CREATE TABLE billing_records (id int PRIMARY KEY, customer text, amount numeric, status text);
CREATE TABLE refunds (id serial PRIMARY KEY, queue text NOT NULL, ticket_id int, amount numeric NOT NULL);

INSERT INTO crm_accounts VALUES (1, 'Acme', 'sam', 120000), (2, 'Globex', 'sam', 80000),
  (3, 'Initech', 'tina', 45000), (4, 'Umbrella', 'tina', 300000);
INSERT INTO hr_records VALUES (1, 'anne', 98000, 'exceeds'), (2, 'bob', 87000, 'meets'),
  (3, 'carol', 105000, 'exceeds');
INSERT INTO repositories VALUES (1, 'web', 'eng'), (2, 'payments', 'payments');
INSERT INTO deployments (repository_id, environment, version) VALUES
  (1, 'staging', 'v1.4'), (1, 'production', 'v1.3'), (2, 'production', 'v7.0');
INSERT INTO folders VALUES ('finance', NULL), ('q1-financials', 'finance'), ('q2-financials', 'finance'),
  ('m-and-a', 'finance');
INSERT INTO documents VALUES (1, 'q1-financials', 'Q1 revenue report'), (2, 'q1-financials', 'Q1 cash flow'),
  (3, 'q2-financials', 'Q2 forecast'), (4, 'm-and-a', 'Acquisition targets');
INSERT INTO support_tickets VALUES (1, 'Acme', 'login fails', 'open'), (2, 'Globex', 'slow export', 'open'),
  (3, 'Initech', 'billing question', 'open');
INSERT INTO billing_records VALUES (1, 'Acme', 1200, 'due'), (2, 'Globex', 800, 'due');
INSERT INTO refunds (queue, ticket_id, amount) VALUES ('main', 1, 40), ('main', 2, 250);

-- Relationships that follow from application columns are kept in step by
-- triggers; the rest are written as tuples.
SELECT agentauthz.sync_tuples('crm_accounts', 'account', 'id', 'owner', 'user', 'owner')
     + agentauthz.sync_tuples('deployments', 'deployment', 'id', 'repository', 'repository', 'repository_id')
     + agentauthz.sync_tuples('folders', 'folder', 'id', 'parent', 'folder', 'parent_id')
     + agentauthz.sync_tuples('documents', 'document', 'id', 'parent', 'folder', 'folder_id')
     + agentauthz.sync_tuples('refunds', 'refund', 'id', 'queue', 'support_queue', 'queue') AS synced_tuples;
SELECT count(*) AS written_tuples FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('hr_record:1', 'viewer', 'team:hr#member'), ('hr_record:2', 'viewer', 'team:hr#member'),
  ('hr_record:3', 'viewer', 'team:hr#member'), ('team:hr', 'member', 'user:hank'),
  ('team:eng', 'member', 'user:dev'), ('repository:1', 'maintainer', 'team:eng#member'),
  ('repository:2', 'maintainer', 'team:payments#member'), ('repository:2', 'viewer', 'team:eng#member'),
  ('folder:finance', 'viewer', 'user:anne'),
  ('team:support', 'member', 'user:sue'), ('ticket:1', 'editor', 'team:support#member'),
  ('ticket:2', 'editor', 'team:support#member'), ('ticket:3', 'editor', 'team:support#member'),
  ('billing_record:1', 'editor', 'user:sue'), ('billing_record:2', 'editor', 'user:sue')
) AS t(o, r, s)) AS w;
-- A condition: sue may refund up to her limit, which the tuple pins; the
-- amount is each refund row's own (protect's context_columns below).
SELECT agentauthz.write_tuple('support_queue:main', 'refunder', 'user:sue',
                              condition_name => 'within_limit', condition_context => '{"limit": 100}');

-- Row-level security on every table: reads need viewer, updates editor,
-- deletes owner; a deployment is created under a repository one may edit.
SELECT agentauthz.protect('crm_accounts', 'account', 'id'),
       agentauthz.protect('hr_records', 'hr_record', 'id'),
       agentauthz.protect('repositories', 'repository', 'id'),
       agentauthz.protect('deployments', 'deployment', 'id', parent_column => 'repository_id',
                          parent_type => 'repository'),
       agentauthz.protect('documents', 'document', 'id'),
       agentauthz.protect('support_tickets', 'ticket', 'id'),
       agentauthz.protect('billing_records', 'billing_record', 'id'),
       agentauthz.protect('refunds', 'refund', 'id', insert_relation => 'refunder', parent_column => 'queue',
                          parent_type => 'support_queue', context_columns => '{amount}');

-- The agents: login roles with no way around row-level security.
SELECT agentauthz.create_agent_role(role, agent, tables => ARRAY['crm_accounts', 'hr_records', 'repositories',
         'deployments', 'documents', 'support_tickets', 'billing_records', 'refunds']::regclass[])
FROM (VALUES ('sales_assistant', 'agent:sales-assistant'), ('code_reviewer', 'agent:code-reviewer'),
             ('research_agent', 'agent:research'), ('support_agent', 'agent:support')) AS a(role, agent);
GRANT USAGE ON SEQUENCE deployments_id_seq, refunds_id_seq
  TO code_reviewer, sales_assistant, research_agent, support_agent;

-- The audit log records every agent statement (agentauthz.audit =
-- summary, the default); for the research agent, every object decided
-- (all). An auditor reads the log, and nothing else.
SELECT agentauthz.set_audit_level('all', 'research_agent');
CREATE ROLE demo_auditor LOGIN NOSUPERUSER IN ROLE agentauthz_auditor;

-- The application's own role: trusted to name the person it serves
-- (set_subject), and bound by the same policies as everyone else.
CREATE ROLE demo_app LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE agentauthz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON crm_accounts, hr_records, repositories, deployments, documents,
  support_tickets, billing_records, refunds TO demo_app;
GRANT USAGE ON SEQUENCE deployments_id_seq, refunds_id_seq TO demo_app;

-- A person authorizes each agent for one task: scope, purpose, expiry.
CREATE TABLE demo_tokens (role name, person text, purpose text, token text);
INSERT INTO demo_tokens VALUES
  ('sales_assistant', 'user:sam', 'prepare the quarterly pipeline review',
   agentauthz.delegate('user:sam', 'agent:sales-assistant', '{viewer@account:*}', now() + interval '1 hour',
                       'prepare the quarterly pipeline review')),
  ('code_reviewer', 'user:dev', 'review the web repository',
   agentauthz.delegate('user:dev', 'agent:code-reviewer', '{viewer@repository:1}', now() + interval '1 hour',
                       'review the web repository')),
  ('research_agent', 'user:anne', 'summarize the Q1 financials',
   agentauthz.delegate('user:anne', 'agent:research', '{viewer@folder:q1-financials}', now() + interval '1 hour',
                       'summarize the Q1 financials')),
  ('support_agent', 'user:sue', 'triage the support queue',
   agentauthz.delegate('user:sue', 'agent:support',
                       '{editor@ticket:*,refunder@support_queue:main,viewer@refund:*}',
                       now() + interval '1 hour', 'triage the support queue'));
