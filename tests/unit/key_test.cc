// Tests for tock::Key: secrets, algorithm binding, thumbprints, export and
// generation.
#include "tock/key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "internal/crypto.h"
#include "testing/test_tokens.h"
#include "tock/app/key_type.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using tock::testing::HasCode;

constexpr std::string_view kInput = "header.payload";

Key LoadOne(std::string_view content) {
  Result<LoadedKeys> loaded = LoadKeys(content);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->keys.size(), 1u);
  return loaded->keys.at(0);
}

Key Generated(Algorithm alg) {
  Result<Key> key = GenerateKey(alg);
  EXPECT_TRUE(key.ok()) << key.error().message();
  return *key;
}

boost::json::object ParseObject(std::string_view text) {
  return boost::json::parse(text).as_object();
}

TEST(KeyFromSecret, ThirtyOneBytesIsRefused) {
  const Result<Key> key = Key::FromSecret(std::string(31, 'a'));
  EXPECT_THAT(key, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(key.error().message(), HasSubstr("31 bytes"));
  EXPECT_THAT(key.error().message(), HasSubstr("at least 32"));
}

TEST(KeyFromSecret, ThirtyTwoBytesIsAccepted) {
  const Result<Key> key = Key::FromSecret(std::string(32, 'a'));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->type(), KeyType::kOct);
  EXPECT_EQ(key->bits(), 256);
  EXPECT_TRUE(key->has_private());
  EXPECT_FALSE(key->kid().has_value());
}

TEST(KeyFromSecret, KeyMaterialIsRefusedWhateverItsLength) {
  const std::string padding(100, 'A');
  const struct {
    std::string secret;
    std::string reason;
  } cases[] = {
      {"-----BEGIN PUBLIC KEY-----\n" + padding + "\n-----END PUBLIC KEY-----\n", "PEM block"},
      {"\n  -----BEGIN CERTIFICATE-----\n" + padding, "PEM block"},
      {"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + padding + " user@host", "OpenSSH public key"},
      {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + padding, "OpenSSH public key"},
      {"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY" + padding, "OpenSSH public key"},
      {"{\"kty\":\"RSA\",\"n\":\"" + padding + "\",\"e\":\"AQAB\"}", "JSON object"},
      {" \t{\"k\":\"" + padding + "\"}", "JSON object"},
  };
  for (const auto& c : cases) {
    const Result<Key> key = Key::FromSecret(c.secret);
    EXPECT_THAT(key, HasCode(ErrorCode::kKeyError)) << c.secret;
    if (!key.ok()) {
      EXPECT_THAT(key.error().message(), HasSubstr(c.reason));
    }
  }
}

// Regression: a random secret whose first byte is '{' was refused as JSON.
TEST(KeyFromSecret, SecretStartingWithBraceButNotJsonIsAccepted) {
  const std::string secret = "{" + std::string(31, '\x9c');
  EXPECT_TRUE(Key::FromSecret(secret).ok());
  EXPECT_TRUE(Key::FromSecret("{not json at all, but 32+ bytes long}").ok());
}

TEST(KeyFromSecret, SecretMerelyContainingKeyWordsIsAccepted) {
  EXPECT_TRUE(Key::FromSecret("my ssh-rsa and -----BEGIN are words {inside}").ok());
}

TEST(KeyFromSecretBase64Url, CanonicalTextDecodesToTheSecret) {
  // 32 bytes of 0xff: "_" repeated, ending in the canonical "_w".
  Result<Key> key = Key::FromSecretBase64Url("__________________________________________w");
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(key->bits(), 256);
  EXPECT_TRUE(Key::FromSecretBase64Url("__________________________________________w=").ok());
}

TEST(KeyFromSecretBase64Url, NonCanonicalTextIsUsageError) {
  EXPECT_THAT(Key::FromSecretBase64Url("__________________________________________x"),
              HasCode(ErrorCode::kUsage));
  EXPECT_THAT(Key::FromSecretBase64Url("+/////////////////////////////////////////w"),
              HasCode(ErrorCode::kUsage));
}

TEST(KeyFromSecretBase64Url, ShortDecodedSecretIsKeyError) {
  EXPECT_THAT(Key::FromSecretBase64Url("AAAA"), HasCode(ErrorCode::kKeyError));
}

TEST(KeyCanPerform, SecretLengthSelectsHmacAlgorithms) {
  EXPECT_THAT(testing::SecretKey(std::string(32, 's')).Algorithms(),
              ElementsAre(Algorithm::kHS256));
  EXPECT_THAT(testing::SecretKey(std::string(47, 's')).Algorithms(),
              ElementsAre(Algorithm::kHS256));
  EXPECT_THAT(testing::SecretKey(std::string(48, 's')).Algorithms(),
              ElementsAre(Algorithm::kHS256, Algorithm::kHS384));
  EXPECT_THAT(testing::SecretKey(std::string(64, 's')).Algorithms(),
              ElementsAre(Algorithm::kHS256, Algorithm::kHS384, Algorithm::kHS512));
}

TEST(KeyCanPerform, AsymmetricKeysBindTheirFamilyAndCurve) {
  EXPECT_THAT(Generated(Algorithm::kRS256).Algorithms(),
              ElementsAre(Algorithm::kRS256, Algorithm::kRS384, Algorithm::kRS512,
                          Algorithm::kPS256, Algorithm::kPS384, Algorithm::kPS512));
  EXPECT_THAT(Generated(Algorithm::kES256).Algorithms(), ElementsAre(Algorithm::kES256));
  EXPECT_THAT(Generated(Algorithm::kES384).Algorithms(), ElementsAre(Algorithm::kES384));
  EXPECT_THAT(Generated(Algorithm::kES512).Algorithms(), ElementsAre(Algorithm::kES512));
  EXPECT_THAT(Generated(Algorithm::kEdDSA).Algorithms(),
              ElementsAre(Algorithm::kEdDSA, Algorithm::kEd25519));
}

TEST(KeyCanPerform, JwkAlgNarrowsToThatAlgorithm) {
  const Key rsa = Generated(Algorithm::kRS256);
  boost::json::object jwk = ParseObject(*rsa.PublicJwk());
  jwk["alg"] = "PS384";
  const Key narrowed = LoadOne(boost::json::serialize(jwk));
  EXPECT_THAT(narrowed.Algorithms(), ElementsAre(Algorithm::kPS384));
  EXPECT_EQ(DefaultAlgorithm(narrowed), Algorithm::kPS384);
  EXPECT_EQ(narrowed.alg(), Algorithm::kPS384);
}

TEST(KeyCanPerform, JwkAlgEdDsaAlsoAllowsEd25519Name) {
  const Key ed = Generated(Algorithm::kEdDSA);
  boost::json::object jwk = ParseObject(*ed.PublicJwk());
  jwk["alg"] = "Ed25519";
  EXPECT_THAT(LoadOne(boost::json::serialize(jwk)).Algorithms(),
              ElementsAre(Algorithm::kEdDSA, Algorithm::kEd25519));
}

TEST(KeyDefaultAlgorithm, FollowsTheSpecTable) {
  EXPECT_EQ(DefaultAlgorithm(Generated(Algorithm::kPS512)), Algorithm::kRS256);
  EXPECT_EQ(DefaultAlgorithm(Generated(Algorithm::kES256)), Algorithm::kES256);
  EXPECT_EQ(DefaultAlgorithm(Generated(Algorithm::kES384)), Algorithm::kES384);
  EXPECT_EQ(DefaultAlgorithm(Generated(Algorithm::kES512)), Algorithm::kES512);
  EXPECT_EQ(DefaultAlgorithm(Generated(Algorithm::kEd25519)), Algorithm::kEdDSA);
  EXPECT_EQ(DefaultAlgorithm(testing::SecretKey(std::string(64, 'x'))), Algorithm::kHS256);
}

TEST(KeyDescribe, ReportsTypeCurveAndBits) {
  const Key ec = Generated(Algorithm::kES512);
  EXPECT_EQ(ec.type(), KeyType::kEc);
  EXPECT_EQ(ec.curve(), "P-521");
  EXPECT_EQ(ec.bits(), 521);
  const Key ed = Generated(Algorithm::kEdDSA);
  EXPECT_EQ(ed.type(), KeyType::kOkp);
  EXPECT_EQ(ed.curve(), "Ed25519");
  const Key rsa = Generated(Algorithm::kRS256);
  EXPECT_EQ(rsa.bits(), 2048);
  EXPECT_EQ(rsa.curve(), "");
  EXPECT_EQ(ToString(KeyType::kRsa), "RSA");
  EXPECT_EQ(ToString(KeyType::kEc), "EC");
  EXPECT_EQ(ToString(KeyType::kOkp), "OKP");
  EXPECT_EQ(ToString(KeyType::kOct), "oct");
}

TEST(KeyThumbprint, SecretUsesKAndKty) {
  // base64url(SHA-256('{"k":"MDEy...ZGVm","kty":"oct"}')), computed with
  // Python's hashlib.
  EXPECT_EQ(testing::SecretKey().Thumbprint(), "XOBEfwKZzZgziWfq7yZzhEKNQfihBMioCzRbNmqUH0Y");
}

TEST(KeyThumbprint, IgnoresKidUseAndAlg) {
  const Key ec = Generated(Algorithm::kES256);
  boost::json::object jwk = ParseObject(*ec.PublicJwk("some-kid", Algorithm::kES256));
  EXPECT_EQ(LoadOne(boost::json::serialize(jwk)).Thumbprint(), ec.Thumbprint());
  EXPECT_EQ(ec.WithKid("other").Thumbprint(), ec.Thumbprint());
}

TEST(KeyPublicJwk, HasNoPrivateMemberAndRoundTrips) {
  for (Algorithm alg : {Algorithm::kRS256, Algorithm::kES384, Algorithm::kEdDSA}) {
    const Key key = Generated(alg);
    const Result<std::string> jwk = key.PublicJwk("kid-1", alg);
    ASSERT_TRUE(jwk.ok());
    const boost::json::object object = ParseObject(*jwk);
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
      EXPECT_FALSE(object.contains(member)) << member << " in " << *jwk;
    }
    EXPECT_EQ(object.at("kid").as_string(), "kid-1");
    EXPECT_EQ(object.at("use").as_string(), "sig");
    EXPECT_EQ(object.at("alg").as_string(), ToString(alg));
    const Key loaded = LoadOne(*jwk);
    EXPECT_FALSE(loaded.has_private());
    EXPECT_EQ(loaded.Thumbprint(), key.Thumbprint());
    const Result<std::string> sig = internal::SignBytes(key, alg, kInput);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(internal::VerifyBytes(loaded, alg, kInput, *sig)) << ToString(alg);
  }
}

TEST(KeyPublicJwk, SecretIsRefused) {
  EXPECT_THAT(testing::SecretKey().PublicJwk(), HasCode(ErrorCode::kKeyError));
}

TEST(KeyPublicJwk, AlgTheKeyCannotPerformIsRefused) {
  EXPECT_THAT(Generated(Algorithm::kES256).PublicJwk(std::nullopt, Algorithm::kRS256),
              HasCode(ErrorCode::kKeyError));
}

TEST(KeyPrivatePem, PublicKeyAndSecretAreRefused) {
  const Key pub = LoadOne(*Generated(Algorithm::kES256).PublicJwk());
  EXPECT_THAT(pub.PrivatePem(), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(pub.PrivateJwk(), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(testing::SecretKey().PrivatePem(), HasCode(ErrorCode::kKeyError));
}

TEST(KeyPrivatePem, IsPkcs8) {
  const Result<std::string> pem = Generated(Algorithm::kES256).PrivatePem();
  ASSERT_TRUE(pem.ok());
  EXPECT_THAT(*pem, ::testing::StartsWith("-----BEGIN PRIVATE KEY-----\n"));
}

TEST(KeyPrivateJwk, SecretRoundTripsWithKid) {
  const Key key = testing::SecretKey().WithKid("hs");
  const Result<std::string> jwk = key.PrivateJwk();
  ASSERT_TRUE(jwk.ok());
  EXPECT_EQ(*jwk, R"({"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY","kid":"hs"})");
  const Key loaded = LoadOne(*jwk);
  EXPECT_EQ(loaded.kid(), "hs");
  EXPECT_EQ(loaded.Thumbprint(), key.Thumbprint());
}

// Round trip for every algorithm: generate, export the private key, load it
// back, sign with the loaded key, verify with the public half.
class KeyRoundTrip : public ::testing::TestWithParam<Algorithm> {};

TEST_P(KeyRoundTrip, GeneratePrivateExportLoadSignVerify) {
  const Algorithm alg = GetParam();
  const Key generated = Generated(alg);
  EXPECT_TRUE(generated.has_private());
  EXPECT_TRUE(generated.CanPerform(alg));
  const bool secret = generated.type() == KeyType::kOct;
  const Result<std::string> exported = secret ? generated.PrivateJwk() : generated.PrivatePem();
  ASSERT_TRUE(exported.ok()) << exported.error().message();
  const Key loaded = LoadOne(*exported);
  EXPECT_TRUE(loaded.has_private());
  EXPECT_EQ(loaded.Thumbprint(), generated.Thumbprint());
  const Result<std::string> sig = internal::SignBytes(loaded, alg, kInput);
  ASSERT_TRUE(sig.ok()) << sig.error().message();
  EXPECT_TRUE(internal::VerifyBytes(generated, alg, kInput, *sig));
  if (!secret) {
    const Key pub = LoadOne(*generated.PublicJwk());
    EXPECT_TRUE(internal::VerifyBytes(pub, alg, kInput, *sig));
    // The private JWK round-trips too.
    const Key from_jwk = LoadOne(*generated.PrivateJwk());
    const Result<std::string> sig2 = internal::SignBytes(from_jwk, alg, kInput);
    ASSERT_TRUE(sig2.ok());
    EXPECT_TRUE(internal::VerifyBytes(pub, alg, kInput, *sig2));
  }
}

INSTANTIATE_TEST_SUITE_P(Key, KeyRoundTrip, ::testing::ValuesIn(AllAlgorithms()),
                         [](const auto& test_info) {
                           return std::string(ToString(test_info.param));
                         });

TEST(KeyGenerate, HmacSecretHasTheHashSize) {
  EXPECT_EQ(Generated(Algorithm::kHS256).bits(), 256);
  EXPECT_EQ(Generated(Algorithm::kHS384).bits(), 384);
  EXPECT_EQ(Generated(Algorithm::kHS512).bits(), 512);
  EXPECT_NE(Generated(Algorithm::kHS256).Thumbprint(), Generated(Algorithm::kHS256).Thumbprint());
}

TEST(KeyGenerateOfType, MakesTheRequestedKeys) {
  const Result<Key> ec = GenerateKeyOfType("ec", 0, "P-384");
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->curve(), "P-384");
  const Result<Key> ed = GenerateKeyOfType("ed25519", 0, "");
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(ed->type(), KeyType::kOkp);
  const Result<Key> rsa = GenerateKeyOfType("rsa", 2048, "");
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->bits(), 2048);
}

TEST(KeyGenerateOfType, RefusesWeakRsaUnknownCurveAndType) {
  const Result<Key> weak = GenerateKeyOfType("rsa", 1024, "");
  EXPECT_THAT(weak, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(weak.error().message(), HasSubstr("1024"));
  EXPECT_THAT(GenerateKeyOfType("ec", 0, "P-192"), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(GenerateKeyOfType("dsa", 2048, ""), HasCode(ErrorCode::kUsage));
}

TEST(KeyWithKid, CopiesAndLeavesTheOriginalAlone) {
  const Key key = Generated(Algorithm::kES256);
  const Key copy = key.WithKid("new");
  EXPECT_EQ(copy.kid(), "new");
  EXPECT_FALSE(key.kid().has_value());
  EXPECT_EQ(copy.type(), KeyType::kEc);
  EXPECT_TRUE(copy.has_private());
  EXPECT_THAT(*copy.PublicJwk(), HasSubstr(R"("kid":"new")"));
  EXPECT_THAT(*key.PublicJwk(), Not(HasSubstr("kid")));
}

}  // namespace
}  // namespace tock
