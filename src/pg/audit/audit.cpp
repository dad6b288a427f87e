#include "pg/audit/audit.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <vector>

#include "core/audit_record.h"
#include "core/audit_summary.h"
#include "core/error.h"
#include "core/tuple_key.h"
#include "pg/audit/log_writer.h"
#include "pg/audit/queue.h"
#include "pg/common/guard.h"
#include "pg/common/sha256.h"

extern "C" {
#include "access/xlog.h"
#include "utils/backend_status.h"
}

namespace agentauthz::pg::audit {

int level_setting = kSummary;
int sample_size_setting = 10;
int queue_wait_setting = 1000;
int buffer_kb_setting = 64;

namespace {

// Records of the current statement are handed over once this many bytes
// have gathered (agentauthz.audit_buffer_size), so a statement deciding on
// any number of rows needs bounded memory.
size_t buffer_bytes() { return static_cast<size_t>(buffer_kb_setting) * 1024; }
// Without the queue, a transaction holds its records until it commits: at
// most this many buffers' worth, then its statement fails.
constexpr size_t kTransactionBuffers = 64;
// How long an aborting transaction may wait for room in the queue.
constexpr long kAbortWaitMs = 200;
// At `summary`, repeated listings of one (relation, type) in a statement
// share a row; at most this many pairs are kept before rows are handed over.
constexpr size_t kMaxListings = 64;

struct StatementKey {
  LocalTransactionId transaction = InvalidLocalTransactionId;
  uint64_t actor_epoch = 0;
  bool operator==(const StatementKey& o) const {
    return transaction == o.transaction && actor_epoch == o.actor_epoch;
  }
};

StatementKey current_key;
bool have_statement = false;
core::AuditRecord statement_fields;  // what every record of the statement shares
core::AuditSummary summary(10);
audit_queue::Batch pending;         // encoded, not yet handed over
audit_queue::Batch in_transaction;  // to be written at this transaction's commit
// Written by this transaction at its pre-commit, kept until it has really
// committed: a commit can still fail after (an ON COMMIT action, a
// serialization failure), and the rows written go with it.
audit_queue::Batch written_at_commit;
bool writing = false;  // appending to the log runs statements of its own
bool told_about_fallback = false;

// At `summary`, an allowed set listed again and again in one statement (a
// set policy's function called per row) is one row, counting the calls.
struct Listing {
  int64_t calls = 0;
  core::AuditRecord record;
};
std::vector<Listing> listings;

// At `summary`, the act_for tokens refused in the current statement: one
// row for the agent however many a loop refuses (each caught error starts
// the statement's gathering afresh, so they cannot share its summary), and
// never filed under the context the session happens to hold.
struct RefusedTokens {
  int64_t count = 0;
  Oid role = InvalidOid;     // the role refused (the row's db_role)
  core::AuditRecord record;  // identity, agent, sampled ids, first reason
};
RefusedTokens refused_tokens;

std::string hex(const uint8* bytes, size_t length) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (size_t i = 0; i < length; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

void tell_about_fallback() {
  if (told_about_fallback) return;
  told_about_fallback = true;
  pg_guard([] {
    ereport(
        NOTICE,
        (errmsg("agentauthz audit records are written in the caller's transaction"),
         errdetail(
             "agentauthz is not in shared_preload_libraries, so there is no audit queue: "
             "records of a transaction that rolls back or is read-only go to the server log only."),
         errhint("Add agentauthz to shared_preload_libraries and restart the server.")));
  });
}

using audit_queue::Failure;

[[noreturn]] void refuse_unbuffered_transaction() {
  pg_guard([] {
    ereport(
        ERROR,
        (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
         errmsg("agentauthz cannot hold more audit records for this transaction"),
         errdetail(
             "Without agentauthz in shared_preload_libraries a transaction's records are written "
             "when it commits, and it may hold %zu kB of them; decisions that cannot be "
             "recorded are not made.",
             kTransactionBuffers * buffer_bytes() / 1024),
         errhint(
             "Commit more often, raise agentauthz.audit_buffer_size, or preload the library.")));
  });
  throw core::Error(core::ErrorKind::Internal, "unreachable");
}

// Sends `pending` where records go now. On the queue, a statement whose
// records find no room fails (Raise) rather than going on unrecorded; an
// aborting transaction (Return) puts what finds no room in the server log.
void hand_over(Failure on_failure) {
  if (pending.records == 0) return;
  bool standby = false;
  pg_guard([&] { standby = RecoveryInProgress(); });
  if (standby) {
    log_audit_records(pending.decode(), "hot standby");
    pending.clear();
    return;
  }
  if (audit_queue::available()) {
    long patience = on_failure == Failure::Raise ? queue_wait_setting
                                                 : std::min<long>(queue_wait_setting, kAbortWaitMs);
    if (audit_queue::enqueue(pending, on_failure, patience)) return;
    log_audit_records(pending.decode(), "the audit queue had no room");
    pending.clear();
    return;
  }
  tell_about_fallback();
  in_transaction.append(pending);
  pending.clear();
  if (on_failure == Failure::Raise &&
      in_transaction.bytes.size() > kTransactionBuffers * buffer_bytes())
    refuse_unbuffered_transaction();
}

// Hands over what has gathered once it reaches the buffer's size.
void hand_over_when_full() {
  if (pending.bytes.size() >= buffer_bytes()) hand_over(Failure::Raise);
}

core::AuditRecord summary_record(core::AuditSummary::Entry& entry) {
  core::AuditRecord record = statement_fields;
  record.kind = core::AuditKind::Summary;
  record.relation = std::move(entry.relation);
  record.object_type = std::move(entry.object_type);
  record.allowed_count = entry.allowed;
  record.denied_count = entry.denied;
  record.allowed_sample = std::move(entry.allowed_sample);
  record.denied_sample = std::move(entry.denied_sample);
  return record;
}

// The refused tokens' row joins what is to be handed over.
void take_refused_tokens() {
  if (refused_tokens.count == 0) return;
  refused_tokens.record.denied_count = refused_tokens.count;
  pending.add(refused_tokens.record);
  refused_tokens = RefusedTokens();
}

// The statement's summaries and listings so far become records to hand
// over (a long statement's in parts: each part counts the decisions since
// the last). Both are bounded, so `pending` stays within a few buffers.
void take_summaries() {
  for (Listing& listing : listings) {
    if (listing.calls > 1)
      listing.record.detail = "listed " + std::to_string(listing.calls) + " times in the statement";
    pending.add(listing.record);
  }
  listings.clear();
  for (core::AuditSummary::Entry& entry : summary.take()) pending.add(summary_record(entry));
}

// Ends the statement's gathering: summaries become records, and all of it
// is handed over.
void end_statement(Failure on_failure) {
  have_statement = false;
  take_summaries();
  hand_over(on_failure);
}

// Who ran which statement, and when: time, role, pid, query id and hash.
void fill_statement_identity(core::AuditRecord* f) {
  const char* role = nullptr;
  const char* query = nullptr;
  uint64 query_id = 0;
  pg_guard([&] {
    f->logged_at = GetCurrentStatementStartTimestamp();
    role = GetUserNameFromId(GetUserId(), true);
    query = debug_query_string;
    query_id = pgstat_get_my_query_id();
  });
  f->backend_pid = MyProcPid;
  if (role) f->db_role = role;
  f->query_id = static_cast<int64_t>(query_id);
  if (query) {
    // An agent repeats its statements: the last text's hash is kept.
    static std::string last_query;
    static std::string last_hash;
    if (last_query != query) {
      std::array<uint8, 32> digest = sha256(reinterpret_cast<const uint8*>(query), strlen(query));
      last_hash = hex(digest.data(), digest.size());
      last_query = query;
    }
    f->query_hash = last_hash;
  }
}

// The fields every record of this statement shares, computed when the
// statement (or the actor) changes.
void begin_statement(const ActiveActor& actor) {
  // Plain reads (nothing here can raise an error): this runs per decision.
  // A statement's end is seen by the hooks; the transaction and the actor
  // are compared as well, should one go unseen.
  StatementKey key;
  key.transaction = MyProc->lxid;
  key.actor_epoch = active_actor_epoch();
  if (have_statement && key == current_key) return;
  if (have_statement) end_statement(Failure::Raise);
  pg_guard([] { register_exit_hook(); });
  current_key = key;
  summary = core::AuditSummary(static_cast<size_t>(sample_size_setting));
  core::AuditRecord& f = statement_fields;
  f = core::AuditRecord();
  fill_statement_identity(&f);
  switch (actor.kind) {
    case ActorContext::Kind::None:
      break;
    case ActorContext::Kind::Subject:
      f.actor = actor.subject;
      break;
    case ActorContext::Kind::Agent:
      f.actor = actor.agent;
      break;
    case ActorContext::Kind::Delegation:
      f.actor = actor.agent;
      f.principal = actor.subject;
      for (const DelegationRow& link : actor.links) f.delegation_chain.push_back(link.id);
      // The person's purpose (the root link's): a sub-delegation's purpose
      // is the agent's own words, and must not relabel what it reads.
      if (!actor.links.empty()) f.purpose = actor.links.front().purpose;
      break;
  }
  if (!actor.valid) f.detail = actor.reason.empty() ? "no actor context" : actor.reason;
  have_statement = true;
}

void note_check_record(std::string_view relation, std::string_view object_type, std::string_view id,
                       bool allowed, std::string_view detail = {}) {
  core::AuditRecord record = statement_fields;
  record.kind = core::AuditKind::Check;
  record.relation.assign(relation);
  record.object_type.assign(object_type);
  record.object_id.assign(id);
  record.decision = allowed ? "allowed" : "denied";
  if (!detail.empty()) record.detail.assign(detail);
  pending.add(record);
  hand_over_when_full();
}

// Where a transaction's own records end up when it finishes.
void write_in_transaction(bool committing) {
  if (in_transaction.records == 0) return;
  // The records stay in in_transaction until they are written: a backend
  // terminated while waiting for the chain's lock still has them for the
  // exit callback, which logs them.
  std::vector<core::AuditRecord> records = in_transaction.decode();
  bool read_only = false;
  pg_guard([&] { read_only = XactReadOnly || RecoveryInProgress(); });
  if (!committing || read_only) {
    in_transaction.clear();
    log_audit_records(records, committing ? "read-only transaction" : "rolled back");
    return;
  }
  writing = true;
  std::exception_ptr failure;
  try {
    // At commit no snapshot is active: the log is written under a fresh one.
    bool pushed = false;
    pg_guard([&] {
      if (!ActiveSnapshotSet()) {
        PushActiveSnapshot(GetTransactionSnapshot());
        pushed = true;
      }
    });
    append_to_audit_log(records);
    if (pushed) pg_guard([] { PopActiveSnapshot(); });
  } catch (...) {
    failure = std::current_exception();
  }
  writing = false;
  if (!failure) written_at_commit.append(in_transaction);
  in_transaction.clear();
  if (failure) {
    // The commit fails with this error; the records must not vanish with
    // it (logged here, outside the catch block: logging calls PostgreSQL).
    log_audit_records(records, "could not be written");
    std::rethrow_exception(failure);
  }
}

}  // namespace

}  // namespace agentauthz::pg::audit

namespace agentauthz::pg::audit {

// Records one decision on an id given as text: counted in summary mode, in full otherwise.
void note_decision(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                   std::string_view relation, std::string_view object_type, std::string_view id,
                   bool allowed) {
  if (level_setting == kDenied && allowed) return;
  begin_statement(actor);
  if (level_setting == kSummary) {
    if (summary.bytes() >= buffer_bytes()) {
      take_summaries();
      hand_over_when_full();
    }
    core::AuditSummary::Entry& entry = summary.entry(relation_key, type_key, relation, object_type);
    summary.add(entry, allowed, summary.wants_sample(entry, allowed) ? id : std::string_view());
    return;
  }
  note_check_record(relation, object_type, id, allowed);
}

// The same for an integer id, which is formatted only when it is recorded in full.
void note_decision(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                   std::string_view relation, std::string_view object_type, int64_t id,
                   bool allowed) {
  if (level_setting == kDenied && allowed) return;
  char text[24];
  int length = 0;
  if (level_setting != kSummary) {
    length = snprintf(text, sizeof text, "%lld", static_cast<long long>(id));
  } else {
    begin_statement(actor);
    if (summary.bytes() >= buffer_bytes()) {
      take_summaries();
      hand_over_when_full();
    }
    core::AuditSummary::Entry& entry = summary.entry(relation_key, type_key, relation, object_type);
    if (summary.wants_sample(entry, allowed))
      length = snprintf(text, sizeof text, "%lld", static_cast<long long>(id));
    summary.add(entry, allowed, std::string_view(text, static_cast<size_t>(length)));
    return;
  }
  note_decision(actor, relation_key, type_key, relation, object_type,
                std::string_view(text, static_cast<size_t>(length)), allowed);
}

// Returns at most `limit` bytes of `text`, cut at a UTF-8 character boundary.
std::string_view clipped(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return text.substr(0, end);
}

void note_refusal(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                  std::string_view relation, std::string_view object_type, std::string_view id,
                  std::string_view reason) {
  relation = clipped(relation, core::kMaxRelationNameLength);
  object_type = clipped(object_type, core::kMaxTypeNameLength);
  id = clipped(id, core::kMaxObjectLength);
  if (level_setting == kSummary) {
    note_decision(actor, relation_key, type_key, relation, object_type, id, false);
    return;
  }
  begin_statement(actor);
  note_check_record(relation, object_type, id, false, reason);
}

int32_t key_for_name(std::string_view name) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  return -2 - static_cast<int32_t>(hash & 0x3fffffff);
}

// Records an allowed-set listing: counted per (relation, type) in summary mode, in full otherwise.
void note_listing(const ActiveActor& actor, std::string_view relation, std::string_view object_type,
                  const std::vector<std::string>& ids) {
  if (level_setting < kSummary) return;
  begin_statement(actor);
  if (level_setting == kSummary) {
    for (Listing& listing : listings) {
      if (listing.record.relation == relation && listing.record.object_type == object_type) {
        ++listing.calls;
        return;
      }
    }
    if (listings.size() >= kMaxListings) {
      take_summaries();
      hand_over_when_full();
    }
  }
  core::AuditRecord record = statement_fields;
  record.kind = core::AuditKind::Listing;
  record.relation.assign(relation);
  record.object_type.assign(object_type);
  record.allowed_count = static_cast<int64_t>(ids.size());
  for (size_t i = 0; i < ids.size() && i < static_cast<size_t>(sample_size_setting); ++i)
    record.allowed_sample.push_back(ids[i]);
  if (level_setting == kSummary) {
    listings.push_back(Listing{1, std::move(record)});
    return;
  }
  pending.add(record);
  hand_over_when_full();
}

// Records a refused token where the error that follows cannot roll it back.
void note_refused_token(std::string_view agent, int64_t delegation_id, std::string_view reason) {
  pg_guard([] { register_exit_hook(); });
  std::string id = delegation_id > 0 ? std::to_string(delegation_id) : std::string();
  if (level_setting == kSummary) {
    // A statement refusing tokens by the thousand (a guessing loop) leaves
    // one row, not thousands.
    core::AuditRecord& record = refused_tokens.record;
    // A refusal under another role (a function with SET role) or for
    // another agent starts a row of its own: none is filed under another's.
    Oid role = InvalidOid;
    pg_guard([&] { role = GetUserId(); });
    if (refused_tokens.count > 0 && (refused_tokens.role != role || record.actor != agent)) {
      take_refused_tokens();
      hand_over_when_full();  // a loop switching roles makes a row per switch
    }
    if (refused_tokens.count == 0) {
      refused_tokens.role = role;
      fill_statement_identity(&record);
      record.kind = core::AuditKind::Summary;
      record.actor.assign(agent);
      record.relation = "act_for";
      record.object_type = "delegation";
      record.detail.assign(reason);
    }
    ++refused_tokens.count;
    if (!id.empty() && record.denied_sample.size() < static_cast<size_t>(sample_size_setting))
      record.denied_sample.push_back(id);
    return;
  }
  core::AuditRecord record;
  fill_statement_identity(&record);
  record.kind = core::AuditKind::Check;
  record.actor.assign(agent);
  record.relation = "act_for";
  record.object_type = "delegation";
  record.object_id = id;
  record.decision = "denied";
  record.detail.assign(reason);
  pending.add(record);
  hand_over_when_full();
}

bool flush_and_wait(long timeout_ms) {
  take_refused_tokens();
  if (have_statement) end_statement(Failure::Raise);
  hand_over(Failure::Raise);
  if (!audit_queue::available()) return true;
  return audit_queue::wait_written(timeout_ms);
}

const char* destination() {
  if (level_setting == kOff) return "off";
  bool standby = false;
  pg_guard([&] { standby = RecoveryInProgress(); });
  if (standby) return "server log";
  return audit_queue::available() ? "queue" : "transaction";
}

void statement_finished() {
  // Records outside a statement's gathering (refused act_for tokens) are
  // handed over at the statement's end too.
  if (writing) return;
  take_refused_tokens();
  if (!have_statement && pending.records == 0) return;
  if (have_statement)
    end_statement(Failure::Raise);
  else
    hand_over(Failure::Raise);
}

void transaction_finished(bool committing, bool exiting) {
  if (writing) return;
  // An abort waits briefly at most (it cannot be interrupted), and what
  // finds no room goes to the server log.
  Failure on_failure = committing ? Failure::Raise : Failure::Return;
  if (!committing && written_at_commit.records > 0) {
    std::vector<core::AuditRecord> lost = written_at_commit.decode();
    written_at_commit.clear();
    log_audit_records(lost, "written, but the transaction failed at its commit");
  }
  take_refused_tokens();
  if (have_statement) end_statement(on_failure);
  if (pending.records) hand_over(on_failure);
  write_in_transaction(committing);
}

void transaction_committed() noexcept { written_at_commit.clear(); }

// Hands over the transaction's records before PREPARE; refuses one that writes the log.
void transaction_preparing() {
  if (writing) return;
  take_refused_tokens();
  if (have_statement) end_statement(Failure::Raise);
  if (pending.records) hand_over(Failure::Raise);
  bool holds_chain = false;
  pg_guard([&] { holds_chain = chain_locked_in_transaction(); });
  if (in_transaction.records > 0 || holds_chain)
    pg_guard([] {
      ereport(
          ERROR,
          (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
           errmsg("cannot PREPARE a transaction that writes the agentauthz audit log"),
           errdetail("A prepared transaction would keep the audit chain's head locked until it is "
                     "finished, and every writer of the log would wait for it."),
           errhint(
               "Purge the audit log outside prepared transactions; without agentauthz in "
               "shared_preload_libraries, do not prepare transactions that act for an agent.")));
    });
}

// Hands over what an aborted transaction recorded; on failure, logs that it was lost.
void transaction_aborted(bool exiting) noexcept {
  writing = false;
  bool failed = false;
  try {
    transaction_finished(false, exiting);
  } catch (...) {
    failed = true;
  }
  if (failed) {
    pending.clear();
    in_transaction.clear();
    written_at_commit.clear();
    listings.clear();
    refused_tokens = RefusedTokens();
    have_statement = false;
    elog(LOG, "agentauthz could not hand over the audit records of an aborted transaction");
  }
}

}  // namespace agentauthz::pg::audit
