// Row-level security through protect(), with a real agent role: what an
// agent's plain SQL can read, change, copy out, see through views, and
// what it cannot do to get around the policies.
#include <gtest/gtest.h>

#include <string>

#include "pg_session.h"

namespace agentauthz::test {
namespace {

const char* kDatabase = "agentauthz_rls";

const char* kSetup = R"(
SELECT agentauthz.write_model('model
  schema 1.1
type user
type agent
type folder
  relations
    define owner: [user]
    define editor: [user, agent] or owner
    define viewer: [user, agent] or editor
type document
  relations
    define parent: [folder]
    define owner: [user] or owner from parent
    define editor: [user, agent] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent');
CREATE TABLE folders (id bigint PRIMARY KEY, name text);
CREATE TABLE documents (id bigint PRIMARY KEY, folder_id bigint REFERENCES folders, title text, secret text);
INSERT INTO folders VALUES (1, 'shared'), (2, 'hidden');
INSERT INTO documents VALUES (1, 1, 'plan', 'alpha'), (2, 1, 'budget', 'beta'),
                             (3, 2, 'salaries', 'gamma'), (4, 2, 'layoffs', 'delta');
SELECT agentauthz.sync_tuples('documents', 'document', 'id', 'parent', 'folder', 'folder_id');
SELECT agentauthz.protect('documents', 'document', 'id', delete_relation => 'editor',
                          parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.write_tuple('folder:1', 'owner', 'user:anne');
SELECT agentauthz.write_tuple('folder:2', 'owner', 'user:bob');
CREATE VIEW document_titles WITH (security_invoker = true) AS SELECT id, title FROM documents;
CREATE VIEW document_titles_definer AS SELECT id, title FROM documents;
GRANT SELECT ON document_titles, document_titles_definer TO PUBLIC;
)";

class RlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    recreate_database(kDatabase);
    PgSession admin(kDatabase);
    admin.run("DROP ROLE IF EXISTS rls_agent");
    admin.exec(kSetup);
    admin.exec(
        "SELECT agentauthz.create_agent_role('rls_agent', 'agent:writer', "
        "tables => ARRAY['documents'::regclass])");
    QueryResult token = admin.run(
        "SELECT agentauthz.delegate('user:anne', 'agent:writer', '{editor@folder:1}', "
        "now() + interval '1 hour', 'tidy the shared folder')");
    ASSERT_TRUE(token.ok) << token.error;
    token_ = token.value();
  }

  // An agent session acting under anne's delegation for the session.
  std::unique_ptr<PgSession> agent() {
    auto session = std::make_unique<PgSession>(kDatabase, "rls_agent");
    QueryResult r = session->run("SELECT agentauthz.act_for($1, false)", {token_});
    EXPECT_TRUE(r.ok) << r.error;
    return session;
  }

  static std::string column(PgSession& session, const std::string& sql) {
    QueryResult r = session.run(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.error;
    std::string out;
    for (const auto& row : r.rows) out += (out.empty() ? "" : ",") + (row[0] ? *row[0] : "NULL");
    return out;
  }

  std::string token_;
};

TEST_F(RlsTest, SelectSeesOnlyAllowedRows) {
  auto session = agent();
  EXPECT_EQ(column(*session, "SELECT id FROM documents ORDER BY id"), "1,2");
  EXPECT_EQ(column(*session, "SELECT count(*) FROM documents WHERE secret = 'gamma'"), "0");
  EXPECT_EQ(column(*session, "SELECT title FROM documents WHERE id = 3"), "");
}

TEST_F(RlsTest, UpdateAndDeleteTouchOnlyAllowedRows) {
  auto session = agent();
  QueryResult updated = session->run("UPDATE documents SET title = upper(title) RETURNING id");
  ASSERT_TRUE(updated.ok) << updated.error;
  EXPECT_EQ(updated.rows.size(), 2u);
  QueryResult deleted = session->run("DELETE FROM documents WHERE id IN (2, 3, 4) RETURNING id");
  ASSERT_TRUE(deleted.ok) << deleted.error;
  ASSERT_EQ(deleted.rows.size(), 1u);
  EXPECT_EQ(*deleted.rows[0][0], "2");
  PgSession admin(kDatabase);
  EXPECT_EQ(column(admin, "SELECT title FROM documents ORDER BY id"), "PLAN,salaries,layoffs");
}

TEST_F(RlsTest, WritesViolatingWithCheckFailClearly) {
  auto session = agent();
  QueryResult into_hidden = session->run("INSERT INTO documents VALUES (5, 2, 'sneaky', 'x')");
  EXPECT_FALSE(into_hidden.ok);
  EXPECT_EQ(into_hidden.sqlstate, "42501");
  EXPECT_NE(into_hidden.error.find("row-level security policy"), std::string::npos)
      << into_hidden.error;
  QueryResult move = session->run("UPDATE documents SET folder_id = 2 WHERE id = 1");
  EXPECT_FALSE(move.ok);
  EXPECT_EQ(move.sqlstate, "42501");
  QueryResult allowed = session->run("INSERT INTO documents VALUES (6, 1, 'notes', 'x')");
  EXPECT_TRUE(allowed.ok) << allowed.error;
  // The synced tuple makes the new row visible at once.
  EXPECT_EQ(column(*session, "SELECT id FROM documents ORDER BY id"), "1,2,6");
}

TEST_F(RlsTest, CopyToIsFiltered) {
  // COPY OUT is read with libpq's copy API on a connection of its own.
  PGconn* raw = PQconnectdb(("dbname=" + std::string(kDatabase) + " user=rls_agent").c_str());
  ASSERT_EQ(PQstatus(raw), CONNECTION_OK);
  std::string act = "SELECT agentauthz.act_for('" + token_ + "', false)";
  PQclear(PQexec(raw, act.c_str()));
  PGresult* result = PQexec(raw, "COPY documents TO STDOUT");
  ASSERT_EQ(PQresultStatus(result), PGRES_COPY_OUT);
  PQclear(result);
  std::string out;
  char* line = nullptr;
  int length;
  while ((length = PQgetCopyData(raw, &line, 0)) > 0) {
    out.append(line, static_cast<size_t>(length));
    PQfreemem(line);
  }
  PQclear(PQgetResult(raw));
  PQfinish(raw);
  EXPECT_NE(out.find("alpha"), std::string::npos) << out;
  EXPECT_NE(out.find("beta"), std::string::npos) << out;
  EXPECT_EQ(out.find("gamma"), std::string::npos) << out;
  EXPECT_EQ(out.find("delta"), std::string::npos) << out;
}

TEST_F(RlsTest, ViewsAreFiltered) {
  auto session = agent();
  EXPECT_EQ(column(*session, "SELECT id FROM document_titles ORDER BY id"), "1,2");
  // A view without security_invoker reads the table as the view's owner.
  // Owned by a role that is not the table's owner, the policies apply and
  // the actor context is still the agent's.
  PgSession admin(kDatabase);
  admin.exec("CREATE ROLE rls_view_owner");
  admin.exec("GRANT SELECT ON documents TO rls_view_owner");
  admin.exec("ALTER VIEW document_titles_definer OWNER TO rls_view_owner");
  EXPECT_EQ(column(*session, "SELECT id FROM document_titles_definer ORDER BY id"), "1,2");
  // Owned by the table's owner, it would bypass row-level security -- unless
  // protect() was asked to FORCE it (the owner here is not a superuser).
  admin.exec("ALTER TABLE documents OWNER TO rls_view_owner");
  EXPECT_EQ(column(*session, "SELECT id FROM document_titles_definer ORDER BY id"), "1,2,3,4")
      << "the owner's bypass, which FORCE closes";
  admin.exec(
      "SELECT agentauthz.protect('documents', 'document', 'id', delete_relation => 'editor', "
      "parent_column => 'folder_id', parent_type => 'folder', force => true)");
  EXPECT_EQ(column(*session, "SELECT id FROM document_titles_definer ORDER BY id"), "1,2");
  admin.exec("DROP VIEW document_titles_definer");
  admin.exec("ALTER TABLE documents OWNER TO postgres");
  admin.exec("DROP OWNED BY rls_view_owner");
  admin.exec("DROP ROLE rls_view_owner");
}

TEST_F(RlsTest, AgentCannotTakeThePoliciesAway) {
  auto session = agent();
  for (const char* attempt : {
           "ALTER TABLE documents DISABLE ROW LEVEL SECURITY",
           "ALTER TABLE documents NO FORCE ROW LEVEL SECURITY",
           "DROP POLICY agentauthz_select ON documents",
           "CREATE POLICY mine ON documents USING (true)",
           "ALTER TABLE documents ADD COLUMN leak text",
           "ALTER TABLE documents OWNER TO rls_agent",
           "TRUNCATE documents",
           "SELECT agentauthz.unprotect('documents')",
           "GRANT agentauthz_admin TO rls_agent",
           "SET SESSION AUTHORIZATION postgres",
           "SET ROLE postgres",
       }) {
    QueryResult r = session->run(attempt);
    EXPECT_FALSE(r.ok) << attempt;
    EXPECT_EQ(r.sqlstate, "42501") << attempt << ": " << r.error;
  }
  EXPECT_EQ(column(*session, "SELECT count(*) FROM documents"), "2");
}

// The policy's check runs before any function of the agent's own: errors
// and side channels in the agent's functions never see hidden rows.
TEST_F(RlsTest, AgentFunctionsDoNotLeakHiddenRows) {
  auto session = agent();
  session->exec(
      "CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE plpgsql AS "
      "$$ BEGIN RAISE NOTICE 'saw %', $1; INSERT INTO pg_temp.seen VALUES ($1); RETURN true; END "
      "$$");
  session->exec("CREATE TEMP TABLE seen (value text)");
  EXPECT_EQ(column(*session, "SELECT count(*) FROM documents WHERE pg_temp.leak(secret)"), "2");
  EXPECT_EQ(column(*session, "SELECT string_agg(value, ',' ORDER BY value) FROM pg_temp.seen"),
            "alpha,beta");
  // An error that would fire only on a hidden row never fires.
  QueryResult division =
      session->run("SELECT count(*) FROM documents WHERE 1 / (id - 3) IS NOT NULL");
  EXPECT_TRUE(division.ok) << division.error;
  QueryResult cast = session->run(
      "SELECT count(*) FROM documents WHERE (CASE WHEN secret = 'gamma' "
      "THEN 'x' ELSE '1' END)::int = 1");
  EXPECT_TRUE(cast.ok) << cast.error;
  // EXPLAIN shows the policy first.
  std::string plan =
      column(*session, "EXPLAIN (COSTS OFF) SELECT * FROM documents WHERE pg_temp.leak(secret)");
  size_t check = plan.find("check_id");
  size_t leak = plan.find("leak");
  ASSERT_NE(check, std::string::npos) << plan;
  ASSERT_NE(leak, std::string::npos) << plan;
  EXPECT_LT(check, leak) << plan;
}

}  // namespace
}  // namespace agentauthz::test
