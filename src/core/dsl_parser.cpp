#include "core/dsl_parser.h"

#include <memory>
#include <string>
#include <utility>

#include "core/dsl_condition_parser.h"
#include "core/dsl_lexer.h"
#include "core/dsl_limits.h"
#include "core/error.h"
#include "core/name_rules.h"

namespace agentauthz::core {

namespace {

// Where the parser is in the line structure of a model.
enum class LineState {
  AfterHeader,     // before the first `type`
  AfterType,       // after a `type NAME` line
  AfterRelations,  // after `relations`, before its first `define`
  AfterDefine,     // after at least one `define`
  AfterCondition,  // after a condition: only conditions may follow
};

// Tells whether token may name a definition but not be referred to; no
// keyword is restricted that way any more.
bool is_definition_only_keyword(const Token&) { return false; }

// Tells whether token is a keyword (a word the lexer did not make a name).
bool is_keyword(const Token& token) {
  return token.kind != TokenKind::Identifier && !token.text.empty() &&
         is_identifier_start(token.text[0]);
}

// Tells whether kind is a set operator between operands.
bool is_operator(TokenKind kind) {
  return kind == TokenKind::KwOr || kind == TokenKind::KwAnd || kind == TokenKind::KwButNot;
}

// Maps an operator token to the rewrite it builds.
RewriteKind rewrite_kind_of(TokenKind op) {
  switch (op) {
    case TokenKind::KwOr:
      return RewriteKind::Union;
    case TokenKind::KwAnd:
      return RewriteKind::Intersection;
    default:
      return RewriteKind::Exclusion;
  }
}

// Formats a position as "line L, column C" for messages that point back.
std::string describe_pos(SourcePos pos) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

class DslParser {
 public:
  // Prepares to parse text, which must outlive the parser.
  explicit DslParser(std::string_view text) : lexer_(text) {}

  // Parses the whole input.
  ModelAst parse_model() {
    if (lexer_.peek().kind == TokenKind::Newline) {
      lexer_.next();  // blank or comment lines before the header
    }
    parse_header();
    LineState state = LineState::AfterHeader;
    SourcePos relations_pos;
    for (;;) {
      const Token end = lexer_.next();
      if (end.kind != TokenKind::End && end.kind != TokenKind::Newline) {
        fail(end, "expected end of line, found " + describe_token(end));
      }
      const Token& first = lexer_.peek();
      if (first.kind == TokenKind::End || first.kind == TokenKind::KwType ||
          first.kind == TokenKind::KwCondition) {
        if (state == LineState::AfterRelations) {
          fail_at(relations_pos, "'relations' must be followed by at least one 'define' line");
        }
        if (first.kind == TokenKind::End) {
          break;
        }
        if (first.kind == TokenKind::KwCondition) {
          model_.conditions.push_back(parse_condition(lexer_));
          state = LineState::AfterCondition;
          continue;
        }
        if (state == LineState::AfterCondition) {
          fail(first, "a 'type' cannot follow a condition: conditions come after all types");
        }
        parse_type_line();
        state = LineState::AfterType;
        continue;
      }
      switch (first.kind) {
        case TokenKind::KwRelations:
          if (state != LineState::AfterType) {
            fail(first, "'relations' must directly follow a 'type' line (once per type)");
          }
          relations_pos = lexer_.next().pos;
          state = LineState::AfterRelations;
          break;
        case TokenKind::KwDefine:
          if (state != LineState::AfterRelations && state != LineState::AfterDefine) {
            fail(first, "'define' must follow a 'relations' line of a type");
          }
          parse_define();
          state = LineState::AfterDefine;
          break;
        case TokenKind::KwModule:
        case TokenKind::KwExtend:
          fail(first, "modules are not supported");
        case TokenKind::KwModel:
        case TokenKind::KwSchema:
          fail(first, "the 'model' and 'schema' header may appear only once, at the start");
        default:
          fail(first,
               "expected 'type', 'relations', 'define' or 'condition' to start a line, found " +
                   describe_token(first));
      }
    }
    return std::move(model_);
  }

 private:
  // Parses `model` NEWLINE `schema 1.1`.
  void parse_header() {
    const Token model = lexer_.next();
    if (model.kind == TokenKind::KwModule) {
      fail(model, "modules are not supported; a model starts with 'model' and 'schema 1.1' lines");
    }
    if (model.kind != TokenKind::KwModel) {
      fail(model,
           "missing model header: a model starts with a 'model' line and a 'schema 1.1' line, "
           "found " +
               describe_token(model));
    }
    const Token line_end = lexer_.next();
    if (line_end.kind != TokenKind::Newline) {
      fail(line_end, "'model' must be alone on its line, with 'schema 1.1' on the next line");
    }
    const Token schema = lexer_.next();
    if (schema.kind != TokenKind::KwSchema) {
      fail(schema, "missing 'schema 1.1' line after 'model', found " + describe_token(schema));
    }
    const Token version = lexer_.next();
    if (version.kind != TokenKind::Version || !version.space_before) {
      fail(version, "expected a schema version after 'schema'; only schema 1.1 is supported");
    }
    if (version.text != "1.1") {
      fail(version, "schema " + std::string(version.text) +
                        " is not supported; only schema 1.1 is supported");
    }
    model_.schema_version = std::string(version.text);
  }

  // Parses `type NAME`.
  void parse_type_line() {
    lexer_.next();  // `type`
    const Token name = lexer_.next();
    if (!is_definable_name(name) || !name.space_before) {
      fail(name, expected_name_message("a type name after 'type'", name));
    }
    TypeAst type;
    type.name = std::string(name.text);
    type.pos = name.pos;
    model_.types.push_back(std::move(type));
  }

  // Parses `define NAME: EXPRESSION`.
  void parse_define() {
    lexer_.next();  // `define`
    const Token name = lexer_.next();
    if (!is_definable_name(name) || !name.space_before) {
      fail(name, expected_name_message("a relation name after 'define'", name));
    }
    const Token colon = lexer_.next();
    if (colon.kind != TokenKind::Colon) {
      std::string message = "expected ':' after the relation name, found " + describe_token(colon);
      if (colon.kind == TokenKind::Identifier && colon.text == "as") {
        message += " (the 'define NAME as ...' form of schema 1.0 is not supported)";
      }
      fail(colon, message);
    }
    RelationAst relation;
    relation.name = std::string(name.text);
    relation.pos = name.pos;
    relation.rewrite = parse_expression(/*allow_direct=*/true, /*depth=*/0);
    model_.types.back().relations.push_back(std::move(relation));
  }

  // Parses operands joined by one kind of operator. OpenFGA's grammar has no
  // precedence: mixing operators at one level needs parentheses, and
  // `but not` takes exactly one right operand. A direct type restriction
  // may only be the leftmost operand of the whole definition.
  std::unique_ptr<RewriteAst> parse_expression(bool allow_direct, int depth) {
    const SourcePos start = lexer_.peek().pos;
    std::unique_ptr<RewriteAst> first = parse_operand(allow_direct, depth);
    if (!is_operator(lexer_.peek().kind)) {
      return first;
    }
    const TokenKind op = lexer_.peek().kind;
    auto node = std::make_unique<RewriteAst>();
    node->kind = rewrite_kind_of(op);
    node->pos = start;
    node->children.push_back(std::move(first));
    for (;;) {
      const Token op_token = lexer_.next();
      if (!op_token.space_before) {
        fail(op_token, "expected whitespace before " + describe_token(op_token));
      }
      const Token& operand = lexer_.peek();
      if (operand.kind == TokenKind::End || operand.kind == TokenKind::Newline) {
        fail(operand, "expected an operand after " + describe_token(op_token) + ", found " +
                          describe_token(operand));
      }
      if (!operand.space_before) {
        fail(operand, "expected whitespace after " + describe_token(op_token));
      }
      node->children.push_back(parse_operand(/*allow_direct=*/false, depth));
      const Token& after = lexer_.peek();
      if (!is_operator(after.kind)) {
        return node;
      }
      if (op == TokenKind::KwButNot) {
        fail(after,
             "'but not' takes exactly one operand on its right; use parentheses to combine "
             "it with " +
                 describe_token(after));
      }
      if (after.kind != op) {
        fail(after, "cannot mix " + describe_token(op_token) + " and " + describe_token(after) +
                        " at the same level; use parentheses");
      }
    }
  }

  // Parses one operand: `[...]`, `( ... )`, `name` or `name from name`.
  std::unique_ptr<RewriteAst> parse_operand(bool allow_direct, int depth) {
    const Token& token = lexer_.peek();
    switch (token.kind) {
      case TokenKind::LBracket:
        if (!allow_direct) {
          fail(token,
               "a direct type restriction [...] may only be the first operand of a relation "
               "definition");
        }
        return parse_direct();
      case TokenKind::LParen: {
        if (depth >= kMaxParenDepth) {
          fail(token, "parentheses are nested more than " + std::to_string(kMaxParenDepth) +
                          " levels deep");
        }
        const Token open = lexer_.next();
        std::unique_ptr<RewriteAst> inner = parse_expression(allow_direct, depth + 1);
        const Token close = lexer_.next();
        if (close.kind != TokenKind::RParen) {
          fail(close, "expected ')' to close the '(' at " + describe_pos(open.pos) + ", found " +
                          describe_token(close));
        }
        return inner;
      }
      default:
        if (is_definable_name(token)) return parse_reference();
        if (is_definition_only_keyword(token)) {
          fail(token, describe_token(token) +
                          " is a keyword: OpenFGA's grammar accepts it as the "
                          "name of a definition but not as a reference");
        }
        fail(token, "expected a relation name, '(' or '[', found " + describe_token(token));
    }
  }

  // Parses `name` (computed relation) or `name from tupleset`.
  std::unique_ptr<RewriteAst> parse_reference() {
    const Token name = lexer_.next();
    auto node = std::make_unique<RewriteAst>();
    node->pos = name.pos;
    node->relation = std::string(name.text);
    if (lexer_.peek().kind != TokenKind::KwFrom) {
      node->kind = RewriteKind::Computed;
      return node;
    }
    const Token from = lexer_.next();
    if (!from.space_before) {
      fail(from, "expected whitespace before 'from'");
    }
    const Token tupleset = lexer_.next();
    if (!is_definable_name(tupleset) || !tupleset.space_before) {
      fail(tupleset, expected_reference_message("a relation name after 'from'", tupleset));
    }
    if (lexer_.peek().kind == TokenKind::KwFrom) {
      fail(lexer_.peek(),
           "'from' cannot be chained: 'X from Y' takes a single relation Y of this type");
    }
    node->kind = RewriteKind::TupleToUserset;
    node->tupleset = std::string(tupleset.text);
    return node;
  }

  // Parses `[restriction, ...]`; line breaks may surround each restriction.
  std::unique_ptr<RewriteAst> parse_direct() {
    const Token open = lexer_.next();
    auto node = std::make_unique<RewriteAst>();
    node->kind = RewriteKind::Direct;
    node->pos = open.pos;
    skip_newlines();
    if (lexer_.peek().kind == TokenKind::RBracket) {
      fail(lexer_.peek(), "a type restriction list '[...]' cannot be empty");
    }
    for (;;) {
      skip_newlines();
      node->direct_types.push_back(parse_restriction());
      if (lexer_.peek().kind == TokenKind::KwWith) {
        parse_with(node->direct_types.back());
      }
      skip_newlines();
      const Token separator = lexer_.next();
      if (separator.kind == TokenKind::RBracket) {
        return node;
      }
      if (separator.kind != TokenKind::Comma) {
        fail(separator, "expected ',' or ']' in the type restriction list, found " +
                            describe_token(separator));
      }
    }
  }

  // Parses `type`, `type:*` or `type#relation`, written without blanks.
  DirectTypeAst parse_restriction() {
    const Token type = lexer_.next();
    if (!is_definable_name(type)) {
      fail(type, expected_reference_message("a type name in the type restriction list", type));
    }
    DirectTypeAst restriction;
    restriction.type = std::string(type.text);
    restriction.pos = type.pos;
    const Token& marker = lexer_.peek();
    if (marker.space_before) {
      return restriction;
    }
    if (marker.kind == TokenKind::Colon) {
      lexer_.next();
      const Token star = lexer_.next();
      if (star.kind != TokenKind::Star || star.space_before) {
        fail(star, "expected '*' right after '" + restriction.type + ":' (a wildcard is written '" +
                       restriction.type + ":*')");
      }
      restriction.wildcard = true;
    } else if (marker.kind == TokenKind::Hash) {
      lexer_.next();
      const Token relation = lexer_.next();
      if (!is_definable_name(relation) || relation.space_before) {
        fail(relation, expected_reference_message(
                           "a relation name right after '" + restriction.type + "#'", relation));
      }
      restriction.relation = std::string(relation.text);
    }
    return restriction;
  }

  // Parses ` with NAME` after a type restriction: its condition.
  void parse_with(DirectTypeAst& restriction) {
    const Token with = lexer_.next();
    if (!with.space_before) {
      fail(with, "expected whitespace before 'with'");
    }
    const Token name = lexer_.next();
    if (!is_definable_name(name) || !name.space_before) {
      fail(name, expected_reference_message("a condition name after 'with'", name));
    }
    restriction.condition = std::string(name.text);
    restriction.condition_pos = name.pos;
  }

  // Skips a line break where the grammar allows one (inside `[...]`).
  void skip_newlines() {
    while (lexer_.peek().kind == TokenKind::Newline) {
      lexer_.next();
    }
  }

  // Builds the message for a token that should have been a defined name.
  static std::string expected_name_message(const std::string& what, const Token& found) {
    if (is_keyword(found) && !is_definable_name(found)) {
      return "expected " + what + "; " + describe_token(found) +
             " is a keyword and cannot be a name";
    }
    return "expected " + what + ", found " + describe_token(found);
  }

  // Builds the message for a token that should have referred to a name.
  static std::string expected_reference_message(const std::string& what, const Token& found) {
    if (is_definition_only_keyword(found)) {
      return "expected " + what + "; " + describe_token(found) +
             " is a keyword: OpenFGA's grammar accepts it as the name of a definition but not as a "
             "reference";
    }
    return expected_name_message(what, found);
  }

  // Throws a ModelError at token.
  [[noreturn]] static void fail(const Token& token, const std::string& message) {
    fail_at(token.pos, message);
  }

  // Throws a ModelError at pos.
  [[noreturn]] static void fail_at(SourcePos pos, const std::string& message) {
    throw ModelError(pos.line, pos.column, message);
  }

  DslLexer lexer_;
  ModelAst model_;
};

}  // namespace

// Parses text into a ModelAst; throws ModelError at the first syntax error.
ModelAst parse_dsl(std::string_view text) {
  if (text.size() > kMaxDslBytes) {
    throw ModelError(1, 1,
                     "the model text is " + std::to_string(text.size()) + " bytes long; at most " +
                         std::to_string(kMaxDslBytes) + " bytes are accepted");
  }
  DslParser parser(text);
  return parser.parse_model();
}

}  // namespace agentauthz::core
