// SkewTracker: remembers which tokens were already counted in the observed
// skew histogram, so a token reused a hundred times counts once.
#ifndef TOCK_SERVER_VALIDATE_SKEW_TRACKER_H_
#define TOCK_SERVER_VALIDATE_SKEW_TRACKER_H_

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tock/clock.h"

namespace tock::server {

class SkewTracker {
 public:
  // FirstSight is true the first time |id| is seen; it is remembered until
  // |forget_at|. Beyond |kMax| live ids, the ones closest to expiry go first.
  bool FirstSight(const std::string& id, UnixSeconds forget_at, UnixSeconds now);

 private:
  static constexpr std::size_t kMax = 200000;
  std::mutex mutex_;
  std::unordered_map<std::string, UnixSeconds> seen_;
  std::multimap<UnixSeconds, std::string> by_expiry_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_VALIDATE_SKEW_TRACKER_H_
