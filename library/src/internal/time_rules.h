// The four time rules of docs/cli.md, written once. Nothing else in
// tock compares token times with "now".
#ifndef TOCK_INTERNAL_TIME_RULES_H_
#define TOCK_INTERNAL_TIME_RULES_H_

#include <cstdint>
#include <optional>

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

// Zero-skew status helpers for `decode` (spec: decode status).
inline bool IsExpiredAt(double exp, UnixSeconds now) { return static_cast<double>(now) >= exp; }
inline bool IsBeforeNbf(double nbf, UnixSeconds now) { return static_cast<double>(now) < nbf; }

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_TIME_RULES_H_
