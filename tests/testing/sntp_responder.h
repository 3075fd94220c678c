// A scripted SNTP server on loopback for tests (never installed): it answers
// with chosen offsets, or with the faults a client must survive (bad origin,
// kiss-o'-death, stratum 16, LI 3, truncated packets, mode 3, zero transmit,
// silence). Its time comes from an injected tock::Clock, so a test decides
// exactly how far "the server" is from "this machine".
#ifndef TOCK_TESTING_SNTP_RESPONDER_H_
#define TOCK_TESTING_SNTP_RESPONDER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tock/clock.h"

namespace tock::testing {

// SteadyTestClock starts at |start| (Unix s) and advances with the monotonic
// clock: sub-second precision and real elapsed time, yet a known epoch.
class SteadyTestClock final : public Clock {
 public:
  explicit SteadyTestClock(double start);
  UnixSeconds Now() const override;
  double NowPrecise() const override;

 private:
  double start_;
  std::chrono::steady_clock::time_point origin_;
};

// Reply is what the responder does with a request.
enum class Reply {
  kTime,          // a correct mode-4 answer: time = clock + offset
  kBadOrigin,     // a correct answer whose originate does not echo the request
  kKiss,          // stratum 0 with |kiss_code| as reference ID
  kStratum16,     // stratum 16 (unsynchronised)
  kLeapUnsync,    // LI 3 with a normal stratum
  kTruncated,     // the first |truncated_bytes| bytes of a correct answer
  kModeClient,    // a correct answer but with mode 3
  kZeroTransmit,  // a correct answer with a zero transmit timestamp
  kSilent,        // no answer at all
};

// ResponderScript says how to answer. Per-request lists are indexed by the
// request number and repeat their last element.
struct ResponderScript {
  Reply reply = Reply::kTime;
  std::vector<Reply> replies;     // per request; overrides reply
  double offset_s = 0;            // server clock minus |clock|
  std::vector<double> offsets_s;  // per request; overrides offset_s
  // delays_s, per request: the request "travels" this long before the server
  // stamps it (outbound path delay), so δ grows by it and θ by half of it.
  std::vector<double> delays_s;
  int stratum = 2;
  std::string kiss_code = "RATE";
  std::size_t truncated_bytes = 40;
};

// SntpResponder serves |script| on 127.0.0.1 (or ::1) on an ephemeral port
// from a background thread until destroyed.
class SntpResponder {
 public:
  SntpResponder(const Clock& clock, ResponderScript script, bool ipv6 = false);
  ~SntpResponder();
  SntpResponder(const SntpResponder&) = delete;
  SntpResponder& operator=(const SntpResponder&) = delete;

  int port() const { return port_; }
  // server is "127.0.0.1:PORT" or "[::1]:PORT".
  std::string server() const;
  // requests counts the requests received so far.
  int requests() const { return requests_.load(); }
  // set_script changes the answers from the next request on.
  void set_script(ResponderScript script);

 private:
  void Serve();
  void Answer(const std::uint8_t* request, std::size_t size, const void* peer, unsigned peer_len);

  const Clock& clock_;
  bool ipv6_;
  int fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  ResponderScript script_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tock::testing

#endif  // TOCK_TESTING_SNTP_RESPONDER_H_
