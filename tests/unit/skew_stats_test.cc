#include "tock/skew_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include "testing/test_tokens.h"
#include "tock/verifier.h"

namespace tock {
namespace {

using tock::testing::kSeedNow;

TEST(SkewStats, UnknownIssuerHasNoSummary) {
  SkewStats stats;
  EXPECT_FALSE(stats.Summary("https://issuer.example"));
  EXPECT_TRUE(stats.All().empty());
}

TEST(SkewStats, SummarisesCountMinMedianMax) {
  SkewStats stats;
  const double now = kSeedNow;
  stats.Record("a", now + 73, now);
  stats.Record("a", now - 2, now);
  stats.Record("a", now + 5, now);
  std::optional<SkewSummary> s = stats.Summary("a");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 3u);
  EXPECT_EQ(s->min_s, -2);
  EXPECT_EQ(s->median_s, 5);
  EXPECT_EQ(s->max_s, 73);
}

TEST(SkewStats, EvenCountMedianIsMeanOfMiddleTwo) {
  SkewStats stats;
  for (double skew : {1.0, 10.0, 2.0, 4.0}) stats.Record("a", skew, 0);
  EXPECT_EQ(stats.Summary("a")->median_s, 3);
}

TEST(SkewStats, MedianCoversOnlyTheWindowButMinMaxCoverAll) {
  SkewStats stats(/*window=*/3);
  for (int i = 1; i <= 10; ++i) stats.Record("a", i, 0);
  SkewSummary s = *stats.Summary("a");
  EXPECT_EQ(s.count, 10u);
  EXPECT_EQ(s.min_s, 1);
  EXPECT_EQ(s.max_s, 10);
  EXPECT_EQ(s.median_s, 9);  // of 8, 9, 10
}

TEST(SkewStats, IssuersAreKeptApart) {
  SkewStats stats;
  stats.Record("fast", 90, 0);
  stats.Record("slow", -30, 0);
  auto all = stats.All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "fast");
  EXPECT_EQ(all[0].second.median_s, 90);
  EXPECT_EQ(all[1].first, "slow");
  EXPECT_EQ(all[1].second.median_s, -30);
}

TEST(SkewStats, IssuersBeyondCapAreDroppedAndCounted) {
  SkewStats stats(/*window=*/8, /*max_issuers=*/2);
  stats.Record("a", 1, 0);
  stats.Record("b", 2, 0);
  stats.Record("c", 3, 0);
  stats.Record("a", 4, 0);  // known issuers still record
  EXPECT_FALSE(stats.Summary("c"));
  EXPECT_EQ(stats.dropped(), 1u);
  EXPECT_EQ(stats.Summary("a")->count, 2u);
}

TEST(SkewStats, NonFiniteSampleIsIgnored) {
  SkewStats stats;
  stats.Record("a", std::numeric_limits<double>::infinity(), 0);
  stats.Record("a", std::nan(""), 0);
  EXPECT_FALSE(stats.Summary("a"));
}

TEST(SkewStats, ConcurrentRecordsAreAllCounted) {
  SkewStats stats(/*window=*/64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&stats, t] {
      for (int i = 0; i < 1000; ++i) stats.Record("a", t, 0);
    });
  }
  for (auto& th : threads) th.join();
  SkewSummary s = *stats.Summary("a");
  EXPECT_EQ(s.count, 4000u);
  EXPECT_EQ(s.min_s, 0);
  EXPECT_EQ(s.max_s, 3);
}

TEST(SkewStats, RecordsAcceptedTokenIatAgainstValidatorNow) {
  FixedClock clock(kSeedNow);
  Verifier verifier(JwkSet({testing::SecretKey()}), clock);
  Result<Validator> policy = ValidatorBuilder().Build();
  ASSERT_TRUE(policy.ok());
  // The issuer's clock is 40 s ahead: iat in the future, within the skew.
  std::string token = testing::Hs256(R"({"alg":"HS256"})",
                                     R"({"iss":"svc-a","iat":)" + std::to_string(kSeedNow + 40) +
                                         R"(,"exp":)" + std::to_string(kSeedNow + 600) + "}");
  Result<VerifiedToken> verified = verifier.Verify(token, *policy);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  SkewStats stats;
  stats.Record(*verified);
  SkewSummary s = *stats.Summary("svc-a");
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.median_s, 40);
}

}  // namespace
}  // namespace tock
