// InspectUnverified: decode a token to look at it, never to trust it.
#ifndef TOCK_INSPECT_H_
#define TOCK_INSPECT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/clock.h"
#include "tock/limits.h"
#include "tock/result.h"

namespace tock {

struct TokenAccess;

// LifetimeStatus is how a token stands on a clock, with zero skew.
enum class LifetimeStatus { kValidNow, kNotYetValid, kExpired, kNoLifetime };

// ToString returns "valid_now", "not_yet_valid", "expired" or "no_lifetime".
std::string_view ToString(LifetimeStatus status);

// UnverifiedView is a decoded token whose signature nobody checked.
// WARNING: nothing in it is trustworthy. It can never become a VerifiedToken:
// there is no conversion; only Verifier::Verify makes one.
class UnverifiedView {
 public:
  // HeaderJson and PayloadJson serialise the decoded objects (control
  // characters escaped, so printing them cannot drive a terminal).
  std::string HeaderJson(bool pretty = false) const;
  std::string PayloadJson(bool pretty = false) const;
  // signature is the third part as it appears in the token.
  std::string_view signature() const;

  // StringHeader / StringClaim return a member when it is a string.
  std::optional<std::string> StringHeader(std::string_view name) const;
  std::optional<std::string> StringClaim(std::string_view name) const;
  // NumberClaim returns a claim when it is a JSON number (iat, nbf, exp...).
  std::optional<double> NumberClaim(std::string_view name) const;

  // Status applies the time rules with zero skew at |now| (spec: decode status).
  LifetimeStatus Status(UnixSeconds now) const;
  // Warnings lists the spec's decode warning codes at |now|, e.g. "no_exp",
  // "bad_claim:aud", in a fixed order.
  std::vector<std::string> Warnings(UnixSeconds now) const;

 private:
  // Only InspectUnverified makes one (through TokenAccess); the parsed token
  // is opaque to callers.
  friend struct TokenAccess;
  explicit UnverifiedView(std::shared_ptr<const void> parsed);
  std::shared_ptr<const void> parsed_;
};

// InspectUnverified splits and decodes |compact| without verifying it.
// Fails with kTooLarge, kMalformed, kBadBase64 or kBadJson; an "alg" of none
// or a missing alg is not a failure here (it is the warning "alg_none").
Result<UnverifiedView> InspectUnverified(std::string_view compact,
                                         std::size_t max_bytes = kDefaultMaxTokenBytes);

}  // namespace tock

#endif  // TOCK_INSPECT_H_
