// Unit tests for the DSL lexer and the identifier rule it shares with the
// request validators.
#include "core/dsl_lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/name_rules.h"

namespace agentauthz::core {
namespace {

// Lexes text to the end and returns every token, End included.
std::vector<Token> lex_all(std::string_view text) {
  DslLexer lexer(text);
  std::vector<Token> tokens;
  for (;;) {
    tokens.push_back(lexer.next());
    if (tokens.back().kind == TokenKind::End) {
      return tokens;
    }
  }
}

// Returns the kinds of tokens.
std::vector<TokenKind> kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> result;
  for (const Token& token : tokens) {
    result.push_back(token.kind);
  }
  return result;
}

TEST(DslLexer, LexesADefinitionLine) {
  const std::vector<Token> tokens = lex_all("define viewer: [user, group#member, user:*] or x");
  using K = TokenKind;
  EXPECT_EQ(kinds(tokens), (std::vector<K>{K::KwDefine, K::Identifier, K::Colon, K::LBracket,
                                           K::Identifier, K::Comma, K::Identifier, K::Hash,
                                           K::Identifier, K::Comma, K::Identifier, K::Colon,
                                           K::Star, K::RBracket, K::KwOr, K::Identifier, K::End}));
  EXPECT_EQ(tokens[1].text, "viewer");
  EXPECT_TRUE(tokens[1].space_before);
  EXPECT_FALSE(tokens[2].space_before);
  EXPECT_EQ(tokens[6].text, "group");
  EXPECT_EQ(tokens[6].pos.column, 23);
  EXPECT_FALSE(tokens[7].space_before);
  EXPECT_EQ(tokens[14].pos.column, 45);
}

TEST(DslLexer, CollapsesBlankAndCommentLinesIntoOneNewline) {
  const std::vector<Token> tokens = lex_all("a\n\n   \n# c\n  # d\r\n\tb\n");
  using K = TokenKind;
  EXPECT_EQ(kinds(tokens),
            (std::vector<K>{K::Identifier, K::Newline, K::Identifier, K::Newline, K::End}));
  EXPECT_EQ(tokens[1].pos.line, 1);
  EXPECT_EQ(tokens[1].pos.column, 2);
  EXPECT_EQ(tokens[2].pos.line, 6);
  EXPECT_EQ(tokens[2].pos.column, 2);
  EXPECT_FALSE(tokens[2].space_before);  // indentation is not a blank between tokens
  EXPECT_EQ(tokens[4].pos.line, 7);
}

TEST(DslLexer, KnowsWhenHashStartsAComment) {
  using K = TokenKind;
  EXPECT_EQ(kinds(lex_all("#x")), (std::vector<K>{K::End}));
  EXPECT_EQ(kinds(lex_all("a #x")), (std::vector<K>{K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("a\t#x y")), (std::vector<K>{K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("a#x")), (std::vector<K>{K::Identifier, K::Hash, K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("]#x")), (std::vector<K>{K::RBracket, K::Hash, K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("a\n#x\nb")),
            (std::vector<K>{K::Identifier, K::Newline, K::Identifier, K::End}));
}

TEST(DslLexer, LexesButNotAsOneToken) {
  using K = TokenKind;
  const std::vector<Token> tokens = lex_all("a but not b");
  EXPECT_EQ(kinds(tokens), (std::vector<K>{K::Identifier, K::KwButNot, K::Identifier, K::End}));
  EXPECT_EQ(tokens[1].text, "but not");
  EXPECT_EQ(kinds(lex_all("but")), (std::vector<K>{K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("but nothing")), (std::vector<K>{K::Identifier, K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("but not-x")), (std::vector<K>{K::Identifier, K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("but  not")), (std::vector<K>{K::Identifier, K::Identifier, K::End}));
  EXPECT_EQ(kinds(lex_all("but not")), (std::vector<K>{K::KwButNot, K::End}));
  EXPECT_EQ(kinds(lex_all("but not(")), (std::vector<K>{K::KwButNot, K::LParen, K::End}));
}

TEST(DslLexer, LexesKeywordsOnlyAsWholeWords) {
  using K = TokenKind;
  EXPECT_EQ(kinds(lex_all("model schema type relations relation define and or from with "
                          "condition module extend in true false null")),
            (std::vector<K>{K::KwModel, K::KwSchema, K::KwType, K::KwRelations, K::KwRelation,
                            K::KwDefine, K::KwAnd, K::KwOr, K::KwFrom, K::KwWith, K::KwCondition,
                            K::KwModule, K::KwExtend, K::KwReserved, K::KwReserved, K::KwReserved,
                            K::KwReserved, K::End}));
  EXPECT_EQ(kinds(lex_all("types order android from_ in-x Model")),
            (std::vector<K>{K::Identifier, K::Identifier, K::Identifier, K::Identifier,
                            K::Identifier, K::Identifier, K::End}));
}

TEST(DslLexer, LexesVersions) {
  const std::vector<Token> tokens = lex_all("schema 1.1 10.20.");
  EXPECT_EQ(tokens[1].kind, TokenKind::Version);
  EXPECT_EQ(tokens[1].text, "1.1");
  EXPECT_EQ(tokens[2].text, "10.20.");
}

TEST(DslLexer, ReportsUnexpectedCharactersWithTheirPosition) {
  try {
    lex_all("a\n  b $");
    FAIL() << "expected a ModelError";
  } catch (const ModelError& error) {
    EXPECT_EQ(error.line(), 2);
    EXPECT_EQ(error.column(), 5);
    EXPECT_EQ(error.reason(), "unexpected character '$'");
  }
}

TEST(DslLexer, PeekDoesNotConsume) {
  DslLexer lexer("a b");
  EXPECT_EQ(lexer.peek().text, "a");
  EXPECT_EQ(lexer.peek().text, "a");
  EXPECT_EQ(lexer.next().text, "a");
  EXPECT_EQ(lexer.next().text, "b");
  EXPECT_EQ(lexer.next().kind, TokenKind::End);
  EXPECT_EQ(lexer.next().kind, TokenKind::End);
}

TEST(DslLexer, DescribesTokens) {
  const std::string text = "a\n" + std::string(100, 'z');
  const std::vector<Token> tokens = lex_all(text);
  EXPECT_EQ(describe_token(tokens[0]), "'a'");
  EXPECT_EQ(describe_token(tokens[1]), "end of line");
  EXPECT_EQ(describe_token(tokens[2]), "'" + std::string(40, 'z') + "...'");
  EXPECT_EQ(describe_token(tokens[3]), "end of input");
}

// ---- name rules -----------------------------------------------------------

TEST(NameRules, AcceptsDslIdentifiers) {
  for (const char* name :
       {"user",     "User",   "_",         "_x",   "a-b",      "a_b",   "a1",  "x--",
        "team-2_b", "model",  "schema",    "type", "relation", "but",   "not", "self",
        "module",   "extend", "condition", "in",   "true",     "false", "null"}) {
    EXPECT_TRUE(is_valid_type_name(name)) << name;
    EXPECT_TRUE(is_valid_relation_name(name)) << name;
  }
}

TEST(NameRules, RejectsWhatTheGrammarRejects) {
  for (const char* name : {"", "1a", "-a", "a b", "a:b", "a#b", "a@b", "a*", "a.b", "a/b",
                           "caf\xC3\xA9", "and", "or", "from", "with", "define", "relations"}) {
    EXPECT_FALSE(is_valid_type_name(name)) << name;
    EXPECT_FALSE(is_valid_relation_name(name)) << name;
  }
  EXPECT_FALSE(is_valid_type_name(std::string_view("a\0b", 3)));
}

TEST(NameRules, EnforcesOpenFgaLengthLimits) {
  EXPECT_TRUE(is_valid_type_name(std::string(254, 't')));
  EXPECT_FALSE(is_valid_type_name(std::string(255, 't')));
  EXPECT_TRUE(is_valid_relation_name(std::string(50, 'r')));
  EXPECT_FALSE(is_valid_relation_name(std::string(51, 'r')));
}

TEST(NameRules, AgreeWithTheLexerOnKeywords) {
  // Only the keywords that would make a definition ambiguous are reserved;
  // statement keywords are names wherever a name is expected.
  for (const char* word : {"define", "relations", "and", "or", "from", "with"}) {
    ASSERT_NE(DslLexer(word).next().kind, TokenKind::Identifier) << word;
    EXPECT_TRUE(is_reserved_word(word)) << word;
  }
  for (const char* word : {"model", "schema", "type", "relation", "condition", "module", "extend",
                           "in", "true", "false", "null", "but", "user"})
    EXPECT_FALSE(is_reserved_word(word)) << word;
}

}  // namespace
}  // namespace agentauthz::core
