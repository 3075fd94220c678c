// The four time rules of docs/cli.md, written once. Nothing else in
// tock compares token times with "now".
#ifndef TOCK_INTERNAL_TIME_RULES_H_
#define TOCK_INTERNAL_TIME_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "tock/check_trace.h"
#include "tock/clock.h"
#include "tock/error.h"

namespace tock::internal {

// TimeContext is what every time check uses: the clock read once, the skew.
struct TimeContext {
  UnixSeconds now;
  std::int64_t skew_s;
};

// CheckExp: expired when now >= exp + skew (delta_s = now - exp).
std::optional<Error> CheckExp(double exp, const TimeContext& ctx);
// CheckNbf: not yet valid when now < nbf - skew (delta_s = nbf - now).
// |iat|, when the token has one, shapes the hint: if it is ahead as well,
// backdating nbf alone would only trade this error for issued_in_future.
std::optional<Error> CheckNbf(double nbf, const TimeContext& ctx,
                              std::optional<double> iat = std::nullopt);
// CheckIat: issued in the future when iat > now + skew (delta_s = iat - now).
std::optional<Error> CheckIat(double iat, const TimeContext& ctx);
// CheckMaxAge: too old when now - iat > max_age + skew
// (delta_s = now - iat - max_age).
std::optional<Error> CheckMaxAge(double iat, std::int64_t max_age_s, const TimeContext& ctx);
// CheckMaxLifetime: exp - iat (or exp - now without iat) over max_lifetime.
// No skew: both ends come from the issuer's clock.
std::optional<Error> CheckMaxLifetime(std::optional<double> iat, double exp,
                                      std::int64_t max_lifetime_s, const TimeContext& ctx);

// The check trace's record of a time check that ran (Trace*, called only
// when a trace is kept): the times it compared and, when |check| passed, its
// detail. SkewNote is CheckTrace::clock_note for an accepted token whose iat
// (else nbf) is after now but within the skew.
void TraceExp(double exp, const TimeContext& ctx, TracedCheck& check);
void TraceNbf(double nbf, const TimeContext& ctx, TracedCheck& check);
void TraceIat(double iat, const TimeContext& ctx, TracedCheck& check);
void TraceMaxAge(double iat, std::int64_t max_age_s, const TimeContext& ctx, TracedCheck& check);
void TraceMaxLifetime(std::optional<double> iat, double exp, std::int64_t max_lifetime_s,
                      const TimeContext& ctx, TracedCheck& check);
std::optional<std::string> SkewNote(std::optional<double> iat, std::optional<double> nbf,
                                    const TimeContext& ctx);

// Zero-skew status helpers for `decode` (spec: decode status).
inline bool IsExpiredAt(double exp, UnixSeconds now) { return static_cast<double>(now) >= exp; }
inline bool IsBeforeNbf(double nbf, UnixSeconds now) { return static_cast<double>(now) < nbf; }

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_TIME_RULES_H_
