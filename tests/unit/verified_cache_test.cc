// VerifiedCache (server/validate/verified_cache.cc, which needs only the
// library): bounds, expiry, and four threads at once (the tsan preset runs
// these). The endpoint's use of it: tests/unit/server/verified_cache_endpoint_test.cc.
#include "validate/verified_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tock/token_builder.h"
#include "tock/verifier.h"

namespace tock {
namespace {

using server::VerifiedCache;

constexpr UnixSeconds kStart = 1'800'000'000;
constexpr const char* kIssuer = "https://idp.test";

Key MakeKey(const std::string& kid) {
  Result<Key> key = GenerateKey(Algorithm::kES256);
  EXPECT_TRUE(key.ok());
  return key->WithKid(kid);
}

VerifiedCache::Digest DigestOf(int i) {
  return *VerifiedCache::DigestOf(kIssuer, std::to_string(i).append("-token"));
}

TEST(VerifiedCache, EvictsTheLeastRecentlyUsedAtCacheSize) {
  VerifiedCache cache({3, 32u << 20});
  Key key = MakeKey("k1");
  for (int i = 0; i < 3; ++i) cache.Remember(DigestOf(i), key, kStart + 100);
  EXPECT_TRUE(cache.Find(DigestOf(0), kStart));  // 0 is now the most recent
  cache.Remember(DigestOf(3), key, kStart + 100);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Find(DigestOf(0), kStart));
  EXPECT_FALSE(cache.Find(DigestOf(1), kStart)) << "the least recently used goes first";
  EXPECT_TRUE(cache.Find(DigestOf(2), kStart));
  EXPECT_TRUE(cache.Find(DigestOf(3), kStart));
}

TEST(VerifiedCache, CacheBytesBoundsItWhenReachedFirst) {
  VerifiedCache cache({100000, 5 * VerifiedCache::kEntryBytes});
  Key key = MakeKey("k1");
  for (int i = 0; i < 50; ++i) cache.Remember(DigestOf(i), key, kStart + 100);
  EXPECT_EQ(cache.size(), 5u);
  EXPECT_TRUE(cache.Find(DigestOf(49), kStart));
  EXPECT_FALSE(cache.Find(DigestOf(0), kStart));
}

TEST(VerifiedCache, SizeZeroIsOffAndDropExpiredEmptiesIt) {
  VerifiedCache off({0, 32u << 20});
  EXPECT_FALSE(off.enabled());
  off.Remember(DigestOf(1), MakeKey("k1"), kStart + 100);
  EXPECT_EQ(off.size(), 0u);
  VerifiedCache cache({100000, 32u << 20});
  Key key = MakeKey("k1");
  for (int i = 0; i < 1000; ++i) cache.Remember(DigestOf(i), key, kStart + i % 2);
  cache.DropExpired(kStart);  // drop_at kStart goes (now >= drop_at), kStart + 1 stays
  EXPECT_EQ(cache.size(), 500u);
}

TEST(VerifiedCache, TheDigestCoversTheTrustEntryAndEveryByte) {
  EXPECT_NE(*VerifiedCache::DigestOf("a", "bc"), *VerifiedCache::DigestOf("ab", "c"));
  EXPECT_NE(*VerifiedCache::DigestOf("a", "x.y.z"), *VerifiedCache::DigestOf("a", "x.y.Z"));
  EXPECT_EQ(*VerifiedCache::DigestOf("a", "x.y.z"), *VerifiedCache::DigestOf("a", "x.y.z"));
}

// Four threads remember, find (and verify with the key found), forget and
// sweep at once, on a one-shard and a sharded cache.
TEST(VerifiedCache, FourThreadsAtOnce) {
  Key key = MakeKey("k1");
  FixedClock clock(kStart);
  Verifier verifier(JwkSet({key}), clock);
  Result<Validator> policy = ValidatorBuilder().AddIssuer(kIssuer).AddAudience("api").Build();
  ASSERT_TRUE(policy.ok());
  std::vector<std::string> tokens;
  for (int i = 0; i < 32; ++i) {
    TokenBuilder b;
    b.SetString("iss", kIssuer);
    b.SetAudiences({"api"});
    b.StampTimes(kStart - i, Lifetime{});
    b.SetKid("k1");
    tokens.push_back(*b.Sign(key, Algorithm::kES256));
  }
  for (std::size_t size : {std::size_t{16}, std::size_t{8192}}) {
    VerifiedCache cache({size, 32u << 20});
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 300; ++i) {
          const std::string& token = tokens[(i * 5 + t) % tokens.size()];
          VerifiedCache::Digest digest = *VerifiedCache::DigestOf(kIssuer, token);
          std::optional<Key> known = cache.Find(digest, kStart);
          Result<VerifiedToken> verified =
              known ? verifier.VerifyKnownSignature(token, *policy, *known)
                    : verifier.Verify(token, *policy);
          if (!verified.ok()) ++refused;
          if (verified.ok() && !known) cache.Remember(digest, verified->key(), kStart + 600);
          if (i % 37 == t) cache.Forget(digest);
          if (t == 3 && i % 50 == 0) cache.DropExpired(kStart);
        }
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(refused.load(), 0);
    EXPECT_LE(cache.size(), size);
  }
}

TEST(VerifiedCache, AKnownKeyOutsideTheSetIsAFullVerify) {
  Key key = MakeKey("k1");
  Key other = MakeKey("k1");  // same kid, another key
  FixedClock clock(kStart);
  Result<Validator> policy = ValidatorBuilder().AddIssuer(kIssuer).AddAudience("api").Build();
  TokenBuilder b;
  b.SetString("iss", kIssuer);
  b.SetAudiences({"api"});
  b.StampTimes(kStart, Lifetime{});
  b.SetKid("k1");
  std::string token = *b.Sign(key, Algorithm::kES256);
  Verifier swapped(JwkSet({other}), clock);
  Result<VerifiedToken> v = swapped.VerifyKnownSignature(token, *policy, key);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kBadSignature);
}

}  // namespace
}  // namespace tock
