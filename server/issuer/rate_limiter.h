// RateLimiter: a token bucket per key (client id, remote address).
#ifndef TOCK_SERVER_ISSUER_RATE_LIMITER_H_
#define TOCK_SERVER_ISSUER_RATE_LIMITER_H_

#include <mutex>
#include <string>
#include <unordered_map>

namespace tock::server {

class RateLimiter {
 public:
  // |per_second| requests per second per key, with a burst of the same size.
  explicit RateLimiter(double per_second) : rate_(per_second) {}

  // Allow takes one request for |key| at |now| (seconds); false when the
  // bucket is empty. Idle keys are forgotten so the map stays bounded.
  bool Allow(const std::string& key, double now);
  // RetryAfter is the whole seconds until a request would be allowed again.
  long RetryAfter() const;

 private:
  struct Bucket {
    double tokens;
    double last;
  };
  double rate_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_RATE_LIMITER_H_
