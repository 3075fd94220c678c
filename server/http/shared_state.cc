#include "http/shared_state.h"

#include <sys/resource.h>

#include <algorithm>

namespace tock::server::detail {

constexpr std::size_t kReservedDescriptors = 32;

std::size_t ConnectionCap(std::size_t max_connections) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY)
    return std::max<std::size_t>(1, max_connections);
  std::size_t open_files = static_cast<std::size_t>(files.rlim_cur);
  std::size_t by_files =
      open_files > kReservedDescriptors + 1 ? open_files - kReservedDescriptors : 1;
  return std::max<std::size_t>(1, std::min(max_connections, by_files));
}

SessionSlots::iterator SharedState::Register(SessionSlot slot) {
  std::lock_guard<std::mutex> lock(mutex);
  return sessions.insert(sessions.end(), std::move(slot));
}

void SharedState::Unregister(SessionSlots::iterator slot) {
  std::lock_guard<std::mutex> lock(mutex);
  if (slot->evicting) --evicting;
  sessions.erase(slot);
  changed.notify_all();
}

SharedState::Room SharedState::MakeRoom() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (sessions.size() - evicting < cap) return Room::kFree;
  }
  return EvictOldestIdle() ? Room::kEvicted : Room::kFull;
}

bool SharedState::EvictOldestIdle() {
  std::function<void()> evict;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto oldest = std::find_if(sessions.begin(), sessions.end(), [](const SessionSlot& s) {
      return !s.evicting && !s.in_flight->load(std::memory_order_relaxed);
    });
    if (oldest == sessions.end()) return false;
    oldest->evicting = true;
    ++evicting;
    evict = oldest->evict;
  }
  // Without the lock: the callback may drop the last reference to its
  // session, whose destructor takes the lock.
  evict();
  return true;
}

std::vector<std::function<void()>> SharedState::BeginStopping() {
  std::vector<std::function<void()>> close_if_idle;
  std::lock_guard<std::mutex> lock(mutex);
  stopping = true;
  for (SessionSlot& slot : sessions) close_if_idle.push_back(slot.close_if_idle);
  changed.notify_all();
  return close_if_idle;
}

}  // namespace tock::server::detail
