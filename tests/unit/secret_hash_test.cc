#include "tock/secret_hash.h"

#include <gtest/gtest.h>

namespace tock {
namespace {

constexpr std::string_view kSecret = "correct horse battery staple, 32+ bytes long";

TEST(SecretHash, HashMatchesItsSecretOnly) {
  Result<std::string> hash = HashSecret(kSecret);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$scrypt$ln=15,r=8,p=1$", 0), 0u) << *hash;
  Result<bool> same = SecretMatches(kSecret, *hash);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(*same);
  Result<bool> other = SecretMatches("correct horse battery staple, 32+ bytes lonG", *hash);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
}

TEST(SecretHash, TwoHashesOfOneSecretDifferBySalt) {
  Result<std::string> a = HashSecret(kSecret);
  Result<std::string> b = HashSecret(kSecret);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(SecretHash, EmptySecretIsUsageError) {
  Result<std::string> hash = HashSecret("");
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.error().code(), ErrorCode::kUsage);
}

TEST(SecretHash, MalformedHashIsUsageError) {
  for (std::string_view bad : {"", "plain", "$scrypt$ln=15,r=8,p=1$AAAA", "$bcrypt$x$y$z",
                               "$scrypt$ln=15,r=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                               "$scrypt$ln=15,r=8,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA"}) {
    Result<bool> r = SecretMatches(kSecret, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kUsage) << bad;
    EXPECT_FALSE(IsSecretHash(bad)) << bad;
  }
}

TEST(SecretHash, CostBeyondBoundsIsRefusedNotComputed) {
  // ln=30 would need 128 GiB: a hostile config must not make a check hang.
  Result<bool> r = SecretMatches(
      kSecret,
      "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUsage);
}

TEST(SecretHash, IsSecretHashAcceptsOwnOutput) {
  Result<std::string> hash = HashSecret(kSecret);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(IsSecretHash(*hash));
}

}  // namespace
}  // namespace tock
