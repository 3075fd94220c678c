// `tock probe`'s method (cli/commands/probe_search.cc) against a fake
// validator with a chosen clock offset and skew, on a fake clock whose sleep
// only advances it: the whole measurement runs in microseconds.
#include "commands/probe_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tock::cli {
namespace {

class FakeTime final : public Clock {
 public:
  explicit FakeTime(double start) : t(start) {}
  UnixSeconds Now() const override { return static_cast<UnixSeconds>(std::floor(t)); }
  double NowPrecise() const override { return t; }
  double t;
};

// FakeValidator applies the time rules of cli.md with its own clock, |offset|
// ahead of ours, and |skew|; a request takes |latency| seconds each way.
struct FakeValidator {
  FakeTime* time = nullptr;
  double offset = 0;
  double skew = 0;
  bool checks_iat = true;
  bool requires_exp = true;
  double latency = 0.002;
  int fail_from_request = 0;  // answer 429 from this request on (0: never)
  bool refuse_all = false;
  std::vector<double> sent_at;

  Result<ProbeAnswer> operator()(const ProbeClaims& c) {
    sent_at.push_back(time->t);
    if (fail_from_request > 0 && static_cast<int>(sent_at.size()) >= fail_from_request) {
      return Error(ErrorCode::kProbeError, "the validator answered HTTP 429");
    }
    time->t += latency;
    const double now = std::floor(time->t + offset);
    time->t += latency;
    bool ok = !refuse_all;
    ok = ok && (c.exp ? now < static_cast<double>(*c.exp) + skew : !requires_exp);
    ok = ok && !(c.nbf && now < static_cast<double>(*c.nbf) - skew);
    ok = ok && !(checks_iat && c.iat && static_cast<double>(*c.iat) > now + skew);
    return ProbeAnswer{ok, ok ? "HTTP 204" : R"(HTTP 401, WWW-Authenticate: Bearer error="x")",
                       latency * 2000};
  }
};

struct Probe {
  explicit Probe(double start = 1781255830.37) : time(start) { validator.time = &time; }
  Result<ProbeFindings> Run(ProbeLimits limits = {}) {
    ProbeTiming timing{&time, [this](double s) { time.t += s; }};
    return RunProbe([this](const ProbeClaims& c) { return validator(c); }, timing, limits);
  }
  FakeTime time;
  FakeValidator validator;
};

TEST(ProbeSearch, SolvesIntegerOffsetsAndSkewsExactly) {
  struct Case {
    double offset, skew;
    std::int64_t u, l;
  };
  // The spec's example (o = -9, s = 25: U = 16, L = 34), the tests' tock
  // servers, the seed scenario and U, L of opposite signs.
  for (const Case& c :
       {Case{-9, 25, 16, 34}, Case{-7, 20, 13, 27}, Case{45, 0, 45, -45}, Case{-2, 0, -2, 2},
        Case{0, 5, 5, 5}, Case{0, 0, 0, 0}, Case{-60, 30, -30, 90}}) {
    SCOPED_TRACE("offset " + std::to_string(c.offset) + " skew " + std::to_string(c.skew));
    Probe p;
    p.validator.offset = c.offset;
    p.validator.skew = c.skew;
    Result<ProbeFindings> f = p.Run();
    ASSERT_TRUE(f.ok()) << f.error().message();
    EXPECT_EQ(f->nbf_edge_s, c.u);
    EXPECT_EQ(f->exp_edge_s, c.l);
    EXPECT_EQ(f->offset_s, c.offset);
    EXPECT_EQ(f->skew_s, c.skew);
    EXPECT_NEAR(f->uncertainty_s, 1.002, 1e-9);
    EXPECT_EQ(f->requests, static_cast<std::int64_t>(p.validator.sent_at.size()));
  }
}

TEST(ProbeSearch, FractionalOffsetsLandWithinTheUncertainty) {
  for (double offset : {-9.4, -0.6, 0.3, 12.75, 44.99}) {
    for (double start : {1781255830.0, 1781255830.5, 1781255830.97}) {
      SCOPED_TRACE("offset " + std::to_string(offset) + " start " + std::to_string(start));
      Probe p(start);
      p.validator.offset = offset;
      p.validator.skew = 7;
      Result<ProbeFindings> f = p.Run();
      ASSERT_TRUE(f.ok()) << f.error().message();
      EXPECT_LE(std::fabs(f->offset_s - offset), f->uncertainty_s);
      EXPECT_LE(std::fabs(f->skew_s - 7), f->uncertainty_s);
    }
  }
}

TEST(ProbeSearch, EveryRequestLeavesWithin100msAfterAWholeSecondAtTheRate) {
  Probe p(1781255830.42);
  p.validator.offset = -7;
  p.validator.skew = 20;
  ASSERT_TRUE(p.Run(ProbeLimits{3600, 64, 0.5}).ok());
  ASSERT_GT(p.validator.sent_at.size(), 10u);
  for (std::size_t i = 0; i < p.validator.sent_at.size(); ++i) {
    const double t = p.validator.sent_at[i];
    EXPECT_LT(t - std::floor(t), kSlotWindowS) << "request " << i;
    if (i > 0) {
      EXPECT_GE(t - p.validator.sent_at[i - 1], 2.0 - 1e-9) << "request " << i;
    }
  }
}

TEST(ProbeSearch, AtMaxOneHourNeverMoreThan56Requests) {
  struct Case {
    double offset, skew;
  };
  // Edges near 0, near the middle and just inside --max on either side.
  for (const Case& c : {Case{0, 0}, Case{0, 3599}, Case{1000, 2599}, Case{500, 3000}, Case{0, 2049},
                        Case{3, 1}, Case{-50, 10}, Case{-1000, 2599}}) {
    Probe p;
    p.validator.offset = c.offset;
    p.validator.skew = c.skew;
    p.validator.checks_iat = false;
    Result<ProbeFindings> f = p.Run();
    ASSERT_TRUE(f.ok()) << f.error().message() << " skew " << c.skew << " offset " << c.offset;
    EXPECT_EQ(f->offset_s, c.offset);
    EXPECT_EQ(f->skew_s, c.skew);
    EXPECT_LE(f->requests, 56) << "skew " << c.skew << " offset " << c.offset;
  }
}

TEST(ProbeSearch, ChecksReportExpIatAndLifetime) {
  Probe p;
  p.validator.skew = 5;
  Result<ProbeFindings> f = p.Run();
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->requires_exp);
  EXPECT_TRUE(f->refuses_future_iat);
  EXPECT_TRUE(f->accepts_30d_lifetime);

  Probe lax;
  lax.validator.checks_iat = false;
  lax.validator.requires_exp = false;
  f = lax.Run();
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->requires_exp);
  EXPECT_FALSE(f->refuses_future_iat);
}

TEST(ProbeSearch, ValidatorBehindThatChecksIatStillMeasures) {
  Probe p;  // the seed: 2 s behind, no skew, iat checked
  p.validator.offset = -2;
  Result<ProbeFindings> f = p.Run();
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_TRUE(f->refused_iat_now);
  EXPECT_EQ(f->offset_s, -2);
  EXPECT_EQ(f->skew_s, 0);
}

TEST(ProbeSearch, RefusedBaselineIsAProbeErrorQuotingTheAnswer) {
  Probe p;
  p.validator.refuse_all = true;
  Result<ProbeFindings> f = p.Run();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), ErrorCode::kProbeError);
  EXPECT_NE(f.error().message().find(R"(WWW-Authenticate: Bearer error="x")"), std::string::npos);
  EXPECT_LE(p.validator.sent_at.size(), 2u);
}

TEST(ProbeSearch, AnErrorStopsTheProbeAtOnce) {
  Probe p;
  p.validator.fail_from_request = 5;
  Result<ProbeFindings> f = p.Run();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), ErrorCode::kProbeError);
  EXPECT_NE(f.error().message().find("after 5 requests"), std::string::npos);
  EXPECT_EQ(p.validator.sent_at.size(), 5u);
}

TEST(ProbeSearch, RequestCapAndRangeAreHardLimits) {
  Probe capped;
  capped.validator.skew = 20;
  Result<ProbeFindings> f = capped.Run(ProbeLimits{3600, 8, 10});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("--max-requests 8"), std::string::npos);
  EXPECT_EQ(capped.validator.sent_at.size(), 8u);

  Probe wide;
  wide.validator.skew = 500;  // beyond --max 60s on the nbf side
  f = wide.Run(ProbeLimits{60, 64, 10});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), ErrorCode::kProbeError);
  EXPECT_NE(f.error().message().find("beyond --max 60s"), std::string::npos);
}

}  // namespace
}  // namespace tock::cli
