// A value a session sets through SQL with the lifetime rules of the actor
// context (pg/actor/context.h): set for the session, it holds once its
// transaction commits; set locally, it holds for the transaction only, over
// the session's; a transaction or savepoint that rolls back undoes what it
// set. A later session-wide change also ends the transaction's local one.
// The owner calls on_commit, on_abort and on_subtransaction from its
// transaction callbacks: those only move and destroy values, which cannot
// throw.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

template <typename T>
class TransactionScoped {
  static_assert(std::is_nothrow_move_assignable_v<T> && std::is_nothrow_default_constructible_v<T>,
                "transaction callbacks must not throw while moving or resetting values");

 public:
  // The value in force: the transaction's local one, else the session's as
  // this transaction leaves it.
  const T& current() const {
    if (pending_.local_set) return pending_.local;
    return pending_.session_changed ? pending_.session : session_;
  }

  // Replaces the value for this transaction (local) or, once it commits,
  // for the session.
  void set(const T& value, bool local) {
    remember_for_rollback();
    if (local) {
      pending_.local = value;
      pending_.local_set = true;
    } else {
      pending_.session = value;
      pending_.session_changed = true;
      pending_.local = T();
      pending_.local_set = false;
    }
    ++generation_;
  }

  // Whether this transaction changed the session's value (PREPARE refuses it).
  bool session_changed() const { return pending_.session_changed; }

  void on_commit() noexcept {
    if (pending_.session_changed) session_ = std::move(pending_.session);
    forget_transaction();
  }

  void on_abort() noexcept { forget_transaction(); }

  // Ends the session's value at once, whatever the transaction does.
  void discard() noexcept {
    session_ = T();
    forget_transaction();
    ++generation_;
  }

  // Restores what a rolled back savepoint changed, or hands a committed
  // savepoint's changes to its parent.
  void on_subtransaction(SubXactEvent event, SubTransactionId subid,
                         SubTransactionId parent) noexcept {
    if (event == SUBXACT_EVENT_ABORT_SUB) {
      // Restore what the value was before the savepoint's first change
      // (undo records are in savepoint order).
      auto first = std::find_if(undo_stack_.begin(), undo_stack_.end(),
                                [&](const Undo& undo) { return undo.subxact >= subid; });
      if (first == undo_stack_.end()) return;
      pending_ = std::move(first->pending);
      undo_stack_.erase(first, undo_stack_.end());
      ++generation_;
    } else if (event == SUBXACT_EVENT_COMMIT_SUB) {
      // The parent now owns the changes; its own earlier record, if any, is
      // the one a rollback of the parent must restore.
      bool parent_recorded = std::any_of(undo_stack_.begin(), undo_stack_.end(),
                                         [&](const Undo& undo) { return undo.subxact == parent; });
      for (auto it = undo_stack_.begin(); it != undo_stack_.end();) {
        if (it->subxact != subid) {
          ++it;
        } else if (parent_recorded) {
          it = undo_stack_.erase(it);
        } else {
          it->subxact = parent;
          parent_recorded = true;
          ++it;
        }
      }
    }
  }

  // A number that changes whenever the value in force may have.
  uint64_t generation() const { return generation_; }

 private:
  // What the current transaction changed.
  struct Pending {
    bool session_changed = false;
    T session;
    bool local_set = false;
    T local;
  };
  static_assert(std::is_nothrow_move_assignable_v<Pending>);

  // What a savepoint must restore if it rolls back.
  struct Undo {
    SubTransactionId subxact;
    Pending pending;
  };

  void forget_transaction() noexcept {
    // Unchanged by the transaction, the value stays what it was: what was
    // derived from it may be kept.
    if (!pending_.session_changed && !pending_.local_set && undo_stack_.empty()) return;
    pending_ = Pending();
    undo_stack_.clear();
    ++generation_;
  }

  // Records, once per savepoint, what a rollback to it must restore.
  void remember_for_rollback() {
    SubTransactionId subxact = GetCurrentSubTransactionId();
    if (subxact == TopSubTransactionId) return;  // the whole transaction: forget_transaction
    if (!undo_stack_.empty() && undo_stack_.back().subxact == subxact) return;
    undo_stack_.push_back(Undo{subxact, pending_});
  }

  T session_;  // survives transactions
  Pending pending_;
  std::vector<Undo> undo_stack_;
  uint64_t generation_ = 1;
};

}  // namespace agentauthz::pg
