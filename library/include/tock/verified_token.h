// VerifiedToken: claims whose signature and policy checks passed.
#ifndef TOCK_VERIFIED_TOKEN_H_
#define TOCK_VERIFIED_TOKEN_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/key.h"

namespace tock {

struct TokenAccess;

// VerifiedToken can only be made by Verifier::Verify, so holding one means
// the signature verified with a configured key and every policy check passed.
class VerifiedToken {
 public:
  Algorithm algorithm() const { return alg_; }
  // key is the configured key whose signature check passed.
  const Key& key() const { return key_; }
  // now is the validator's "now" the checks used.
  UnixSeconds now() const { return now_; }

  std::optional<std::string> issuer() const { return StringClaim("iss"); }
  std::optional<std::string> subject() const { return StringClaim("sub"); }
  std::optional<std::string> jwt_id() const { return StringClaim("jti"); }
  // audiences returns "aud" as a list (a string claim gives one element).
  std::vector<std::string> audiences() const;
  std::optional<double> expires_at() const { return NumberClaim("exp"); }
  std::optional<double> not_before() const { return NumberClaim("nbf"); }
  std::optional<double> issued_at() const { return NumberClaim("iat"); }
  std::optional<std::string> type() const { return StringHeader("typ"); }
  std::optional<std::string> key_id() const { return StringHeader("kid"); }

  std::optional<std::string> StringClaim(std::string_view name) const;
  std::optional<double> NumberClaim(std::string_view name) const;
  std::optional<std::string> StringHeader(std::string_view name) const;
  // ClaimJson returns one claim serialised as JSON, or nullopt when absent.
  std::optional<std::string> ClaimJson(std::string_view name) const;
  // ClaimsJson / HeaderJson serialise the whole payload / header.
  std::string ClaimsJson(bool pretty = false) const;
  std::string HeaderJson(bool pretty = false) const;

 private:
  // Only Verifier::Verify makes one (through TokenAccess); the parsed token
  // is opaque to callers.
  friend struct TokenAccess;
  VerifiedToken(std::shared_ptr<const void> parsed, Algorithm alg, Key key, UnixSeconds now)
      : parsed_(std::move(parsed)), alg_(alg), key_(std::move(key)), now_(now) {}

  std::shared_ptr<const void> parsed_;
  Algorithm alg_;
  Key key_;
  UnixSeconds now_;
};

}  // namespace tock

#endif  // TOCK_VERIFIED_TOKEN_H_
