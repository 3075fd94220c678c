#include "tock/replay_store.h"

#include <gtest/gtest.h>

#include <atomic>

namespace tock {
namespace {

// SettableClock lets a test move time forward.
class SettableClock final : public Clock {
 public:
  explicit SettableClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Set(UnixSeconds now) { now_ = now; }

 private:
  std::atomic<UnixSeconds> now_;
};

TEST(MemoryReplayStore, SecondUseIsReplayed) {
  SettableClock clock(1000);
  MemoryReplayStore store(clock);
  ASSERT_TRUE(store.Consume("a", 1600).ok());
  Result<void> again = store.Consume("a", 1600);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kReplayed);
  EXPECT_NE(again.error().message().find("token replayed"), std::string::npos);
  EXPECT_TRUE(store.Consume("b", 1600).ok());
}

TEST(MemoryReplayStore, IdIsForgottenAtItsExpiry) {
  SettableClock clock(1000);
  MemoryReplayStore store(clock);
  ASSERT_TRUE(store.Consume("a", 1600).ok());
  clock.Set(1599);
  EXPECT_EQ(store.Consume("a", 1700).error().code(), ErrorCode::kReplayed);
  clock.Set(1600);
  EXPECT_TRUE(store.Consume("a", 2200).ok());
}

TEST(MemoryReplayStore, FullStoreFailsClosed) {
  SettableClock clock(1000);
  MemoryReplayStore store(clock, 2);
  ASSERT_TRUE(store.Consume("a", 2000).ok());
  ASSERT_TRUE(store.Consume("b", 2000).ok());
  Result<void> third = store.Consume("c", 2000);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code(), ErrorCode::kIoError);
  clock.Set(2000);  // a and b expire: room again
  EXPECT_TRUE(store.Consume("c", 3000).ok());
}

TEST(MemoryReplayStore, PingAnswersAndNameIsMemory) {
  SettableClock clock(1000);
  MemoryReplayStore store(clock);
  EXPECT_TRUE(store.Ping().ok());
  EXPECT_EQ(store.Name(), "memory");
}

}  // namespace
}  // namespace tock
