#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "internal/json.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Writing JSON: the one serializer for everything tock prints, so every
// output escapes the same way.
namespace tock::internal {
namespace {

namespace json = boost::json;

// Utf8SequenceLength returns the length of the well-formed UTF-8 sequence at
// the start of |s| (RFC 3629 §4: no overlong forms, no surrogates, nothing
// above U+10FFFF), or 0 when there is none.
std::size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const bool ok = cont(1, c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF) && cont(2);
    return ok ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const bool ok = cont(1, c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF) && cont(2) && cont(3);
    return ok ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::optional<std::size_t> FindInvalidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

namespace {

// kSpecial marks the bytes AppendJsonString cannot copy as they are: the
// ones JSON requires escaping, DEL, and every non-ASCII byte (checked as
// UTF-8 so C1 controls get escaped too: text from a token must not be able
// to drive a terminal when printed).
constexpr std::array<bool, 256> MakeSpecialTable() {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < 256; ++c) {
    table[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x7F;
  }
  return table;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecialTable();

// SkipPlain returns the first offset from |i| where a 16-byte block has a
// special byte (or fewer than 16 bytes are left): SSE2, part of x86-64,
// tests 16 bytes at once. Claims are mostly plain ASCII, and writing them was
// a large part of minting a token.
std::size_t SkipPlain(std::string_view text, std::size_t i) {
#if defined(__SSE2__)
  // Signed compares: bytes >= 0x80 are negative, so "< 0x20" catches them too.
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7F);
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(block, space), _mm_cmpeq_epi8(block, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(block, backslash), _mm_cmpeq_epi8(block, del)));
    if (_mm_movemask_epi8(special) != 0) break;
  }
#endif
  return i;
}

void AppendUnicodeEscape(std::string& out, unsigned code) {
  constexpr char kHex[] = "0123456789abcdef";
  const char escape[] = {'\\', 'u', '0', '0', kHex[(code >> 4) & 15], kHex[code & 15]};
  out.append(escape, sizeof(escape));
}

// AppendSpecial appends the escape for the special byte(s) at text[i] and
// returns how many bytes it consumed.
std::size_t AppendSpecial(std::string& out, std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c >= 0x80) {
    const std::size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      out += "\\ufffd";  // not UTF-8: emit valid JSON, never the raw byte
      return 1;
    }
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (c == 0xC2 && next < 0xA0) {  // U+0080..U+009F, the C1 controls
      AppendUnicodeEscape(out, next);
    } else {
      out.append(text.data() + i, length);
    }
    return length;
  }
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      AppendUnicodeEscape(out, c);
      break;
  }
  return 1;
}

template <typename Int>
void AppendInteger(std::string& out, Int value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

void AppendDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";  // JSON has no infinity; the parser never makes one
    return;
  }
  // Integral NumericDates print as integers, like the int64 they usually are.
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    AppendInteger(out, static_cast<std::int64_t>(value));
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

class Writer {
 public:
  Writer(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  void Write(const json::value& value, int level) {
    switch (value.kind()) {
      case json::kind::object:
        WriteObject(value.get_object(), level);
        break;
      case json::kind::array:
        WriteArray(value.get_array(), level);
        break;
      case json::kind::string: {
        const json::string& s = value.get_string();
        AppendJsonString(out_, std::string_view(s.data(), s.size()));
        break;
      }
      case json::kind::int64:
        AppendInteger(out_, value.get_int64());
        break;
      case json::kind::uint64:
        AppendInteger(out_, value.get_uint64());
        break;
      case json::kind::double_:
        AppendDouble(out_, value.get_double());
        break;
      case json::kind::bool_:
        out_ += value.get_bool() ? "true" : "false";
        break;
      case json::kind::null:
        out_ += "null";
        break;
    }
  }

  void WriteObject(const json::object& object, int level) {
    out_ += '{';
    bool first = true;
    for (const json::key_value_pair& member : object) {
      if (!first) out_ += ',';
      first = false;
      Newline(level + 1);
      AppendJsonString(out_, std::string_view(member.key().data(), member.key().size()));
      out_ += pretty_ ? ": " : ":";
      Write(member.value(), level + 1);
    }
    if (!first) Newline(level);
    out_ += '}';
  }

  void WriteArray(const json::array& array, int level) {
    out_ += '[';
    bool first = true;
    for (const json::value& element : array) {
      if (!first) out_ += ',';
      first = false;
      Newline(level + 1);
      Write(element, level + 1);
    }
    if (!first) Newline(level);
    out_ += ']';
  }

 private:
  void Newline(int level) {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(static_cast<std::size_t>(level) * 2, ' ');
  }

  std::string& out_;
  bool pretty_;
};

}  // namespace

std::string SerializeJson(const json::value& value, bool pretty) {
  std::string out;
  Writer(out, pretty).Write(value, 0);
  return out;
}

std::string SerializeJson(const json::object& object, bool pretty) {
  std::string out;
  // About what a claims member takes, so a token's claims are written
  // without growing the string several times over.
  out.reserve(32 * object.size() + 32);
  Writer(out, pretty).WriteObject(object, 0);
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    i = SkipPlain(text, i);
    while (i < text.size() && !kSpecial[static_cast<unsigned char>(text[i])]) ++i;
    out.append(text.data() + start, i - start);
    if (i < text.size()) i += AppendSpecial(out, text, i);
  }
  out += '"';
}

}  // namespace tock::internal
