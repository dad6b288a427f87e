#include "core/dsl_condition_parser.h"

#include <string>
#include <utility>

#include "core/error.h"
#include "core/name_rules.h"

namespace agentauthz::core {

namespace {

// Throws a ModelError at token.
[[noreturn]] void fail(const Token& token, const std::string& message) {
  throw ModelError(token.pos.line, token.pos.column, message);
}

// Tells whether token is a word: an identifier or a keyword. Inside a
// condition's header OpenFGA's lexer knows no keywords, so any word can
// name a parameter or a type (the validator then checks the type).
bool is_word(const Token& token) {
  return token.kind != TokenKind::KwButNot && !token.text.empty() &&
         is_identifier_start(token.text[0]);
}

class ConditionParser {
 public:
  // Prepares to parse from lexer, whose next token is `condition`.
  explicit ConditionParser(DslLexer& lexer) : lexer_(lexer) {}

  // Parses the whole condition, header and body.
  ConditionAst parse() {
    lexer_.next();  // `condition`
    lexer_.set_condition_header(true);
    ConditionAst condition;
    const Token name = lexer_.next();
    if (!is_definable_name(name) || !name.space_before) {
      fail(name, "expected a condition name after 'condition', found " + describe_token(name));
    }
    condition.name = std::string(name.text);
    condition.pos = name.pos;
    const Token open = lexer_.next();
    if (open.kind != TokenKind::LParen) {
      fail(open, "expected '(' and the parameters after condition '" + condition.name +
                     "', found " + describe_token(open));
    }
    parse_parameters(condition);
    const Token brace = lexer_.next();
    if (brace.kind != TokenKind::LBrace) {
      fail(brace, "expected '{' after the parameters of condition '" + condition.name +
                      "', on the same line, found " + describe_token(brace));
    }
    lexer_.set_condition_header(false);
    ConditionBody body = lexer_.read_condition_body(brace.pos);
    condition.expression = std::move(body.expression);
    condition.expression_pos = body.pos;
    return condition;
  }

 private:
  // Parses `name: type, ...)` after the `(`: at least one parameter; a line
  // break may come before each parameter and before the `)`.
  void parse_parameters(ConditionAst& condition) {
    for (;;) {
      skip_newlines();
      if (lexer_.peek().kind == TokenKind::RParen && condition.params.empty()) {
        fail(lexer_.peek(),
             "condition '" + condition.name + "' needs at least one parameter, e.g. (x: int)");
      }
      condition.params.push_back(parse_parameter());
      const Token separator = lexer_.next();
      if (separator.kind == TokenKind::Comma) {
        continue;
      }
      if (separator.kind == TokenKind::Newline) {
        skip_newlines();
        const Token close = lexer_.next();
        if (close.kind != TokenKind::RParen) {
          fail(close, "expected ')' to end the parameters of condition '" + condition.name +
                          "', found " + describe_token(close));
        }
        return;
      }
      if (separator.kind != TokenKind::RParen) {
        fail(separator, "expected ',' or ')' after parameter '" + condition.params.back().name +
                            "', found " + describe_token(separator));
      }
      return;
    }
  }

  // Parses `name: type`.
  ConditionParamAst parse_parameter() {
    const Token name = lexer_.next();
    if (!is_word(name)) {
      fail(name, "expected a parameter name, found " + describe_token(name));
    }
    const Token colon = lexer_.next();
    if (colon.kind != TokenKind::Colon) {
      fail(colon, "expected ':' and a type after parameter '" + std::string(name.text) +
                      "', found " + describe_token(colon));
    }
    ConditionParamAst param;
    param.name = std::string(name.text);
    param.pos = name.pos;
    param.type_pos = lexer_.peek().pos;
    param.type = parse_type();
    return param;
  }

  // Parses a type name, `int` or `list<int>`, written without blanks. Nested
  // containers parse, for the validator to explain that OpenFGA refuses them.
  std::string parse_type() {
    const Token word = lexer_.next();
    if (!is_word(word)) {
      fail(word, "expected a parameter type such as 'int' or 'list<string>', found " +
                     describe_token(word));
    }
    std::string type(word.text);
    int open = 0;
    while (lexer_.peek().kind == TokenKind::LAngle) {
      const Token angle = lexer_.next();
      const Token inner = lexer_.next();
      if (angle.space_before || inner.space_before) {
        fail(angle.space_before ? angle : inner,
             "a parameter type is written without blanks, like 'list<string>'");
      }
      if (!is_word(inner)) {
        fail(inner, "expected a type after '" + type + "<', found " + describe_token(inner));
      }
      type += '<';
      type += inner.text;
      ++open;
    }
    for (; open > 0; --open) {
      const Token close = lexer_.next();
      if (close.kind != TokenKind::RAngle || close.space_before) {
        fail(close, "expected '>' right after '" + type + "', found " + describe_token(close));
      }
      type += '>';
    }
    return type;
  }

  // Skips line breaks (and the comment lines they include).
  void skip_newlines() {
    while (lexer_.peek().kind == TokenKind::Newline) {
      lexer_.next();
    }
  }

  DslLexer& lexer_;
};

}  // namespace

// Parses a condition starting at its `condition` keyword.
ConditionAst parse_condition(DslLexer& lexer) { return ConditionParser(lexer).parse(); }

}  // namespace agentauthz::core
