// The seed scenarios, end to end: agents connect with their own login
// roles, present delegation tokens, and run plain SQL against application
// tables whose row-level security policies call agentauthz.check().
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "pg_session.h"

namespace agentauthz::test {
namespace {

const char* kDatabase = "agentauthz_agents";

const char* kModel = R"(model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user, agent, group#member]
type account
  relations
    define owner: [user]
    define viewer: [user, group#member] or owner
type repo
  relations
    define admin: [user]
    define writer: [user, group#member] or admin
    define reader: [user, group#member] or writer
type branch
  relations
    define repo: [repo]
    define pusher: [user] or writer from repo
type pull_request
  relations
    define repo: [repo]
    define commenter: [user] or reader from repo
type folder
  relations
    define parent: [folder]
    define viewer: [user, group#member] or viewer from parent
type document
  relations
    define parent: [folder]
    define viewer: [user, group#member] or viewer from parent
type ticket
  relations
    define editor: [user, group#member]
    define viewer: [user, group#member] or editor
type invoice
  relations
    define editor: [user, group#member]
    define viewer: [user, group#member] or editor
type hr_record
  relations
    define viewer: [user, group#member]
)";

const char* kSchema = R"(
CREATE TABLE crm_accounts (id int PRIMARY KEY, name text);
CREATE TABLE code_files (repo text, path text);
CREATE TABLE pr_comments (pr int, body text);
CREATE TABLE branch_pushes (branch text, sha text);
CREATE TABLE documents (id text PRIMARY KEY, title text);
CREATE TABLE tickets (id int PRIMARY KEY, status text);
CREATE TABLE invoices (id int PRIMARY KEY, status text);
CREATE TABLE hr_records (id int PRIMARY KEY, employee text);
CREATE TABLE big_docs (id int PRIMARY KEY);
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['crm_accounts', 'code_files', 'pr_comments', 'branch_pushes', 'documents',
                           'tickets', 'invoices', 'hr_records', 'big_docs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO PUBLIC', t);
  END LOOP;
END $$;
CREATE POLICY read ON crm_accounts FOR SELECT USING (agentauthz.check('viewer', 'account:' || id));
CREATE POLICY read ON code_files FOR SELECT USING (agentauthz.check('reader', 'repo:' || repo));
CREATE POLICY comment ON pr_comments FOR INSERT WITH CHECK (agentauthz.check('commenter', 'pull_request:' || pr));
CREATE POLICY push ON branch_pushes FOR INSERT WITH CHECK (agentauthz.check('pusher', 'branch:' || branch));
CREATE POLICY read ON documents FOR SELECT USING (agentauthz.check('viewer', 'document:' || id));
CREATE POLICY read ON tickets FOR SELECT USING (agentauthz.check('viewer', 'ticket:' || id));
CREATE POLICY edit ON tickets FOR UPDATE USING (agentauthz.check('editor', 'ticket:' || id));
CREATE POLICY read ON invoices FOR SELECT USING (agentauthz.check('viewer', 'invoice:' || id));
CREATE POLICY edit ON invoices FOR UPDATE USING (agentauthz.check('editor', 'invoice:' || id));
CREATE POLICY read ON hr_records FOR SELECT USING (agentauthz.check('viewer', 'hr_record:' || id));
CREATE POLICY read ON big_docs FOR SELECT USING (agentauthz.check('viewer', 'document:big' || id));
INSERT INTO crm_accounts VALUES (1, 'Acme'), (2, 'Globex'), (3, 'Initech'), (4, 'Umbrella');
INSERT INTO code_files VALUES ('web', 'index.ts'), ('web', 'app.ts'), ('billing', 'ledger.go');
INSERT INTO documents VALUES ('q1-report', 'Q1 results'), ('q2-report', 'Q2 results'),
                             ('ma-targets', 'Acquisition targets'), ('eng-roadmap', 'Roadmap');
INSERT INTO tickets VALUES (1, 'open'), (2, 'open');
INSERT INTO invoices VALUES (1, 'due'), (2, 'due');
INSERT INTO hr_records VALUES (1, 'anne'), (2, 'bob');
INSERT INTO big_docs SELECT g FROM generate_series(1, 20000) g;
)";

const char* kTuples[][3] = {
    {"account:1", "owner", "user:sam"},
    {"account:2", "owner", "user:sam"},
    {"account:3", "owner", "user:tina"},
    {"account:4", "owner", "user:tina"},
    {"repo:web", "admin", "user:dev"},
    {"repo:billing", "admin", "user:ops"},
    {"branch:production", "repo", "repo:web"},
    {"pull_request:7", "repo", "repo:web"},
    {"folder:finance", "viewer", "user:anne"},
    {"folder:q1-financials", "parent", "folder:finance"},
    {"folder:q2-financials", "parent", "folder:finance"},
    {"folder:m-and-a", "parent", "folder:finance"},
    {"document:q1-report", "parent", "folder:q1-financials"},
    {"document:q2-report", "parent", "folder:q2-financials"},
    {"document:ma-targets", "parent", "folder:m-and-a"},
    {"group:support", "member", "user:sue"},
    {"ticket:1", "editor", "group:support#member"},
    {"ticket:2", "editor", "group:support#member"},
    {"invoice:1", "editor", "user:sue"},
    {"invoice:2", "editor", "user:sue"},
    {"hr_record:1", "viewer", "user:hank"},
    {"hr_record:2", "viewer", "user:hank"},
    {"group:eng", "member", "user:erin"},
    {"document:eng-roadmap", "viewer", "group:eng#member"},
    {"account:1", "viewer", "user:multi"},
};

// The agents and the roles they connect as.
const char* kAgents[][2] = {
    {"agent:sales-assistant", "agent_sales"}, {"agent:code-reviewer", "agent_reviewer"},
    {"agent:research", "agent_research"},     {"agent:summarizer", "agent_summarizer"},
    {"agent:support", "agent_support"},       {"agent:assistant", "agent_assistant"},
};

class AgentScenarios : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    recreate_database(kDatabase);
    PgSession admin(kDatabase);
    for (const auto& agent : kAgents) {
      admin.run(std::string("DROP ROLE IF EXISTS ") + agent[1]);
      admin.exec(std::string("CREATE ROLE ") + agent[1] + " LOGIN");
    }
    admin.exec(kSchema);
    admin.run("SELECT agentauthz.write_model($1)", {kModel});
    for (const auto& t : kTuples)
      admin.run("SELECT agentauthz.write_tuple($1, $2, $3)", {t[0], t[1], t[2]});
    for (const auto& agent : kAgents)
      admin.run("SELECT agentauthz.register_agent($1, $2::regrole)", {agent[0], agent[1]});
  }

  // Issues a delegation (as the application would) and returns its token.
  static std::string delegate(const std::string& principal, const std::string& agent,
                              const std::string& scopes, const std::string& purpose,
                              const std::string& lifetime = "1 hour") {
    PgSession app(kDatabase);
    QueryResult r =
        app.run("SELECT agentauthz.delegate($1, $2, $3::text[], now() + $4::interval, $5)",
                {principal, agent, scopes, lifetime, purpose});
    EXPECT_TRUE(r.ok) << r.error;
    return r.value();
  }

  // The ids a query returns, in order, joined with commas.
  static std::string column(PgSession& session, const std::string& sql) {
    QueryResult r = session.run(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.error;
    std::string out;
    for (const auto& row : r.rows) {
      if (!out.empty()) out += ",";
      out += row[0] ? *row[0] : "NULL";
    }
    return out;
  }
};

TEST_F(AgentScenarios, SalesAssistantReadsOnlyTheRepsAccounts) {
  std::string token = delegate("user:sam", "agent:sales-assistant", "{viewer@account:*}",
                               "prepare the quarterly pipeline review");
  PgSession agent(kDatabase, "agent_sales");
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "")
      << "no delegation, no rows";
  agent.exec("BEGIN");
  agent.run("SELECT agentauthz.act_for($1)", {token});
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "1,2");
  EXPECT_EQ(column(agent, "SELECT name FROM crm_accounts WHERE id = 3"), "");
  agent.exec("COMMIT");
}

TEST_F(AgentScenarios, CodeReviewerCommentsButCannotPushToProduction) {
  // The developer could push; the agent works for the developer.
  PgSession app(kDatabase);
  EXPECT_EQ(app.value("SELECT agentauthz.check('user:dev', 'pusher', 'branch:production')"), "t");
  std::string token =
      delegate("user:dev", "agent:code-reviewer", "{reader@repo:web,commenter@pull_request:*}",
               "review pull request 7");
  PgSession agent(kDatabase, "agent_reviewer");
  agent.run("SELECT agentauthz.act_for($1, false)", {token});
  EXPECT_EQ(column(agent, "SELECT path FROM code_files ORDER BY path"), "app.ts,index.ts");
  QueryResult comment = agent.run("INSERT INTO pr_comments VALUES (7, 'looks good')");
  EXPECT_TRUE(comment.ok) << comment.error;
  QueryResult push = agent.run("INSERT INTO branch_pushes VALUES ('production', 'deadbeef')");
  EXPECT_FALSE(push.ok);
  EXPECT_EQ(push.sqlstate, "42501") << push.error;  // row-level security WITH CHECK
  QueryResult other_pr = agent.run("INSERT INTO pr_comments VALUES (8, 'not my pull request')");
  EXPECT_FALSE(other_pr.ok);
  agent.exec("SELECT agentauthz.end_task()");
}

TEST_F(AgentScenarios, ResearchAgentReadsQ1ButNeitherQ2NorMergersAndAcquisitions) {
  PgSession app(kDatabase);
  EXPECT_EQ(app.value("SELECT agentauthz.check('user:anne', 'viewer', 'document:ma-targets')"), "t")
      << "anne can read M&A herself";
  std::string token = delegate("user:anne", "agent:research", "{viewer@folder:q1-financials}",
                               "summarize Q1 financials");
  PgSession agent(kDatabase, "agent_research");
  agent.exec("BEGIN");
  agent.run("SELECT agentauthz.act_for($1)", {token});
  EXPECT_EQ(column(agent, "SELECT id FROM documents ORDER BY id"), "q1-report");
  agent.exec("COMMIT");
}

TEST_F(AgentScenarios, SupportAgentUpdatesTicketsButNotInvoices) {
  std::string token =
      delegate("user:sue", "agent:support", "{editor@ticket:*}", "triage the support queue");
  PgSession agent(kDatabase, "agent_support");
  agent.exec("BEGIN");
  agent.run("SELECT agentauthz.act_for($1)", {token});
  QueryResult tickets = agent.run("UPDATE tickets SET status = 'triaged'");
  EXPECT_TRUE(tickets.ok) << tickets.error;
  QueryResult invoices = agent.run("UPDATE invoices SET status = 'paid' RETURNING id");
  EXPECT_TRUE(invoices.ok) << invoices.error;
  EXPECT_TRUE(invoices.rows.empty()) << "sue may edit invoices, her support agent may not";
  agent.exec("COMMIT");
  PgSession admin(kDatabase);
  EXPECT_EQ(column(admin, "SELECT status FROM tickets ORDER BY id"), "triaged,triaged");
  EXPECT_EQ(column(admin, "SELECT status FROM invoices ORDER BY id"), "due,due");
}

TEST_F(AgentScenarios, AssistantSeesEachDomainOnlyWhileActingForIt) {
  std::string sales =
      delegate("user:sam", "agent:assistant", "{viewer@account:*}", "sales follow-up");
  std::string hr = delegate("user:hank", "agent:assistant", "{viewer@hr_record:*}", "HR review");
  std::string eng = delegate("user:erin", "agent:assistant", "{viewer@document:eng-roadmap}",
                             "engineering planning");
  PgSession agent(kDatabase, "agent_assistant");
  auto domains = [&] {
    return column(agent,
                  "SELECT (SELECT count(*) FROM crm_accounts) || '/' || "
                  "(SELECT count(*) FROM hr_records) || '/' || (SELECT count(*) FROM documents)");
  };
  // On its own it sees what is granted to it... nothing here.
  EXPECT_EQ(domains(), "0/0/0");
  agent.run("SELECT agentauthz.act_for($1, false)", {sales});
  EXPECT_EQ(domains(), "2/0/0");
  agent.run("SELECT agentauthz.act_for($1, false)", {hr});
  EXPECT_EQ(domains(), "0/2/0");
  agent.run("SELECT agentauthz.act_for($1, false)", {eng});
  EXPECT_EQ(domains(), "0/0/1");
  agent.exec("SELECT agentauthz.end_task()");
  EXPECT_EQ(domains(), "0/0/0");
}

TEST_F(AgentScenarios, RevocationAndExpiryStopGrantingAtTheNextStatement) {
  std::string token =
      delegate("user:sam", "agent:sales-assistant", "{viewer@account:*}", "pipeline");
  PgSession agent(kDatabase, "agent_sales");
  agent.run("SELECT agentauthz.act_for($1, false)", {token});
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "1,2");
  PgSession app(kDatabase);
  app.exec("BEGIN");
  app.exec(
      "SELECT agentauthz.revoke_delegation(id) FROM agentauthz.delegations WHERE purpose = "
      "'pipeline'");
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "1,2") << "not before commit";
  app.exec("COMMIT");
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "") << "right after commit";
  EXPECT_EQ(agent.value("SELECT agentauthz.current_actor()->>'valid'"), "false");

  std::string brief = delegate("user:sam", "agent:sales-assistant", "{viewer@account:*}",
                               "a two-second task", "2 seconds");
  agent.run("SELECT agentauthz.act_for($1, false)", {brief});
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "1,2");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(column(agent, "SELECT id FROM crm_accounts ORDER BY id"), "");
  QueryResult again = agent.run("SELECT agentauthz.act_for($1)", {brief});
  EXPECT_EQ(again.sqlstate, "28000");
  agent.exec("SELECT agentauthz.end_task()");
}

TEST_F(AgentScenarios, SubAgentNeverExceedsItsParent) {
  std::string token = delegate("user:anne", "agent:research", "{viewer@folder:q1-financials}",
                               "research with help");
  PgSession research(kDatabase, "agent_research");
  research.exec("BEGIN");
  research.run("SELECT agentauthz.act_for($1)", {token});
  // It asks for more than it holds: all of finance, for ten years.
  QueryResult sub = research.run(
      "SELECT agentauthz.subdelegate('agent:summarizer', '{viewer@folder:finance}', "
      "now() + interval '10 years', 'summarize what I found')");
  ASSERT_TRUE(sub.ok) << sub.error;
  research.exec("COMMIT");
  PgSession summarizer(kDatabase, "agent_summarizer");
  summarizer.exec("BEGIN");
  summarizer.run("SELECT agentauthz.act_for($1)", {sub.value()});
  EXPECT_EQ(column(summarizer, "SELECT id FROM documents ORDER BY id"), "q1-report");
  EXPECT_EQ(summarizer.value(
                "SELECT (agentauthz.current_actor()->'chain'->1->>'expires_at')::timestamptz <= "
                "(agentauthz.current_actor()->'chain'->0->>'expires_at')::timestamptz"),
            "t");
  summarizer.exec("COMMIT");
  // The summarizer cannot use the research agent's token.
  QueryResult stolen = summarizer.run("SELECT agentauthz.act_for($1)", {token});
  EXPECT_EQ(stolen.sqlstate, "42501");
}

// Behind a transaction-pooling proxy the next client gets the connection
// at a transaction boundary: a local context must be gone by then.
TEST_F(AgentScenarios, LocalContextEndsAtCommitAndRollback) {
  std::string token = delegate("user:sam", "agent:sales-assistant", "{viewer@account:*}", "pooled");
  PgSession agent(kDatabase, "agent_sales");
  agent.exec("BEGIN");
  agent.run("SELECT agentauthz.act_for($1)", {token});
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "2");
  agent.exec("COMMIT");
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "0");
  agent.exec("BEGIN");
  agent.run("SELECT agentauthz.act_for($1)", {token});
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "2");
  agent.exec("ROLLBACK");
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "0");
  // A failed transaction ends it too.
  agent.exec("BEGIN");
  agent.run("SELECT agentauthz.act_for($1)", {token});
  EXPECT_FALSE(agent.run("SELECT 1/0").ok);
  agent.exec("ROLLBACK");
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "0");
}

// check(relation, object) reads the session's context, which parallel
// workers do not have: it must run in the leader, with the same answers.
TEST_F(AgentScenarios, ParallelPlansUseTheLeadersContext) {
  PgSession admin(kDatabase);
  admin.exec(
      "SELECT agentauthz.write_tuple('document:big' || g, 'viewer', 'user:paula') "
      "FROM generate_series(1, 20000, 3) g");
  admin.exec("ANALYZE big_docs");
  std::string token = delegate("user:paula", "agent:research", "{viewer@document:*}", "count docs");
  PgSession agent(kDatabase, "agent_research");
  agent.run("SELECT agentauthz.act_for($1, false)", {token});
  std::string serial = column(agent, "SELECT count(*) FROM big_docs");
  EXPECT_EQ(serial, "6667");
  const char* kForceParallel[] = {"max_parallel_workers_per_gather = 2", "parallel_setup_cost = 0",
                                  "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
                                  "force_parallel_mode = on"};
  for (const char* setting : kForceParallel) agent.exec(std::string("SET ") + setting);
  // The planner keeps the actor-context check out of every worker: nothing
  // below a Gather evaluates it.
  QueryResult plan = agent.run("EXPLAIN (COSTS OFF) SELECT count(*) FROM big_docs");
  ASSERT_TRUE(plan.ok) << plan.error;
  bool below_gather = false;
  for (const auto& row : plan.rows) {
    if (row[0]->find("Gather") != std::string::npos) below_gather = true;
    if (below_gather) {
      EXPECT_EQ(row[0]->find("check"), std::string::npos) << *row[0];
    }
  }
  // The same settings do parallelize the subject form, which needs no
  // context: the test would notice if parallel query were off.
  PgSession app(kDatabase);
  for (const char* setting : kForceParallel) app.exec(std::string("SET ") + setting);
  std::string app_plan =
      column(app,
             "EXPLAIN (COSTS OFF) SELECT count(*) FROM generate_series(1, 20000) g "
             "WHERE agentauthz.check('user:paula', 'viewer', 'document:big' || g)");
  EXPECT_NE(app_plan.find("Gather"), std::string::npos) << app_plan;
  EXPECT_EQ(column(agent, "SELECT count(*) FROM big_docs"), serial);
  agent.exec("SELECT agentauthz.end_task()");
  EXPECT_EQ(column(agent, "SELECT count(*) FROM big_docs"), "0");
}

// Settings cannot carry a context: not even a placeholder set before the
// library is loaded in a fresh session (when it is not preloaded; a
// preloaded library reserves the prefix from the start).
TEST_F(AgentScenarios, SettingsCannotSpoofTheContext) {
  bool preloaded = PgSession(kDatabase).value("SHOW shared_preload_libraries").find("agentauthz") !=
                   std::string::npos;
  PgSession agent(kDatabase, "agent_sales");
  QueryResult placeholder = agent.run("SET agentauthz.principal = 'user:sam'");
  EXPECT_EQ(placeholder.ok, !preloaded)
      << "a placeholder is accepted only before the library loads";
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "0");
  EXPECT_FALSE(agent.run("SET agentauthz.principal = 'user:sam'").ok) << "the prefix is reserved";
  EXPECT_FALSE(agent.run("SELECT set_config('agentauthz.actor', 'user:sam', false)").ok);
  agent.exec("RESET ALL");
  agent.exec("DISCARD ALL");
  EXPECT_EQ(column(agent, "SELECT count(*) FROM crm_accounts"), "0");
  EXPECT_EQ(agent.value("SELECT agentauthz.current_actor()->>'kind'"), "agent");
}

}  // namespace
}  // namespace agentauthz::test
