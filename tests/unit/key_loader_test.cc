// Tests for LoadKeys / LoadKeyFile / ReadFile / FetchUrl / FetchJwks.
#include "tock/key_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <random>

#include "internal/crypto.h"
#include "testing/test_tokens.h"
#include "tock/app/files.h"
#include "tock/limits.h"

namespace tock {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using tock::testing::HasCode;

std::string KeyFile(const std::string& name) {
  return std::string(TOCK_VECTORS_DIR) + "/keys/" + name;
}

std::string Read(const std::string& name) {
  Result<std::string> content = ReadFile(KeyFile(name));
  EXPECT_TRUE(content.ok()) << content.error().message();
  return content.ok() ? *content : std::string();
}

LoadedKeys LoadOk(std::string_view content, KeyOrigin origin = KeyOrigin::kLocal) {
  Result<LoadedKeys> loaded = LoadKeys(content, origin);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message();
  return loaded.ok() ? *loaded : LoadedKeys{};
}

std::string JwkOf(const Key& key) { return *key.PublicJwk(); }

Key GeneratedEc() { return *GenerateKey(Algorithm::kES256); }

// WithMember returns |jwk| with member |name| set to |value| (JSON text).
std::string WithMember(std::string_view jwk, std::string_view name, std::string_view value) {
  boost::json::object object = boost::json::parse(jwk).as_object();
  object[name] = boost::json::parse(value);
  return boost::json::serialize(object);
}

TEST(LoadKeysPem, EveryEncodingOfOneRsaKeyGivesOneThumbprint) {
  const std::string thumbprint = LoadOk(Read("rsa2048_pkcs1.pem")).keys.at(0).Thumbprint();
  for (const char* file : {"rsa2048_pkcs1_pub.pem", "rsa2048_spki.pem", "rsa2048_pkcs1.der",
                           "rsa2048_pkcs8.der", "rsa2048_spki.der"}) {
    const LoadedKeys loaded = LoadOk(Read(file));
    ASSERT_THAT(loaded.keys, SizeIs(1)) << file;
    EXPECT_EQ(loaded.keys[0].type(), KeyType::kRsa) << file;
    EXPECT_EQ(loaded.keys[0].Thumbprint(), thumbprint) << file;
    EXPECT_THAT(loaded.notes, SizeIs(0)) << file;
  }
}

TEST(LoadKeysPem, PrivateFormsHavePrivatePartsPublicFormsDoNot) {
  EXPECT_TRUE(LoadOk(Read("rsa2048_pkcs1.pem")).keys.at(0).has_private());
  EXPECT_TRUE(LoadOk(Read("rsa2048_pkcs8.der")).keys.at(0).has_private());
  EXPECT_FALSE(LoadOk(Read("rsa2048_pkcs1_pub.pem")).keys.at(0).has_private());
  EXPECT_FALSE(LoadOk(Read("rsa2048_spki.der")).keys.at(0).has_private());
}

TEST(LoadKeysPem, Sec1WithEcParametersBlockLoadsWithoutNotes) {
  const LoadedKeys loaded = LoadOk(Read("ec_p256_sec1.pem"));
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].curve(), "P-256");
  EXPECT_TRUE(loaded.keys[0].has_private());
  EXPECT_THAT(loaded.notes, SizeIs(0));
}

TEST(LoadKeysPem, CertificateGivesItsPublicKey) {
  const std::string thumbprint = LoadOk(Read("ec_p256_sec1.pem")).keys.at(0).Thumbprint();
  for (const char* file : {"ec_p256_cert.pem", "ec_p256_cert.der", "ec_p256_pub.pem"}) {
    const LoadedKeys loaded = LoadOk(Read(file));
    ASSERT_THAT(loaded.keys, SizeIs(1)) << file;
    EXPECT_FALSE(loaded.keys[0].has_private()) << file;
    EXPECT_EQ(loaded.keys[0].Thumbprint(), thumbprint) << file;
  }
}

TEST(LoadKeysPem, Ed25519Pkcs8Loads) {
  const LoadedKeys loaded = LoadOk(Read("ed25519.pem"));
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].type(), KeyType::kOkp);
  EXPECT_THAT(loaded.keys[0].Algorithms(), ElementsAre(Algorithm::kEdDSA, Algorithm::kEd25519));
}

TEST(LoadKeysPem, CertificateNextToItsPrivateKeyMergesIntoThePrivateKey) {
  const LoadedKeys loaded = LoadOk(Read("ec_p256_cert.pem") + Read("ec_p256_sec1.pem"));
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_TRUE(loaded.keys[0].has_private());
}

TEST(LoadKeysPem, SeveralBlocksGiveSeveralKeysInOrder) {
  const LoadedKeys loaded = LoadOk(Read("ed25519.pem") + Read("rsa2048_spki.pem"));
  ASSERT_THAT(loaded.keys, SizeIs(2));
  EXPECT_EQ(loaded.keys[0].type(), KeyType::kOkp);
  EXPECT_EQ(loaded.keys[1].type(), KeyType::kRsa);
}

TEST(LoadKeysPem, WeakRsaAloneIsAKeyError) {
  for (const char* file : {"rsa1024.pem", "rsa1024_pub.pem"}) {
    const Result<LoadedKeys> loaded = LoadKeys(Read(file));
    EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError)) << file;
    EXPECT_THAT(loaded.error().message(),
                AllOf(HasSubstr("1024 bits"), HasSubstr("2048-bit minimum")));
  }
}

TEST(LoadKeysPem, WeakRsaNextToAGoodKeyIsSkippedWithANote) {
  const LoadedKeys loaded = LoadOk(Read("rsa1024_pub.pem") + Read("ed25519.pem"));
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].type(), KeyType::kOkp);
  ASSERT_THAT(loaded.notes, SizeIs(1));
  EXPECT_THAT(loaded.notes[0], HasSubstr("1024 bits"));
}

TEST(LoadKeysPem, EncryptedKeysAreRefused) {
  for (const char* file : {"rsa2048_encrypted_pkcs8.pem", "rsa2048_encrypted_pkcs1.pem"}) {
    const Result<LoadedKeys> loaded = LoadKeys(Read(file));
    EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError)) << file;
    EXPECT_THAT(loaded.error().message(), HasSubstr("encrypted")) << file;
  }
}

TEST(LoadKeysPem, UnsupportedKeyTypesAreRefusedByName) {
  const struct {
    const char* file;
    const char* reason;
  } cases[] = {
      {"ec_secp256k1.pem", "secp256k1"}, {"ed448.pem", "ED448"}, {"rsa_pss.pem", "RSA-PSS"}};
  for (const auto& c : cases) {
    const Result<LoadedKeys> loaded = LoadKeys(Read(c.file));
    EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError)) << c.file;
    EXPECT_THAT(loaded.error().message(), HasSubstr(c.reason)) << c.file;
  }
}

TEST(LoadKeysPem, NonKeyBlockIsNotedAndUnterminatedBlockIsAnError) {
  const LoadedKeys loaded =
      LoadOk("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n" +
             Read("ed25519.pem"));
  ASSERT_THAT(loaded.keys, SizeIs(1));
  ASSERT_THAT(loaded.notes, SizeIs(1));
  EXPECT_THAT(loaded.notes[0], HasSubstr("CERTIFICATE REQUEST"));
  EXPECT_THAT(LoadKeys("-----BEGIN PUBLIC KEY-----\nMIIB\n"), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(LoadKeys("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"),
              HasCode(ErrorCode::kKeyError));
}

TEST(LoadKeysJwk, WeakRsaJwkIsAKeyError) {
  const Result<LoadedKeys> loaded = LoadKeys(Read("rsa1024_pub.jwk"));
  EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(loaded.error().message(), HasSubstr("1024 bits"));
}

TEST(LoadKeysJwk, MembersFromJwkAreKept) {
  const std::string jwk =
      WithMember(WithMember(JwkOf(GeneratedEc()), "kid", R"("k1")"), "alg", R"("ES256")");
  const LoadedKeys loaded = LoadOk(jwk);
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].kid(), "k1");
  EXPECT_EQ(loaded.keys[0].use(), "sig");
  EXPECT_EQ(loaded.keys[0].alg(), Algorithm::kES256);
}

TEST(LoadKeysJwk, EcPointNotOnTheCurveIsRefused) {
  const std::string jwk = JwkOf(GeneratedEc());
  boost::json::object object = boost::json::parse(jwk).as_object();
  std::string y(object["y"].as_string());
  y[5] = y[5] == 'A' ? 'B' : 'A';  // moves the point off the curve
  object["y"] = y;
  const Result<LoadedKeys> loaded = LoadKeys(boost::json::serialize(object));
  EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(loaded.error().message(), HasSubstr("not a valid point on curve P-256"));
}

TEST(LoadKeysJwk, MalformedMembersMakeTheKeyUnusable) {
  const std::string ec = JwkOf(GeneratedEc());
  const std::string rsa = JwkOf(*GenerateKey(Algorithm::kRS256));
  const struct {
    std::string jwk;
    std::string reason;
  } cases[] = {
      {WithMember(rsa, "n", "12345"), "\"n\" is not a string"},
      {WithMember(rsa, "e", R"("AQ+B")"), "\"e\" is not valid base64url"},
      {WithMember(rsa, "n", R"("AQAB=")"), "\"n\" is not valid base64url"},
      {WithMember(ec, "x", R"("AAAA")"), "\"x\" is 3 bytes"},
      {WithMember(ec, "crv", R"("secp256k1")"), "unknown EC crv \"secp256k1\""},
      {WithMember(ec, "kty", R"("DSA")"), "unknown kty \"DSA\""},
      {WithMember(ec, "kty", "7"), "\"kty\" is not a string"},
      {WithMember(ec, "kid", "7"), "\"kid\" is not a string"},
      {WithMember(ec, "use", R"("enc")"), "encryption key"},
      {WithMember(ec, "alg", R"("RSA-OAEP")"), "not a signature algorithm"},
      {WithMember(ec, "alg", R"("none")"), "not a signature algorithm"},
      {WithMember(ec, "alg", R"("RS256")"), "does not fit this EC key"},
      {WithMember(ec, "key_ops", R"(["encrypt"])"), "key_ops"},
      {R"({"kty":"oct","k":"c2hvcnQ"})", "5 bytes"},
      {R"({"kty":"OKP","crv":"X25519","x":"AAAA"})", "unknown OKP crv \"X25519\""},
      {R"({"kty":"RSA","n":"AQAB","e":"AQAB","oth":[]})", "multi-prime"},
      {R"({"n":"AQAB"})", "\"kty\" is missing"},
  };
  for (const auto& c : cases) {
    const Result<LoadedKeys> loaded = LoadKeys(c.jwk);
    EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError)) << c.jwk;
    if (!loaded.ok()) {
      EXPECT_THAT(loaded.error().message(), HasSubstr(c.reason)) << c.jwk;
    }
  }
}

TEST(LoadKeysJwk, IncompleteRsaCrtMembersAreRefused) {
  const std::string rsa = *GenerateKey(Algorithm::kRS256)->PrivateJwk();
  boost::json::object object = boost::json::parse(rsa).as_object();
  object.erase("qi");
  const Result<LoadedKeys> loaded = LoadKeys(boost::json::serialize(object));
  EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(loaded.error().message(), HasSubstr("incomplete"));
}

TEST(LoadKeysJwk, PrivateRsaJwkWithoutCrtMembersStillSigns) {
  const Key generated = *GenerateKey(Algorithm::kRS256);
  boost::json::object object = boost::json::parse(*generated.PrivateJwk()).as_object();
  for (const char* member : {"p", "q", "dp", "dq", "qi"}) object.erase(member);
  const LoadedKeys loaded = LoadOk(boost::json::serialize(object));
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_TRUE(loaded.keys[0].has_private());
  const Result<std::string> sig = internal::SignBytes(loaded.keys[0], Algorithm::kPS256, "a.b");
  ASSERT_TRUE(sig.ok()) << sig.error().message();
  EXPECT_TRUE(internal::VerifyBytes(generated, Algorithm::kPS256, "a.b", *sig));
}

TEST(LoadKeysJwk, PrivateMemberThatDoesNotMatchThePublicKeyIsRefused) {
  const std::string ec_a = *GeneratedEc().PrivateJwk();
  const std::string ec_b = *GeneratedEc().PrivateJwk();
  const std::string d_b(boost::json::parse(ec_b).as_object()["d"].as_string());
  EXPECT_THAT(LoadKeys(WithMember(ec_a, "d", "\"" + d_b + "\"")), HasCode(ErrorCode::kKeyError));
  const std::string ed_a = *GenerateKey(Algorithm::kEdDSA)->PrivateJwk();
  const std::string ed_b = *GenerateKey(Algorithm::kEdDSA)->PrivateJwk();
  const std::string ed_d(boost::json::parse(ed_b).as_object()["d"].as_string());
  const Result<LoadedKeys> loaded = LoadKeys(WithMember(ed_a, "d", "\"" + ed_d + "\""));
  EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(loaded.error().message(), HasSubstr("does not match"));
}

TEST(LoadKeysJwks, MixedMembersKeepTheUsableOnesWithNotes) {
  const std::string good = WithMember(JwkOf(GeneratedEc()), "kid", R"("good")");
  const std::string jwks = "{\"keys\":[" + Read("rsa1024_pub.jwk") + "," +
                           WithMember(JwkOf(GeneratedEc()), "use", R"("enc")") + "," +
                           R"({"kty":"DSA","kid":"dsa"},)" +
                           WithMember(JwkOf(GeneratedEc()), "crv", R"("P-192")") + "," + good +
                           R"(,"not an object",{"kty":"RSA","n":5,"e":"AQAB"}]})";
  const LoadedKeys loaded = LoadOk(jwks);
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].kid(), "good");
  ASSERT_THAT(loaded.notes, SizeIs(6));
  EXPECT_THAT(loaded.notes[0],
              AllOf(HasSubstr("keys[0]"), HasSubstr("kid \"weak\""), HasSubstr("1024 bits")));
  EXPECT_THAT(loaded.notes[1], AllOf(HasSubstr("keys[1]"), HasSubstr("enc")));
  EXPECT_THAT(loaded.notes[2], AllOf(HasSubstr("keys[2]"), HasSubstr("unknown kty \"DSA\"")));
  EXPECT_THAT(loaded.notes[3], AllOf(HasSubstr("keys[3]"), HasSubstr("unknown EC crv")));
  EXPECT_THAT(loaded.notes[4], AllOf(HasSubstr("keys[5]"), HasSubstr("not a JSON object")));
  EXPECT_THAT(loaded.notes[5], AllOf(HasSubstr("keys[6]"), HasSubstr("\"n\" is not a string")));
}

TEST(LoadKeysJwks, NoUsableMemberIsAKeyErrorListingTheReasons) {
  const Result<LoadedKeys> loaded =
      LoadKeys("{\"keys\":[" + Read("rsa1024_pub.jwk") + R"(,{"kty":"DSA"}]})");
  EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(loaded.error().message(),
              AllOf(HasSubstr("no usable key"), HasSubstr("1024 bits"), HasSubstr("DSA")));
  EXPECT_THAT(LoadKeys(R"({"keys":[]})"), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(LoadKeys(R"({"keys":{}})"), HasCode(ErrorCode::kKeyError));
}

TEST(LoadKeysJwks, RemoteOctMembersAreIgnoredWithANote) {
  const std::string jwks = R"({"keys":[{"kty":"oct","kid":"hs","k":")" + std::string(43, 'A') +
                           "\"}," + JwkOf(GeneratedEc()) + "]}";
  EXPECT_THAT(LoadOk(jwks, KeyOrigin::kLocal).keys, SizeIs(2));
  const LoadedKeys remote = LoadOk(jwks, KeyOrigin::kRemote);
  ASSERT_THAT(remote.keys, SizeIs(1));
  EXPECT_EQ(remote.keys[0].type(), KeyType::kEc);
  ASSERT_THAT(remote.notes, SizeIs(1));
  EXPECT_THAT(remote.notes[0], AllOf(HasSubstr("kid \"hs\""), HasSubstr("oct")));
  const Result<LoadedKeys> single =
      LoadKeys(R"({"kty":"oct","k":")" + std::string(43, 'A') + "\"}", KeyOrigin::kRemote);
  EXPECT_THAT(single, HasCode(ErrorCode::kKeyError));
}

TEST(LoadKeys, GarbageEmptyAndOversizedInputsAreKeyErrors) {
  EXPECT_THAT(LoadKeys(""), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(LoadKeys(" \n\t"), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(LoadKeys("not a key at all"), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(LoadKeys(std::string("\x30\x03\x02\x01\x00", 5)), HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(LoadKeys("{\"kty\":"), HasCode(ErrorCode::kKeyError));
  const Result<LoadedKeys> huge = LoadKeys(std::string(kMaxKeyDocumentBytes + 1, ' '));
  EXPECT_THAT(huge, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(huge.error().message(), HasSubstr("1048576"));
}

TEST(LoadKeys, JsonMentioningPemIsStillJson) {
  const std::string jwk =
      WithMember(JwkOf(GeneratedEc()), "note", R"("-----BEGIN PUBLIC KEY-----")");
  const LoadedKeys loaded = LoadOk(jwk);
  ASSERT_THAT(loaded.keys, SizeIs(1));
  EXPECT_EQ(loaded.keys[0].type(), KeyType::kEc);
}

TEST(LoadKeys, MutatedKeysLoadOrFailWithKeyError) {
  // Byte flips, truncations and insertions over every input form; each
  // result must be a clean key_error or a key (a flip inside a PEM comment
  // or a JSON name can leave the key intact).
  const std::string inputs[] = {Read("rsa2048_pkcs1.pem"),
                                Read("rsa2048_spki.der"),
                                Read("ec_p256_cert.der"),
                                Read("ec_p256_sec1.pem"),
                                *GenerateKey(Algorithm::kEdDSA)->PrivateJwk(),
                                "{\"keys\":[" + JwkOf(GeneratedEc()) + "]}"};
  std::mt19937 rng(20260612);
  for (const std::string& input : inputs) {
    for (int round = 0; round < 150; ++round) {
      std::string mutated = input;
      const std::size_t at = rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          mutated[at] = static_cast<char>(mutated[at] ^ (1 << (rng() % 8)));
          break;
        case 1:
          mutated.resize(at);
          break;
        default:
          mutated.insert(at, 1, static_cast<char>(rng()));
          break;
      }
      const Result<LoadedKeys> loaded = LoadKeys(mutated);
      if (!loaded.ok()) {
        EXPECT_EQ(loaded.error().code(), ErrorCode::kKeyError);
        EXPECT_FALSE(loaded.error().message().empty());
      }
    }
  }
}

TEST(ReadFile, MissingFileIsAnIoErrorNamingThePath) {
  const Result<std::string> content = ReadFile("/nonexistent/tock/key.pem");
  EXPECT_THAT(content, HasCode(ErrorCode::kIoError));
  EXPECT_THAT(content.error().message(), HasSubstr("/nonexistent/tock/key.pem"));
  EXPECT_THAT(LoadKeyFile("/nonexistent/tock/key.pem"), HasCode(ErrorCode::kIoError));
}

TEST(ReadFile, DirectoryIsAnIoError) {
  EXPECT_THAT(ReadFile(TOCK_VECTORS_DIR), HasCode(ErrorCode::kIoError));
}

TEST(ReadFile, FileOverTheLimitIsAnIoError) {
  const std::string path = ::testing::TempDir() + "/tock_big_key_file";
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    const std::string chunk(kMaxKeyDocumentBytes + 1, 'x');
    std::fwrite(chunk.data(), 1, chunk.size(), file);
    std::fclose(file);
  }
  const Result<std::string> content = ReadFile(path);
  EXPECT_THAT(content, HasCode(ErrorCode::kIoError));
  EXPECT_THAT(content.error().message(), HasSubstr("limit"));
  std::filesystem::remove(path);
}

TEST(LoadKeyFile, ErrorsNameTheFile) {
  const Result<LoadedKeys> weak = LoadKeyFile(KeyFile("rsa1024.pem"));
  EXPECT_THAT(weak, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(weak.error().message(), HasSubstr("rsa1024.pem"));
  const Result<LoadedKeys> good = LoadKeyFile(KeyFile("ed25519.pem"));
  ASSERT_TRUE(good.ok());
  EXPECT_THAT(good->keys, SizeIs(1));
}

// Found by fuzz_keys: a SEC1 private key whose embedded public point is not
// d*G loaded, and signed tokens its own public key never verified.
TEST(KeyLoader, PrivateKeyWithAnotherPublicPointIsRefused) {
  const Result<LoadedKeys> loaded = LoadKeys(Read("ec_p256_mismatched_point.pem"));
  ASSERT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_NE(loaded.error().message().find("the private key does not match its public key"),
            std::string::npos)
      << loaded.error().message();
}

TEST(KeyLoader, EveryPrivateKeyFilePassesThePairwiseCheck) {
  for (const char* file : {"rsa2048_pkcs1.pem", "rsa2048_pkcs8.der", "rsa2048_pkcs1.der",
                           "ec_p256_sec1.pem", "ed25519.pem"}) {
    const LoadedKeys loaded = LoadOk(Read(file));
    ASSERT_EQ(loaded.keys.size(), 1u) << file;
    EXPECT_TRUE(loaded.keys.at(0).has_private()) << file;
  }
}

}  // namespace
}  // namespace tock
