// Tests for tock::JwksCache with a fake fetcher and a settable clock:
// the precise rules (max-age clamp, cooldown, stale-if-error, max_stale) and
// stale while revalidate (a request with a usable set never waits for a
// refresh; an unknown kid waits for the in-flight fetch at most
// fetch_timeout).
#include "tock/jwks_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_tokens.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::tock::testing::HasCode;
using Steady = std::chrono::steady_clock;

constexpr UnixSeconds kStart = 1781255830;

std::string Jwk(const std::string& kid, char which) {
  const char* xy =
      which == 'a'
          ? R"("x":"CCtiiYjOPJ0kgnF0aTyuKfg2Il9HaI_0dBwfsYV8I_s","y":"UuOOy4JpqOfMHV0uXqu4mw8i1DowEcwF4k5efbwohd4")"
          : R"("x":"d6D3sgDZ8yABRB_MIuKdOHrXb7coHWiTiTpOgXtwxsw","y":"vaCFNyIUz1mvoJ5gbcTSqP9JOHXYwMmMn1BT-SKOuyI")";
  return R"({"kty":"EC","crv":"P-256","alg":"ES256","kid":")" + kid + R"(",)" + xy + "}";
}

std::string Jwks(const std::string& keys) { return R"({"keys":[)" + keys + "]}"; }

class ManualClock final : public Clock {
 public:
  UnixSeconds Now() const override { return now_.load(); }
  void Advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<UnixSeconds> now_{kStart};
};

// FakeFetcher answers with |body| (or fails); while |blocked| it holds each
// fetch until Release() or the fetch's own timeout.
class FakeFetcher {
 public:
  JwksFetcher AsFetcher() {
    return [this](const std::string&, double timeout_s) -> Result<JwksDocument> {
      std::unique_lock<std::mutex> lock(mutex_);
      ++calls_;
      changed_.notify_all();
      bool released = changed_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                                        [&] { return !blocked_; });
      if (!released) return Error(ErrorCode::kNetworkError, "timed out (fake)");
      if (fail_) return Error(ErrorCode::kNetworkError, "upstream down (fake)");
      return JwksDocument{body_, max_age_};
    };
  }
  void Answer(std::string body, std::optional<std::int64_t> max_age = std::nullopt) {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = std::move(body);
    max_age_ = max_age;
    fail_ = false;
  }
  void Fail() {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_ = true;
  }
  void Block() {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_ = false;
    changed_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  // WaitForCalls waits (at most 5 s) until |n| fetches have started.
  bool WaitForCalls(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return calls_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int calls_ = 0;
  bool blocked_ = false;
  bool fail_ = false;
  std::string body_;
  std::optional<std::int64_t> max_age_;
};

bool HasKid(const JwkSet& set, const std::string& kid) {
  for (const Key& key : set.keys())
    if (key.kid() == kid) return true;
  return false;
}

class JwksCacheTest : public ::testing::Test {
 protected:
  JwksCacheTest() { fetcher_.Answer(Jwks(Jwk("a", 'a')), 120); }
  std::unique_ptr<JwksCache> Make(JwksCacheSettings settings = {}) {
    return std::make_unique<JwksCache>("https://issuer.example/jwks", settings, clock_,
                                       fetcher_.AsFetcher());
  }
  // Elapsed runs Get and reports its wall time.
  static double Timed(JwksCache& cache, const std::string& kid,
                      Result<std::shared_ptr<const JwkSet>>* out) {
    Steady::time_point start = Steady::now();
    *out = cache.Get(kid);
    return std::chrono::duration<double>(Steady::now() - start).count();
  }

  ManualClock clock_;
  FakeFetcher fetcher_;
};

TEST_F(JwksCacheTest, FirstGetFetchesOnceAndCaches) {
  auto cache = Make();
  auto got = cache->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(HasKid(**got, "a"));
  clock_.Advance(119);
  EXPECT_TRUE(cache->Get("a").ok());
  EXPECT_EQ(fetcher_.calls(), 1);
}

TEST_F(JwksCacheTest, ExpiredSetIsServedAtOnceWhileOneRefreshRunsInBackground) {
  auto cache = Make();
  ASSERT_TRUE(cache->Get("a").ok());
  clock_.Advance(121);  // past max-age 120
  fetcher_.Answer(Jwks(Jwk("a", 'a') + "," + Jwk("b", 'b')), 120);
  fetcher_.Block();
  for (int i = 0; i < 5; ++i) {
    Result<std::shared_ptr<const JwkSet>> got = Error(ErrorCode::kNetworkError, "unset");
    EXPECT_LT(Timed(*cache, "a", &got), 0.5);
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(HasKid(**got, "b"));  // the stale set
  }
  ASSERT_TRUE(fetcher_.WaitForCalls(2));
  EXPECT_EQ(fetcher_.calls(), 2);  // one refresh for all five
  fetcher_.Release();
  // The refreshed set arrives without a request waiting for it.
  Steady::time_point deadline = Steady::now() + std::chrono::seconds(5);
  bool seen = false;
  while (!seen && Steady::now() < deadline) {
    auto got = cache->Get("a");
    seen = got.ok() && HasKid(**got, "b");
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(fetcher_.calls(), 2);
}

TEST_F(JwksCacheTest, UnknownKidWaitsForTheInFlightFetchAtMostFetchTimeout) {
  JwksCacheSettings settings;
  settings.fetch_timeout_s = 1;
  auto cache = Make(settings);
  ASSERT_TRUE(cache->Get("a").ok());
  clock_.Advance(121);
  fetcher_.Block();
  ASSERT_TRUE(cache->Get("a").ok());  // starts the background refresh
  ASSERT_TRUE(fetcher_.WaitForCalls(2));
  Result<std::shared_ptr<const JwkSet>> got = Error(ErrorCode::kNetworkError, "unset");
  double waited = Timed(*cache, "b", &got);
  EXPECT_GE(waited, 0.9);
  EXPECT_LT(waited, 2.0);
  ASSERT_TRUE(got.ok());  // the cached set: the caller answers key_not_found
  EXPECT_FALSE(HasKid(**got, "b"));
  EXPECT_EQ(fetcher_.calls(), 2);  // it shared the in-flight fetch
  fetcher_.Release();
}

TEST_F(JwksCacheTest, UnknownKidFetchesOnceThenCoolsDown) {
  auto cache = Make();
  ASSERT_TRUE(cache->Get("a").ok());
  fetcher_.Answer(Jwks(Jwk("a", 'a') + "," + Jwk("b", 'b')), 120);
  auto got = cache->Get("b");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(HasKid(**got, "b"));
  EXPECT_EQ(fetcher_.calls(), 2);
  clock_.Advance(10);
  ASSERT_TRUE(cache->Get("c").ok());  // within the 30 s cooldown: no fetch
  EXPECT_EQ(fetcher_.calls(), 2);
  clock_.Advance(21);
  ASSERT_TRUE(cache->Get("c").ok());
  EXPECT_EQ(fetcher_.calls(), 3);
}

TEST_F(JwksCacheTest, MaxAgeIsClampedToMinAndMax) {
  fetcher_.Answer(Jwks(Jwk("a", 'a')), 5);  // below cache_min (60 s)
  auto cache = Make();
  ASSERT_TRUE(cache->Get("a").ok());
  clock_.Advance(59);
  ASSERT_TRUE(cache->Get("a").ok());
  EXPECT_EQ(fetcher_.calls(), 1);
  clock_.Advance(2);
  ASSERT_TRUE(cache->Get("a").ok());
  ASSERT_TRUE(fetcher_.WaitForCalls(2));

  FakeFetcher long_lived;
  long_lived.Answer(Jwks(Jwk("a", 'a')), 10 * 86400);  // above cache_max (24 h)
  JwksCache capped("https://issuer.example/jwks", {}, clock_, long_lived.AsFetcher());
  ASSERT_TRUE(capped.Get("a").ok());
  clock_.Advance(86400);
  ASSERT_TRUE(capped.Get("a").ok());
  EXPECT_TRUE(long_lived.WaitForCalls(2));
}

TEST_F(JwksCacheTest, StaleIfErrorUntilMaxStaleThen503) {
  JwksCacheSettings settings;
  settings.max_stale_s = 600;
  auto cache = Make(settings);
  ASSERT_TRUE(cache->Get("a").ok());
  fetcher_.Fail();
  clock_.Advance(300);
  EXPECT_TRUE(cache->Get("a").ok());  // expired, refresh fails: the last good set
  ASSERT_TRUE(fetcher_.WaitForCalls(2));
  clock_.Advance(301);  // 601 s after the last good fetch
  auto got = cache->Get("a");
  EXPECT_THAT(got, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(got.error().message(), ::testing::HasSubstr("max_stale"));
}

TEST_F(JwksCacheTest, NoSetAndAFailedFetchIs503WithoutRetryDuringCooldown) {
  fetcher_.Fail();
  auto cache = Make();
  auto got = cache->Get("a");
  EXPECT_THAT(got, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(got.error().message(), ::testing::HasSubstr("upstream down (fake)"));
  clock_.Advance(29);
  EXPECT_THAT(cache->Get("a"), HasCode(ErrorCode::kNetworkError));
  EXPECT_EQ(fetcher_.calls(), 1);
  fetcher_.Answer(Jwks(Jwk("a", 'a')));
  clock_.Advance(2);
  EXPECT_TRUE(cache->Get("a").ok());
  EXPECT_EQ(fetcher_.calls(), 2);
}

TEST_F(JwksCacheTest, NoSetWaitsAtMostFetchTimeout) {
  JwksCacheSettings settings;
  settings.fetch_timeout_s = 1;
  fetcher_.Block();
  auto cache = Make(settings);
  Result<std::shared_ptr<const JwkSet>> got = Error(ErrorCode::kNetworkError, "unset");
  EXPECT_LT(Timed(*cache, "a", &got), 2.0);
  EXPECT_THAT(got, HasCode(ErrorCode::kNetworkError));
  fetcher_.Release();
}

TEST_F(JwksCacheTest, ConcurrentRequestsWithoutASetShareOneFetch) {
  fetcher_.Block();
  auto cache = Make();
  std::atomic<int> ok{0};
  std::vector<std::thread> requests;
  for (int i = 0; i < 8; ++i) {
    requests.emplace_back([&] {
      if (cache->Get("a").ok()) ++ok;
    });
  }
  ASSERT_TRUE(fetcher_.WaitForCalls(1));
  // Let the other requests reach the wait before the fetch completes.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  fetcher_.Release();
  for (std::thread& t : requests) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(fetcher_.calls(), 1);
}

TEST_F(JwksCacheTest, ConcurrentUnknownKidsShareOneFetch) {
  auto cache = Make();
  ASSERT_TRUE(cache->Get("a").ok());
  fetcher_.Answer(Jwks(Jwk("a", 'a') + "," + Jwk("b", 'b')), 120);
  fetcher_.Block();
  std::atomic<int> found{0};
  std::vector<std::thread> requests;
  for (int i = 0; i < 8; ++i) {
    requests.emplace_back([&] {
      auto got = cache->Get("b");
      if (got.ok() && HasKid(**got, "b")) ++found;
    });
  }
  ASSERT_TRUE(fetcher_.WaitForCalls(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  fetcher_.Release();
  for (std::thread& t : requests) t.join();
  EXPECT_EQ(found.load(), 8);
  EXPECT_EQ(fetcher_.calls(), 2);
}

TEST_F(JwksCacheTest, HeldNeitherFetchesNorWaitsAndTurnsUnusablePastMaxStale) {
  JwksCacheSettings settings;
  settings.max_stale_s = 600;
  auto cache = Make(settings);
  HeldKeys none = cache->Held();
  EXPECT_EQ(none.keys, nullptr);
  EXPECT_FALSE(none.usable);
  EXPECT_EQ(fetcher_.calls(), 0);
  ASSERT_TRUE(cache->Get("a").ok());
  HeldKeys held = cache->Held();
  ASSERT_NE(held.keys, nullptr);
  EXPECT_TRUE(held.usable);
  fetcher_.Fail();
  clock_.Advance(601);  // expired and past max_stale: nothing was refreshed
  held = cache->Held();
  EXPECT_NE(held.keys, nullptr);
  EXPECT_FALSE(held.usable);
  EXPECT_EQ(fetcher_.calls(), 1);
}

TEST_F(JwksCacheTest, HoldsKeyByKidAndThumbprint) {
  auto cache = Make();
  auto got = cache->Get("a");
  ASSERT_TRUE(got.ok());
  const Key& verified_with = (*got)->keys().front();
  EXPECT_TRUE(HoldsKey(**got, verified_with));
  Result<LoadedKeys> other =
      LoadKeys(Jwks(Jwk("a", 'b')), KeyOrigin::kRemote);  // same kid, new key
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(HoldsKey(JwkSet(other->keys), verified_with));
  Result<LoadedKeys> renamed =
      LoadKeys(Jwks(Jwk("z", 'a')), KeyOrigin::kRemote);  // same key, new kid
  ASSERT_TRUE(renamed.ok());
  EXPECT_FALSE(HoldsKey(JwkSet(renamed->keys), verified_with));
}

}  // namespace
}  // namespace tock
