// Error codes and the structured diagnosis every tock failure carries.
#ifndef TOCK_ERROR_H_
#define TOCK_ERROR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tock {

// ErrorCode matches the codes of docs/cli.md one to one; ToString gives
// the spec's string. The last five are "cannot judge" failures (exit 2).
enum class ErrorCode {
  kTooLarge,
  kMalformed,
  kBadBase64,
  kBadJson,
  kUnsupportedAlg,
  kCritUnsupported,
  kAlgNotAllowed,
  kKeyNotFound,
  kBadSignature,
  kBadClaim,
  kMissingClaim,
  kExpired,
  kNotYetValid,
  kIssuedInFuture,
  kTokenTooOld,
  kLifetimeTooLong,
  kIssMismatch,
  kAudMismatch,
  kSubMismatch,
  kTypMismatch,
  kReplayed,
  kUsage,
  kKeyError,
  kIoError,
  kNetworkError,
  // `tock probe` could not measure: the baseline was refused, the validator
  // answered 429/5xx, an edge lay beyond --max, or the request cap was hit.
  kProbeError,
  // The token endpoint refused the client or the request with an OAuth
  // error (a 4xx other than 429): exit 1, like a rejection.
  kTokenRefused,
  // Discovery failed: no metadata document, or one for another issuer.
  kDiscoveryError,
  // The token verified but lacks a scope the resource requires (RFC 6750
  // §3.1 insufficient_scope; tock serve's /validate ?scope=, HTTP 403).
  kInsufficientScope,
};

// ToString returns the spec's code string for |code|, e.g. "not_yet_valid".
std::string_view ToString(ErrorCode code);

// Disposition says whether a failure judged the token (kRejected, exit 1) or
// could not judge it (kCannotJudge, exit 2: usage, key, I/O, network).
enum class Disposition { kRejected, kCannotJudge };

// DispositionOf returns the disposition of |code|.
Disposition DispositionOf(ErrorCode code);

// Diagnosis holds the structured fields of a rejection. Every field is
// optional: a field is set only where it applies to the failed check.
struct Diagnosis {
  std::optional<std::string> claim;  // "nbf", "aud", "iat", ...
  // What the policy wanted and what the token had. One element is printed as
  // a string, several as an array.
  std::vector<std::string> expected;
  std::optional<std::vector<std::string>> actual;
  std::optional<std::int64_t> now;     // the validator's now, seconds
  std::optional<double> claim_time;    // value of |claim| when it is a time
  std::optional<std::int64_t> skew_s;  // allowed clock skew
  std::optional<double> delta_s;       // how far outside the window, without skew
  std::optional<std::int64_t> max_s;   // max_age / max_lifetime that was exceeded
  std::optional<std::string> hint;     // likely cause and fix, one sentence
  // Token endpoint answers (tock::TokenSource): the RFC 6749 §5.2 "error",
  // the HTTP status, a Retry-After in seconds, and the issuer's clock offset
  // estimated from the answer (positive: the issuer is ahead), with its
  // source, "date" or "iat".
  std::optional<std::string> oauth_error;
  std::optional<int> http_status;
  std::optional<double> retry_after_s;
  std::optional<double> issuer_clock_offset_s;
  std::optional<std::string> issuer_clock_source;
};

// Error is what a tock call returns instead of a value. It is a plain value
// type: copy it, log it, render it.
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Error(ErrorCode code, std::string message, Diagnosis diagnosis)
      : code_(code), message_(std::move(message)), diagnosis_(std::move(diagnosis)) {}

  ErrorCode code() const { return code_; }
  std::string_view code_string() const { return ToString(code_); }
  const std::string& message() const { return message_; }
  Disposition disposition() const { return DispositionOf(code_); }
  const Diagnosis& diagnosis() const { return diagnosis_; }
  Diagnosis& mutable_diagnosis() { return diagnosis_; }

  // problems lists every claim failure found after the signature verified,
  // the first being this error itself. Empty for failures before claim checks.
  const std::vector<Error>& problems() const { return problems_; }
  void set_problems(std::vector<Error> problems) { problems_ = std::move(problems); }

 private:
  ErrorCode code_;
  std::string message_;
  Diagnosis diagnosis_;
  std::vector<Error> problems_;
};

}  // namespace tock

#endif  // TOCK_ERROR_H_
