#include "commands/probe_search.h"

#include <algorithm>
#include <cmath>

namespace tock::cli {
namespace {

constexpr std::int64_t kPastS = 60;              // nbf/iat "a minute ago"
constexpr std::int64_t kLifetimeS = 600;         // the 10-minute lifetime
constexpr std::int64_t kFutureIatS = 3600;       // the future-iat check
constexpr std::int64_t kLongLifeS = 30 * 86400;  // the 30-day check
// Aim this long after the whole second: early in the window, so that a
// sleep that overshoots a little still lands in it.
constexpr double kAimS = 0.01;
// A machine too loaded to land in the window this often sends anyway.
constexpr int kSlotAttempts = 20;

// Offsets are a probe token's time claims relative to its send second.
struct Offsets {
  std::optional<std::int64_t> iat, nbf, exp;
};

std::string Secs(std::int64_t s) { return std::to_string(s) + "s"; }

std::string Requests(std::int64_t n) {
  return std::to_string(n) + (n == 1 ? " request" : " requests");
}

// Session sends probes: paced, counted against the cap, round trips kept.
class Session {
 public:
  Session(const SendProbe& send, ProbeTiming timing, const ProbeLimits& limits)
      : send_(send), pacer_(std::move(timing), limits.rate), limits_(limits) {}

  Result<ProbeAnswer> Ask(const Offsets& at) {
    if (requests_ >= limits_.max_requests) {
      return Error(ErrorCode::kProbeError,
                   "the request cap (--max-requests " + std::to_string(limits_.max_requests) +
                       ") was reached before the measurement finished; raise --max-requests or "
                       "lower --max");
    }
    const UnixSeconds now = pacer_.NextSlot();
    ProbeClaims claims;
    if (at.iat) claims.iat = now + *at.iat;
    if (at.nbf) claims.nbf = now + *at.nbf;
    if (at.exp) claims.exp = now + *at.exp;
    ++requests_;
    Result<ProbeAnswer> answer = send_(claims);
    if (!answer.ok()) {
      return Error(answer.error().code(),
                   answer.error().message() + " (stopped after " + Requests(requests_) + ")");
    }
    max_rtt_ms_ = std::max(max_rtt_ms_, answer->rtt_ms);
    return answer;
  }

  std::int64_t requests() const { return requests_; }
  double max_rtt_ms() const { return max_rtt_ms_; }

 private:
  const SendProbe& send_;
  Pacer pacer_;
  ProbeLimits limits_;
  std::int64_t requests_ = 0;
  double max_rtt_ms_ = 0;
};

// EdgeSearch describes one search: the token for offset d, and what to say
// when the edge lies beyond --max on either side.
struct EdgeSearch {
  std::function<Offsets(std::int64_t)> token_at;
  std::string accepted_at_max;  // accepted even at d = +max
  std::string refused_at_min;   // refused even at d = -max
};

Error Beyond(const std::string& what, std::int64_t max_s) {
  return Error(ErrorCode::kProbeError, what + ": the edge lies beyond --max " + Secs(max_s) +
                                           "; raise --max to measure it");
}

// FindEdge returns the largest d in (-max, max) whose token is accepted,
// acceptance being monotone (accepted for small d): an exponential step out
// from 0 (into negative d when 0 is already refused), then bisection to 1 s.
Result<std::int64_t> FindEdge(Session& session, const EdgeSearch& search, std::int64_t max_s) {
  auto accepted = [&](std::int64_t d) -> Result<bool> {
    Result<ProbeAnswer> a = session.Ask(search.token_at(d));
    if (!a.ok()) return std::move(a).error();
    return a->accepted;
  };
  Result<bool> at_zero = accepted(0);
  if (!at_zero.ok()) return std::move(at_zero).error();
  std::int64_t lo = 0, hi = 0;  // lo accepted, hi refused
  const std::int64_t direction = *at_zero ? 1 : -1;
  for (std::int64_t step = 1;; step *= 2) {
    const std::int64_t d = direction * std::min(step, max_s);
    Result<bool> ok = accepted(d);
    if (!ok.ok()) return std::move(ok).error();
    if (*ok == (direction > 0)) {
      (direction > 0 ? lo : hi) = d;
      if (std::abs(d) >= max_s) {
        return Beyond(direction > 0 ? search.accepted_at_max : search.refused_at_min, max_s);
      }
      continue;
    }
    (direction > 0 ? hi : lo) = d;
    break;
  }
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    Result<bool> ok = accepted(mid);
    if (!ok.ok()) return std::move(ok).error();
    (*ok ? lo : hi) = mid;
  }
  return lo;
}

EdgeSearch NbfSearch(std::int64_t max_s) {
  return EdgeSearch{[](std::int64_t d) {
                      return Offsets{-kPastS, d, d + kLifetimeS};
                    },
                    "a token with nbf " + Secs(max_s) +
                        " in the future was accepted (nbf ignored, or a skew "
                        "over --max)",
                    "a token with nbf " + Secs(max_s) + " in the past was refused"};
}

EdgeSearch ExpSearch(std::int64_t max_s) {
  return EdgeSearch{[](std::int64_t d) {
                      return Offsets{-d - kLifetimeS, -d - kLifetimeS, -d};
                    },
                    "a token that expired " + Secs(max_s) +
                        " ago was accepted (exp ignored, or "
                        "a skew over --max)",
                    "a token valid for another " + Secs(max_s) + " was refused as expired"};
}

// Baseline: the spec's token (iat = now) must be accepted. A validator
// behind our clock that checks iat refuses it though it would measure fine,
// so the same token with iat a minute ago gets a second chance.
Result<bool> CheckBaseline(Session& session) {
  Result<ProbeAnswer> first = session.Ask(Offsets{0, -kPastS, kLifetimeS});
  if (!first.ok()) return std::move(first).error();
  if (first->accepted) return false;
  Result<ProbeAnswer> second = session.Ask(Offsets{-kPastS, -kPastS, kLifetimeS});
  if (!second.ok()) return std::move(second).error();
  if (second->accepted) return true;
  return Error(ErrorCode::kProbeError,
               "the validator refused the baseline token (iat = now, nbf = now - 60s, exp = now "
               "+ 10m), so it cannot be measured: " +
                   first->detail +
                   "; check the key, --iss/--aud/--claim, the request (--method, --header) and "
                   "--accept");
}

Result<bool> Accepted(Session& session, const Offsets& at) {
  Result<ProbeAnswer> a = session.Ask(at);
  if (!a.ok()) return std::move(a).error();
  return a->accepted;
}

Result<void> RunChecks(Session& session, ProbeFindings& f) {
  Result<bool> without_exp = Accepted(session, Offsets{-kPastS, -kPastS, std::nullopt});
  if (!without_exp.ok()) return std::move(without_exp).error();
  f.requires_exp = !*without_exp;
  Result<bool> future_iat =
      Accepted(session, Offsets{kFutureIatS, -kPastS, kFutureIatS + kLifetimeS});
  if (!future_iat.ok()) return std::move(future_iat).error();
  f.refuses_future_iat = !*future_iat;
  Result<bool> long_life = Accepted(session, Offsets{-kPastS, -kPastS, kLongLifeS - kPastS});
  if (!long_life.ok()) return std::move(long_life).error();
  f.accepts_30d_lifetime = *long_life;
  return {};
}

}  // namespace

UnixSeconds Pacer::NextSlot() {
  const Clock& clock = *timing_.clock;
  const double gap = rate_ > 0 ? 1.0 / rate_ : 0.0;
  double sent = clock.NowPrecise();
  for (int attempt = 0; attempt < kSlotAttempts; ++attempt) {
    const double now = clock.NowPrecise();
    const double earliest = last_send_ ? std::max(now, *last_send_ + gap) : now;
    const double second = std::floor(earliest);
    const double target = earliest - second < kSlotWindowS / 2 ? earliest : second + 1 + kAimS;
    if (target > now) timing_.sleep(target - now);
    sent = clock.NowPrecise();
    if (sent - std::floor(sent) < kSlotWindowS) break;
  }
  last_send_ = sent;
  return static_cast<UnixSeconds>(std::floor(sent));
}

Result<ProbeFindings> RunProbe(const SendProbe& send, ProbeTiming timing,
                               const ProbeLimits& limits) {
  Session session(send, std::move(timing), limits);
  ProbeFindings f;
  Result<bool> refused_iat_now = CheckBaseline(session);
  if (!refused_iat_now.ok()) return std::move(refused_iat_now).error();
  f.refused_iat_now = *refused_iat_now;
  Result<std::int64_t> last_nbf = FindEdge(session, NbfSearch(limits.max_s), limits.max_s);
  if (!last_nbf.ok()) return std::move(last_nbf).error();
  Result<std::int64_t> last_exp = FindEdge(session, ExpSearch(limits.max_s), limits.max_s);
  if (!last_exp.ok()) return std::move(last_exp).error();
  f.nbf_edge_s = *last_nbf;
  f.exp_edge_s = *last_exp + 1;  // the smallest refused age
  f.offset_s = static_cast<double>(f.nbf_edge_s - f.exp_edge_s) / 2.0;
  f.skew_s = static_cast<double>(f.nbf_edge_s + f.exp_edge_s) / 2.0;
  if (Result<void> checks = RunChecks(session, f); !checks.ok()) return std::move(checks).error();
  f.requests = session.requests();
  f.max_rtt_ms = session.max_rtt_ms();
  f.uncertainty_s = 1.0 + f.max_rtt_ms / 2000.0;
  return f;
}

}  // namespace tock::cli
