#include "issuer/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tock::server {

constexpr std::size_t kMaxKeys = 100000;

bool RateLimiter::Allow(const std::string& key, double now) {
  double burst = std::max(1.0, rate_);
  std::lock_guard<std::mutex> lock(mutex_);
  if (buckets_.size() >= kMaxKeys) {
    // Forget buckets that have refilled: they hold no state worth keeping.
    std::erase_if(buckets_, [&](const auto& kv) {
      return kv.second.tokens + (now - kv.second.last) * rate_ >= burst;
    });
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst, b.tokens + std::max(0.0, now - b.last) * rate_);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

long RateLimiter::RetryAfter() const {
  return std::max(1L, static_cast<long>(std::ceil(1.0 / rate_)));
}

}  // namespace tock::server
