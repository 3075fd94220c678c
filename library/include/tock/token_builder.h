// TokenBuilder: make and sign a compact JWS with skew-safe defaults.
#ifndef TOCK_TOKEN_BUILDER_H_
#define TOCK_TOKEN_BUILDER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/defaults.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock {

// Lifetime is how StampTimes sets iat, nbf, exp and jti. Each optional that
// is empty omits its claim. The defaults are tock's skew-safe ones: nbf one
// minute in the past so a receiver whose clock is behind still accepts it.
struct Lifetime {
  std::optional<std::int64_t> ttl_s = kDefaultTokenTtlSeconds;
  std::optional<std::int64_t> nbf_backdate_s = kDefaultNbfBackdateSeconds;
  std::optional<std::int64_t> iat_backdate_s = 0;
  bool jti = true;
};

// RandomJti returns 128 random bits, base64url (22 characters).
std::string RandomJti();

// TokenBuilder collects a header and claims, then signs. Header "typ" is
// "JWT" unless changed; "alg" is always the signing algorithm.
class TokenBuilder {
 public:
  TokenBuilder();
  ~TokenBuilder();
  TokenBuilder(const TokenBuilder&);
  TokenBuilder& operator=(const TokenBuilder&);

  // MergeClaimsJson sets every member of a JSON object (`--claims FILE`).
  // kUsage when |object_json| is not a JSON object.
  Result<void> MergeClaimsJson(std::string_view object_json);
  // SetClaimFromText sets |name| to |text| parsed as JSON when it is valid
  // JSON, else to the string |text| (`--claim NAME=VALUE`).
  void SetClaimFromText(std::string_view name, std::string_view text);
  void SetString(std::string_view name, std::string_view value);
  void SetNumber(std::string_view name, std::int64_t value);
  // SetAudiences sets "aud": one gives a string, several an array.
  void SetAudiences(const std::vector<std::string>& audiences);
  void RemoveClaim(std::string_view name);
  // StampTimes sets iat, nbf, exp (and jti) from |now| and |lifetime|.
  void StampTimes(UnixSeconds now, const Lifetime& lifetime);

  // SetHeaderFromText sets a header member by the SetClaimFromText rule.
  // "alg" cannot be set this way (it is always the signing algorithm).
  Result<void> SetHeaderFromText(std::string_view name, std::string_view text);
  // SetType sets "typ"; nullopt removes it.
  void SetType(std::optional<std::string> typ);
  // SetKid sets "kid"; nullopt removes it.
  void SetKid(std::optional<std::string> kid);

  // Sign returns header.payload.signature. kKeyError when |key| cannot
  // perform |alg| or cannot sign (a public key).
  Result<std::string> Sign(const Key& key, Algorithm alg) const;

  // PayloadJson returns the claims as they would be signed.
  std::string PayloadJson() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tock

#endif  // TOCK_TOKEN_BUILDER_H_
