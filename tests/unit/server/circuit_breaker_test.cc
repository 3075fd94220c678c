// Tests for the replay store's circuit breaker: open for its period after a
// failure (callers get the failure's message at once), then one probe.
#include "replay/circuit_breaker.h"

#include <gtest/gtest.h>

namespace tock::server {
namespace {

using std::chrono::milliseconds;

TEST(CircuitBreakerTest, ClosedAdmitsEveryone) {
  CircuitBreaker breaker(milliseconds(1000));
  auto now = std::chrono::steady_clock::time_point{} + milliseconds(5000);
  EXPECT_FALSE(breaker.Admit(now));
  EXPECT_FALSE(breaker.Admit(now));
}

TEST(CircuitBreakerTest, OpenAnswersTheFailureAtOnceThenOneProbe) {
  CircuitBreaker breaker(milliseconds(1000));
  auto t0 = std::chrono::steady_clock::time_point{} + milliseconds(5000);
  breaker.Failed(t0, "replay store unreachable: timeout");
  EXPECT_EQ(breaker.Admit(t0 + milliseconds(999)), "replay store unreachable: timeout");
  EXPECT_FALSE(breaker.Admit(t0 + milliseconds(1000)));  // the probe
  EXPECT_EQ(breaker.Admit(t0 + milliseconds(1001)), "replay store unreachable: timeout");
  breaker.Failed(t0 + milliseconds(1250), "still down");
  EXPECT_EQ(breaker.Admit(t0 + milliseconds(2249)), "still down");
  EXPECT_FALSE(breaker.Admit(t0 + milliseconds(2250)));
  breaker.Succeeded();
  EXPECT_FALSE(breaker.Admit(t0 + milliseconds(2251)));
  EXPECT_FALSE(breaker.Admit(t0 + milliseconds(2251)));
}

}  // namespace
}  // namespace tock::server
