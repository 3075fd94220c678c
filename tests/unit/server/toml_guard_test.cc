// CheckTomlText: non-ASCII text is allowed exactly where TOML allows it
// (strings, comments), so toml++ 3.3.0 never classifies it as whitespace.
#include "toml_guard.h"

#include <gtest/gtest.h>

namespace tock::server {
namespace {

TEST(TomlGuard, NonAsciiInStringsAndCommentsIsFine) {
  for (const char* text : {
           "a = \"caf\xC3\xA9\"\n",                   // basic string
           "a = 'caf\xC3\xA9'\n",                     // literal string
           "a = \"\"\"\ncaf\xC3\xA9\n\"\"\"\n",       // multi-line basic
           "a = '''caf\xC3\xA9'''\n",                 // multi-line literal
           "# caf\xC3\xA9\na = 1\n",                  // comment
           "a = \"x\\\"caf\xC3\xA9\"\n",              // an escaped quote does not close
           "a = \"\"\"x\\\n  y caf\xC3\xA9\"\"\"\n",  // after a trimmed line end
           "\"caf\xC3\xA9\" = 1\n",                   // quoted key
       }) {
    EXPECT_FALSE(CheckTomlText(text)) << text;
  }
}

TEST(TomlGuard, NonAsciiOutsideThemIsRefusedWithItsLine) {
  // The input fuzz_config found: U+FEFB after a bare key, which made toml++
  // 3.3.0 reach __builtin_unreachable.
  auto problem = CheckTomlText("uenbf_backdar\xEF\xBB\xBB= 1\"x\n");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->line, 1);
  EXPECT_NE(problem->reason.find("0xEF"), std::string::npos) << problem->reason;
  EXPECT_NE(problem->reason.find("outside a string or comment"), std::string::npos);

  problem = CheckTomlText("a = 1\n# fine: caf\xC3\xA9\nb = 1\xD0\x9E\n");  // Cyrillic O
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->line, 3);
}

TEST(TomlGuard, StringsEndWhereTomlEndsThem) {
  // Up to two extra quotes belong to a multi-line string; what follows is code.
  auto problem = CheckTomlText("a = \"\"\"x\"\"\"\"\" b\xC3\xA9\n");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->line, 1);
  // A line-ending backslash trims up to the next character, which toml++
  // classifies with the same function: non-ASCII there is refused too.
  problem = CheckTomlText("a = \"\"\"x\\\n\n  \xC3\xA9\"\"\"\n");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->line, 3);
  EXPECT_NE(problem->reason.find("line-ending backslash"), std::string::npos);
}

}  // namespace
}  // namespace tock::server
