// Condition values across connections and transaction boundaries: what an
// application's set_context() supplies stays in its own connection, lives
// as long as its transaction (local) or the session, and is undone with a
// failed implicit or explicit transaction; a delegation's pinned values
// reach the agent once the delegation is committed.
#include <gtest/gtest.h>

#include <string>

#include "pg_session.h"

namespace agentauthz::test {
namespace {

const char* kDatabase = "agentauthz_condition_context";
const char* kApp = "cc_int_app";
const char* kBot = "cc_int_bot";

// What current_actor() shows of the connection's condition values
// ("" when none).
const char* kShown =
    "SELECT coalesce(a -> 'context', a -> 'context_parameters') FROM agentauthz.current_actor() a";

class ConditionContext : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    recreate_database(kDatabase);
    PgSession admin(kDatabase);
    admin.run(std::string("DROP ROLE IF EXISTS ") + kApp);
    admin.run(std::string("DROP ROLE IF EXISTS ") + kBot);
    admin.exec(std::string("CREATE ROLE ") + kApp + " LOGIN IN ROLE agentauthz_app");
    admin.exec(std::string("CREATE ROLE ") + kBot + " LOGIN");
    admin.exec(
        "SELECT agentauthz.write_model('model\n  schema 1.1\ntype user\ntype agent\n"
        "type ticket\n  relations\n    define editor: [user]')");
    admin.exec(std::string("SELECT agentauthz.register_agent('agent:cc', '") + kBot + "')");
  }
};

TEST_F(ConditionContext, SessionValuesStayWithTheirConnection) {
  PgSession app(kDatabase, kApp);
  PgSession other(kDatabase, kApp);
  app.exec("SELECT agentauthz.set_context('{\"ip\": \"10.0.0.1\"}', local => false)");
  EXPECT_EQ(app.value(kShown), "{\"ip\": \"10.0.0.1\"}");
  app.exec("BEGIN");
  app.exec("COMMIT");
  EXPECT_EQ(app.value(kShown), "{\"ip\": \"10.0.0.1\"}") << "session values outlive a transaction";
  EXPECT_EQ(other.value(kShown), "") << "another connection of the same role has none";
  // A pool resets the connection for its next client.
  app.exec("DISCARD ALL");
  EXPECT_EQ(app.value(kShown), "");
}

// A query string of several statements is one implicit transaction: a
// local value holds to its end, and a failure undoes a session value set in
// it.
TEST_F(ConditionContext, ImplicitTransactionIsTheBoundary) {
  PgSession app(kDatabase, kApp);
  QueryResult within =
      app.run(std::string("SELECT agentauthz.set_context('{\"ip\": \"10.0.0.2\"}'); ") + kShown);
  ASSERT_TRUE(within.ok) << within.error;
  EXPECT_EQ(within.value(), "{\"ip\": \"10.0.0.2\"}");
  EXPECT_EQ(app.value(kShown), "") << "a local value ends with its implicit transaction";

  QueryResult failed = app.run(
      "SELECT agentauthz.set_context('{\"ip\": \"10.0.0.3\"}', local => false); SELECT 1 / 0");
  EXPECT_EQ(failed.sqlstate, "22012");
  EXPECT_EQ(app.value(kShown), "") << "a failed implicit transaction undoes a session value";
}

TEST_F(ConditionContext, FailedTransactionUndoesSessionValues) {
  PgSession app(kDatabase, kApp);
  app.exec("SELECT agentauthz.set_context('{\"ip\": \"10.0.0.4\"}', local => false)");
  app.exec("BEGIN");
  app.exec("SELECT agentauthz.set_context('{\"ip\": \"10.0.0.5\"}', local => false)");
  EXPECT_FALSE(app.run("SELECT 1 / 0").ok);
  app.exec("ROLLBACK");
  EXPECT_EQ(app.value(kShown), "{\"ip\": \"10.0.0.4\"}") << "the values before the transaction";
}

// A delegation is read like a catalog at each statement: its pinned values
// reach the agent once the delegation commits, not before.
TEST_F(ConditionContext, DelegationValuesReachTheAgentOnceCommitted) {
  PgSession app(kDatabase, kApp);
  PgSession agent(kDatabase, kBot);
  app.exec("BEGIN");
  std::string token = app.value(
      "SELECT agentauthz.delegate('user:sue', 'agent:cc', ARRAY['editor@ticket:*'], "
      "now() + interval '1 hour', 'refunds', '{\"max_amount\": 100}')");
  EXPECT_EQ(agent.run("SELECT agentauthz.act_for($1)", {token}).sqlstate, "28000")
      << "an uncommitted delegation is no delegation";
  app.exec("COMMIT");
  agent.exec("BEGIN");
  ASSERT_TRUE(agent.run("SELECT agentauthz.act_for($1)", {token}).ok);
  EXPECT_EQ(agent.value(kShown), "[\"max_amount\"]") << "an agent is shown the names only";
  agent.exec("COMMIT");
  EXPECT_EQ(agent.value(kShown), "") << "a local act_for ends with its transaction";
}

}  // namespace
}  // namespace agentauthz::test
