#include "validate/skew_tracker.h"

namespace tock::server {

bool SkewTracker::FirstSight(const std::string& id, UnixSeconds forget_at, UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!by_expiry_.empty() && (by_expiry_.begin()->first <= now || seen_.size() >= kMax)) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (!seen_.emplace(id, forget_at).second) return false;
  by_expiry_.emplace(forget_at, id);
  return true;
}

}  // namespace tock::server
