// The RFC examples, byte for byte: RFC 7515 appendix A, RFC 7520 section 4,
// RFC 8037 appendix A, RFC 7638 section 3.1 and RFC 7517 appendices A and B.
// The data lives in tests/vectors/rfc/; this file is the one runner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "testing/test_tokens.h"
#include "tock/app/files.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string VectorFile(const std::string& name) {
  return std::string(TOCK_VECTORS_DIR) + "/rfc/" + name;
}

LoadedKeys LoadFile(const std::string& name) {
  Result<LoadedKeys> loaded = LoadKeyFile(VectorFile(name));
  EXPECT_TRUE(loaded.ok()) << name << ": " << loaded.error().message();
  return loaded.ok() ? *loaded : LoadedKeys{};
}

struct JwsVector {
  std::string name;
  Algorithm alg;
  bool deterministic;
  std::string key_json;
  std::string signing_input;
  std::string signature;  // decoded
};

std::vector<JwsVector> JwsVectors() {
  Result<std::string> text = ReadFile(VectorFile("jws_signatures.json"));
  if (!text.ok()) {
    ADD_FAILURE() << text.error().message();
    return {};
  }
  std::vector<JwsVector> out;
  const boost::json::value document = boost::json::parse(*text);
  for (const auto& entry : document.at("vectors").as_array()) {
    const boost::json::object& v = entry.as_object();
    JwsVector vector;
    vector.name = v.at("name").as_string();
    vector.alg = *ParseAlgorithm(v.at("alg").as_string());
    vector.deterministic = v.at("deterministic").as_bool();
    vector.key_json = boost::json::serialize(v.at("key"));
    vector.signing_input = v.at("signing_input").as_string();
    vector.signature = *internal::Base64UrlDecode(v.at("signature").as_string());
    out.push_back(std::move(vector));
  }
  return out;
}

class RfcJws : public ::testing::TestWithParam<JwsVector> {
 protected:
  Key LoadKey() const {
    Result<LoadedKeys> loaded = LoadKeys(GetParam().key_json);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message();
    EXPECT_THAT(loaded->keys, SizeIs(1));
    return loaded->keys.at(0);
  }
};

TEST_P(RfcJws, SignatureVerifies) {
  const JwsVector& v = GetParam();
  EXPECT_TRUE(internal::VerifyBytes(LoadKey(), v.alg, v.signing_input, v.signature));
}

TEST_P(RfcJws, SignatureVerifiesWithThePublicHalfOnly) {
  const JwsVector& v = GetParam();
  const Key key = LoadKey();
  if (key.type() == KeyType::kOct) {  // an HMAC key has no public half to publish
    EXPECT_THAT(key.PublicJwk(), testing::HasCode(ErrorCode::kKeyError));
    return;
  }
  Result<LoadedKeys> pub = LoadKeys(*key.PublicJwk());
  ASSERT_TRUE(pub.ok());
  EXPECT_FALSE(pub->keys.at(0).has_private());
  EXPECT_TRUE(internal::VerifyBytes(pub->keys.at(0), v.alg, v.signing_input, v.signature));
}

TEST_P(RfcJws, AlteredInputOrSignatureDoesNotVerify) {
  const JwsVector& v = GetParam();
  const Key key = LoadKey();
  std::string input = v.signing_input;
  input[input.size() / 2] ^= 0x20;
  EXPECT_FALSE(internal::VerifyBytes(key, v.alg, input, v.signature));
  std::string signature = v.signature;
  signature[signature.size() / 2] ^= 0x01;
  EXPECT_FALSE(internal::VerifyBytes(key, v.alg, v.signing_input, signature));
}

TEST_P(RfcJws, DeterministicAlgorithmsReproduceTheSignature) {
  const JwsVector& v = GetParam();
  const Result<std::string> signature = internal::SignBytes(LoadKey(), v.alg, v.signing_input);
  ASSERT_TRUE(signature.ok()) << signature.error().message();
  if (v.deterministic) {
    EXPECT_EQ(internal::Base64UrlEncode(*signature), internal::Base64UrlEncode(v.signature));
  } else {
    // ECDSA and PSS are randomized: a fresh signature differs and verifies.
    EXPECT_NE(*signature, v.signature);
    EXPECT_TRUE(internal::VerifyBytes(LoadKey(), v.alg, v.signing_input, *signature));
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, RfcJws, ::testing::ValuesIn(JwsVectors()),
                         [](const auto& test_info) {
                           std::string name;
                           for (char c : test_info.param.name) {
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           }
                           return name;
                         });

TEST(Rfc7638, Section31ThumbprintOfTheExampleRsaKey) {
  const LoadedKeys loaded = LoadFile("rfc7517_a1_public.json");
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(Rfc8037, AppendixA3ThumbprintOfTheEd25519Key) {
  const std::string jwk =
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
  Result<LoadedKeys> loaded = LoadKeys(jwk);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->keys.at(0).Thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(Rfc8037, PrivateJwkExportGivesBackTheRfcMembers) {
  const std::string jwk =
      R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
  Result<LoadedKeys> loaded = LoadKeys(jwk);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(
      *loaded->keys.at(0).PrivateJwk(),
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"})");
}

TEST(Rfc7517, AppendixA1PublicKeysLoadSkippingTheEncryptionKey) {
  const LoadedKeys loaded = LoadFile("rfc7517_a1_public.json");
  ASSERT_THAT(loaded.keys, SizeIs(1));
  const Key& rsa = loaded.keys[0];
  EXPECT_EQ(rsa.type(), KeyType::kRsa);
  EXPECT_EQ(rsa.bits(), 2048);
  EXPECT_EQ(rsa.kid(), "2011-04-29");
  EXPECT_THAT(rsa.Algorithms(), ElementsAre(Algorithm::kRS256));
  EXPECT_FALSE(rsa.has_private());
  ASSERT_THAT(loaded.notes, SizeIs(1));
  EXPECT_THAT(loaded.notes[0], AllOf(HasSubstr("kid \"1\""), HasSubstr("\"enc\"")));
}

TEST(Rfc7517, AppendixA1EcKeyThumbprintWhenUsedForSignatures) {
  // The A.1 EC key is an encryption key; as a signature key its RFC 7638
  // thumbprint is the one other implementations (jwcrypto) publish.
  const std::string jwk =
      R"({"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","kid":"1"})";
  Result<LoadedKeys> loaded = LoadKeys(jwk);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->keys.at(0).Thumbprint(), "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
}

TEST(Rfc7517, AppendixA2PrivateRsaKeyLoadsAndSigns) {
  const LoadedKeys loaded = LoadFile("rfc7517_a2_private.json");
  ASSERT_THAT(loaded.keys, SizeIs(1));
  const Key& rsa = loaded.keys[0];
  EXPECT_TRUE(rsa.has_private());
  EXPECT_EQ(rsa.Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  const Result<std::string> sig = internal::SignBytes(rsa, Algorithm::kRS256, "a.b");
  ASSERT_TRUE(sig.ok()) << sig.error().message();
  const LoadedKeys pub = LoadFile("rfc7517_a1_public.json");
  EXPECT_TRUE(internal::VerifyBytes(pub.keys.at(0), Algorithm::kRS256, "a.b", *sig));
  EXPECT_THAT(loaded.notes, SizeIs(1));  // the EC encryption key
}

TEST(Rfc7517, AppendixA3SymmetricKeysKeepTheHmacKey) {
  const LoadedKeys loaded = LoadFile("rfc7517_a3_symmetric.json");
  ASSERT_THAT(loaded.keys, SizeIs(1));
  const Key& hmac = loaded.keys[0];
  EXPECT_EQ(hmac.type(), KeyType::kOct);
  EXPECT_EQ(hmac.bits(), 512);  // 64 bytes: HS256, HS384 and HS512
  EXPECT_EQ(hmac.kid(), "HMAC key used in JWS A.1 example");
  EXPECT_THAT(hmac.Algorithms(),
              ElementsAre(Algorithm::kHS256, Algorithm::kHS384, Algorithm::kHS512));
  ASSERT_THAT(loaded.notes, SizeIs(1));
  EXPECT_THAT(loaded.notes[0], HasSubstr("A128KW"));
  // It is the RFC 7515 A.1 key: it verifies that example.
  const std::vector<JwsVector> vectors = JwsVectors();
  ASSERT_FALSE(vectors.empty());
  EXPECT_EQ(vectors[0].name, "RFC 7515 A.1 (HS256)");
  EXPECT_TRUE(internal::VerifyBytes(hmac, Algorithm::kHS256, vectors[0].signing_input,
                                    vectors[0].signature));
}

TEST(Rfc7517, AppendixBKeyWithX5cMatchesItsCertificate) {
  const LoadedKeys jwk = LoadFile("rfc7517_b_x5c.json");
  ASSERT_THAT(jwk.keys, SizeIs(1));
  EXPECT_EQ(jwk.keys[0].kid(), "1b94c");
  EXPECT_EQ(jwk.keys[0].use(), "sig");
  const LoadedKeys cert = LoadFile("rfc7517_b_x5c_cert.pem");
  ASSERT_THAT(cert.keys, SizeIs(1));
  EXPECT_EQ(cert.keys[0].Thumbprint(), jwk.keys[0].Thumbprint());
}

}  // namespace
}  // namespace tock
