// Tests for internal/crypto.h: SignBytes, VerifyBytes, RandomBytes, Sha256.
#include "internal/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "internal/base64url.h"
#include "testing/test_tokens.h"
#include "tock/key.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using tock::testing::HasCode;

constexpr std::string_view kInput = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0b2NrIn0";

// Generate returns a key for |alg|, made once per family and test run (RSA
// generation is slow; the keys are immutable, so sharing them is safe).
Key Generate(Algorithm alg) {
  static std::map<Algorithm, Key>* cache = new std::map<Algorithm, Key>();
  const Algorithm family = alg == Algorithm::kRS384 || alg == Algorithm::kRS512 ||
                                   alg == Algorithm::kPS256 || alg == Algorithm::kPS384 ||
                                   alg == Algorithm::kPS512
                               ? Algorithm::kRS256
                           : alg == Algorithm::kEd25519 ? Algorithm::kEdDSA
                                                        : alg;
  if (auto it = cache->find(family); it != cache->end()) return it->second;
  Result<Key> key = GenerateKey(family);
  EXPECT_TRUE(key.ok()) << ToString(alg) << ": " << key.error().message();
  cache->emplace(family, *key);
  return *key;
}

std::string Sign(const Key& key, Algorithm alg, std::string_view input = kInput) {
  Result<std::string> sig = internal::SignBytes(key, alg, input);
  EXPECT_TRUE(sig.ok()) << ToString(alg) << ": " << sig.error().message();
  return sig.ok() ? *sig : std::string();
}

// PublicOnly returns the public half of |key|, parsed back from its JWK.
Key PublicOnly(const Key& key) {
  Result<std::string> jwk = key.PublicJwk();
  EXPECT_TRUE(jwk.ok());
  Result<LoadedKeys> loaded = LoadKeys(*jwk);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message();
  return loaded->keys.at(0);
}

// RawToDer re-encodes an R||S ECDSA signature as DER, as OpenSSL and many
// non-JOSE libraries produce it.
std::string RawToDer(std::string_view raw) {
  const std::size_t half = raw.size() / 2;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, static_cast<int>(half), nullptr),
                 BN_bin2bn(bytes + half, static_cast<int>(half), nullptr));
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

class EveryAlgorithm : public ::testing::TestWithParam<Algorithm> {};

TEST_P(EveryAlgorithm, SignThenVerifyAccepts) {
  const Algorithm alg = GetParam();
  const Key key = Generate(alg);
  const std::string sig = Sign(key, alg);
  EXPECT_TRUE(internal::VerifyBytes(key, alg, kInput, sig));
  if (key.type() != KeyType::kOct) {
    EXPECT_TRUE(internal::VerifyBytes(PublicOnly(key), alg, kInput, sig));
  }
}

TEST_P(EveryAlgorithm, AlteredInputIsRejected) {
  const Algorithm alg = GetParam();
  const Key key = Generate(alg);
  const std::string sig = Sign(key, alg);
  std::string altered(kInput);
  altered.back() ^= 1;
  EXPECT_FALSE(internal::VerifyBytes(key, alg, altered, sig));
}

TEST_P(EveryAlgorithm, AlteredSignatureIsRejected) {
  const Algorithm alg = GetParam();
  const Key key = Generate(alg);
  std::string sig = Sign(key, alg);
  for (std::size_t i : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
    std::string altered = sig;
    altered[i] ^= 0x01;
    EXPECT_FALSE(internal::VerifyBytes(key, alg, kInput, altered)) << "byte " << i;
  }
}

TEST_P(EveryAlgorithm, EmptyZeroAndTruncatedSignaturesAreRejected) {
  const Algorithm alg = GetParam();
  const Key key = Generate(alg);
  const std::string sig = Sign(key, alg);
  EXPECT_FALSE(internal::VerifyBytes(key, alg, kInput, ""));
  EXPECT_FALSE(internal::VerifyBytes(key, alg, kInput, std::string(sig.size(), '\0')));
  EXPECT_FALSE(internal::VerifyBytes(key, alg, kInput, sig.substr(0, sig.size() - 1)));
  EXPECT_FALSE(internal::VerifyBytes(key, alg, kInput, sig + '\0'));
}

INSTANTIATE_TEST_SUITE_P(Crypto, EveryAlgorithm, ::testing::ValuesIn(AllAlgorithms()),
                         [](const auto& test_info) {
                           return std::string(ToString(test_info.param));
                         });

TEST(Crypto, EcdsaSignaturesAreRawRAndSOfTheCurveSize) {
  EXPECT_THAT(Sign(Generate(Algorithm::kES256), Algorithm::kES256), SizeIs(64));
  EXPECT_THAT(Sign(Generate(Algorithm::kES384), Algorithm::kES384), SizeIs(96));
  EXPECT_THAT(Sign(Generate(Algorithm::kES512), Algorithm::kES512), SizeIs(132));
}

// The raw -> DER conversion on the verify path is written by hand; many
// signatures exercise its edge cases: r or s with leading zero bytes (1 in
// 256 each) and with the top bit set (1 in 2), and P-521's long-form length.
TEST(Crypto, ManyEcdsaSignaturesRoundTripThroughTheDerConversion) {
  for (Algorithm alg : {Algorithm::kES256, Algorithm::kES384, Algorithm::kES512}) {
    const Key key = Generate(alg);
    int leading_zero = 0;
    for (int i = 0; i < 400; ++i) {
      const std::string raw = Sign(key, alg);
      const std::size_t half = raw.size() / 2;
      leading_zero += raw[0] == '\0' || raw[half] == '\0';
      ASSERT_TRUE(internal::VerifyBytes(key, alg, kInput, raw)) << ToString(alg) << " #" << i;
    }
    RecordProperty(std::string(ToString(alg)) + "_leading_zero", leading_zero);
  }
}

TEST(Crypto, DerEncodedEcdsaSignatureIsRejected) {
  for (Algorithm alg : {Algorithm::kES256, Algorithm::kES384, Algorithm::kES512}) {
    const Key key = Generate(alg);
    const std::string raw = Sign(key, alg);
    ASSERT_TRUE(internal::VerifyBytes(key, alg, kInput, raw));
    EXPECT_FALSE(internal::VerifyBytes(key, alg, kInput, RawToDer(raw))) << ToString(alg);
  }
}

TEST(Crypto, EcdsaSignatureOfWrongLengthIsRejected) {
  const Key key = Generate(Algorithm::kES256);
  const std::string raw = Sign(key, Algorithm::kES256);
  // R||S with an extra leading zero on each half still encodes the same
  // numbers; only the exact 64-byte form is a JWS signature.
  const std::string padded = std::string(1, '\0') + raw.substr(0, 32) + '\0' + raw.substr(32);
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kES256, kInput, padded));
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kES256, kInput, raw.substr(1)));
}

TEST(Crypto, HmacWithRsaPublicKeyAsSecretIsRejected) {
  const Key rsa = Generate(Algorithm::kRS256);
  EXPECT_FALSE(rsa.CanPerform(Algorithm::kHS256));
  // The classic confusion attack: an HMAC keyed with the public key's bytes.
  const Result<std::string> jwk = PublicOnly(rsa).PublicJwk();
  const Key forged_key = testing::SecretKey(std::string(60, 'x') + *jwk);
  const std::string mac = Sign(forged_key, Algorithm::kHS256);
  EXPECT_FALSE(internal::VerifyBytes(rsa, Algorithm::kHS256, kInput, mac));
  EXPECT_FALSE(internal::VerifyBytes(PublicOnly(rsa), Algorithm::kHS256, kInput, mac));
  EXPECT_THAT(internal::SignBytes(rsa, Algorithm::kHS256, kInput), HasCode(ErrorCode::kKeyError));
}

TEST(Crypto, WrongFamilyNeverVerifies) {
  const Key ec = Generate(Algorithm::kES256);
  const Key ed = Generate(Algorithm::kEdDSA);
  const Key secret = testing::SecretKey();
  EXPECT_FALSE(internal::VerifyBytes(ec, Algorithm::kEdDSA, kInput, Sign(ed, Algorithm::kEdDSA)));
  EXPECT_FALSE(internal::VerifyBytes(ed, Algorithm::kES256, kInput, Sign(ec, Algorithm::kES256)));
  EXPECT_FALSE(
      internal::VerifyBytes(ec, Algorithm::kHS256, kInput, Sign(secret, Algorithm::kHS256)));
}

TEST(Crypto, P256KeyCannotPerformEs384) {
  const Key key = Generate(Algorithm::kES256);
  EXPECT_FALSE(key.CanPerform(Algorithm::kES384));
  EXPECT_THAT(internal::SignBytes(key, Algorithm::kES384, kInput), HasCode(ErrorCode::kKeyError));
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kES384, kInput, std::string(96, '\x01')));
}

TEST(Crypto, PssAndPkcs1SignaturesDoNotCrossVerify) {
  const Key key = Generate(Algorithm::kRS256);
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kRS256, kInput, Sign(key, Algorithm::kPS256)));
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kPS256, kInput, Sign(key, Algorithm::kRS256)));
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kPS384, kInput, Sign(key, Algorithm::kPS256)));
}

TEST(Crypto, PssSignaturesAreRandomized) {
  const Key key = Generate(Algorithm::kPS256);
  EXPECT_NE(Sign(key, Algorithm::kPS256), Sign(key, Algorithm::kPS256));
}

TEST(Crypto, EdDsaAndEd25519NamesVerifyTheSameSignature) {
  const Key key = Generate(Algorithm::kEd25519);
  const std::string sig = Sign(key, Algorithm::kEdDSA);
  EXPECT_EQ(sig, Sign(key, Algorithm::kEd25519));  // Ed25519 is deterministic
  EXPECT_TRUE(internal::VerifyBytes(key, Algorithm::kEd25519, kInput, sig));
}

TEST(Crypto, SigningWithPublicKeyFailsWithKeyError) {
  const Key pub = PublicOnly(Generate(Algorithm::kES256));
  const Result<std::string> sig = internal::SignBytes(pub, Algorithm::kES256, kInput);
  EXPECT_THAT(sig, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(sig.error().message(), HasSubstr("private key"));
}

TEST(Crypto, ShortSecretCannotPerformLongerHmac) {
  const Key key = testing::SecretKey(std::string(48, 's'));
  EXPECT_TRUE(internal::SignBytes(key, Algorithm::kHS384, kInput).ok());
  EXPECT_THAT(internal::SignBytes(key, Algorithm::kHS512, kInput), HasCode(ErrorCode::kKeyError));
  EXPECT_FALSE(internal::VerifyBytes(key, Algorithm::kHS512, kInput, std::string(64, 'x')));
}

TEST(Crypto, HmacMatchesRfc4231TestCase2Shape) {
  // HMAC-SHA-256 of "what do ya want for nothing?" keyed with "Jefe" is
  // RFC 4231 test case 2; tock refuses 4-byte secrets, so the key is padded
  // with zeros to the block size, which HMAC (RFC 2104) treats identically.
  const Key key = testing::SecretKey(std::string("Jefe") + std::string(60, '\0'));
  const Result<std::string> mac =
      internal::SignBytes(key, Algorithm::kHS256, "what do ya want for nothing?");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(internal::Base64UrlEncode(*mac), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

TEST(Crypto, KidCopySharesTheKey) {
  const Key key = Generate(Algorithm::kES256);
  const Key copy = key.WithKid("copy");
  EXPECT_TRUE(internal::VerifyBytes(copy, Algorithm::kES256, kInput, Sign(key, Algorithm::kES256)));
  EXPECT_TRUE(internal::VerifyBytes(key, Algorithm::kES256, kInput, Sign(copy, Algorithm::kES256)));
}

TEST(Crypto, ConcurrentVerificationWithOneKeyAgrees) {
  const Key ec = Generate(Algorithm::kES256);
  const Key secret = testing::SecretKey();
  const std::string ec_sig = Sign(ec, Algorithm::kES256);
  const std::string mac = Sign(secret, Algorithm::kHS256);
  // Fresh copies: the per-key context caches start empty, so the threads
  // race to fill them.
  const Key ec_copy = ec.WithKid("a");
  const Key secret_copy = secret.WithKid("b");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!internal::VerifyBytes(ec_copy, Algorithm::kES256, kInput, ec_sig)) ++failures;
        if (!internal::VerifyBytes(secret_copy, Algorithm::kHS256, kInput, mac)) ++failures;
        if (internal::VerifyBytes(secret_copy, Algorithm::kHS256, "other", mac)) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Crypto, RandomBytesHaveTheRequestedLengthAndDiffer) {
  EXPECT_THAT(internal::RandomBytes(16), SizeIs(16));
  EXPECT_THAT(internal::RandomBytes(0), SizeIs(0));
  EXPECT_NE(internal::RandomBytes(32), internal::RandomBytes(32));
}

TEST(Crypto, Sha256MatchesFips180Vector) {
  // FIPS 180-2 appendix B.1: SHA-256("abc").
  EXPECT_EQ(internal::Base64UrlEncode(internal::Sha256("abc")),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

}  // namespace
}  // namespace tock
