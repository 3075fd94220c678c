#include "render/escape.h"

#include <cstdint>
#include <cstdio>

namespace tock::cli {
namespace {

// DecodeOne reads one UTF-8 sequence at |text|[i]. Returns the code point and
// its length, or length 0 when the bytes are not valid UTF-8 (overlong forms
// and surrogates included).
std::pair<char32_t, std::size_t> DecodeOne(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  std::size_t len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xe0) == 0xc0) {
    len = 2, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {0, 0};
  }
  if (i + len > text.size()) return {0, 0};
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {0, 0};
  return {cp, len};
}

bool IsDangerous(char32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string Hex(const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string Escape(std::string_view text, bool json) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto [cp, len] = DecodeOne(text, i);
    if (len == 0) {
      out += Hex(json ? "\\u%04x" : "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (!IsDangerous(cp)) {
      out.append(text.substr(i, len));
    } else if (json) {
      out += Hex("\\u%04x", static_cast<unsigned>(cp));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == 0x1b) {
      out += "\\e";
    } else if (cp < 0x80) {
      out += Hex("\\x%02x", static_cast<unsigned>(cp));
    } else {
      out += Hex("\\u{%04x}", static_cast<unsigned>(cp));
    }
    i += len;
  }
  return out;
}

}  // namespace

std::string EscapeControls(std::string_view text) { return Escape(text, false); }

std::string EscapeJsonText(std::string_view json) {
  // Newlines between members of pretty JSON are layout, not token text: keep
  // them. Inside strings the library has already escaped every C0 control.
  std::string out;
  std::size_t start = 0;
  while (start <= json.size()) {
    std::size_t nl = json.find('\n', start);
    std::string_view line = json.substr(start, nl == std::string_view::npos ? nl : nl - start);
    out += Escape(line, true);
    if (nl == std::string_view::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::string Quote(std::string_view text) { return "\"" + EscapeControls(text) + "\""; }

}  // namespace tock::cli
