// SkewTracker: remembers which tokens were already counted in the observed
// skew histogram, so a token reused a hundred times counts once.
#ifndef TOCK_SERVER_VALIDATE_SKEW_TRACKER_H_
#define TOCK_SERVER_VALIDATE_SKEW_TRACKER_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tock/clock.h"

namespace tock::server {

class SkewTracker {
 public:
  // FirstSight is true the first time |id| is seen; it is remembered until
  // |forget_at|. Beyond kMax live ids, the ones closest to expiry go first.
  bool FirstSight(std::string_view id, UnixSeconds forget_at, UnixSeconds now);

  std::size_t size() const;

 private:
  // Ids are kept as 64-bit hashes, about 56 bytes an entry instead of two
  // copies of the id in two node-based maps: every distinct accepted token
  // lands here for its lifetime, and the soak (tests/soak) showed the old
  // form growing the server's RSS by half over 300k requests. A collision
  // only leaves one token out of a histogram.
  static constexpr std::size_t kMax = 200000;
  using Expiry = std::pair<UnixSeconds, std::uint64_t>;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, UnixSeconds> seen_;  // id hash -> forget_at
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> by_expiry_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_VALIDATE_SKEW_TRACKER_H_
