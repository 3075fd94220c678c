// CheckTrace: what each check of Verifier::Verify found, in the fixed order,
// recorded by the checks themselves as they run.
#ifndef TOCK_CHECK_TRACE_H_
#define TOCK_CHECK_TRACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/clock.h"
#include "tock/error.h"

namespace tock {

// CheckOutcome is how one check of the fixed order ended.
enum class CheckOutcome {
  kPassed,  // the check ran and the token met it
  // The check ran and the token failed it, or lacked (or mistyped) the
  // claim it reads: a missing "iat" fails "max age" as well as "required".
  kFailed,
  kSkipped,     // the policy does not ask for it (no issuer, no max age, ...)
  kNotReached,  // a check before the signature failed: it never ran
};

// ToString returns "passed", "failed", "skipped" or "not_reached".
std::string_view ToString(CheckOutcome outcome);

// TracedCheck is one check of the trace.
struct TracedCheck {
  // name is one of, in this order: "token", "header", "key", "signature",
  // "claim types", "required", "exp", "nbf", "iat", "max age",
  // "max lifetime", "iss", "aud", "sub", "typ".
  std::string name;
  CheckOutcome outcome = CheckOutcome::kNotReached;
  // detail is for people: what a passed check compared ("alg ES256",
  // "2026-06-12T09:17:43Z (in 33s); accepted until exp + 300s"), the
  // message of a failed one, why a skipped one did not apply. It may hold
  // token text unescaped: escape it before printing it on a terminal.
  std::string detail;
  // The times a time check compared (exp, nbf, iat, max age, max lifetime),
  // set when the claim it reads is a number. claim_time is that claim ("iat"
  // for max age, "exp" for max lifetime). delta_s is the rule's difference as
  // in Diagnosis::delta_s, also when the check passed: now - exp, nbf - now,
  // iat - now, now - iat - max_age, or the lifetime over the maximum; a
  // check fails once it exceeds skew_s (reaches it, for exp). Max lifetime
  // has no skew: both its ends come from the issuer's clock.
  std::optional<UnixSeconds> now;
  std::optional<double> claim_time;
  std::optional<std::int64_t> skew_s;
  std::optional<double> delta_s;
  std::optional<std::int64_t> limit_s;  // the maximum age or lifetime
  // problems are the failures that failed the check, in check order (the
  // same Errors as the verdict's); empty unless it failed.
  std::vector<Error> problems;
};

// CheckTrace holds every check of the fixed order, one entry each. The
// verdict and the trace come from the same run: the verdict's error is the
// first problem of the first failed check, and a token is accepted exactly
// when no check failed.
struct CheckTrace {
  UnixSeconds now = 0;      // the clock, read once
  std::int64_t skew_s = 0;  // the policy's tolerance
  std::vector<TracedCheck> checks;
  // clock_note is set on an accepted token that passed only thanks to the
  // skew: its iat (or nbf) is after now, which shows an issuer clock ahead.
  std::optional<std::string> clock_note;

  // Find returns the check named |name|, or nullptr.
  const TracedCheck* Find(std::string_view name) const;
  // AnyNotReached: a check before the signature failed, later ones never ran.
  bool AnyNotReached() const;
};

}  // namespace tock

#endif  // TOCK_CHECK_TRACE_H_
