// The measurement of `tock probe` (cli.md): the baseline, the nbf and exp
// edge searches, the three extra checks and the safety limits, as logic
// apart from HTTP and rendering. Time comes from an injected clock and sleep,
// and each probe goes to an injected function, so the unit tests run the
// whole method against a fake validator in no time.
#ifndef TOCK_CLI_COMMANDS_PROBE_SEARCH_H_
#define TOCK_CLI_COMMANDS_PROBE_SEARCH_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "tock/clock.h"
#include "tock/result.h"

namespace tock::cli {

// ProbeClaims are the time claims of one probe token, in absolute seconds;
// nullopt omits the claim.
struct ProbeClaims {
  std::optional<std::int64_t> iat, nbf, exp;
};

// ProbeAnswer is how the validator answered one probe.
struct ProbeAnswer {
  bool accepted = false;
  std::string detail;  // "HTTP 401, WWW-Authenticate: ..." for messages
  double rtt_ms = 0;   // the request's round trip
};

// SendProbe signs a token with |claims|, sends it and classifies the answer.
// An error (network failure, 429, 5xx) stops the probe.
using SendProbe = std::function<Result<ProbeAnswer>(const ProbeClaims& claims)>;

// ProbeTiming is how the probe reads this machine's clock and waits.
struct ProbeTiming {
  const Clock* clock = nullptr;
  std::function<void(double seconds)> sleep;
};

struct ProbeLimits {
  std::int64_t max_s = 3600;       // --max: the search range on each side
  std::int64_t max_requests = 64;  // --max-requests
  double rate = 10;                // --rate: requests per second at most
};

// ProbeFindings is the measurement: the two edges, what they solve to, the
// extra checks and what it cost.
struct ProbeFindings {
  std::int64_t nbf_edge_s = 0;  // U: the largest accepted nbf offset
  std::int64_t exp_edge_s = 0;  // L: the smallest refused exp age
  double offset_s = 0;          // (U - L) / 2: the validator's clock minus ours
  double skew_s = 0;            // (U + L) / 2: the skew it allows
  double uncertainty_s = 0;     // 1 s of quantisation + half the largest round trip
  bool requires_exp = false;
  bool refuses_future_iat = false;
  bool accepts_30d_lifetime = false;
  // The spec's baseline (iat = now) was refused but the same token with
  // iat = now - 60 s was accepted: the validator is behind and checks iat.
  bool refused_iat_now = false;
  std::int64_t requests = 0;
  double max_rtt_ms = 0;
};

// kSlotWindowS: every probe is sent within this long after a whole second.
inline constexpr double kSlotWindowS = 0.1;

// Pacer hands out send times: within kSlotWindowS after a whole second of
// the clock, and never sooner than 1/rate after the previous send.
class Pacer {
 public:
  Pacer(ProbeTiming timing, double rate) : timing_(std::move(timing)), rate_(rate) {}
  // NextSlot waits for the next send time and returns the whole second it
  // falls in: the "now" the probe token is stamped with.
  UnixSeconds NextSlot();

 private:
  ProbeTiming timing_;
  double rate_;
  std::optional<double> last_send_;
};

// RunProbe runs the whole method of cli.md against |send|. kProbeError when
// the baseline is refused, an edge lies beyond max_s, the request cap is
// reached, or |send| failed (its message kept).
Result<ProbeFindings> RunProbe(const SendProbe& send, ProbeTiming timing,
                               const ProbeLimits& limits);

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMANDS_PROBE_SEARCH_H_
