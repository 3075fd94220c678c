// CircuitBreaker: after a store failed to answer, callers are told "still
// unreachable" at once for a while instead of each waiting for a timeout
// (Envoy's outlier ejection, Hystrix's open state). When the period is over
// one caller probes the store; the others keep failing fast until it is back.
#ifndef TOCK_SERVER_REPLAY_CIRCUIT_BREAKER_H_
#define TOCK_SERVER_REPLAY_CIRCUIT_BREAKER_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace tock::server {

class CircuitBreaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CircuitBreaker(std::chrono::steady_clock::duration open_for) : open_for_(open_for) {}

  // Admit: nullopt when the caller may try the store now; else the message
  // of the failure that opened the breaker, to answer with at once.
  std::optional<std::string> Admit(TimePoint now) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_) return std::nullopt;
    if (now < open_until_ || probing_) return failure_;
    probing_ = true;  // half open: this caller is the one probe
    return std::nullopt;
  }

  // Succeeded closes the breaker: the store answered (a refusal such as a
  // wrong password is an answer too: it costs no timeout).
  void Succeeded() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
    probing_ = false;
  }

  // Failed opens the breaker for the period from |now|, with |message|.
  void Failed(TimePoint now, std::string message) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    probing_ = false;
    open_until_ = now + open_for_;
    failure_ = std::move(message);
  }

 private:
  const std::chrono::steady_clock::duration open_for_;
  std::mutex mutex_;
  bool open_ = false;
  bool probing_ = false;
  TimePoint open_until_{};
  std::string failure_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_REPLAY_CIRCUIT_BREAKER_H_
