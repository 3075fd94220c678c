// Strict base64url (RFC 4648 §5) without padding, as JWS uses it (RFC 7515 §2).
#ifndef TOCK_INTERNAL_BASE64URL_H_
#define TOCK_INTERNAL_BASE64URL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tock::internal {

// Base64UrlEncodedSize is the length of the unpadded encoding of |n| bytes.
constexpr std::size_t Base64UrlEncodedSize(std::size_t n) {
  return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}
// Base64UrlDecodedMaxSize bounds the decoded size of |n| characters of text.
constexpr std::size_t Base64UrlDecodedMaxSize(std::size_t n) { return n / 4 * 3 + 2; }

// Base64UrlEncode returns |bytes| as unpadded base64url.
std::string Base64UrlEncode(std::string_view bytes);
// Base64UrlEncodeAppend appends the encoding of |bytes| to |out|.
void Base64UrlEncodeAppend(std::string& out, std::string_view bytes);

// Base64UrlDecodeInto decodes |text| into |out| (replacing its contents) and
// returns true only for canonical input: no '=', only [A-Za-z0-9_-], a length
// that is not 1 mod 4, and zero trailing bits. Empty text decodes to empty.
bool Base64UrlDecodeInto(std::string_view text, std::string& out);
// Base64UrlDecodeToBuffer is Base64UrlDecodeInto writing to |out|, which must
// hold Base64UrlDecodedMaxSize(text.size()) bytes; it returns the decoded size,
// or nullopt for non-canonical input. For callers that decode into a stack
// buffer on the verify path.
std::optional<std::size_t> Base64UrlDecodeToBuffer(std::string_view text, char* out);
// Base64UrlDecode is Base64UrlDecodeInto returning a new string.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_BASE64URL_H_
