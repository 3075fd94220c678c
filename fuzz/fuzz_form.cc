// fuzz_form: the server's query / application/x-www-form-urlencoded decoding
// (server/http/router.cc: ParseForm, UrlDecode, by Boost.URL) on the input
// as a query string or a /token body.
//
// Nothing crashes. A refusal is kMalformed with the "bad %-escape" or the
// "must be %-encoded" message. Decoded pairs survive a round trip: every
// byte but the unreserved ones %-escaped, the text parses back to the same
// pairs. UrlDecode refuses every text with a broken escape.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "http/router.h"

namespace tock::fuzz {
namespace {

// Encode %-escapes every byte of |text| but RFC 3986's unreserved ones.
std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool HasEscapeError(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    if (i + 2 >= text.size() || !hex(text[i + 1]) || !hex(text[i + 2])) return true;
    i += 2;
  }
  return false;
}

}  // namespace
}  // namespace tock::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tock;
  using namespace tock::fuzz;
  // Boost.URL 1.81's parse_query (impl/parse_query.ipp) makes its result's
  // buffer from s.data() alone, that is with strlen: the text must be
  // NUL-terminated, or it reads past its end (this target found it on the
  // empty input). The server's texts are std::string (Request::query, the
  // body), so the input goes in as one too.
  const std::string owned(View(data, size));
  const std::string_view text = owned;

  Result<server::FormPairs> pairs = server::ParseForm(text, "the form body");
  if (!pairs.ok()) {
    FUZZ_CHECK(pairs.error().code() == ErrorCode::kMalformed);
    const std::string& m = pairs.error().message();
    FUZZ_CHECK(m.rfind("the form body has a bad %-escape", 0) == 0 ||
               m.rfind("the form body has a character that must be %-encoded", 0) == 0);
  } else {
    std::string encoded;
    for (const auto& [key, value] : *pairs) {
      if (!encoded.empty()) encoded += '&';
      encoded += Encode(key) + "=" + Encode(value);
    }
    Result<server::FormPairs> again = server::ParseForm(encoded, "the re-encoded form");
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *pairs);
    for (const auto& [key, value] : *pairs) {
      FUZZ_CHECK(server::FormValue(*pairs, key).has_value());
    }
  }

  std::optional<std::string> decoded = server::UrlDecode(text);
  if (HasEscapeError(text)) FUZZ_CHECK(!decoded.has_value());
  if (decoded) FUZZ_CHECK(decoded->size() <= text.size());
  return 0;
}
