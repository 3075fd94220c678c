// LoadKeys with KeyLoadOptions::Untrusted(): key content from a request
// (POST /api/inspect) is reduced to public halves without any consistency
// check, and RSA keys over 4096 bits refuse the whole input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "internal/base64url.h"
#include "testing/test_tokens.h"
#include "tock/app/files.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::HasSubstr;
using tock::testing::HasCode;

std::string Vector(const std::string& name) {
  Result<std::string> content = ReadFile(std::string(TOCK_VECTORS_DIR) + "/keys/" + name);
  EXPECT_TRUE(content.ok()) << content.error().message();
  return content.ok() ? *content : std::string();
}

// RsaJwk is a public RSA JWK with an n of |bits| bits (not a real modulus:
// public keys are never checked beyond their size and exponent).
std::string RsaJwk(int bits) {
  std::string n(static_cast<std::size_t>(bits / 8), '\x5a');
  n[0] = '\xc1';
  n.back() = '\x0b';
  return R"({"kty":"RSA","e":"AQAB","n":")" + internal::Base64UrlEncode(n) + "\"}";
}

TEST(UntrustedKeys, PrivatePemBecomesItsPublicHalf) {
  const std::string pem = Vector("rsa2048_pkcs1.pem");
  Result<LoadedKeys> trusted = LoadKeys(pem);
  Result<LoadedKeys> untrusted = LoadKeys(pem, KeyLoadOptions::Untrusted());
  ASSERT_TRUE(trusted.ok() && untrusted.ok());
  ASSERT_EQ(untrusted->keys.size(), 1u);
  EXPECT_TRUE(trusted->keys[0].has_private());
  EXPECT_FALSE(untrusted->keys[0].has_private());
  EXPECT_EQ(untrusted->keys[0].Thumbprint(), trusted->keys[0].Thumbprint());
  EXPECT_FALSE(untrusted->keys[0].PrivatePem().ok());  // nothing private is kept
}

TEST(UntrustedKeys, MismatchedPairIsNotCheckedOnlyItsPublicHalfIsUsed) {
  // The private scalar does not belong to the point: a trusted load runs the
  // pairwise check and refuses it; an untrusted one runs no check at all.
  const std::string pem = Vector("ec_p256_mismatched_point.pem");
  EXPECT_THAT(LoadKeys(pem), HasCode(ErrorCode::kKeyError));
  Result<LoadedKeys> untrusted = LoadKeys(pem, KeyLoadOptions::Untrusted());
  ASSERT_TRUE(untrusted.ok()) << untrusted.error().message();
  EXPECT_FALSE(untrusted->keys[0].has_private());
}

TEST(UntrustedKeys, PrivateJwkMembersAreIgnored) {
  Key a = *GenerateKey(Algorithm::kES256);
  Key b = *GenerateKey(Algorithm::kES256);
  // a's public point with b's private scalar: refused when trusted.
  boost::json::object jwk = boost::json::parse(*a.PublicJwk()).as_object();
  jwk["d"] = boost::json::parse(*b.PrivateJwk()).as_object().at("d");
  const std::string text = boost::json::serialize(jwk);
  EXPECT_THAT(LoadKeys(text), HasCode(ErrorCode::kKeyError));
  Result<LoadedKeys> untrusted = LoadKeys(text, KeyLoadOptions::Untrusted());
  ASSERT_TRUE(untrusted.ok()) << untrusted.error().message();
  EXPECT_FALSE(untrusted->keys[0].has_private());
  EXPECT_EQ(untrusted->keys[0].Thumbprint(), a.Thumbprint());
}

TEST(UntrustedKeys, Ed25519PrivateJwkGivesThePublicKey) {
  Key key = *GenerateKey(Algorithm::kEdDSA);
  Result<LoadedKeys> untrusted = LoadKeys(*key.PrivateJwk(), KeyLoadOptions::Untrusted());
  ASSERT_TRUE(untrusted.ok()) << untrusted.error().message();
  EXPECT_FALSE(untrusted->keys[0].has_private());
  EXPECT_EQ(untrusted->keys[0].Thumbprint(), key.Thumbprint());
}

TEST(UntrustedKeys, OctSecretsStayAllowed) {
  const std::string jwk =
      R"({"kty":"oct","k":")" + internal::Base64UrlEncode(std::string(32, 'k')) + "\"}";
  Result<LoadedKeys> untrusted = LoadKeys(jwk, KeyLoadOptions::Untrusted());
  ASSERT_TRUE(untrusted.ok()) << untrusted.error().message();
  EXPECT_TRUE(untrusted->keys[0].CanPerform(Algorithm::kHS256));
}

TEST(UntrustedKeys, RsaOver4096BitsIsTooLarge) {
  EXPECT_TRUE(LoadKeys(RsaJwk(8192)).ok());  // local keys: up to 16384 bits
  EXPECT_TRUE(LoadKeys(RsaJwk(4096), KeyLoadOptions::Untrusted()).ok());
  Result<LoadedKeys> big = LoadKeys(RsaJwk(4104), KeyLoadOptions::Untrusted());
  EXPECT_THAT(big, HasCode(ErrorCode::kTooLarge));
  EXPECT_THAT(big.error().message(), HasSubstr("4096-bit limit"));
}

TEST(UntrustedKeys, OneOversizedMemberRefusesTheWholeSet) {
  const std::string jwks = "{\"keys\":[" + RsaJwk(2048) + "," + RsaJwk(8192) + "]}";
  EXPECT_THAT(LoadKeys(jwks, KeyLoadOptions::Untrusted()), HasCode(ErrorCode::kTooLarge));
}

}  // namespace
}  // namespace tock
