// CheckTomlText: refuses config text that toml++ 3.3.0 must not parse.
//
// TOML 1.0 allows non-ASCII characters only inside strings and comments.
// toml++ 3.3.0 (Debian bookworm) classifies a non-ASCII character met
// outside them with a function that reaches __builtin_unreachable for many
// code points (U+00A1..U+0499, U+2CDE..U+30D7, U+FBF6..U+FEFE; found by
// fuzz/fuzz_config): undefined behaviour, not a parse error. So tock reads
// the file itself and refuses such a character, with its line, before
// toml++ sees the text.
#ifndef TOCK_SERVER_TOML_GUARD_H_
#define TOCK_SERVER_TOML_GUARD_H_

#include <optional>
#include <string>
#include <string_view>

namespace tock::server {

struct TomlTextProblem {
  int line = 0;  // 1-based
  std::string reason;
};

// CheckTomlText returns the first non-ASCII byte outside a string or a
// comment (or right after a line-ending backslash in a multi-line string,
// where toml++ trims whitespace with the same function), else nothing.
std::optional<TomlTextProblem> CheckTomlText(std::string_view text);

}  // namespace tock::server

#endif  // TOCK_SERVER_TOML_GUARD_H_
