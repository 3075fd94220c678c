// MeasureClock against the scripted loopback responder: chosen offsets and
// every fault a server (or an attacker) can send. Never a non-loopback server.
#include "tock/sntp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

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
using tock::testing::SteadyTestClock;

constexpr double kMs = 0.001;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

ResponderScript Answer(Reply reply) {
  ResponderScript s;
  s.reply = reply;
  return s;
}

ResponderScript Offset(double offset_s) {
  ResponderScript s;
  s.offset_s = offset_s;
  return s;
}

ClockReport Measure(const std::vector<std::string>& servers, const Clock& clock, int samples = 4,
                    double timeout_s = 2.0) {
  Result<ClockReport> r = MeasureClock(servers, MeasureOptions{samples, timeout_s, 0.0}, clock);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? r.value() : ClockReport{};
}

// A loopback UDP port with nothing listening (bound, then closed).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), len);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// --- ParseServer ---------------------------------------------------------

TEST(SntpParseServer, HostAloneGetsPort123) {
  Result<ParsedServer> p = ParseServer("pool.ntp.org");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "pool.ntp.org");
  EXPECT_EQ(p->port, 123);
}

TEST(SntpParseServer, HostPortAndBracketedV6Split) {
  EXPECT_EQ(ParseServer("127.0.0.1:12300")->port, 12300);
  EXPECT_EQ(ParseServer("127.0.0.1:12300")->host, "127.0.0.1");
  EXPECT_EQ(ParseServer("[::1]:12301")->host, "::1");
  EXPECT_EQ(ParseServer("[::1]:12301")->port, 12301);
  EXPECT_EQ(ParseServer("[fe80::1]")->port, 123);
  EXPECT_EQ(ParseServer("::1")->host, "::1");  // bare IPv6: every colon is the address's
  EXPECT_EQ(ParseServer("::1")->port, 123);
}

TEST(SntpParseServer, BadFormsAreUsageErrors) {
  for (const char* bad : {"", ":123", "host:", "host:0", "host:65536", "host:12a", "[::1", "[::1]x",
                          "[]:123", "[::1]:", "host:99999999999"}) {
    Result<ParsedServer> p = ParseServer(bad);
    EXPECT_THAT(p, HasCode(ErrorCode::kUsage)) << bad;
    if (!p.ok()) {
      EXPECT_THAT(p.error().message(), HasSubstr("NTP server \"")) << bad;
    }
  }
}

// --- Options -------------------------------------------------------------

TEST(SntpMeasure, NoServerIsUsageError) {
  FixedClock clock(kSeedNow);
  EXPECT_THAT(MeasureClock({}, {}, clock), HasCode(ErrorCode::kUsage));
}

TEST(SntpMeasure, ZeroSamplesOrTimeoutIsUsageError) {
  FixedClock clock(kSeedNow);
  Result<ClockReport> r = MeasureClock({"127.0.0.1:9"}, MeasureOptions{0, 1.0, 0.0}, clock);
  EXPECT_THAT(r, HasCode(ErrorCode::kUsage));
  EXPECT_THAT(r.error().message(), HasSubstr("between 1 and 64, not 0"));
  EXPECT_THAT(MeasureClock({"127.0.0.1:9"}, MeasureOptions{1, 0.0, 0.0}, clock),
              HasCode(ErrorCode::kUsage));
}

TEST(SntpMeasure, BadServerTextIsUsageErrorBeforeAnyQuery) {
  FixedClock clock(kSeedNow);
  Result<ClockReport> r = MeasureClock({"127.0.0.1:9", "host:0"}, {}, clock);
  EXPECT_THAT(r, HasCode(ErrorCode::kUsage));
  EXPECT_THAT(r.error().message(), HasSubstr("NTP server \"host:0\": port \"0\""));
}

// --- Chosen offsets --------------------------------------------------------

TEST(SntpMeasure, ServerAhead73sGivesPlus73) {
  FixedClock clock(kSeedNow);
  SntpResponder server(clock, Offset(73));
  ClockReport report = Measure({server.server()}, clock);
  ASSERT_TRUE(report.answered()) << report.servers[0].error.value_or("");
  const ServerMeasurement& m = report.servers[0];
  EXPECT_NEAR(*m.offset_s, 73.0, kMs);
  EXPECT_NEAR(*m.delay_s, 0.0, kMs);
  EXPECT_EQ(m.stratum, 2);
  EXPECT_EQ(m.samples, 4);
  EXPECT_EQ(m.address, server.server());
  EXPECT_FALSE(m.error);
  EXPECT_NEAR(*report.offset_s, 73.0, kMs);
  EXPECT_EQ(server.requests(), 4);
}

TEST(SntpMeasure, ServerBehind90sOnARunningClockGivesMinus90) {
  SteadyTestClock clock(kSeedNow);
  SntpResponder server(clock, Offset(-90));
  ClockReport report = Measure({server.server()}, clock);
  ASSERT_TRUE(report.answered());
  EXPECT_NEAR(*report.offset_s, -90.0, 5 * kMs);
  EXPECT_GE(*report.delay_s, 0.0);
  EXPECT_LT(*report.delay_s, 0.05);
}

TEST(SntpMeasure, Ipv6LoopbackWithBracketsAnswers) {
  SteadyTestClock clock(kSeedNow);
  SntpResponder server(clock, Offset(73), /*ipv6=*/true);
  ClockReport report = Measure({server.server()}, clock, 2);
  ASSERT_TRUE(report.answered()) << report.servers[0].error.value_or("");
  EXPECT_EQ(report.servers[0].address, "[::1]:" + std::to_string(server.port()));
  EXPECT_NEAR(*report.offset_s, 73.0, 5 * kMs);
}

TEST(SntpMeasure, HostnameIsResolved) {
  SteadyTestClock clock(kSeedNow);
  SntpResponder server(clock, Offset(5));
  ClockReport report = Measure({"localhost:" + std::to_string(server.port())}, clock, 1);
  ASSERT_TRUE(report.answered()) << report.servers[0].error.value_or("");
  EXPECT_EQ(report.servers[0].server, "localhost:" + std::to_string(server.port()));
  EXPECT_NEAR(*report.offset_s, 5.0, 5 * kMs);
}

TEST(SntpMeasure, SampleWithSmallestDelayIsChosen) {
  SteadyTestClock clock(kSeedNow);
  ResponderScript script;
  script.offsets_s = {5, 7, 9};
  script.delays_s = {0.2, 0.0, 0.1};
  SntpResponder server(clock, script);
  ClockReport report = Measure({server.server()}, clock, 3);
  ASSERT_TRUE(report.answered());
  EXPECT_NEAR(*report.offset_s, 7.0, 5 * kMs);
  EXPECT_LT(*report.delay_s, 0.05);
  EXPECT_EQ(report.servers[0].samples, 3);
}

TEST(SntpMeasure, BestEstimateIsServerWithSmallestDelay) {
  SteadyTestClock clock(kSeedNow);
  ResponderScript slow = Offset(10);
  slow.delays_s = {0.15};
  SntpResponder far(clock, slow);
  SntpResponder near(clock, Offset(20));
  ClockReport report = Measure({far.server(), near.server()}, clock, 2);
  ASSERT_TRUE(report.answered());
  EXPECT_EQ(report.best, 1u);
  EXPECT_NEAR(*report.offset_s, 20.0, 5 * kMs);
  // The slow server's one-way delay shows as δ and half of it in θ.
  EXPECT_NEAR(*report.servers[0].offset_s, 10.075, 0.03);
  EXPECT_GT(*report.servers[0].delay_s, 0.14);
}

TEST(SntpMeasure, SomeSamplesFailingStillAnswers) {
  SteadyTestClock clock(kSeedNow);
  ResponderScript script = Offset(3);
  script.replies = {Reply::kStratum16, Reply::kTime, Reply::kModeClient, Reply::kTime};
  SntpResponder server(clock, script);
  ClockReport report = Measure({server.server()}, clock, 4, 0.5);
  ASSERT_TRUE(report.answered());
  EXPECT_EQ(report.servers[0].samples, 2);
  EXPECT_FALSE(report.servers[0].error);
  EXPECT_NEAR(*report.offset_s, 3.0, 5 * kMs);
}

// --- Faults --------------------------------------------------------------

// ExpectFault measures one server answering with |reply| and returns its error.
std::string ExpectFault(Reply reply, int samples = 1, double timeout_s = 0.3) {
  FixedClock clock(kSeedNow);
  SntpResponder server(clock, Answer(reply));
  ClockReport report = Measure({server.server()}, clock, samples, timeout_s);
  EXPECT_FALSE(report.answered());
  EXPECT_FALSE(report.offset_s);
  const ServerMeasurement& m = report.servers.at(0);
  EXPECT_FALSE(m.offset_s);
  EXPECT_FALSE(m.delay_s);
  EXPECT_FALSE(m.stratum);
  EXPECT_EQ(m.samples, 0);
  return m.error.value_or("(no error)");
}

TEST(SntpMeasure, BadOriginTimestampIsIgnoredAndReported) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(ExpectFault(Reply::kBadOrigin),
              HasSubstr("within 0.3 s; a reply whose originate timestamp does not echo our "
                        "transmit timestamp"));
  EXPECT_LT(Seconds(start), 0.3 + 0.25);
}

TEST(SntpMeasure, KissOfDeathReportsCodeAndStopsAsking) {
  FixedClock clock(kSeedNow);
  ResponderScript script = Answer(Reply::kKiss);
  script.kiss_code = "RATE";
  SntpResponder server(clock, script);
  ClockReport report = Measure({server.server()}, clock, 4);
  ASSERT_FALSE(report.answered());
  EXPECT_THAT(*report.servers[0].error, HasSubstr("kiss-o'-death with code \"RATE\""));
  EXPECT_EQ(server.requests(), 1);  // RFC 4330 §8: stop sending
}

TEST(SntpMeasure, Stratum16IsUnsynchronisedError) {
  EXPECT_THAT(ExpectFault(Reply::kStratum16), HasSubstr("unsynchronised (stratum 16)"));
}

TEST(SntpMeasure, LeapIndicator3IsUnsynchronisedError) {
  EXPECT_THAT(ExpectFault(Reply::kLeapUnsync), HasSubstr("leap indicator 3"));
}

TEST(SntpMeasure, ModeClientReplyIsRefused) {
  EXPECT_THAT(ExpectFault(Reply::kModeClient), HasSubstr("mode 3, not 4 (server)"));
}

TEST(SntpMeasure, ZeroTransmitTimestampIsRefused) {
  EXPECT_THAT(ExpectFault(Reply::kZeroTransmit), HasSubstr("transmit timestamp is zero"));
}

TEST(SntpMeasure, TruncatedReplyIsReportedWithItsSize) {
  EXPECT_THAT(ExpectFault(Reply::kTruncated),
              HasSubstr("within 0.3 s; truncated NTP reply: 40 bytes"));
}

TEST(SntpMeasure, SilenceEndsWithinSamplesTimesTimeout) {
  auto start = std::chrono::steady_clock::now();
  std::string error = ExpectFault(Reply::kSilent, 2, 0.4);
  double elapsed = Seconds(start);
  EXPECT_THAT(error, HasSubstr("no reply from 127.0.0.1:"));
  EXPECT_THAT(error, HasSubstr("within 0.4 s."));
  EXPECT_GE(elapsed, 0.8);
  EXPECT_LT(elapsed, 0.8 + 0.3);
}

TEST(SntpMeasure, ClosedPortIsConnectionRefused) {
  FixedClock clock(kSeedNow);
  std::string server = "127.0.0.1:" + std::to_string(ClosedPort());
  auto start = std::chrono::steady_clock::now();
  ClockReport report = Measure({server}, clock, 2, 1.0);
  EXPECT_LT(Seconds(start), 0.5);
  ASSERT_FALSE(report.answered());
  EXPECT_THAT(*report.servers[0].error, HasSubstr("connection refused: nothing answers NTP on"));
}

TEST(SntpMeasure, LateReplyToEarlierSampleIsIgnored) {
  SteadyTestClock clock(kSeedNow);
  ResponderScript script;
  script.offsets_s = {100, 5};
  script.delays_s = {0.5, 0.0};  // the first answer arrives after its sample gave up
  SntpResponder server(clock, script);
  ClockReport report = Measure({server.server()}, clock, 2, 0.3);
  ASSERT_TRUE(report.answered()) << report.servers[0].error.value_or("");
  EXPECT_EQ(report.servers[0].samples, 1);
  // The second request waited ~0.2 s behind the first in the responder's
  // queue, which shows as half of it in θ; the stale answer would say ~100.
  EXPECT_NEAR(*report.offset_s, 5.0, 0.5);
}

TEST(SntpMeasure, SilentServerBesideGoodOneLeavesGoodAsBest) {
  FixedClock clock(kSeedNow);
  SntpResponder silent(clock, Answer(Reply::kSilent));
  SntpResponder good(clock, Offset(-90));
  ClockReport report = Measure({silent.server(), good.server()}, clock, 1, 0.3);
  ASSERT_TRUE(report.answered());
  EXPECT_EQ(report.best, 1u);
  EXPECT_NEAR(*report.offset_s, -90.0, kMs);
  EXPECT_THAT(*report.servers[0].error, HasSubstr("no reply"));
}

// --- Reports -------------------------------------------------------------

TEST(SntpReport, JsonHasSpecShapeWithNullsForFailedServer) {
  ClockReport report;
  ServerMeasurement good;
  good.server = "127.0.0.1:12300";
  good.address = "127.0.0.1:12300";
  good.offset_s = 73.5;
  good.delay_s = 0.25;
  good.stratum = 8;
  good.samples = 4;
  ServerMeasurement bad;
  bad.server = "[::1]:12301";
  bad.address = "[::1]:12301";
  bad.error = "no reply from [::1]:12301 within 2 s.";
  report.servers = {good, bad};
  report.best = 0;
  report.offset_s = 73.5;
  report.delay_s = 0.25;
  EXPECT_EQ(ClockReportJson(report),
            R"({"offset_s":73.5,"delay_s":0.25,"servers":[)"
            R"({"server":"127.0.0.1:12300","address":"127.0.0.1:12300","offset_s":73.5,)"
            R"("delay_s":0.25,"stratum":8,"samples":4,"error":null},)"
            R"({"server":"[::1]:12301","address":"[::1]:12301","offset_s":null,"delay_s":null,)"
            R"("stratum":null,"samples":0,"error":"no reply from [::1]:12301 within 2 s."}]})");
}

TEST(SntpReport, NoAnswerJsonHasNullFiguresAndNetworkError) {
  ClockReport report;
  ServerMeasurement bad;
  bad.server = "nowhere.invalid";
  bad.error = "could not resolve \"nowhere.invalid\": Name or service not known.";
  report.servers = {bad};
  EXPECT_EQ(ClockReportJson(report),
            R"({"offset_s":null,"delay_s":null,"servers":[{"server":"nowhere.invalid",)"
            R"("address":null,"offset_s":null,"delay_s":null,"stratum":null,"samples":0,)"
            R"("error":"could not resolve \"nowhere.invalid\": Name or service not known."}],)"
            R"("error":{"code":"network_error","message":"no NTP server answered: )"
            R"(nowhere.invalid: could not resolve \"nowhere.invalid\": Name or service not )"
            R"(known."}})");
}

TEST(SntpReport, NoAnswerErrorListsEveryServer) {
  ClockReport report;
  report.servers.resize(2);
  report.servers[0].server = "a:1";
  report.servers[0].error = "no reply from a within 2 s.";
  report.servers[1].server = "b:2";
  report.servers[1].error = "connection refused: nothing answers NTP on b.";
  Error e = NoAnswerError(report);
  EXPECT_EQ(e.code(), ErrorCode::kNetworkError);
  EXPECT_EQ(e.message(),
            "no NTP server answered: a:1: no reply from a within 2 s; b:2: connection refused: "
            "nothing answers NTP on b.");
}

}  // namespace
}  // namespace tock
