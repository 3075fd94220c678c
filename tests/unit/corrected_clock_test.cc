// CorrectedClock and MeasureCorrection against the scripted loopback responder.
#include "tock/corrected_clock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "testing/sntp_responder.h"
#include "testing/test_tokens.h"

namespace tock {
namespace {

using ::testing::HasSubstr;
using tock::testing::HasCode;
using tock::testing::kSeedNow;
using tock::testing::Reply;
using tock::testing::ResponderScript;
using tock::testing::SntpResponder;

constexpr double kMs = 0.001;

ResponderScript Offset(double offset_s) {
  ResponderScript s;
  s.offset_s = offset_s;
  return s;
}

ResponderScript Silent() {
  ResponderScript s;
  s.reply = Reply::kSilent;
  return s;
}

// Manual is a CorrectedClock without a background thread: the test calls
// Refresh() itself, so every state change is deterministic.
std::unique_ptr<CorrectedClock> Manual(const Clock& base, std::vector<std::string> servers,
                                       double fallback_after_s = 3600) {
  CorrectedClockOptions o;
  o.servers = std::move(servers);
  o.measure = MeasureOptions{2, 0.3, 0.0};
  o.refresh_interval_s = 0;
  o.fallback_after_s = fallback_after_s;
  Result<std::unique_ptr<CorrectedClock>> c = CorrectedClock::Start(base, std::move(o));
  EXPECT_TRUE(c.ok()) << c.error().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(CorrectedClock, BeforeAnyMeasurementReadsBaseClock) {
  FixedClock base(kSeedNow);
  auto clock = Manual(base, {"127.0.0.1:9"});
  EXPECT_EQ(clock->Now(), kSeedNow);
  CorrectionStatus s = clock->status();
  EXPECT_EQ(s.state, CorrectionState::kNotMeasured);
  EXPECT_EQ(s.offset_s, 0);
  EXPECT_FALSE(s.last_success);
  EXPECT_EQ(ToString(s.state), "not_measured");
}

TEST(CorrectedClock, AppliesMedianOfThreeServers) {
  FixedClock base(kSeedNow);
  SntpResponder a(base, Offset(2)), b(base, Offset(3)), c(base, Offset(50));
  auto clock = Manual(base, {a.server(), b.server(), c.server()});
  Result<ClockReport> r = clock->Refresh();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_NEAR(clock->NowPrecise(), kSeedNow + 3.0, kMs);
  EXPECT_EQ(clock->Now(), kSeedNow + 3);
  CorrectionStatus s = clock->status();
  EXPECT_EQ(s.state, CorrectionState::kSynchronised);
  EXPECT_NEAR(s.offset_s, 3.0, kMs);
  EXPECT_NEAR(*s.last_success, kSeedNow, kMs);  // base-clock time of the measurement
  EXPECT_THAT(s.text, HasSubstr("Synchronised: applying +3.000"));
}

TEST(CorrectedClock, EvenCountMedianIsMeanOfMiddleTwo) {
  FixedClock base(kSeedNow);
  SntpResponder a(base, Offset(2)), b(base, Offset(4));
  auto clock = Manual(base, {a.server(), b.server()});
  ASSERT_TRUE(clock->Refresh().ok());
  EXPECT_NEAR(clock->status().offset_s, 3.0, kMs);
}

TEST(CorrectedClock, OffsetOverCapIsRefusedAndNotApplied) {
  FixedClock base(kSeedNow);
  SntpResponder liar(base, Offset(700));
  auto clock = Manual(base, {liar.server()});
  Result<ClockReport> r = clock->Refresh();
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(),
              HasSubstr("offset of +700.000000 s, over the cap of 600 s; SNTP is unauthenticated"));
  EXPECT_EQ(clock->Now(), kSeedNow);
  CorrectionStatus s = clock->status();
  EXPECT_EQ(s.state, CorrectionState::kRefused);
  EXPECT_EQ(s.offset_s, 0);
  EXPECT_NEAR(*s.refused_offset_s, 700.0, kMs);
  EXPECT_THAT(s.text, HasSubstr("Still reading the base clock."));
}

TEST(CorrectedClock, RefusalKeepsEarlierFreshOffset) {
  FixedClock base(kSeedNow);
  SntpResponder server(base, Offset(5));
  auto clock = Manual(base, {server.server()});
  ASSERT_TRUE(clock->Refresh().ok());
  server.set_script(Offset(-700));
  EXPECT_THAT(clock->Refresh(), HasCode(ErrorCode::kNetworkError));
  CorrectionStatus s = clock->status();
  EXPECT_EQ(s.state, CorrectionState::kRefused);
  EXPECT_NEAR(s.offset_s, 5.0, kMs);
  EXPECT_EQ(clock->Now(), kSeedNow + 5);
}

TEST(CorrectedClock, ObserverSeesEveryMeasurementAppliedOrRefused) {
  FixedClock base(kSeedNow);
  SntpResponder server(base, Offset(5));
  std::vector<ClockMeasurement> seen;
  CorrectedClockOptions o;
  o.servers = {server.server()};
  o.measure = MeasureOptions{2, 0.3, 0.0};
  o.refresh_interval_s = 0;
  o.max_offset_s = 30;
  o.on_measurement = [&seen](const ClockMeasurement& m) { seen.push_back(m); };
  auto clock = CorrectedClock::Start(base, std::move(o));
  ASSERT_TRUE(clock.ok());
  ASSERT_TRUE((*clock)->Refresh().ok());
  server.set_script(Offset(73));
  EXPECT_THAT((*clock)->Refresh(), HasCode(ErrorCode::kNetworkError));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].applied);
  EXPECT_NEAR(*seen[0].offset_s, 5.0, kMs);
  EXPECT_FALSE(seen[1].applied);
  EXPECT_TRUE(seen[1].refused);
  EXPECT_NEAR(*seen[1].offset_s, 73.0, kMs);
  EXPECT_EQ(seen[1].max_offset_s, 30);
  EXPECT_THAT(seen[1].message, HasSubstr("over the cap of 30 s"));
  CorrectionStatus s = (*clock)->status();
  EXPECT_NEAR(*s.measured_offset_s, 73.0, kMs);  // the last measurement, refused
  EXPECT_NEAR(s.offset_s, 5.0, kMs);             // what Now() still applies
}

TEST(CorrectedClock, FallsBackToBaseClockAfterSilence) {
  FixedClock base(kSeedNow);
  SntpResponder server(base, Offset(5));
  auto clock = Manual(base, {server.server()}, /*fallback_after_s=*/0.5);
  ASSERT_TRUE(clock->Refresh().ok());
  EXPECT_EQ(clock->Now(), kSeedNow + 5);
  server.set_script(Silent());
  Result<ClockReport> r = clock->Refresh();  // 2 samples × 0.3 s: past the 0.5 s
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(), HasSubstr("no NTP server answered"));
  EXPECT_EQ(clock->Now(), kSeedNow);
  CorrectionStatus s = clock->status();
  EXPECT_EQ(s.state, CorrectionState::kFallback);
  EXPECT_EQ(s.offset_s, 0);
  EXPECT_NEAR(*s.last_offset_s, 5.0, kMs);
  EXPECT_THAT(s.text, HasSubstr("fell back to the base clock"));
}

TEST(CorrectedClock, BackgroundThreadMeasuresAndStopsPromptly) {
  FixedClock base(kSeedNow);
  SntpResponder server(base, Offset(7));
  CorrectedClockOptions o;
  o.servers = {server.server()};
  o.measure = MeasureOptions{1, 0.5, 0.0};
  o.refresh_interval_s = 0.05;
  Result<std::unique_ptr<CorrectedClock>> clock = CorrectedClock::Start(base, o);
  ASSERT_TRUE(clock.ok());
  for (int i = 0; i < 100 && (*clock)->status().state != CorrectionState::kSynchronised; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ((*clock)->Now(), kSeedNow + 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_GE(server.requests(), 2);  // re-measured on the interval
  auto start = std::chrono::steady_clock::now();
  clock.value().reset();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.2);
}

TEST(CorrectedClock, DestructorCancelsMeasurementInFlight) {
  FixedClock base(kSeedNow);
  SntpResponder server(base, Silent());
  CorrectedClockOptions o;
  o.servers = {server.server()};
  o.measure = MeasureOptions{4, 2.0, 0.0};  // 8 s if not cancelled
  o.refresh_interval_s = 60;
  auto clock = CorrectedClock::Start(base, o);
  ASSERT_TRUE(clock.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  clock.value().reset();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.3);
}

TEST(CorrectedClock, StartRefusesBadOptions) {
  FixedClock base(kSeedNow);
  CorrectedClockOptions o;
  EXPECT_THAT(CorrectedClock::Start(base, o), HasCode(ErrorCode::kUsage));
  o.servers = {"host:0"};
  EXPECT_THAT(CorrectedClock::Start(base, o), HasCode(ErrorCode::kUsage));
  o.servers = {"127.0.0.1:9"};
  o.max_offset_s = 0;
  EXPECT_THAT(CorrectedClock::Start(base, o), HasCode(ErrorCode::kUsage));
  o.max_offset_s = 600;
  o.fallback_after_s = -1;
  EXPECT_THAT(CorrectedClock::Start(base, o), HasCode(ErrorCode::kUsage));
}

// --- MeasureCorrection (tock sign --ntp) -----------------------------------

TEST(MeasureCorrection, MachineBehindByTrueTimeGivesItsOffset) {
  // The responder tells true time; this machine is 73 s behind it.
  FixedClock true_time(kSeedNow);
  OffsetClock machine(true_time, -73);
  SntpResponder server(true_time, Offset(0));
  Result<ClockCorrection> c = MeasureCorrection({server.server()}, machine);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_NEAR(c->offset_s, 73.0, kMs);
  OffsetClock corrected(machine, c->offset_s);
  EXPECT_EQ(corrected.Now(), kSeedNow);
  EXPECT_EQ(c->report.servers.size(), 1u);
  EXPECT_THAT(CorrectionNote(*c), HasSubstr("applied SNTP offset +73.000"));
  EXPECT_THAT(CorrectionNote(*c),
              HasSubstr("(median of 1 answering server of 1): this machine's clock is 73.000 s "
                        "behind"));
}

TEST(MeasureCorrection, OverCapIsNetworkError) {
  FixedClock base(kSeedNow);
  SntpResponder liar(base, Offset(700));
  Result<ClockCorrection> c = MeasureCorrection({liar.server()}, base);
  EXPECT_THAT(c, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(c.error().message(), HasSubstr("+700.000000 s, over the cap of 600 s"));
  // A smaller cap refuses smaller offsets.
  SntpResponder server(base, Offset(73));
  EXPECT_THAT(MeasureCorrection({server.server()}, base, 60), HasCode(ErrorCode::kNetworkError));
}

TEST(MeasureCorrection, NoAnswerIsNetworkError) {
  FixedClock base(kSeedNow);
  SntpResponder silent(base, Silent());
  Result<ClockCorrection> c =
      MeasureCorrection({silent.server()}, base, 600, MeasureOptions{1, 0.2, 0.0});
  EXPECT_THAT(c, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(c.error().message(), HasSubstr("no NTP server answered: 127.0.0.1:"));
}

TEST(MeasureCorrection, MedianOffsetOfNoAnswerIsNullopt) {
  ClockReport report;
  report.servers.resize(1);
  report.servers[0].error = "silence";
  EXPECT_FALSE(MedianOffset(report));
}

}  // namespace
}  // namespace tock
