#include "core/cel/parser.h"

#include <utility>
#include <vector>

#include "core/cel/lexer.h"
#include "core/cel/limits.h"

namespace agentauthz::core::cel {

namespace {

using NodePtr = std::unique_ptr<Node>;

// Thrown inside the parser only, to unwind to parse() on the first error.
struct ParseFailure {
  CompileError error;
};

// Recursive descent over the grammar of cel-spec langdef.md.
class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source) { shift(); }

  NodePtr parse_all() {
    NodePtr root = expr(0);
    if (token_.kind != Tok::End) fail_here("Syntax error: unexpected " + describe(token_));
    return root;
  }

 private:
  [[noreturn]] static void fail_at(int line, int column, std::string message) {
    throw ParseFailure{CompileError{std::move(message), line, column}};
  }
  [[noreturn]] void fail_here(std::string message) const {
    if (token_.kind == Tok::Error) fail_at(token_.line, token_.column, token_.text);
    fail_at(token_.line, token_.column, std::move(message));
  }

  // Names a token for messages.
  static std::string describe(const Token& token) {
    switch (token.kind) {
      case Tok::End:
        return "end of expression";
      case Tok::Ident:
      case Tok::Reserved:
        return "'" + token.text + "'";
      case Tok::Int:
      case Tok::Uint:
      case Tok::Double:
        return "number";
      case Tok::String:
      case Tok::Bytes:
        return "string";
      default:
        return "token";
    }
  }

  void shift() { token_ = lexer_.next(); }

  bool accept(Tok kind) {
    if (token_.kind != kind) return false;
    shift();
    return true;
  }

  void expect(Tok kind, const char* what) {
    if (!accept(kind))
      fail_here(std::string("Syntax error: expected ") + what + ", found " + describe(token_));
  }

  // Creates a node at a position; its depth is one more than its deepest child.
  static NodePtr make(NodeKind kind, int line, int column, std::vector<NodePtr> args = {}) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->line = line;
    node->column = column;
    int deepest = 0;
    for (const NodePtr& arg : args) deepest = std::max(deepest, arg->depth);
    node->depth = deepest + 1;
    if (node->depth > kMaxNestingDepth)
      fail_at(line, column,
              "Syntax error: expression nested too deeply (over " +
                  std::to_string(kMaxNestingDepth) + " levels)");
    node->args = std::move(args);
    return node;
  }

  static NodePtr call(const char* function, int line, int column, std::vector<NodePtr> args) {
    NodePtr node = make(NodeKind::Call, line, column, std::move(args));
    node->name = function;
    return node;
  }

  void enter(int depth) {
    if (depth > kMaxNestingDepth)
      fail_here("Syntax error: expression nested too deeply (over " +
                std::to_string(kMaxNestingDepth) + " levels)");
  }

  NodePtr expr(int depth) {
    enter(depth);
    NodePtr condition = logical(depth, Tok::Or);
    if (token_.kind != Tok::Question) return condition;
    int line = token_.line;
    int column = token_.column;
    shift();
    NodePtr yes = logical(depth, Tok::Or);
    expect(Tok::Colon, "':'");
    NodePtr no = expr(depth + 1);
    std::vector<NodePtr> args;
    args.push_back(std::move(condition));
    args.push_back(std::move(yes));
    args.push_back(std::move(no));
    return call("_?_:_", line, column, std::move(args));
  }

  // Parses a chain of || (or of && when op is And).
  NodePtr logical(int depth, Tok op) {
    NodePtr left = op == Tok::Or ? logical(depth, Tok::And) : relation(depth);
    while (token_.kind == op) {
      int line = token_.line;
      int column = token_.column;
      shift();
      NodePtr right = op == Tok::Or ? logical(depth, Tok::And) : relation(depth);
      std::vector<NodePtr> args;
      args.push_back(std::move(left));
      args.push_back(std::move(right));
      left = call(op == Tok::Or ? "_||_" : "_&&_", line, column, std::move(args));
    }
    return left;
  }

  // The function of a relational operator token, or nullptr.
  static const char* relation_function(Tok kind) {
    switch (kind) {
      case Tok::Lt:
        return "_<_";
      case Tok::Le:
        return "_<=_";
      case Tok::Gt:
        return "_>_";
      case Tok::Ge:
        return "_>=_";
      case Tok::Eq:
        return "_==_";
      case Tok::Ne:
        return "_!=_";
      case Tok::In:
        return "@in";
      default:
        return nullptr;
    }
  }

  static const char* addition_function(Tok kind) {
    return kind == Tok::Plus ? "_+_" : kind == Tok::Minus ? "_-_" : nullptr;
  }

  static const char* multiplication_function(Tok kind) {
    return kind == Tok::Star      ? "_*_"
           : kind == Tok::Slash   ? "_/_"
           : kind == Tok::Percent ? "_%_"
                                  : nullptr;
  }

  // Parses left-associative operators of one precedence level.
  template <typename Next>
  NodePtr binary(const char* (*function_of)(Tok), Next next) {
    NodePtr left = next();
    while (const char* function = function_of(token_.kind)) {
      int line = token_.line;
      int column = token_.column;
      shift();
      NodePtr right = next();
      std::vector<NodePtr> args;
      args.push_back(std::move(left));
      args.push_back(std::move(right));
      left = call(function, line, column, std::move(args));
    }
    return left;
  }

  NodePtr relation(int depth) {
    return binary(relation_function, [&] { return addition(depth); });
  }
  NodePtr addition(int depth) {
    return binary(addition_function, [&] { return multiplication(depth); });
  }
  NodePtr multiplication(int depth) {
    return binary(multiplication_function, [&] { return unary(depth); });
  }

  // Parses prefix ! and - (a - directly before an int literal negates it).
  NodePtr unary(int depth) {
    enter(depth);
    if (token_.kind != Tok::Not && token_.kind != Tok::Minus) return member(depth);
    Tok op = token_.kind;
    int line = token_.line;
    int column = token_.column;
    shift();
    if (op == Tok::Minus && token_.kind == Tok::Int) {
      Token literal = token_;
      if (literal.overflow || literal.number > (1ULL << 63))
        fail_at(literal.line, literal.column, "Syntax error: invalid int literal");
      shift();
      NodePtr node = make(NodeKind::Literal, line, column);
      node->literal = Value::integer(static_cast<int64_t>(0 - literal.number));
      return member_suffix(std::move(node), depth);
    }
    if (op == Tok::Minus && token_.kind == Tok::Double) {
      double value = -token_.real;
      shift();
      NodePtr node = make(NodeKind::Literal, line, column);
      node->literal = Value::floating(value);
      return member_suffix(std::move(node), depth);
    }
    std::vector<NodePtr> args;
    args.push_back(unary(depth + 1));
    return call(op == Tok::Not ? "!_" : "-_", line, column, std::move(args));
  }

  NodePtr member(int depth) { return member_suffix(primary(depth), depth); }

  // Parses .field, .method(args) and [index] after an operand.
  NodePtr member_suffix(NodePtr operand, int depth) {
    for (;;) {
      int line = token_.line;
      int column = token_.column;
      if (accept(Tok::Dot)) {
        if (token_.kind != Tok::Ident) fail_here("Syntax error: expected a field or method name");
        std::string name = token_.text;
        shift();
        int open_line = token_.line;
        int open_column = token_.column;
        if (accept(Tok::LParen)) {
          std::vector<NodePtr> args;
          args.push_back(std::move(operand));
          arguments(depth, Tok::RParen, &args);
          operand = receiver_call(std::move(name), open_line, open_column, std::move(args));
        } else {
          std::vector<NodePtr> args;
          args.push_back(std::move(operand));
          operand = make(NodeKind::Select, line, column, std::move(args));
          operand->name = std::move(name);
        }
      } else if (accept(Tok::LBracket)) {
        std::vector<NodePtr> args;
        args.push_back(std::move(operand));
        args.push_back(expr(depth + 1));
        expect(Tok::RBracket, "']'");
        operand = call("_[_]", line, column, std::move(args));
      } else if (token_.kind == Tok::LBrace && operand->kind == NodeKind::Ident) {
        fail_here("Syntax error: message construction is not supported");
      } else {
        return operand;
      }
    }
  }

  // Parses comma-separated expressions up to the closing token.
  void arguments(int depth, Tok close, std::vector<NodePtr>* out) {
    if (accept(close)) return;
    for (;;) {
      out->push_back(expr(depth + 1));
      if (accept(close)) return;
      expect(Tok::Comma, close == Tok::RParen ? "',' or ')'" : "',' or ']'");
      if (close == Tok::RBracket && accept(close)) return;  // trailing comma
    }
  }

  // Builds a receiver-style call, expanding the comprehension macros.
  static NodePtr receiver_call(std::string name, int line, int column, std::vector<NodePtr> args) {
    Macro macro = Macro::None;
    size_t count = args.size() - 1;
    if (name == "all" && count == 2) macro = Macro::All;
    if (name == "exists" && count == 2) macro = Macro::Exists;
    if (name == "exists_one" && count == 2) macro = Macro::ExistsOne;
    if (name == "map" && count == 2) macro = Macro::Map;
    if (name == "map" && count == 3) macro = Macro::MapFilter;
    if (name == "filter" && count == 2) macro = Macro::Filter;
    if (macro == Macro::None) {
      NodePtr node = make(NodeKind::Call, line, column, std::move(args));
      node->name = std::move(name);
      node->receiver_style = true;
      return node;
    }
    const Node& variable = *args[1];
    if (variable.kind != NodeKind::Ident)
      fail_at(variable.line, variable.column, "argument must be a simple name");
    std::string variable_name = variable.name;
    std::vector<NodePtr> parts;
    parts.push_back(std::move(args[0]));
    for (size_t i = 2; i < args.size(); ++i) parts.push_back(std::move(args[i]));
    NodePtr node = make(NodeKind::Comprehension, line, column, std::move(parts));
    node->name = std::move(variable_name);
    node->macro = macro;
    return node;
  }

  // Parses literals, names, calls, parentheses, lists and maps.
  NodePtr primary(int depth) {
    enter(depth);
    Token token = token_;
    int line = token.line;
    int column = token.column;
    switch (token.kind) {
      case Tok::Int:
        if (token.overflow || token.number > static_cast<uint64_t>(INT64_MAX))
          fail_here("Syntax error: invalid int literal");
        shift();
        return literal(Value::integer(static_cast<int64_t>(token.number)), line, column);
      case Tok::Uint:
        if (token.overflow) fail_here("Syntax error: invalid uint literal");
        shift();
        return literal(Value::unsigned_integer(token.number), line, column);
      case Tok::Double:
        shift();
        return literal(Value::floating(token.real), line, column);
      case Tok::String:
        shift();
        return literal(Value::string(token.text), line, column);
      case Tok::Bytes:
        shift();
        return literal(Value::bytes(token.text), line, column);
      case Tok::True:
        shift();
        return literal(Value::boolean(true), line, column);
      case Tok::False:
        shift();
        return literal(Value::boolean(false), line, column);
      case Tok::Null:
        shift();
        return literal(Value(), line, column);
      case Tok::Reserved:
        fail_here("Syntax error: reserved identifier: " + token.text);
      case Tok::Dot:
        shift();
        if (token_.kind != Tok::Ident) fail_here("Syntax error: expected a name after '.'");
        return name_or_call(depth);
      case Tok::Ident:
        return name_or_call(depth);
      case Tok::LParen: {
        shift();
        NodePtr inner = expr(depth + 1);
        expect(Tok::RParen, "')'");
        return inner;
      }
      case Tok::LBracket: {
        shift();
        std::vector<NodePtr> items;
        arguments(depth, Tok::RBracket, &items);
        return make(NodeKind::List, line, column, std::move(items));
      }
      case Tok::LBrace:
        return map_literal(depth);
      default:
        fail_here("Syntax error: unexpected " + describe(token));
    }
  }

  static NodePtr literal(Value value, int line, int column) {
    NodePtr node = make(NodeKind::Literal, line, column);
    node->literal = std::move(value);
    return node;
  }

  // Parses an identifier, or a global call such as size(x) or has(m.f).
  NodePtr name_or_call(int depth) {
    int line = token_.line;
    int column = token_.column;
    std::string name = token_.text;
    shift();
    int open_line = token_.line;
    int open_column = token_.column;
    if (!accept(Tok::LParen)) {
      NodePtr node = make(NodeKind::Ident, line, column);
      node->name = std::move(name);
      return node;
    }
    std::vector<NodePtr> args;
    arguments(depth, Tok::RParen, &args);
    if (name == "has" && args.size() == 1) {
      if (args[0]->kind != NodeKind::Select)
        fail_at(args[0]->line, args[0]->column, "invalid argument to has() macro");
      NodePtr select = std::move(args[0]);
      select->test_only = true;
      return select;
    }
    NodePtr node = make(NodeKind::Call, open_line, open_column, std::move(args));
    node->name = std::move(name);
    return node;
  }

  NodePtr map_literal(int depth) {
    int line = token_.line;
    int column = token_.column;
    shift();
    std::vector<NodePtr> parts;
    while (!accept(Tok::RBrace)) {
      parts.push_back(expr(depth + 1));
      expect(Tok::Colon, "':'");
      parts.push_back(expr(depth + 1));
      if (accept(Tok::RBrace)) break;
      expect(Tok::Comma, "',' or '}'");
    }
    return make(NodeKind::Map, line, column, std::move(parts));
  }

  Lexer lexer_;
  Token token_;
};

}  // namespace

std::unique_ptr<Node> parse(std::string_view expression, CompileError* error) {
  if (expression.size() > kMaxExpressionBytes) {
    if (error)
      *error = CompileError{
          "expression is longer than " + std::to_string(kMaxExpressionBytes) + " bytes", 1, 1};
    return nullptr;
  }
  try {
    Parser parser(expression);
    return parser.parse_all();
  } catch (ParseFailure& failure) {
    if (error) *error = std::move(failure.error);
    return nullptr;
  }
}

}  // namespace agentauthz::core::cel
