// SkewTracker: each token counts once in the skew histogram, for as long as
// it is remembered, and memory stays bounded.
#include "validate/skew_tracker.h"

#include <gtest/gtest.h>

#include <string>

namespace tock::server {
namespace {

TEST(SkewTracker, CountsAnIdOnceUntilItIsForgotten) {
  SkewTracker seen;
  EXPECT_TRUE(seen.FirstSight("iss\njti-1", 1000, 100));
  EXPECT_FALSE(seen.FirstSight("iss\njti-1", 1000, 101));
  EXPECT_TRUE(seen.FirstSight("iss\njti-2", 1000, 101));
  EXPECT_FALSE(seen.FirstSight("iss\njti-1", 1000, 999));
  // At forget_at the id is dropped: a later sight counts again.
  EXPECT_TRUE(seen.FirstSight("iss\njti-1", 2000, 1000));
  EXPECT_EQ(seen.size(), 1u);  // jti-2 (forget_at 1000) went with it
}

TEST(SkewTracker, AtTheBoundTheIdsClosestToExpiryGoFirst) {
  SkewTracker seen;
  constexpr int kMax = 200000;
  for (int i = 0; i < kMax; ++i) {
    ASSERT_TRUE(seen.FirstSight("id-" + std::to_string(i), 10000 + i, 0));
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMax));
  EXPECT_TRUE(seen.FirstSight("one-more", 50000, 0));
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMax));
  EXPECT_TRUE(seen.FirstSight("id-0", 10000, 0)) << "the earliest expiry was evicted";
  EXPECT_FALSE(seen.FirstSight("id-199999", 10000 + 199999, 0)) << "the latest is kept";
}

}  // namespace
}  // namespace tock::server
