#!/usr/bin/env bash
# The main job: on a fresh Debian 12 machine, as root, installs what is
# missing, builds and installs agentauthz, starts a throwaway PostgreSQL 15
# cluster, loads an enterprise (CRM, HR, engineering, finance, support and
# billing tables, an authorization model, people's rights), issues a
# delegation from a person to each of four agents, connects as each agent's
# own role, runs the same plain SQL, and prints side by side what each saw
# and what it was refused; then an auditor's view of it all. The cluster is
# stopped and removed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_packages
build_extension
trap stop_cluster EXIT
start_cluster
DEMO=$REPO_ROOT/scripts/demo

log "loading the enterprise (scripts/demo/setup.sql)"
psql_q -d postgres -f "$DEMO/setup.sql" >/dev/null
psql_q -d postgres -P pager=off -c "SELECT role AS agent_role, person, purpose FROM demo_tokens ORDER BY role"

mapfile -t AGENTS < <(psql_q -d postgres -At -F ' ' -c \
  "SELECT role, person, token FROM demo_tokens ORDER BY array_position(
     ARRAY['sales_assistant', 'code_reviewer', 'research_agent', 'support_agent']::name[], role)")

for line in "${AGENTS[@]}"; do
  read -r role person token <<<"$line"
  log "$role, connected as role $role, acting for $person"
  "$PG_BIN/psql" -X -d postgres -U "$role" -P pager=off -v token="$token" -f "$DEMO/agent.sql" 2>&1 |
    grep -v '^$' | sed 's/^/    /'
done

log "side by side: rows each actor saw, and what its writes did"
{
  echo "actor|acting for|accounts|hr|repos|deploys|docs|tickets|billing|refunds|update tickets|update billing|deploy to production|refund 60|refund 500"
  for line in "${AGENTS[@]}"; do
    read -r role person token <<<"$line"
    person_row=$("$PG_BIN/psql" -X -q -d postgres -U demo_app -v token= -v person="$person" \
                   -f "$DEMO/summary.sql" 2>/dev/null | tail -1)
    agent_row=$("$PG_BIN/psql" -X -q -d postgres -U "$role" -v token="$token" -v person= \
                  -f "$DEMO/summary.sql" 2>/dev/null | tail -1)
    echo "  ${person#user:} (the person, via the app)|-|$person_row"
    echo "  $role|${person#user:}|$agent_row"
  done
} | column -t -s '|'
echo
echo "Each agent sees and changes at most what its person may, within the scope of its task:"
echo "the sales assistant only sam's accounts, the code reviewer reads but cannot deploy,"
echo "the research agent reads Q1 but neither Q2 nor M&A (anne can), the support agent"
echo "updates tickets but not billing records (sue can); it sees and issues refunds only up to"
echo "sue's limit of 100 (a condition on the tuple, the amount from each refund row)."

log "the auditor's view (scripts/demo/audit.sql, as role demo_auditor)"
psql_q -d postgres -At -c "SELECT agentauthz.audit_flush()" >/dev/null
"$PG_BIN/psql" -X -q -d postgres -U demo_auditor -P pager=off -f "$DEMO/audit.sql"
