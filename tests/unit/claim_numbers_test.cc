// Time claims beyond ±2^53 seconds are bad_claim, never undefined behaviour
// (the asan preset runs these under UBSan).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_tokens.h"
#include "tock/inspect.h"
#include "tock/verifier.h"

namespace tock {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using tock::testing::HasCode;

class ClaimNumbersTest : public ::testing::Test {
 protected:
  Result<VerifiedToken> VerifyWith(const std::string& claim, const std::string& value,
                                   ValidatorBuilder builder = ValidatorBuilder()) {
    std::string claims = R"({"sub":"svc","exp":1781256400)";
    if (claim == "exp") claims = R"({"sub":"svc")";
    claims += ",\"" + claim + "\":" + value + "}";
    Result<Validator> policy = builder.Build();
    EXPECT_TRUE(policy.ok());
    return verifier_.Verify(testing::Hs256(R"({"alg":"HS256"})", claims), *policy);
  }
  FixedClock clock_{testing::kSeedNow};
  Verifier verifier_{JwkSet({testing::SecretKey()}), clock_};
};

TEST_F(ClaimNumbersTest, HugeTimeClaimsAreBadClaim) {
  for (const char* claim : {"exp", "nbf", "iat"}) {
    for (const char* value : {"1e300", "-1e300", "9007199254740993", "-9007199254740993", "9.3e18",
                              "9300000000000000000", "18446744073709551615", "-9223372036854775808",
                              "9007199254740994.0"}) {
      Result<VerifiedToken> r = VerifyWith(claim, value);
      ASSERT_THAT(r, HasCode(ErrorCode::kBadClaim)) << claim << " = " << value;
      EXPECT_EQ(r.error().diagnosis().claim, claim);
      EXPECT_THAT(r.error().message(), HasSubstr("2^53")) << r.error().message();
    }
  }
}

TEST_F(ClaimNumbersTest, TwoToThe53IsStillANumericDate) {
  // exp = 2^53 is far in the future: the token is valid.
  Result<VerifiedToken> r = VerifyWith("exp", "9007199254740992");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->expires_at(), 9007199254740992.0);
  Result<VerifiedToken> old_nbf = VerifyWith("nbf", "-9007199254740992");
  EXPECT_TRUE(old_nbf.ok()) << old_nbf.error().message();
}

TEST_F(ClaimNumbersTest, MaxAgeAndSkewNeverOverflow) {
  // max_age + skew would overflow int64 if summed as integers.
  ValidatorBuilder b;
  b.MaxAge(INT64_MAX).Skew(86400);
  Result<VerifiedToken> r = VerifyWith("iat", "1781255800", b);
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(ClaimNumbersDecode, HugeTimeClaimsAreFlaggedWhenDecoding) {
  const std::string token =
      testing::Hs256(R"({"alg":"HS256"})", R"({"exp":1e300,"nbf":-9.3e18,"iat":1781255800})");
  Result<UnverifiedView> view = InspectUnverified(token);
  ASSERT_TRUE(view.ok());
  const std::vector<std::string> warnings = view->Warnings(testing::kSeedNow);
  EXPECT_THAT(warnings, Contains("bad_claim:exp"));
  EXPECT_THAT(warnings, Contains("bad_claim:nbf"));
  EXPECT_THAT(warnings, ::testing::Not(Contains("bad_claim:iat")));
}

}  // namespace
}  // namespace tock
