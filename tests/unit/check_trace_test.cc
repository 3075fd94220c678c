// The check trace of Verifier::VerifyWithTrace: every check of the fixed
// order, one outcome each, with the times the checks compared, and never
// at odds with the verdict.
#include "tock/check_trace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_tokens.h"
#include "tock/app/report.h"
#include "tock/verifier.h"

namespace tock {
namespace {

using testing::kSeedNow;

const std::vector<std::string> kOrder = {
    "token", "header",  "key",          "signature", "claim types", "required", "exp", "nbf",
    "iat",   "max age", "max lifetime", "iss",       "aud",         "sub",      "typ"};

std::string Claims(const std::string& extra = "") {
  return R"({"iss":"https://issuer.example","sub":"svc","aud":"api","iat":)" +
         std::to_string(kSeedNow - 60) + R"(,"exp":)" + std::to_string(kSeedNow + 600) + extra +
         "}";
}

std::string WithExp(std::int64_t exp) {
  return R"({"iat":)" + std::to_string(kSeedNow - 3600) + R"(,"exp":)" + std::to_string(exp) + "}";
}

class CheckTraceTest : public ::testing::Test {
 protected:
  static Validator Policy(ValidatorBuilder b = ValidatorBuilder()) {
    Result<Validator> v = b.Build();
    EXPECT_TRUE(v.ok());
    return *v;
  }
  TracedVerification Verify(const std::string& token, const Validator& v) const {
    TracedVerification traced = verifier_.VerifyWithTrace(token, v);
    ExpectAgreesWithVerdict(traced, verifier_.Verify(token, v));
    return traced;
  }
  static const TracedCheck& Check(const TracedVerification& t, std::string_view name) {
    const TracedCheck* check = t.trace.Find(name);
    EXPECT_NE(check, nullptr) << name;
    static const TracedCheck kNone;
    return check ? *check : kNone;
  }
  static std::vector<std::string> Outcomes(const TracedVerification& t) {
    std::vector<std::string> out;
    for (const TracedCheck& c : t.trace.checks) out.push_back(std::string(ToString(c.outcome)));
    return out;
  }

  // ExpectAgreesWithVerdict: all checks in order; accepted exactly when none
  // failed; the verdict's error is the first failed check's first problem;
  // and Verify (no trace) reaches the same verdict.
  static void ExpectAgreesWithVerdict(const TracedVerification& t,
                                      const Result<VerifiedToken>& plain) {
    std::vector<std::string> names;
    const TracedCheck* first_failed = nullptr;
    for (const TracedCheck& c : t.trace.checks) {
      names.push_back(c.name);
      if (c.outcome == CheckOutcome::kFailed && !first_failed) first_failed = &c;
      EXPECT_EQ(c.problems.empty(), c.outcome != CheckOutcome::kFailed) << c.name;
    }
    EXPECT_EQ(names, kOrder);
    EXPECT_EQ(t.result.ok(), first_failed == nullptr);
    EXPECT_EQ(t.result.ok(), plain.ok());
    if (!first_failed || plain.ok()) return;
    EXPECT_EQ(first_failed->problems.front().code(), t.result.error().code());
    EXPECT_EQ(first_failed->problems.front().message(), t.result.error().message());
    EXPECT_EQ(plain.error().code(), t.result.error().code());
    EXPECT_EQ(plain.error().problems().size(), t.result.error().problems().size());
  }

  FixedClock clock_{kSeedNow};
  Verifier verifier_{JwkSet({testing::SecretKey()}), clock_};
};

TEST_F(CheckTraceTest, AcceptedTokenPassesEveryCheckThePolicyAsksFor) {
  TracedVerification t =
      Verify(testing::Hs256(R"({"alg":"HS256","typ":"JWT"})", Claims()),
             Policy(std::move(ValidatorBuilder().AddIssuer("https://issuer.example"))));
  ASSERT_TRUE(t.result.ok()) << t.result.error().message();
  EXPECT_EQ(Outcomes(t),
            (std::vector<std::string>{"passed", "passed", "passed", "passed", "passed", "skipped",
                                      "passed", "passed", "passed", "skipped", "skipped", "passed",
                                      "skipped", "skipped", "skipped"}));
  EXPECT_EQ(Check(t, "header").detail, "alg HS256");
  EXPECT_EQ(Check(t, "signature").detail, "HS256 verified");
  EXPECT_EQ(Check(t, "iss").detail, "\"https://issuer.example\"");
  EXPECT_EQ(Check(t, "nbf").detail, "absent");
  EXPECT_EQ(Check(t, "aud").detail, "no audience is required");
  EXPECT_EQ(t.trace.now, kSeedNow);
  EXPECT_EQ(t.trace.skew_s, 300);
  EXPECT_FALSE(t.trace.AnyNotReached());
  EXPECT_FALSE(t.trace.clock_note.has_value());
}

TEST_F(CheckTraceTest, ExpiredAtTheBoundaryToTheSecond) {
  const Validator policy = Policy(std::move(ValidatorBuilder().Skew(30)));
  // Expired when now >= exp + skew: one second before that, still accepted.
  TracedVerification inside =
      Verify(testing::Hs256(R"({"alg":"HS256"})", WithExp(kSeedNow - 29)), policy);
  ASSERT_TRUE(inside.result.ok());
  const TracedCheck& passed = Check(inside, "exp");
  EXPECT_EQ(passed.outcome, CheckOutcome::kPassed);
  EXPECT_EQ(passed.delta_s, 29.0);
  EXPECT_EQ(passed.detail, "2026-06-12T09:16:41Z (29s ago); accepted until exp + 30s");

  TracedVerification at =
      Verify(testing::Hs256(R"({"alg":"HS256"})", WithExp(kSeedNow - 30)), policy);
  EXPECT_THAT(at.result, testing::HasCode(ErrorCode::kExpired));
  const TracedCheck& failed = Check(at, "exp");
  EXPECT_EQ(failed.outcome, CheckOutcome::kFailed);
  EXPECT_EQ(failed.now, kSeedNow);
  EXPECT_EQ(failed.claim_time, double(kSeedNow - 30));
  EXPECT_EQ(failed.skew_s, 30);
  EXPECT_EQ(failed.delta_s, 30.0);
  EXPECT_EQ(failed.detail, at.result.error().message());
  ASSERT_EQ(failed.problems.size(), 1u);
  EXPECT_EQ(failed.problems.front().code(), ErrorCode::kExpired);
  // The other claim checks still ran, and passed.
  EXPECT_EQ(Check(at, "iat").outcome, CheckOutcome::kPassed);
  EXPECT_FALSE(at.trace.AnyNotReached());
}

TEST_F(CheckTraceTest, NbfWithinTheSkewPassesWithANoteAndBeyondItFails) {
  const Validator policy = Policy(std::move(ValidatorBuilder().Skew(60)));
  auto token = [](std::int64_t nbf) {
    return testing::Hs256(R"({"alg":"HS256"})", R"({"nbf":)" + std::to_string(nbf) + R"(,"exp":)" +
                                                    std::to_string(kSeedNow + 600) + "}");
  };
  // Not yet valid when now < nbf - skew: nbf = now + skew is accepted.
  TracedVerification edge = Verify(token(kSeedNow + 60), policy);
  ASSERT_TRUE(edge.result.ok());
  EXPECT_EQ(Check(edge, "nbf").outcome, CheckOutcome::kPassed);
  EXPECT_EQ(Check(edge, "nbf").delta_s, 60.0);
  EXPECT_EQ(Check(edge, "nbf").skew_s, 60);
  EXPECT_EQ(Check(edge, "nbf").detail, "2026-06-12T09:18:10Z (in 1m); accepted from nbf - 60s");
  EXPECT_EQ(edge.trace.clock_note,
            "issuer clock appears at least 60 s ahead (nbf is 60s after now, within the 60s "
            "skew)");

  TracedVerification early = Verify(token(kSeedNow + 61), policy);
  EXPECT_THAT(early.result, testing::HasCode(ErrorCode::kNotYetValid));
  const TracedCheck& nbf = Check(early, "nbf");
  EXPECT_EQ(nbf.outcome, CheckOutcome::kFailed);
  EXPECT_EQ(nbf.delta_s, 61.0);
  EXPECT_EQ(nbf.claim_time, double(kSeedNow + 61));
  EXPECT_EQ(nbf.problems.front().diagnosis().delta_s, 61.0);
  EXPECT_FALSE(early.trace.clock_note.has_value());  // notes are for accepted tokens
}

TEST_F(CheckTraceTest, BadAudienceFailsOnlyTheAudCheck) {
  TracedVerification t = Verify(
      testing::Hs256(R"({"alg":"HS256"})", Claims()),
      Policy(std::move(ValidatorBuilder().AddAudience("https://api.example").AddAudience("b"))));
  EXPECT_THAT(t.result, testing::HasCode(ErrorCode::kAudMismatch));
  const TracedCheck& aud = Check(t, "aud");
  EXPECT_EQ(aud.outcome, CheckOutcome::kFailed);
  EXPECT_EQ(aud.detail, "token aud \"api\" is none of \"https://api.example\", \"b\"");
  for (const TracedCheck& c : t.trace.checks) {
    if (c.name == "aud") continue;
    EXPECT_NE(c.outcome, CheckOutcome::kFailed) << c.name;
  }
}

TEST_F(CheckTraceTest, AcceptedAudienceListIsShownWhole) {
  TracedVerification t =
      Verify(testing::Hs256(R"({"alg":"HS256"})",
                            R"({"aud":["a","api"],"exp":)" + std::to_string(kSeedNow + 60) + "}"),
             Policy(std::move(ValidatorBuilder().AddAudience("api"))));
  ASSERT_TRUE(t.result.ok());
  EXPECT_EQ(Check(t, "aud").detail, "\"a\", \"api\" (accepted: \"api\")");
}

TEST_F(CheckTraceTest, SignatureFailureLeavesLaterChecksNotReached) {
  // Expired as well: the claims of a token whose signature fails are never judged.
  std::string token = testing::Hs256(R"({"alg":"HS256","kid":"k1"})", WithExp(kSeedNow - 9000));
  token.back() = token.back() == 'A' ? 'B' : 'A';
  TracedVerification t = Verify(token, Policy(std::move(ValidatorBuilder().AddIssuer("x"))));
  EXPECT_THAT(t.result, testing::HasCode(ErrorCode::kBadSignature));
  EXPECT_EQ(Outcomes(t),
            (std::vector<std::string>{"passed", "passed", "passed", "failed", "not_reached",
                                      "not_reached", "not_reached", "not_reached", "not_reached",
                                      "not_reached", "not_reached", "not_reached", "not_reached",
                                      "not_reached", "not_reached"}));
  EXPECT_EQ(Check(t, "key").detail, "token kid \"k1\"");
  EXPECT_TRUE(t.trace.AnyNotReached());
  EXPECT_FALSE(Check(t, "exp").delta_s.has_value());
}

TEST_F(CheckTraceTest, TokenThatDoesNotParseFailsTheFirstCheck) {
  TracedVerification t = Verify("not-a-token", Policy());
  EXPECT_THAT(t.result, testing::HasCode(ErrorCode::kMalformed));
  EXPECT_EQ(Check(t, "token").outcome, CheckOutcome::kFailed);
  EXPECT_EQ(Check(t, "header").outcome, CheckOutcome::kNotReached);
  EXPECT_EQ(t.trace.now, kSeedNow);
}

TEST_F(CheckTraceTest, MissingClaimFailsEveryCheckThatReadsIt) {
  TracedVerification t = Verify(
      testing::Hs256(R"({"alg":"HS256"})", R"({"exp":)" + std::to_string(kSeedNow + 60) + "}"),
      Policy(std::move(ValidatorBuilder().MaxAge(600))));
  EXPECT_THAT(t.result, testing::HasCode(ErrorCode::kMissingClaim));
  EXPECT_EQ(Check(t, "required").outcome, CheckOutcome::kFailed);
  const TracedCheck& max_age = Check(t, "max age");
  EXPECT_EQ(max_age.outcome, CheckOutcome::kFailed);
  EXPECT_EQ(max_age.problems.front().diagnosis().claim, "iat");
  EXPECT_EQ(Check(t, "iat").outcome, CheckOutcome::kFailed);  // it reads iat too
  EXPECT_EQ(Check(t, "iat").detail, max_age.detail);
  EXPECT_EQ(t.result.error().problems().size(), 1u);  // one failure, shown where it bites
}

TEST_F(CheckTraceTest, WrongTypesAreAllInTheClaimTypesDetail) {
  TracedVerification t =
      Verify(testing::Hs256(R"({"alg":"HS256"})", R"({"exp":"soon","sub":7})"), Policy());
  const TracedCheck& types = Check(t, "claim types");
  EXPECT_EQ(types.outcome, CheckOutcome::kFailed);
  EXPECT_EQ(types.problems.size(), 2u);
  EXPECT_NE(types.detail.find("; "), std::string::npos) << types.detail;
  EXPECT_EQ(Check(t, "exp").outcome, CheckOutcome::kFailed);
}

TEST_F(CheckTraceTest, MaxAgeAndLifetimeRecordTheirLimits) {
  TracedVerification t =
      Verify(testing::Hs256(R"({"alg":"HS256"})", Claims()),
             Policy(std::move(ValidatorBuilder().MaxAge(30).MaxLifetime(600).Skew(0))));
  EXPECT_THAT(t.result, testing::HasCode(ErrorCode::kTokenTooOld));
  const TracedCheck& age = Check(t, "max age");
  EXPECT_EQ(age.outcome, CheckOutcome::kFailed);  // 60 s old: 30 s over the limit
  EXPECT_EQ(age.limit_s, 30);
  EXPECT_EQ(age.delta_s, 30.0);
  const TracedCheck& life = Check(t, "max lifetime");
  EXPECT_EQ(life.outcome, CheckOutcome::kFailed);
  EXPECT_EQ(life.limit_s, 600);
  EXPECT_EQ(life.delta_s, 60.0);
  EXPECT_FALSE(life.skew_s.has_value());
}

TEST_F(CheckTraceTest, ReportJsonCarriesTheTrace) {
  TracedVerification t =
      Verify(testing::Hs256(R"({"alg":"HS256"})", WithExp(kSeedNow - 400)), Policy());
  const std::string json = VerifyReportJson(t);
  EXPECT_NE(json.find(R"("valid":false,"error":{"code":"expired")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("skew_s":300,"checks":[{"name":"token","outcome":"passed")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"name":"exp","outcome":"failed","detail":"token expired: )"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("claim_time":1781255430,"skew_s":300,"delta_s":400,"problems":[{)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"name":"typ","outcome":"skipped","detail":"no typ is required"})"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace tock
