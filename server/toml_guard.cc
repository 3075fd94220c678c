#include "toml_guard.h"

#include <cstdio>

namespace tock::server {
namespace {

enum class State { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };

bool StartsWith(std::string_view text, std::size_t i, std::string_view what) {
  return text.substr(i, what.size()) == what;
}

std::string Describe(unsigned char byte, std::string_view where) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", byte);
  return "non-ASCII byte " + std::string(hex) + " " + std::string(where) +
         " (TOML allows other characters only inside strings and comments)";
}

// Scanner walks the text once; Step handles the byte at i_ and advances.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<TomlTextProblem> Run() {
    while (i_ < text_.size()) {
      if (auto problem = Step()) return problem;
    }
    return std::nullopt;
  }

 private:
  std::optional<TomlTextProblem> Step() {
    auto c = static_cast<unsigned char>(text_[i_]);
    if (c == '\n') ++line_;
    switch (state_) {
      case State::kCode:
        return Code(c);
      case State::kComment:
        if (c == '\n') state_ = State::kCode;
        break;
      case State::kBasic:
        if (c == '\\') ++i_;  // the escaped byte cannot close the string
        if (c == '"' || c == '\n') state_ = State::kCode;
        break;
      case State::kLiteral:
        if (c == '\'' || c == '\n') state_ = State::kCode;
        break;
      case State::kMultiBasic:
        if (c == '\\') return Backslash();
        if (StartsWith(text_, i_, "\"\"\"")) return Close('"');
        break;
      case State::kMultiLiteral:
        if (StartsWith(text_, i_, "'''")) return Close('\'');
        break;
    }
    ++i_;
    return std::nullopt;
  }

  std::optional<TomlTextProblem> Code(unsigned char c) {
    if (c >= 0x80) return TomlTextProblem{line_, Describe(c, "outside a string or comment")};
    if (c == '#') {
      state_ = State::kComment;
    } else if (c == '"' || c == '\'') {
      bool multi = StartsWith(text_, i_, c == '"' ? "\"\"\"" : "'''");
      if (multi) i_ += 2;
      state_ = c == '"' ? (multi ? State::kMultiBasic : State::kBasic)
                        : (multi ? State::kMultiLiteral : State::kLiteral);
    }
    ++i_;
    return std::nullopt;
  }

  // Close ends a multi-line string at |quote|x3; up to two more quotes
  // belong to the string's content (TOML 1.0).
  std::optional<TomlTextProblem> Close(char quote) {
    i_ += 3;
    for (int extra = 0; extra < 2 && i_ < text_.size() && text_[i_] == quote; ++extra) ++i_;
    state_ = State::kCode;
    return std::nullopt;
  }

  // Backslash in a multi-line basic string: an escape, or a line-ending
  // backslash after which toml++ trims whitespace up to the next character.
  std::optional<TomlTextProblem> Backslash() {
    std::size_t j = i_ + 1;
    bool trims = false;
    while (j < text_.size() &&
           (text_[j] == ' ' || text_[j] == '\t' || text_[j] == '\r' || text_[j] == '\n')) {
      trims = true;
      if (text_[j] == '\n') ++line_;
      ++j;
    }
    if (!trims) {
      i_ += 2;  // an escape: the next byte cannot close the string
      return std::nullopt;
    }
    if (j < text_.size() && static_cast<unsigned char>(text_[j]) >= 0x80) {
      return TomlTextProblem{line_, Describe(static_cast<unsigned char>(text_[j]),
                                             "right after a line-ending backslash")};
    }
    i_ = j;
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t i_ = 0;
  int line_ = 1;
  State state_ = State::kCode;
};

}  // namespace

std::optional<TomlTextProblem> CheckTomlText(std::string_view text) { return Scanner(text).Run(); }

}  // namespace tock::server
