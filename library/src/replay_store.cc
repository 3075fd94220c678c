#include "tock/replay_store.h"

#include <string>

namespace tock {

void MemoryReplayStore::PurgeExpired(UnixSeconds now) {
  auto it = ids_by_expiry_.begin();
  while (it != ids_by_expiry_.end() && it->first <= now) {
    auto found = expiry_by_id_.find(it->second);
    if (found != expiry_by_id_.end() && found->second == it->first) expiry_by_id_.erase(found);
    it = ids_by_expiry_.erase(it);
  }
}

Result<void> MemoryReplayStore::Consume(std::string_view id, UnixSeconds expires_at) {
  UnixSeconds now = clock_.Now();
  std::lock_guard<std::mutex> lock(mutex_);
  PurgeExpired(now);
  std::string key(id);
  auto found = expiry_by_id_.find(key);
  if (found != expiry_by_id_.end()) {
    return Error(ErrorCode::kReplayed, "token replayed: the token id (jti) \"" + key +
                                           "\" was already used; it stays recorded until " +
                                           std::to_string(found->second) + " (now " +
                                           std::to_string(now) + ")");
  }
  if (expiry_by_id_.size() >= max_entries_) {
    return Error(ErrorCode::kIoError, "the in-memory replay store is full (" +
                                          std::to_string(max_entries_) +
                                          " live ids); refusing rather than forgetting one");
  }
  if (expires_at <= now) return {};  // Already expired: nothing to remember.
  expiry_by_id_.emplace(key, expires_at);
  ids_by_expiry_.emplace(expires_at, std::move(key));
  return {};
}

}  // namespace tock
