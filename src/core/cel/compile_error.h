// What compiling a CEL expression reports when it fails.
#pragma once

#include <string>

namespace agentauthz::core::cel {

struct CompileError {
  std::string message;
  int line = 1;    // 1-based, relative to the expression
  int column = 1;  // 1-based, in code points
};

}  // namespace agentauthz::core::cel
