#include "tock/validator.h"

#include <gtest/gtest.h>

#include "testing/test_tokens.h"

namespace tock {
namespace {

using testing::HasCode;

TEST(ValidatorBuilder, DefaultsAreSkew300AndExpRequired) {
  Result<Validator> v = ValidatorBuilder().Build();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->skew_s(), 300);
  EXPECT_TRUE(v->require_exp());
  EXPECT_EQ(v->max_token_bytes(), 16384u);
  EXPECT_TRUE(v->algorithms().empty());
}

TEST(ValidatorBuilder, NegativeSkewIsUsageError) {
  EXPECT_THAT(ValidatorBuilder().Skew(-1).Build(), HasCode(ErrorCode::kUsage));
}

TEST(ValidatorBuilder, NegativeMaxAgeAndLifetimeAreUsageErrors) {
  EXPECT_THAT(ValidatorBuilder().MaxAge(-5).Build(), HasCode(ErrorCode::kUsage));
  EXPECT_THAT(ValidatorBuilder().MaxLifetime(-5).Build(), HasCode(ErrorCode::kUsage));
}

TEST(ValidatorBuilder, TwoDifferentSubjectsContradict) {
  Result<Validator> v = ValidatorBuilder().ExpectSubject("a").ExpectSubject("b").Build();
  ASSERT_THAT(v, HasCode(ErrorCode::kUsage));
  EXPECT_NE(v.error().message().find("two different subjects"), std::string::npos);
}

TEST(ValidatorBuilder, EmptyIssuerAudienceAndZeroSizeAreRefused) {
  EXPECT_THAT(ValidatorBuilder().AddIssuer("").Build(), HasCode(ErrorCode::kUsage));
  EXPECT_THAT(ValidatorBuilder().AddAudience("").Build(), HasCode(ErrorCode::kUsage));
  EXPECT_THAT(ValidatorBuilder().MaxTokenBytes(0).Build(), HasCode(ErrorCode::kUsage));
}

TEST(ValidatorBuilder, RepeatedAlgorithmIsKeptOnce) {
  Result<Validator> v = ValidatorBuilder()
                            .AllowAlgorithm(Algorithm::kRS256)
                            .AllowAlgorithm(Algorithm::kRS256)
                            .Build();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->algorithms().size(), 1u);
}

}  // namespace
}  // namespace tock
