#include "internal/time_rules.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "internal/time_text.h"

namespace tock::internal {
namespace {

// Seconds prints a count of seconds for a message: "33s", or "7200s (2h)"
// when a person would rather read the larger unit.
std::string Seconds(double s) {
  std::string text = FormatSeconds(s) + "s";
  if (std::fabs(s) >= 120) text += " (" + FormatDuration(std::fabs(s)) + ")";
  return text;
}

// AtLeast is the whole number of seconds of skew that would have accepted
// a token |delta| seconds outside its window.
std::string AtLeast(double delta) { return FormatSeconds(std::ceil(delta)) + "s"; }

// Above is the whole number of seconds of skew strictly greater than |delta|
// (the exp rule rejects at now == exp + skew).
std::string Above(double delta) { return FormatSeconds(std::floor(delta) + 1) + "s"; }

Diagnosis TimeDiagnosis(const char* claim, double value, double delta, const TimeContext& ctx) {
  Diagnosis d;
  d.claim = claim;
  d.now = ctx.now;
  d.claim_time = value;
  d.skew_s = ctx.skew_s;
  d.delta_s = delta;
  return d;
}

std::string Skew(const TimeContext& ctx) {
  return "allowed clock skew " + Seconds(static_cast<double>(ctx.skew_s));
}

}  // namespace

std::optional<Error> CheckExp(double exp, const TimeContext& ctx) {
  const double now = static_cast<double>(ctx.now);
  if (now < exp + static_cast<double>(ctx.skew_s)) return std::nullopt;
  const double delta = now - exp;
  Diagnosis d = TimeDiagnosis("exp", exp, delta, ctx);
  // A token only just past its end is the signature of clock skew or a
  // cached token; one long dead is a client that never refreshed.
  if (delta - static_cast<double>(ctx.skew_s) <= 300) {
    d.hint = "the token expired only " + Seconds(delta) +
             " ago: the issuer's clock may be behind this machine's, or the token was cached or "
             "retried past its lifetime; refresh tokens before exp, or allow a clock skew of at "
             "least " +
             Above(delta);
  } else {
    d.hint = "the token expired " + FormatDuration(delta) +
             " ago: the client is using a stale token; it should fetch a new one";
  }
  return Error(ErrorCode::kExpired,
               "token expired: exp " + FormatUtc(exp) + " is " + Seconds(delta) + " before now " +
                   FormatUtc(now) + "; " + Skew(ctx),
               std::move(d));
}

std::optional<Error> CheckNbf(double nbf, const TimeContext& ctx, std::optional<double> iat) {
  const double now = static_cast<double>(ctx.now);
  if (!(now < nbf - static_cast<double>(ctx.skew_s))) return std::nullopt;
  const double delta = nbf - now;
  Diagnosis d = TimeDiagnosis("nbf", nbf, delta, ctx);
  if (iat && *iat > now + static_cast<double>(ctx.skew_s)) {
    // The issuer stamped iat from the same fast clock: a validator that
    // checks iat (this one does) refuses the backdated token as
    // issued_in_future, so only the clock or the skew can fix it.
    const double ahead = std::max(delta, *iat - now);
    d.hint = "the issuer's clock is probably at least " + AtLeast(ahead) +
             " ahead of this machine's, and the token's iat is " + Seconds(*iat - now) +
             " ahead as well: backdating nbf alone will not do for a validator that checks iat "
             "(it would refuse the token as issued_in_future); fix the issuer's clock (NTP), or "
             "allow a clock skew of at least " +
             AtLeast(ahead);
  } else {
    d.hint = "the issuer's clock is probably at least " + AtLeast(delta) +
             " ahead of this machine's: backdate nbf at the issuer or allow a clock skew of at "
             "least " +
             AtLeast(delta);
  }
  return Error(ErrorCode::kNotYetValid,
               "token not yet valid: nbf " + FormatUtc(nbf) + " is " + Seconds(delta) +
                   " after now " + FormatUtc(now) + "; " + Skew(ctx),
               std::move(d));
}

std::optional<Error> CheckIat(double iat, const TimeContext& ctx) {
  const double now = static_cast<double>(ctx.now);
  if (!(iat > now + static_cast<double>(ctx.skew_s))) return std::nullopt;
  const double delta = iat - now;
  Diagnosis d = TimeDiagnosis("iat", iat, delta, ctx);
  d.hint = "the issuer's clock is probably at least " + AtLeast(delta) +
           " ahead of this machine's: correct the issuer's clock (NTP) or allow a clock skew of "
           "at least " +
           AtLeast(delta);
  return Error(ErrorCode::kIssuedInFuture,
               "token issued in the future: iat " + FormatUtc(iat) + " is " + Seconds(delta) +
                   " after now " + FormatUtc(now) + "; " + Skew(ctx),
               std::move(d));
}

std::optional<Error> CheckMaxAge(double iat, std::int64_t max_age_s, const TimeContext& ctx) {
  const double now = static_cast<double>(ctx.now);
  const double age = now - iat;
  // Summed as doubles: two int64 durations from a request may overflow.
  if (!(age > static_cast<double>(max_age_s) + static_cast<double>(ctx.skew_s)))
    return std::nullopt;
  const double delta = age - static_cast<double>(max_age_s);
  Diagnosis d = TimeDiagnosis("iat", iat, delta, ctx);
  d.max_s = max_age_s;
  d.hint = "the token was issued " + FormatDuration(age) +
           " ago: the client should fetch a fresh token, or raise the maximum age if tokens are "
           "meant to be used this long";
  return Error(ErrorCode::kTokenTooOld,
               "token too old: iat " + FormatUtc(iat) + " is " + Seconds(age) + " before now " +
                   FormatUtc(now) + ", " + Seconds(delta) + " over the maximum age of " +
                   Seconds(static_cast<double>(max_age_s)) + "; " + Skew(ctx),
               std::move(d));
}

std::optional<Error> CheckMaxLifetime(std::optional<double> iat, double exp,
                                      std::int64_t max_lifetime_s, const TimeContext& ctx) {
  const double start = iat ? *iat : static_cast<double>(ctx.now);
  const double lifetime = exp - start;
  if (!(lifetime > static_cast<double>(max_lifetime_s))) return std::nullopt;
  Diagnosis d;
  d.claim = "exp";
  d.now = ctx.now;
  d.claim_time = exp;
  d.delta_s = lifetime - static_cast<double>(max_lifetime_s);
  d.max_s = max_lifetime_s;
  d.hint = "the issuer makes tokens that live " + FormatDuration(lifetime) +
           ": issue shorter-lived tokens, or raise the maximum lifetime";
  const std::string span = iat ? "exp - iat" : "exp - now";
  return Error(ErrorCode::kLifetimeTooLong,
               "token lifetime too long: " + span + " is " + Seconds(lifetime) +
                   ", over the maximum of " + Seconds(static_cast<double>(max_lifetime_s)),
               std::move(d));
}

}  // namespace tock::internal

namespace tock::internal {
namespace {

// PlainSeconds is a count of seconds for a trace detail: "300s", "0.5s".
std::string PlainSeconds(double s) { return FormatSeconds(s) + "s"; }

// TimeCell is a claim time and where it stands: "2026-06-12T09:17:43Z (in 33s)".
std::string TimeCell(double t, const TimeContext& ctx) {
  return FormatUtc(t) + " (" + FormatRelative(t - static_cast<double>(ctx.now)) + ")";
}

void SetTimes(TracedCheck& check, double claim_time, double delta, const TimeContext& ctx,
              bool with_skew) {
  check.now = ctx.now;
  check.claim_time = claim_time;
  check.delta_s = delta;
  if (with_skew) check.skew_s = ctx.skew_s;
}

bool Passed(const TracedCheck& check) { return check.outcome == CheckOutcome::kPassed; }

}  // namespace

void TraceExp(double exp, const TimeContext& ctx, TracedCheck& check) {
  SetTimes(check, exp, static_cast<double>(ctx.now) - exp, ctx, true);
  if (Passed(check)) {
    check.detail = TimeCell(exp, ctx) + "; accepted until exp + " +
                   PlainSeconds(static_cast<double>(ctx.skew_s));
  }
}

void TraceNbf(double nbf, const TimeContext& ctx, TracedCheck& check) {
  SetTimes(check, nbf, nbf - static_cast<double>(ctx.now), ctx, true);
  if (Passed(check)) {
    check.detail = TimeCell(nbf, ctx) + "; accepted from nbf - " +
                   PlainSeconds(static_cast<double>(ctx.skew_s));
  }
}

void TraceIat(double iat, const TimeContext& ctx, TracedCheck& check) {
  SetTimes(check, iat, iat - static_cast<double>(ctx.now), ctx, true);
  if (Passed(check)) check.detail = TimeCell(iat, ctx);
}

void TraceMaxAge(double iat, std::int64_t max_age_s, const TimeContext& ctx, TracedCheck& check) {
  const double age = static_cast<double>(ctx.now) - iat;
  SetTimes(check, iat, age - static_cast<double>(max_age_s), ctx, true);
  check.limit_s = max_age_s;
  if (Passed(check)) {
    check.detail = (age < 0 ? std::string("issued in the future") : "age " + PlainSeconds(age)) +
                   " within " + PlainSeconds(static_cast<double>(max_age_s)) + " + " +
                   PlainSeconds(static_cast<double>(ctx.skew_s)) + " skew";
  }
}

void TraceMaxLifetime(std::optional<double> iat, double exp, std::int64_t max_lifetime_s,
                      const TimeContext& ctx, TracedCheck& check) {
  const double lifetime = exp - (iat ? *iat : static_cast<double>(ctx.now));
  SetTimes(check, exp, lifetime - static_cast<double>(max_lifetime_s), ctx, false);
  check.limit_s = max_lifetime_s;
  if (Passed(check)) {
    check.detail = "lifetime " + PlainSeconds(lifetime) + " within " +
                   PlainSeconds(static_cast<double>(max_lifetime_s));
  }
}

std::optional<std::string> SkewNote(std::optional<double> iat, std::optional<double> nbf,
                                    const TimeContext& ctx) {
  const double now = static_cast<double>(ctx.now);
  const double skew = static_cast<double>(ctx.skew_s);
  if (iat && *iat > now && *iat <= now + skew) {
    return "issuer clock appears " + FormatSeconds(*iat - now) + " s ahead (iat is " +
           PlainSeconds(*iat - now) + " after now, within the " + PlainSeconds(skew) + " skew)";
  }
  if (nbf && *nbf > now && *nbf <= now + skew) {
    return "issuer clock appears at least " + FormatSeconds(*nbf - now) + " s ahead (nbf is " +
           PlainSeconds(*nbf - now) + " after now, within the " + PlainSeconds(skew) + " skew)";
  }
  return std::nullopt;
}

}  // namespace tock::internal
