#include "tock/key_wrap.h"

#include <gtest/gtest.h>

namespace tock {
namespace {

TEST(KeyWrap, SealThenOpenWithSameKidGivesPlaintext) {
  Kek kek = Kek::Generate();
  Result<std::string> sealed = kek.Seal("secret pem", "kid-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 12u + 10u + 16u);
  EXPECT_EQ(sealed->find("secret"), std::string::npos);
  Result<std::string> opened = kek.Open(*sealed, "kid-1");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "secret pem");
}

TEST(KeyWrap, OpenWithOtherKidIsKeyError) {
  Kek kek = Kek::Generate();
  Result<std::string> sealed = kek.Seal("secret pem", "kid-1");
  ASSERT_TRUE(sealed.ok());
  Result<std::string> opened = kek.Open(*sealed, "kid-2");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kKeyError);
}

TEST(KeyWrap, OpenWithOtherKekIsKeyError) {
  Result<std::string> sealed = Kek::Generate().Seal("secret pem", "kid-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(Kek::Generate().Open(*sealed, "kid-1").ok());
}

TEST(KeyWrap, TextRoundTripKeepsIdAndTrailingNewlineIsIgnored) {
  Kek kek = Kek::Generate();
  Result<Kek> again = Kek::FromText(kek.ToText() + "\n");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id(), kek.id());
  EXPECT_EQ(kek.id().size(), 4u + 16u);
  EXPECT_NE(kek.id(), Kek::Generate().id());
}

TEST(KeyWrap, ShortKekTextIsKeyError) {
  Result<Kek> kek = Kek::FromText("AAAA");
  ASSERT_FALSE(kek.ok());
  EXPECT_EQ(kek.error().code(), ErrorCode::kKeyError);
}

}  // namespace
}  // namespace tock
