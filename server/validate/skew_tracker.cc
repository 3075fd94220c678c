#include "validate/skew_tracker.h"

namespace tock::server {

bool SkewTracker::FirstSight(std::string_view id, UnixSeconds forget_at, UnixSeconds now) {
  std::uint64_t key = std::hash<std::string_view>{}(id);
  std::lock_guard<std::mutex> lock(mutex_);
  while (!by_expiry_.empty() && (by_expiry_.top().first <= now || seen_.size() >= kMax)) {
    auto [when, old] = by_expiry_.top();
    by_expiry_.pop();
    // The heap may hold an older expiry of an id seen again since.
    if (auto it = seen_.find(old); it != seen_.end() && it->second == when) seen_.erase(it);
  }
  if (!seen_.emplace(key, forget_at).second) return false;
  by_expiry_.emplace(forget_at, key);
  return true;
}

std::size_t SkewTracker::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.size();
}

}  // namespace tock::server
