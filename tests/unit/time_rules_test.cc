// Runs tests/vectors/time_rules.txt through the full Verifier with HS256.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "testing/test_tokens.h"
#include "tock/app/report.h"
#include "tock/verifier.h"

namespace tock {
namespace {

struct TimeCase {
  int line = 0;
  std::string text;
  std::map<std::string, std::string> fields;
  bool allow_missing_exp = false;
  std::string expect;  // "ok", "no_lifetime_ok" or an error code
  std::string delta;   // "-" when not checked
};

std::vector<TimeCase> LoadCases() {
  std::ifstream in(std::string(TOCK_VECTORS_DIR) + "/time_rules.txt");
  std::vector<TimeCase> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    TimeCase c;
    c.line = n;
    c.text = line;
    std::istringstream words(line);
    std::string w;
    while (words >> w && w != "->") {
      if (w == "allow_missing_exp") {
        c.allow_missing_exp = true;
      } else {
        const auto eq = w.find('=');
        c.fields[w.substr(0, eq)] = w.substr(eq + 1);
      }
    }
    words >> c.expect;
    if (!(words >> c.delta)) c.delta = "-";
    cases.push_back(c);
  }
  return cases;
}

TEST(TimeRules, VectorFileHasCases) { EXPECT_GE(LoadCases().size(), 40u); }

// VectorRun is one vector made into a token, a policy and a clock.
struct VectorRun {
  std::string token;
  Validator validator;
  FixedClock clock;
};

VectorRun Prepare(const TimeCase& c) {
  std::string payload = "{\"sub\":\"svc\"";
  for (const char* claim : {"iat", "nbf", "exp"}) {
    if (c.fields.count(claim)) payload += std::string(",\"") + claim + "\":" + c.fields.at(claim);
  }
  payload += "}";
  ValidatorBuilder builder;
  builder.Skew(std::stoll(c.fields.at("skew")));
  if (c.fields.count("max_age")) builder.MaxAge(std::stoll(c.fields.at("max_age")));
  if (c.fields.count("max_lifetime")) {
    builder.MaxLifetime(std::stoll(c.fields.at("max_lifetime")));
  }
  if (c.allow_missing_exp) builder.AllowMissingExp();
  Result<Validator> validator = builder.Build();
  EXPECT_TRUE(validator.ok());
  return {testing::Hs256(R"({"alg":"HS256"})", payload), *validator,
          FixedClock(std::stoll(c.fields.at("now")))};
}

TEST(TimeRules, EveryBoundaryVectorGivesItsCodeAndDelta) {
  for (const TimeCase& c : LoadCases()) {
    SCOPED_TRACE("time_rules.txt:" + std::to_string(c.line) + ": " + c.text);
    VectorRun run = Prepare(c);
    Verifier verifier(JwkSet({testing::SecretKey()}), run.clock);
    Result<VerifiedToken> result = verifier.Verify(run.token, run.validator);
    if (c.expect == "ok" || c.expect == "no_lifetime_ok") {
      EXPECT_TRUE(result.ok()) << result.error().message();
      continue;
    }
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code_string(), c.expect) << result.error().message();
    if (c.delta != "-") {
      ASSERT_TRUE(result.error().diagnosis().delta_s.has_value());
      EXPECT_DOUBLE_EQ(*result.error().diagnosis().delta_s, std::stod(c.delta));
      if (c.expect != "lifetime_too_long") {  // a lifetime cap ignores skew
        EXPECT_EQ(result.error().diagnosis().skew_s, std::stoll(c.fields.at("skew")));
      }
      EXPECT_EQ(result.error().diagnosis().now, std::stoll(c.fields.at("now")));
    }
  }
}

// The check trace over the same vectors: the check named for the code
// failed, with the verdict's delta and the vector's times; an accepted token
// has no failed check.
TEST(TimeRules, EveryBoundaryVectorFailsItsCheckInTheTrace) {
  const std::map<std::string, std::string> check_of = {{"expired", "exp"},
                                                       {"not_yet_valid", "nbf"},
                                                       {"issued_in_future", "iat"},
                                                       {"token_too_old", "max age"},
                                                       {"lifetime_too_long", "max lifetime"}};
  for (const TimeCase& c : LoadCases()) {
    SCOPED_TRACE("time_rules.txt:" + std::to_string(c.line) + ": " + c.text);
    VectorRun run = Prepare(c);
    Verifier verifier(JwkSet({testing::SecretKey()}), run.clock);
    TracedVerification traced = verifier.VerifyWithTrace(run.token, run.validator);
    std::vector<std::string> failed;
    for (const TracedCheck& check : traced.trace.checks) {
      if (check.outcome == CheckOutcome::kFailed) failed.push_back(check.name);
    }
    if (c.expect == "ok" || c.expect == "no_lifetime_ok") {
      EXPECT_TRUE(traced.result.ok());
      EXPECT_EQ(failed, std::vector<std::string>{});
      continue;
    }
    ASSERT_FALSE(traced.result.ok());
    ASSERT_FALSE(failed.empty());
    if (!check_of.count(c.expect)) continue;  // missing_claim: the required check and others
    const TracedCheck* check = traced.trace.Find(check_of.at(c.expect));
    ASSERT_NE(check, nullptr);
    EXPECT_EQ(check->outcome, CheckOutcome::kFailed);
    EXPECT_EQ(failed.front(), check->name);
    EXPECT_EQ(check->problems.front().code_string(), c.expect);
    EXPECT_EQ(check->now, std::stoll(c.fields.at("now")));
    if (c.delta == "-") continue;
    EXPECT_DOUBLE_EQ(check->delta_s.value_or(-1), std::stod(c.delta));
  }
}

TEST(TimeRules, SeedTokenNbf33sAheadSkew0IsNotYetValidWithMessageAndHint) {
  FixedClock clock(testing::kSeedNow);
  Verifier verifier(JwkSet({testing::SecretKey()}), clock);
  const std::string token = testing::Hs256(
      R"({"alg":"HS256","typ":"JWT"})",
      R"({"iss":"https://issuer.example","sub":"svc","nbf":1781255863,"exp":1781256430})");
  Result<Validator> strict = ValidatorBuilder().Skew(0).Build();
  ASSERT_TRUE(strict.ok());
  Result<VerifiedToken> result = verifier.Verify(token, *strict);
  ASSERT_THAT(result, testing::HasCode(ErrorCode::kNotYetValid));
  const Error& e = result.error();
  EXPECT_EQ(e.message(),
            "token not yet valid: nbf 2026-06-12T09:17:43Z is 33s after now "
            "2026-06-12T09:17:10Z; allowed clock skew 0s");
  EXPECT_EQ(e.diagnosis().hint,
            "the issuer's clock is probably at least 33s ahead of this machine's: backdate nbf "
            "at the issuer or allow a clock skew of at least 33s");
  EXPECT_EQ(e.diagnosis().claim_time, 1781255863.0);
  EXPECT_EQ(e.diagnosis().delta_s, 33.0);
  EXPECT_EQ(ErrorObjectJson(e),
            R"({"code":"not_yet_valid","message":"token not yet valid: nbf 2026-06-12T09:17:43Z )"
            R"(is 33s after now 2026-06-12T09:17:10Z; allowed clock skew 0s","claim":"nbf",)"
            R"("now":1781255830,"nbf":1781255863,"skew_s":0,"delta_s":33,"hint":"the issuer's )"
            R"(clock is probably at least 33s ahead of this machine's: backdate nbf at the )"
            R"(issuer or allow a clock skew of at least 33s"})");

  Result<Validator> lenient = ValidatorBuilder().Build();
  ASSERT_TRUE(lenient.ok());
  EXPECT_TRUE(verifier.Verify(token, *lenient).ok());
}

// Issue 15: an issuer 45 s fast stamps nbf = iat = now. Backdating nbf would
// only trade not_yet_valid for issued_in_future, so the hint must not offer
// it alone: the issuer's clock fixed, or a skew of at least 45 s.
TEST(TimeRules, NbfAheadWithIatAheadTooSaysBackdatingNbfAloneWillNotDo) {
  FixedClock clock(1000);
  Verifier verifier(JwkSet({testing::SecretKey()}), clock);
  Result<Validator> strict = ValidatorBuilder().Skew(0).Build();
  ASSERT_TRUE(strict.ok());
  Result<VerifiedToken> r = verifier.Verify(
      testing::Hs256(R"({"alg":"HS256"})", R"({"iat":1045,"nbf":1045,"exp":1645})"), *strict);
  ASSERT_THAT(r, testing::HasCode(ErrorCode::kNotYetValid));
  EXPECT_EQ(r.error().diagnosis().hint,
            "the issuer's clock is probably at least 45s ahead of this machine's, and the "
            "token's iat is 45s ahead as well: backdating nbf alone will not do for a validator "
            "that checks iat (it would refuse the token as issued_in_future); fix the issuer's "
            "clock (NTP), or allow a clock skew of at least 45s");
  // The backdated token is indeed refused, for its iat.
  Result<VerifiedToken> backdated = verifier.Verify(
      testing::Hs256(R"({"alg":"HS256"})", R"({"iat":1045,"nbf":985,"exp":1645})"), *strict);
  ASSERT_THAT(backdated, testing::HasCode(ErrorCode::kIssuedInFuture));
  // iat within the skew: backdating nbf is the fix, and the hint says so.
  Result<VerifiedToken> past_iat = verifier.Verify(
      testing::Hs256(R"({"alg":"HS256"})", R"({"iat":1000,"nbf":1045,"exp":1645})"), *strict);
  ASSERT_THAT(past_iat, testing::HasCode(ErrorCode::kNotYetValid));
  EXPECT_NE(past_iat.error().diagnosis().hint->find("backdate nbf at the issuer"),
            std::string::npos);
}

TEST(TimeRules, ExpiredJustNowHintsAtClockOrCaching) {
  FixedClock clock(1000);
  Verifier verifier(JwkSet({testing::SecretKey()}), clock);
  Result<Validator> v = ValidatorBuilder().Skew(0).Build();
  Result<VerifiedToken> r =
      verifier.Verify(testing::Hs256(R"({"alg":"HS256"})", R"({"exp":988})"), *v);
  ASSERT_THAT(r, testing::HasCode(ErrorCode::kExpired));
  EXPECT_EQ(r.error().message(),
            "token expired: exp 1970-01-01T00:16:28Z is 12s before now 1970-01-01T00:16:40Z; "
            "allowed clock skew 0s");
  EXPECT_NE(r.error().diagnosis().hint->find("clock may be behind"), std::string::npos);
}

}  // namespace
}  // namespace tock
