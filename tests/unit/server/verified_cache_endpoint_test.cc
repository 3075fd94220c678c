// The verified-token cache: a cached token is judged, to the second, exactly
// as an uncached one. Each test runs /validate in-process (HandleValidate)
// on two contexts with the same trust entry and clock, one with the cache
// and one without, and compares the answers.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "context.h"
#include "endpoints.h"
#include "tock/key_resolver.h"
#include "tock/token_builder.h"
#include "validate/verified_cache.h"

namespace tock::server {
namespace {

constexpr UnixSeconds kStart = 1'800'000'000;
constexpr const char* kIssuer = "https://idp.test";

class ManualClock final : public Clock {
 public:
  UnixSeconds Now() const override { return now_.load(); }
  void Set(UnixSeconds now) { now_.store(now); }

 private:
  std::atomic<UnixSeconds> now_{kStart};
};

Key MakeKey(const std::string& kid) {
  Result<Key> key = GenerateKey(Algorithm::kES256);
  EXPECT_TRUE(key.ok());
  return key->WithKid(kid);
}

// SwappableKeys is a trust entry's key set a test can replace, as a JWKS
// refresh would.
class SwappableKeys final : public KeyResolver {
 public:
  explicit SwappableKeys(std::vector<Key> keys) { Set(std::move(keys)); }
  void Set(std::vector<Key> keys) {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = std::make_shared<const JwkSet>(std::move(keys));
  }
  Result<std::shared_ptr<const JwkSet>> Resolve(const TokenHeader&,
                                                const std::optional<std::string>&) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_;
  }
  HeldKeys Held(const std::optional<std::string>&) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return HeldKeys{set_, true};
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const JwkSet> set_;
};

struct Answer {
  unsigned status;
  std::string body;
  std::string challenge;
};

// Validating is a /validate in-process, with or without the cache.
class Validating {
 public:
  Validating(const Clock& clock, const Key& key, std::int64_t skew_s, bool one_time,
             std::size_t cache_size)
      : log_(clock, std::nullopt),
        ctx_(MakeConfig(skew_s, one_time, cache_size), clock, log_, metrics_) {
    ctx_.replay = std::make_unique<MemoryReplayStore>(clock);
    keys_ = std::make_shared<SwappableKeys>(std::vector<Key>{key});
    ctx_.trust.emplace(kIssuer, TrustEntry{ctx_.config.trust.front(), keys_});
    ctx_.issuer_keys.Add(kIssuer, keys_);
  }

  Answer Validate(const std::string& token, const std::string& query = "") {
    Request req;
    req.msg.method(http::verb::get);
    req.msg.target("/validate");
    req.msg.set(http::field::authorization, "Bearer " + token);
    req.path = "/validate";
    req.query = query;
    req.remote_ip = "127.0.0.1";
    Response res = HandleValidate(ctx_, req);
    return {res.result_int(), res.body(), std::string(res[http::field::www_authenticate])};
  }

  void SetKeys(std::vector<Key> keys) { keys_->Set(std::move(keys)); }
  std::string MetricsText() const { return metrics_.Render(); }
  ServerContext& ctx() { return ctx_; }

 private:
  static Config MakeConfig(std::int64_t skew_s, bool one_time, std::size_t cache_size) {
    Config c;
    c.issuer = "http://127.0.0.1:1";
    TrustConfig t;
    t.issuer = kIssuer;
    t.audiences = {"api", "other"};
    t.skew_s = skew_s;
    t.one_time = one_time;
    c.trust.push_back(t);
    c.validate.cache_size = cache_size;
    return c;
  }

  Logger log_;
  Metrics metrics_;
  ServerContext ctx_;
  std::shared_ptr<SwappableKeys> keys_;
};

std::string MakeToken(const Key& key, UnixSeconds iat, std::int64_t ttl_s,
                      const std::string& aud = "api") {
  TokenBuilder b;
  b.SetString("iss", kIssuer);
  b.SetString("sub", "svc");
  b.SetString("scope", "read");
  b.SetAudiences({aud});
  Lifetime life;
  life.ttl_s = ttl_s;
  life.nbf_backdate_s = 0;
  b.StampTimes(iat, life);
  b.SetKid(*key.kid());
  Result<std::string> token = b.Sign(key, Algorithm::kES256);
  EXPECT_TRUE(token.ok());
  return *token;
}

std::size_t Count(const std::string& metrics, const std::string& series) {
  std::size_t at = metrics.find(series + " ");
  if (at == std::string::npos) return 0;
  return std::stoul(metrics.substr(at + series.size() + 1));
}

void ExpectSame(const Answer& cached, const Answer& uncached, const std::string& what) {
  EXPECT_EQ(cached.status, uncached.status) << what;
  EXPECT_EQ(cached.body, uncached.body) << what;
  EXPECT_EQ(cached.challenge, uncached.challenge) << what;
}

class CachedExpiry : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(CachedExpiry, ACachedTokenExpiresToTheSecondAsAnUncachedOne) {
  const std::int64_t skew = GetParam();
  ManualClock clock;
  Key key = MakeKey("k1");
  Validating cached(clock, key, skew, false, 100);
  Validating uncached(clock, key, skew, false, 0);
  const std::string token = MakeToken(key, kStart, 100);  // exp = kStart + 100
  EXPECT_EQ(cached.Validate(token).status, 204u);
  EXPECT_EQ(cached.ctx().verified_cache.size(), 1u);
  const UnixSeconds last_good = kStart + 100 + skew - 1;
  for (UnixSeconds now : {kStart + 1, last_good, last_good + 1, last_good + 2}) {
    clock.Set(now);
    Answer a = cached.Validate(token);
    ExpectSame(a, uncached.Validate(token), "at now = exp + " + std::to_string(now - kStart - 100));
    EXPECT_EQ(a.status, now <= last_good ? 204u : 401u) << now - kStart;
  }
  EXPECT_NE(cached.Validate(token).body.find("\"expired\""), std::string::npos);
  const std::string m = cached.MetricsText();
  // Hits at kStart + 1 and last_good; the first sight was a miss, and from
  // exp + skew on the entry is dropped (misses again).
  EXPECT_EQ(Count(m, "tock_validate_cache_total{result=\"hit\"}"), 2u) << m;
  EXPECT_EQ(cached.ctx().verified_cache.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutSkew, CachedExpiry, ::testing::Values(0, 30));

TEST(VerifiedCacheEndpoint, TheLocationsAudienceAndScopeAreCheckedOnEveryHit) {
  ManualClock clock;
  Key key = MakeKey("k1");
  Validating cached(clock, key, 0, false, 100);
  Validating uncached(clock, key, 0, false, 0);
  const std::string token = MakeToken(key, kStart, 600);  // aud "api", scope "read"
  EXPECT_EQ(cached.Validate(token, "aud=api").status, 204u);
  // "other" is one of the entry's audiences, but the token lacks it.
  Answer other = cached.Validate(token, "aud=other");
  ExpectSame(other, uncached.Validate(token, "aud=other"), "aud=other");
  EXPECT_EQ(other.status, 401u);
  EXPECT_NE(other.body.find("aud_mismatch"), std::string::npos) << other.body;
  Answer scope = cached.Validate(token, "aud=api&scope=admin");
  ExpectSame(scope, uncached.Validate(token, "aud=api&scope=admin"), "scope=admin");
  EXPECT_EQ(scope.status, 403u);
  // The refusals at other locations did not drop the entry.
  EXPECT_EQ(cached.Validate(token, "aud=api").status, 204u);
  EXPECT_EQ(Count(cached.MetricsText(), "tock_validate_cache_total{result=\"hit\"}"), 3u);
}

TEST(VerifiedCacheEndpoint, AKeyRemovedFromTheSetIsVerifiedAgainAndRefused) {
  ManualClock clock;
  Key key = MakeKey("k1");
  Key other = MakeKey("k2");
  Validating cached(clock, key, 0, false, 100);
  Validating uncached(clock, key, 0, false, 0);
  const std::string token = MakeToken(key, kStart, 600);
  EXPECT_EQ(cached.Validate(token).status, 204u);
  EXPECT_EQ(cached.Validate(token).status, 204u);  // a hit
  cached.SetKeys({other});
  uncached.SetKeys({other});
  Answer a = cached.Validate(token);
  ExpectSame(a, uncached.Validate(token), "after the key left the set");
  EXPECT_EQ(a.status, 401u);
  EXPECT_EQ(cached.ctx().verified_cache.size(), 0u);
  // The same kid with another key (a swapped key): the signature is checked.
  cached.SetKeys({MakeKey("k1")});
  uncached.SetKeys({MakeKey("k1")});
  a = cached.Validate(token);
  EXPECT_EQ(a.status, 401u);
  EXPECT_NE(a.body.find("bad_signature"), std::string::npos) << a.body;
  const std::string m = cached.MetricsText();
  EXPECT_EQ(Count(m, "tock_validate_cache_total{result=\"hit\"}"), 1u) << m;
  EXPECT_EQ(Count(m, "tock_validate_cache_total{result=\"miss\"}"), 3u) << m;
}

TEST(VerifiedCacheEndpoint, OneTimeTokensAreNeverCached) {
  ManualClock clock;
  Key key = MakeKey("k1");
  Validating cached(clock, key, 0, true, 100);
  const std::string token = MakeToken(key, kStart, 600);
  EXPECT_EQ(cached.Validate(token).status, 204u);
  Answer again = cached.Validate(token);
  EXPECT_EQ(again.status, 401u);
  EXPECT_NE(again.body.find("replayed"), std::string::npos) << again.body;
  EXPECT_EQ(cached.ctx().verified_cache.size(), 0u);
  EXPECT_EQ(cached.MetricsText().find("tock_validate_cache_total{"), std::string::npos);
}

TEST(VerifiedCacheEndpoint, ATamperedTokenNeverMatchesTheEntryOfTheOriginal) {
  ManualClock clock;
  Key key = MakeKey("k1");
  Validating cached(clock, key, 0, false, 100);
  const std::string token = MakeToken(key, kStart, 600);
  EXPECT_EQ(cached.Validate(token).status, 204u);
  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(cached.Validate(tampered).status, 401u);
}

// Four threads through /validate and the cache at once (run under TSan by
// the tsan preset): hits, misses, evictions and expiry sweeps.
TEST(VerifiedCacheEndpoint, FourThreadsShareIt) {
  ManualClock clock;
  Key key = MakeKey("k1");
  Validating cached(clock, key, 0, false, 20);
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i) tokens.push_back(MakeToken(key, kStart - i, 600));
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (cached.Validate(tokens[(i * 7 + t) % tokens.size()]).status != 204) ++refused;
        if (t == 0 && i % 50 == 0) cached.ctx().verified_cache.DropExpired(clock.Now());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_LE(cached.ctx().verified_cache.size(), 20u);
}

}  // namespace
}  // namespace tock::server
