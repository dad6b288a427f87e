// Robustness tests for the DSL front end: whatever the input, parsing and
// validation end with a model or a ModelError, never another exception, a
// crash or a hang. Deterministic stand-ins for the fuzzers.
#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/model_parse.h"

namespace agentauthz::core {
namespace {

// A valid model that exercises every construct.
const char kFullModel[] =
    "# a model\n"
    "model\n"
    "  schema 1.1\n"
    "type user\n"
    "type group\n"
    "  relations\n"
    "    define member: [user, user:*, group#member]\n"
    "type folder\n"
    "  relations\n"
    "    define owner: [user]\n"
    "    define parent: [folder]\n"
    "    define viewer: [user, group#member] or owner or viewer from parent\n"
    "type document\n"
    "  relations\n"
    "    define parent: [folder]\n"
    "    define owner: [user]\n"
    "    define blocked: [user]\n"
    "    define editor: [user] and (owner or viewer from parent)\n"
    "    define viewer: ([user] or editor) but not blocked   # trailing\n";

// Runs the whole front end on text; fails the test if anything but a
// ModelError escapes. Returns whether the model was accepted.
bool survives(const std::string& text) {
  try {
    parse_and_validate_model(text);
    return true;
  } catch (const ModelError& error) {
    EXPECT_GE(error.line(), 1) << error.what();
    EXPECT_GE(error.column(), 1) << error.what();
    EXPECT_EQ(error.kind(), ErrorKind::InvalidModel);
    return false;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "unexpected exception " << other.what() << " for:\n" << text;
  } catch (...) {
    ADD_FAILURE() << "unexpected non-standard exception for:\n" << text;
  }
  return false;
}

TEST(DslGarbage, TheReferenceModelIsValid) { EXPECT_TRUE(survives(kFullModel)); }

TEST(DslGarbage, SurvivesEveryTruncation) {
  const std::string model = kFullModel;
  for (std::size_t length = 0; length <= model.size(); ++length) {
    survives(model.substr(0, length));
  }
}

TEST(DslGarbage, SurvivesEverySingleByteMutation) {
  const std::string model = kFullModel;
  const std::string replacements = std::string("#[]():,*\n \t\r-_a9") + '\0' + "\xff";
  for (std::size_t i = 0; i < model.size(); ++i) {
    for (char replacement : replacements) {
      std::string mutated = model;
      mutated[i] = replacement;
      survives(mutated);
    }
    std::string deleted = model;
    deleted.erase(i, 1);
    survives(deleted);
  }
}

TEST(DslGarbage, SurvivesRandomBytes) {
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 400);
  for (int round = 0; round < 3000; ++round) {
    std::string text(length(random), '\0');
    for (char& c : text) {
      c = static_cast<char>(byte(random));
    }
    survives(text);
    survives("model\n  schema 1.1\n" + text);
  }
}

TEST(DslGarbage, SurvivesRandomTokenSoup) {
  const std::vector<std::string> vocabulary = {
      "model",  "schema", "1.1", "type",    "relations", "define", "user",      "doc", "viewer",
      "parent", "owner",  ":",   "[",       "]",         "(",      ")",         ",",   "#",
      "*",      "or",     "and", "but not", "from",      "with",   "condition", "\n",  "\n  ",
      "\n    ", " ",      "  ",  "\t",      "# c\n",     "self",   "{",         "x-y", "_"};
  std::mt19937 random(7);
  std::uniform_int_distribution<std::size_t> pick(0, vocabulary.size() - 1);
  std::uniform_int_distribution<int> length(0, 80);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = round % 2 == 0 ? "model\n  schema 1.1\n" : "";
    const int tokens = length(random);
    for (int i = 0; i < tokens; ++i) {
      text += vocabulary[pick(random)];
    }
    accepted += survives(text) ? 1 : 0;
  }
  SUCCEED() << accepted << " random models were valid";
}

TEST(DslGarbage, SurvivesRandomStructuredModels) {
  // Grammatical models whose references all resolve, with random shapes:
  // drives the entry-point and cycle passes through loops, missing entries
  // and valid models alike.
  std::mt19937 random(99);
  std::uniform_int_distribution<int> percent(0, 99);
  const std::vector<std::string> types = {"a", "b"};
  const std::vector<std::string> relations = {"r0", "r1", "r2", "r3", "r4"};
  std::uniform_int_distribution<std::size_t> pick_type(0, types.size() - 1);
  int accepted = 0;
  for (int round = 0; round < 6000; ++round) {
    std::string text = "model\n  schema 1.1\ntype user\n";
    for (const std::string& type : types) {
      text += "type " + type + "\n  relations\n    define parent: [a, b]\n";
      for (const std::string& relation : relations) {
        // Operands are distinct and never the relation itself, which the
        // reference pass would reject before the later passes run.
        std::vector<std::string> others;
        for (const std::string& other : relations) {
          if (other != relation) {
            others.push_back(other);
            others.push_back(other + " from parent");
          }
        }
        std::shuffle(others.begin(), others.end(), random);
        std::size_t next = 0;
        std::string expression;
        if (percent(random) < 50) {
          expression = percent(random) < 50
                           ? "[user]"
                           : "[" + types[pick_type(random)] + "#" +
                                 relations[percent(random) % relations.size()] + "]";
        } else {
          expression = others[next++];
        }
        const int kind = percent(random);
        const std::string op = kind < 50 ? " or " : kind < 80 ? " and " : " but not ";
        const int more = op == " but not " ? 1 : percent(random) % 3;
        for (int i = 0; i < more; ++i) {
          expression += op + others[next++];
        }
        text += "    define " + relation + ": " + expression + "\n";
      }
    }
    accepted += survives(text) ? 1 : 0;
  }
  EXPECT_GT(accepted, 100);
}

TEST(DslGarbage, SurvivesPathologicalShapes) {
  survives(std::string(1 << 20, '('));
  survives("model\n  schema 1.1\ntype t\n  relations\n    define r: " + std::string(1 << 19, '(') +
           "a" + std::string(1 << 19, ')'));
  survives(std::string(1 << 20, '\n'));
  survives(std::string(1 << 20, '#'));
  survives(std::string(1 << 20, 'a'));
  survives("model\n  schema 1.1\n" + std::string(1 << 20, ' '));
  std::string many_types = "model\n  schema 1.1\n";
  while (many_types.size() < 1000000) {
    many_types += "type t" + std::to_string(many_types.size()) + "\n";
  }
  EXPECT_TRUE(survives(many_types));
  std::string wide = "model\n  schema 1.1\ntype user\ntype d\n  relations\n    define r0: [user";
  for (int i = 0; i < 30000; ++i) {
    wide += ", user";
  }
  survives(wide + "]\n");
  std::string long_union =
      "model\n  schema 1.1\ntype user\ntype d\n  relations\n    define a: [user]\n"
      "    define b: [user] or a";
  for (int i = 0; i < 60000; ++i) {
    long_union += " or a";
  }
  survives(long_union + "\n");
}

}  // namespace
}  // namespace agentauthz::core
