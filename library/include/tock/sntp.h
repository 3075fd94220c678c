// SNTP client (RFC 4330, packet format of RFC 5905): measures how far this
// machine's clock is from one or more NTP servers, for `tock clock`,
// `tock sign --ntp` and CorrectedClock.
//
// WARNING: SNTP is unauthenticated. Anyone on the path can answer with any
// time; callers that apply a measured offset must cap it (CorrectedClock and
// MeasureCorrection do).
#ifndef TOCK_SNTP_H_
#define TOCK_SNTP_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/clock.h"
#include "tock/result.h"

namespace tock {

// kDefaultNtpServer is the server `tock clock` asks when none is named. It is
// for people: tests always name a loopback server.
inline constexpr std::string_view kDefaultNtpServer = "pool.ntp.org";
// kDefaultNtpPort is the NTP port (RFC 5905 §7.2).
inline constexpr int kDefaultNtpPort = 123;
// kMaxNtpSamples bounds --samples: more only adds load on a public server.
inline constexpr int kMaxNtpSamples = 64;

// MeasureOptions says how hard MeasureClock tries.
struct MeasureOptions {
  // samples is how many requests go to each server (1..kMaxNtpSamples).
  int samples = 4;
  // timeout_s is how long to wait for each reply; a sample never waits longer.
  double timeout_s = 2.0;
  // interval_s is a pause between two samples to the same server, for
  // servers that rate-limit bursts. 0 sends the next request at once.
  double interval_s = 0.0;
};

// ServerMeasurement is the outcome for one server. When |error| is set the
// server gave no usable answer and the figures are absent.
struct ServerMeasurement {
  // server is the text the caller gave ("pool.ntp.org", "[::1]:12300").
  std::string server;
  // address is the numeric address asked, "127.0.0.1:123" or "[::1]:123";
  // empty when the name did not resolve.
  std::string address;
  // offset_s (θ) is how far the server's clock is ahead of this machine's
  // (positive: this machine is behind); delay_s (δ) is the round-trip delay.
  // Both come from the sample with the smallest delay (as ntpdate does).
  std::optional<double> offset_s;
  std::optional<double> delay_s;
  // stratum is the server's stratum in the chosen sample.
  std::optional<int> stratum;
  // samples is how many samples gave a valid answer.
  int samples = 0;
  // error says why no sample was usable (the last failure seen).
  std::optional<std::string> error;

  bool answered() const { return !error.has_value(); }
};

// ClockReport is the outcome for every server, in the order given, and the
// best estimate: the answering server whose chosen sample has the smallest
// delay. The best fields are absent when no server answered.
struct ClockReport {
  std::vector<ServerMeasurement> servers;
  std::optional<std::size_t> best;  // index into |servers|
  std::optional<double> offset_s;
  std::optional<double> delay_s;

  bool answered() const { return best.has_value(); }
};

// ParsedServer is a "HOST", "HOST:PORT", "[v6]:PORT", "[v6]" or bare IPv6
// address split into host and port.
struct ParsedServer {
  std::string host;
  int port = kDefaultNtpPort;
};

// ParseServer splits |text|. kUsage on an empty host, a bad or out-of-range
// port, or an unclosed '['.
Result<ParsedServer> ParseServer(std::string_view text);

// MeasureClock asks every server in |servers| (concurrently), reading time
// only from |clock|. Each reply must come from the server's address, echo our
// transmit timestamp (whose low bits are random), be mode 4 with a valid
// stratum; anything else is discarded or reported per server. A server that
// does not answer costs at most samples × timeout. kUsage when |servers| is
// empty, a server text does not parse (ParseServer), or samples or timeout
// are out of range; per-server failures
// (resolution, silence, kiss-o'-death) are in the report, not an Error.
// |clock| must be safe to call from several threads (every Clock is).
Result<ClockReport> MeasureClock(const std::vector<std::string>& servers,
                                 const MeasureOptions& options, const Clock& clock);

// NoAnswerError is the kNetworkError for a report where no server answered:
// "no NTP server answered: a: why; b: why".
Error NoAnswerError(const ClockReport& report);

// ClockReportJson is the `tock clock --json` document of docs/cli.md:
// {"offset_s","delay_s","servers":[{"server","address","offset_s","delay_s",
// "stratum","samples","error"}]}, with null figures for a server that did not
// answer, and a top-level "error" {"code":"network_error",...} when none did.
std::string ClockReportJson(const ClockReport& report);

}  // namespace tock

#endif  // TOCK_SNTP_H_
