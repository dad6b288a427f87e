// Errors raised by the core engine. The PostgreSQL adapter maps each kind to
// a SQLSTATE; the core itself knows nothing of PostgreSQL.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace agentauthz::core {

enum class ErrorKind {
  InvalidModel,     // DSL syntax or semantic error (42601)
  InvalidArgument,  // malformed object, subject, relation name (22023)
  UndefinedName,    // unknown type or relation in a request (42704)
  NotAllowed,       // the model does not allow this tuple or subject (22023)
  DepthExceeded,    // resolution deeper than max_depth (54001)
  ConditionFailed,  // a tuple's condition could not be evaluated (22023)
  Cancelled,        // the host asked evaluation to stop (57014)
  NotReady,         // no model has been written yet (55000)
  Unauthorized,     // an invalid, expired or revoked delegation token (28000)
  Forbidden,        // the caller may not do this (42501)
  LimitExceeded,    // a configured limit, e.g. delegation depth (54000)
  Internal,         // a bug (XX000)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string detail = {})
      : std::runtime_error(message), kind_(kind), detail_(std::move(detail)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& detail() const { return detail_; }

 private:
  ErrorKind kind_;
  std::string detail_;
};

// A model error carries the 1-based line and column it was found at.
class ModelError : public Error {
 public:
  ModelError(int line, int column, const std::string& message)
      : Error(ErrorKind::InvalidModel, "invalid model at line " + std::to_string(line) +
                                           ", column " + std::to_string(column) + ": " + message),
        line_(line),
        column_(column),
        reason_(message) {}

  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& reason() const { return reason_; }

 private:
  int line_;
  int column_;
  std::string reason_;
};

}  // namespace agentauthz::core
