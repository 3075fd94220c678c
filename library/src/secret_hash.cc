#include "tock/secret_hash.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "internal/crypto_scrypt.h"

namespace tock {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::string_view kPrefix = "$scrypt$";

struct ParsedHash {
  internal::ScryptParams params;
  std::string salt;
  std::string hash;
};

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

std::optional<long> ParseParam(std::string_view part, std::string_view name, long lo, long hi) {
  if (part.size() <= name.size() + 1 || part.substr(0, name.size()) != name ||
      part[name.size()] != '=') {
    return std::nullopt;
  }
  std::string_view digits = part.substr(name.size() + 1);
  long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

// Parse reads "$scrypt$ln=15,r=8,p=1$SALT$HASH".
std::optional<ParsedHash> Parse(std::string_view encoded) {
  if (encoded.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::vector<std::string_view> parts = Split(encoded.substr(kPrefix.size()), '$');
  if (parts.size() != 3) return std::nullopt;
  std::vector<std::string_view> params = Split(parts[0], ',');
  if (params.size() != 3) return std::nullopt;
  auto ln = ParseParam(params[0], "ln", 10, 20);
  auto r = ParseParam(params[1], "r", 1, 32);
  auto p = ParseParam(params[2], "p", 1, 16);
  if (!ln || !r || !p) return std::nullopt;
  auto salt = internal::Base64UrlDecode(parts[1]);
  auto hash = internal::Base64UrlDecode(parts[2]);
  if (!salt || !hash || salt->size() < 8 || hash->size() < 16 || hash->size() > 64) {
    return std::nullopt;
  }
  ParsedHash parsed;
  parsed.params.log2_n = static_cast<int>(*ln);
  parsed.params.r = static_cast<std::uint32_t>(*r);
  parsed.params.p = static_cast<std::uint32_t>(*p);
  parsed.salt = std::move(*salt);
  parsed.hash = std::move(*hash);
  return parsed;
}

}  // namespace

Result<std::string> HashSecret(std::string_view secret) {
  if (secret.empty()) return Error(ErrorCode::kUsage, "The secret to hash is empty.");
  internal::ScryptParams params;
  std::string salt = internal::RandomBytes(kSaltBytes);
  std::optional<std::string> hash = internal::Scrypt(secret, salt, params, kHashBytes);
  if (!hash) return Error(ErrorCode::kKeyError, "OpenSSL could not compute scrypt.");
  return std::string(kPrefix) + "ln=" + std::to_string(params.log2_n) +
         ",r=" + std::to_string(params.r) + ",p=" + std::to_string(params.p) + "$" +
         internal::Base64UrlEncode(salt) + "$" + internal::Base64UrlEncode(*hash);
}

Result<bool> SecretMatches(std::string_view secret, std::string_view encoded) {
  std::optional<ParsedHash> parsed = Parse(encoded);
  if (!parsed) {
    return Error(ErrorCode::kUsage,
                 "The secret hash is not a \"$scrypt$ln=N,r=R,p=P$SALT$HASH\" string as "
                 "`tock hash-secret` prints (ln 10..20, r 1..32, p 1..16).");
  }
  std::optional<std::string> hash =
      internal::Scrypt(secret, parsed->salt, parsed->params, parsed->hash.size());
  if (!hash) return Error(ErrorCode::kKeyError, "OpenSSL could not compute scrypt.");
  return internal::ConstantTimeEquals(*hash, parsed->hash);
}

bool IsSecretHash(std::string_view encoded) { return Parse(encoded).has_value(); }

}  // namespace tock
