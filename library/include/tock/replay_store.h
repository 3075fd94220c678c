// ReplayStore: remembers one-time token ids (jti) until their tokens expire.
#ifndef TOCK_REPLAY_STORE_H_
#define TOCK_REPLAY_STORE_H_

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tock/clock.h"
#include "tock/result.h"

namespace tock {

// ReplayStore records ids that may be used once. Implementations are safe to
// call from any thread.
class ReplayStore {
 public:
  virtual ~ReplayStore() = default;

  // Consume records |id| as used until |expires_at| (a token's exp + skew).
  // Succeeds the first time; fails with kReplayed when |id| is already
  // recorded and not yet expired; fails with kNetworkError or kIoError when
  // the store cannot answer, so callers fail closed.
  virtual Result<void> Consume(std::string_view id, UnixSeconds expires_at) = 0;

  // Ping succeeds when the store answers; else the reason (kNetworkError or
  // kIoError), for health checks.
  virtual Result<void> Ping() = 0;

  // Name is "memory", "sqlite" or "redis".
  virtual std::string_view Name() const = 0;
};

// MemoryReplayStore keeps ids in this process only: a restart forgets them
// and several processes do not share them. Expired ids are dropped as time
// passes on |clock|, which must outlive the store. At most |max_entries|
// live ids are kept; beyond that Consume fails with kIoError (fail closed)
// rather than grow without bound.
class MemoryReplayStore final : public ReplayStore {
 public:
  explicit MemoryReplayStore(const Clock& clock, std::size_t max_entries = 1'000'000)
      : clock_(clock), max_entries_(max_entries) {}

  Result<void> Consume(std::string_view id, UnixSeconds expires_at) override;
  Result<void> Ping() override { return {}; }
  std::string_view Name() const override { return "memory"; }

 private:
  void PurgeExpired(UnixSeconds now);

  const Clock& clock_;
  std::size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::string, UnixSeconds> expiry_by_id_;
  std::multimap<UnixSeconds, std::string> ids_by_expiry_;
};

}  // namespace tock

#endif  // TOCK_REPLAY_STORE_H_
