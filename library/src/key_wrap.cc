#include "tock/key_wrap.h"

#include "internal/base64url.h"
#include "internal/crypto.h"

namespace tock {
namespace {

constexpr std::size_t kKekBytes = 32;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\t' || text.back() == '='))
    text.remove_suffix(1);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

}  // namespace

Kek::Kek(std::string bytes) : bytes_(std::move(bytes)) {
  // A label keeps the fingerprint from being a plain hash of the secret.
  id_ =
      "kek-" + internal::Base64UrlEncode(internal::Sha256("tock kek id\n" + bytes_)).substr(0, 16);
}

Result<Kek> Kek::FromText(std::string_view text) {
  std::optional<std::string> bytes = internal::Base64UrlDecode(Trim(text));
  if (!bytes) return Error(ErrorCode::kKeyError, "the KEK is not base64url text");
  if (bytes->size() != kKekBytes) {
    return Error(ErrorCode::kKeyError, "the KEK holds " + std::to_string(bytes->size()) +
                                           " bytes; it must hold 32 (AES-256)");
  }
  return Kek(std::move(*bytes));
}

Kek Kek::Generate() { return Kek(internal::RandomBytes(kKekBytes)); }

std::string Kek::ToText() const { return internal::Base64UrlEncode(bytes_); }

Result<std::string> Kek::Seal(std::string_view plaintext, std::string_view associated_data) const {
  return internal::AesGcmSeal(bytes_, plaintext, associated_data);
}

Result<std::string> Kek::Open(std::string_view sealed, std::string_view associated_data) const {
  return internal::AesGcmOpen(bytes_, sealed, associated_data);
}

}  // namespace tock
