#include "tock/app/basic_auth.h"

#include <gtest/gtest.h>

#include "testing/test_tokens.h"

namespace tock {
namespace {

using testing::HasCode;

TEST(DecodeBasicCredentials, SplitsAtTheFirstColon) {
  // base64("billing:a:b+c")
  Result<BasicCredentials> c = DecodeBasicCredentials("YmlsbGluZzphOmIrYw==");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->id, "billing");
  EXPECT_EQ(c->secret, "a:b+c");
}

TEST(DecodeBasicCredentials, PaddingVariantsDecodeExactly) {
  Result<BasicCredentials> one = DecodeBasicCredentials("YTpi");  // "a:b"
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->secret, "b");
  Result<BasicCredentials> two = DecodeBasicCredentials("YTpiYw==");  // "a:bc"
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->secret, "bc");
  Result<BasicCredentials> three = DecodeBasicCredentials("YTpiY2Q=");  // "a:bcd"
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->secret, "bcd");
}

TEST(DecodeBasicCredentials, NonBase64OrNoColonIsMalformed) {
  EXPECT_THAT(DecodeBasicCredentials("YWJj"), HasCode(ErrorCode::kMalformed));       // "abc"
  EXPECT_THAT(DecodeBasicCredentials("YTpi YQ=="), HasCode(ErrorCode::kMalformed));  // space
  EXPECT_THAT(DecodeBasicCredentials("YTpiYQ"), HasCode(ErrorCode::kMalformed));     // unpadded
  EXPECT_THAT(DecodeBasicCredentials("YT=iYQ=="), HasCode(ErrorCode::kMalformed));
  EXPECT_THAT(DecodeBasicCredentials(""), HasCode(ErrorCode::kMalformed));
  EXPECT_THAT(DecodeBasicCredentials("YTpi-_=="), HasCode(ErrorCode::kMalformed));  // url alphabet
}

}  // namespace
}  // namespace tock
