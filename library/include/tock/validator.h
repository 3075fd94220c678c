// Validator: the claim policy a token must meet, built once, then immutable.
#ifndef TOCK_VALIDATOR_H_
#define TOCK_VALIDATOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tock/algorithm.h"
#include "tock/defaults.h"
#include "tock/limits.h"
#include "tock/result.h"

namespace tock {

class ValidatorBuilder;

// Validator holds a validation policy. Make one with ValidatorBuilder.
// Immutable and shareable across threads.
class Validator {
 public:
  const std::vector<std::string>& issuers() const { return issuers_; }
  const std::vector<std::string>& audiences() const { return audiences_; }
  const std::optional<std::string>& subject() const { return subject_; }
  const std::optional<std::string>& type() const { return type_; }
  const std::vector<std::string>& required_claims() const { return required_; }
  bool require_exp() const { return require_exp_; }
  const std::optional<std::int64_t>& max_age_s() const { return max_age_s_; }
  const std::optional<std::int64_t>& max_lifetime_s() const { return max_lifetime_s_; }
  std::int64_t skew_s() const { return skew_s_; }
  // algorithms is the explicit allow-list; empty means "what the keys can do".
  const std::vector<Algorithm>& algorithms() const { return algorithms_; }
  std::size_t max_token_bytes() const { return max_token_bytes_; }

 private:
  friend class ValidatorBuilder;
  Validator() = default;

  std::vector<std::string> issuers_;
  std::vector<std::string> audiences_;
  std::optional<std::string> subject_;
  std::optional<std::string> type_;
  std::vector<std::string> required_;
  bool require_exp_ = true;
  std::optional<std::int64_t> max_age_s_;
  std::optional<std::int64_t> max_lifetime_s_;
  std::int64_t skew_s_ = kDefaultSkewSeconds;
  std::vector<Algorithm> algorithms_;
  std::size_t max_token_bytes_ = kDefaultMaxTokenBytes;
};

// ValidatorBuilder collects a policy; Build() checks it for contradictions.
class ValidatorBuilder {
 public:
  // AddIssuer accepts |iss|; repeatable. No call: no issuer check.
  ValidatorBuilder& AddIssuer(std::string iss);
  // AddAudience accepts |aud|; a token passes when any of its audiences is
  // accepted. No call: no audience check.
  ValidatorBuilder& AddAudience(std::string aud);
  ValidatorBuilder& ExpectSubject(std::string sub);
  // ExpectType requires the "typ" header, compared case-insensitively with
  // any "application/" prefix ignored.
  ValidatorBuilder& ExpectType(std::string typ);
  ValidatorBuilder& RequireClaim(std::string name);
  // AllowMissingExp accepts tokens without "exp" (`--no-require-exp`).
  ValidatorBuilder& AllowMissingExp();
  ValidatorBuilder& MaxAge(std::int64_t seconds);
  ValidatorBuilder& MaxLifetime(std::int64_t seconds);
  ValidatorBuilder& Skew(std::int64_t seconds);
  ValidatorBuilder& AllowAlgorithm(Algorithm alg);
  ValidatorBuilder& MaxTokenBytes(std::size_t bytes);

  // Build returns the policy, or kUsage naming the contradiction: a negative
  // skew, max age or max lifetime, a zero token size, an empty issuer or
  // audience string, or a max lifetime with AllowMissingExp and no way to
  // bound it is accepted (the token then fails with missing_claim).
  Result<Validator> Build() const;

 private:
  Validator draft_;
  std::vector<std::string> problems_;
};

}  // namespace tock

#endif  // TOCK_VALIDATOR_H_
