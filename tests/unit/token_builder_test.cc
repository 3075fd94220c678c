// Tests for tock/token_builder.h: the exact bytes TokenBuilder::Sign writes,
// the reuse of its encoding between calls (and its invalidation by every
// setter), and signing with every algorithm, several keys and threads.
#include "tock/token_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "testing/test_tokens.h"
#include "tock/key.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::HasSubstr;
using tock::testing::HasCode;

// Parts splits a compact token into its three base64url parts.
std::vector<std::string> Parts(std::string_view token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot = token.find('.'); dot != std::string_view::npos;
       start = dot + 1, dot = token.find('.', start)) {
    parts.emplace_back(token.substr(start, dot - start));
  }
  parts.emplace_back(token.substr(start));
  return parts;
}

std::string Decoded(std::string_view part) {
  std::optional<std::string> bytes = internal::Base64UrlDecode(part);
  EXPECT_TRUE(bytes.has_value()) << part;
  return bytes.value_or("");
}

std::string HeaderOf(std::string_view token) { return Decoded(Parts(token).at(0)); }
std::string PayloadOf(std::string_view token) { return Decoded(Parts(token).at(1)); }

// SignatureVerifies is true when the token's signature is a valid |alg|
// signature of its signing input by |key|.
bool SignatureVerifies(std::string_view token, const Key& key, Algorithm alg) {
  const std::size_t last_dot = token.rfind('.');
  return internal::VerifyBytes(key, alg, token.substr(0, last_dot),
                               Decoded(token.substr(last_dot + 1)));
}

// Secret64 is long enough for HS384 and HS512 (a secret at least as long
// as the hash).
Key Secret64() {
  return testing::SecretKey("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

std::string SignOrEmpty(const TokenBuilder& builder, const Key& key, Algorithm alg) {
  Result<std::string> token = builder.Sign(key, alg);
  EXPECT_TRUE(token.ok()) << ToString(alg) << ": " << token.error().message();
  return token.ok() ? *token : std::string();
}

// Generated returns a private key for |alg|, made once per test run.
const Key& Generated(Algorithm alg) {
  static auto* cache = new std::map<Algorithm, Key>();
  if (auto it = cache->find(alg); it != cache->end()) return it->second;
  Result<Key> key = GenerateKey(alg);
  EXPECT_TRUE(key.ok()) << ToString(alg) << ": " << key.error().message();
  return cache->emplace(alg, *key).first->second;
}

TokenBuilder StandardBuilder() {
  TokenBuilder builder;
  builder.SetKid("k1");
  builder.SetString("iss", "https://issuer.example.com");
  builder.SetAudiences({"https://api.example.com"});
  builder.SetNumber("exp", testing::kSeedNow + 600);
  return builder;
}

constexpr std::string_view kStandardPayload =
    R"({"iss":"https://issuer.example.com","aud":"https://api.example.com","exp":1781256430})";

TEST(TokenBuilderSign, WritesAlgFirstThenHeaderThenClaims) {
  const std::string token = SignOrEmpty(StandardBuilder(), testing::SecretKey(), Algorithm::kHS256);
  EXPECT_EQ(token, testing::SignRaw(R"({"alg":"HS256","typ":"JWT","kid":"k1"})", kStandardPayload,
                                    testing::SecretKey(), Algorithm::kHS256));
}

TEST(TokenBuilderSign, HeaderWithoutOtherMembersIsAlgOnly) {
  TokenBuilder builder;
  builder.SetType(std::nullopt);
  const std::string token = SignOrEmpty(builder, Secret64(), Algorithm::kHS384);
  EXPECT_EQ(token, testing::SignRaw(R"({"alg":"HS384"})", "{}", Secret64(), Algorithm::kHS384));
}

TEST(TokenBuilderSign, LongHeaderIsWrittenWhole) {
  // Over the 256 bytes Sign writes on the stack.
  TokenBuilder builder;
  const std::string long_value(400, 'x');
  ASSERT_TRUE(builder.SetHeaderFromText("x5u", long_value).ok());
  const std::string token = SignOrEmpty(builder, testing::SecretKey(), Algorithm::kHS256);
  EXPECT_EQ(HeaderOf(token), R"({"alg":"HS256","typ":"JWT","x5u":")" + long_value + R"("})");
  EXPECT_TRUE(SignatureVerifies(token, testing::SecretKey(), Algorithm::kHS256));
}

TEST(TokenBuilderSign, SameBuilderSignsTheSameTokenAgain) {
  const TokenBuilder builder = StandardBuilder();
  const std::string first = SignOrEmpty(builder, Secret64(), Algorithm::kHS256);
  EXPECT_EQ(SignOrEmpty(builder, Secret64(), Algorithm::kHS256), first);
  // Another algorithm on the same encoding changes only "alg" and the MAC.
  const std::string other = SignOrEmpty(builder, Secret64(), Algorithm::kHS512);
  ASSERT_EQ(Parts(other).size(), 3u);
  EXPECT_EQ(HeaderOf(other), R"({"alg":"HS512","typ":"JWT","kid":"k1"})");
  EXPECT_EQ(Parts(other).at(1), Parts(first).at(1));
  EXPECT_EQ(Decoded(Parts(other).at(2)).size(), 64u);
}

// Every setter must drop the encoding a previous Sign kept.
struct SetterCase {
  const char* name;
  std::function<void(TokenBuilder&)> change;
  std::string expected_header;
  std::string expected_payload;
};

void PrintTo(const SetterCase& setter, std::ostream* os) { *os << setter.name; }

class TokenBuilderSetterAfterSign : public ::testing::TestWithParam<SetterCase> {};

TEST_P(TokenBuilderSetterAfterSign, NextTokenHasTheChange) {
  TokenBuilder builder;
  builder.SetString("sub", "a");
  const std::string before = SignOrEmpty(builder, testing::SecretKey(), Algorithm::kHS256);
  ASSERT_EQ(PayloadOf(before), R"({"sub":"a"})");
  GetParam().change(builder);
  const std::string after = SignOrEmpty(builder, testing::SecretKey(), Algorithm::kHS256);
  EXPECT_EQ(HeaderOf(after), GetParam().expected_header);
  EXPECT_EQ(PayloadOf(after), GetParam().expected_payload);
  EXPECT_EQ(builder.PayloadJson(), GetParam().expected_payload);
  EXPECT_TRUE(SignatureVerifies(after, testing::SecretKey(), Algorithm::kHS256));
}

const std::string kJwtHeader = R"({"alg":"HS256","typ":"JWT"})";

INSTANTIATE_TEST_SUITE_P(
    EverySetter, TokenBuilderSetterAfterSign,
    ::testing::Values(
        SetterCase{"SetString", [](TokenBuilder& b) { b.SetString("sub", "b"); }, kJwtHeader,
                   R"({"sub":"b"})"},
        SetterCase{"SetNumber", [](TokenBuilder& b) { b.SetNumber("n", 7); }, kJwtHeader,
                   R"({"sub":"a","n":7})"},
        SetterCase{"SetClaimFromText", [](TokenBuilder& b) { b.SetClaimFromText("r", "[1]"); },
                   kJwtHeader, R"({"sub":"a","r":[1]})"},
        SetterCase{"SetAudiences",
                   [](TokenBuilder& b) {
                     b.SetAudiences({"x", "y"});
                   },
                   kJwtHeader, R"({"sub":"a","aud":["x","y"]})"},
        SetterCase{"RemoveClaim", [](TokenBuilder& b) { b.RemoveClaim("sub"); }, kJwtHeader, "{}"},
        SetterCase{"MergeClaimsJson",
                   [](TokenBuilder& b) { ASSERT_TRUE(b.MergeClaimsJson(R"({"sub":"m"})").ok()); },
                   kJwtHeader, R"({"sub":"m"})"},
        SetterCase{"StampTimes",
                   [](TokenBuilder& b) {
                     b.StampTimes(testing::kSeedNow,
                                  Lifetime{.ttl_s = 5, .nbf_backdate_s = {}, .jti = false});
                   },
                   kJwtHeader, R"({"sub":"a","iat":1781255830,"exp":1781255835})"},
        SetterCase{"SetHeaderFromText",
                   [](TokenBuilder& b) { ASSERT_TRUE(b.SetHeaderFromText("cty", "x").ok()); },
                   R"({"alg":"HS256","typ":"JWT","cty":"x"})", R"({"sub":"a"})"},
        SetterCase{"SetType", [](TokenBuilder& b) { b.SetType("at+jwt"); },
                   R"({"alg":"HS256","typ":"at+jwt"})", R"({"sub":"a"})"},
        SetterCase{"SetKid", [](TokenBuilder& b) { b.SetKid("k2"); },
                   R"({"alg":"HS256","typ":"JWT","kid":"k2"})", R"({"sub":"a"})"}),
    [](const ::testing::TestParamInfo<SetterCase>& param) {
      return std::string(param.param.name);
    });

TEST(TokenBuilderSign, StampTimesAgainGivesNewTimesAndJti) {
  TokenBuilder builder;
  builder.StampTimes(testing::kSeedNow, Lifetime{});
  const boost::json::object first =
      boost::json::parse(PayloadOf(SignOrEmpty(builder, testing::SecretKey(), Algorithm::kHS256)))
          .as_object();
  builder.RemoveClaim("jti");
  builder.StampTimes(testing::kSeedNow + 1, Lifetime{});
  const boost::json::object second =
      boost::json::parse(PayloadOf(SignOrEmpty(builder, testing::SecretKey(), Algorithm::kHS256)))
          .as_object();
  EXPECT_EQ(first.at("exp").as_int64(), testing::kSeedNow + 600);
  EXPECT_EQ(second.at("exp").as_int64(), testing::kSeedNow + 601);
  EXPECT_EQ(second.at("jti").as_string().size(), 22u);
  EXPECT_NE(first.at("jti"), second.at("jti"));
}

TEST(TokenBuilderSign, CopyAfterSignIsIndependent) {
  TokenBuilder original = StandardBuilder();
  const std::string token = SignOrEmpty(original, testing::SecretKey(), Algorithm::kHS256);
  TokenBuilder copy = original;
  EXPECT_EQ(SignOrEmpty(copy, testing::SecretKey(), Algorithm::kHS256), token);
  copy.SetString("iss", "other");
  TokenBuilder assigned;
  assigned = copy;
  EXPECT_EQ(SignOrEmpty(original, testing::SecretKey(), Algorithm::kHS256), token);
  EXPECT_THAT(PayloadOf(SignOrEmpty(copy, testing::SecretKey(), Algorithm::kHS256)),
              HasSubstr(R"("iss":"other")"));
  EXPECT_EQ(SignOrEmpty(assigned, testing::SecretKey(), Algorithm::kHS256),
            SignOrEmpty(copy, testing::SecretKey(), Algorithm::kHS256));
}

TEST(TokenBuilderSign, ThreadsSharingABuilderSignTheSameToken) {
  const TokenBuilder builder = StandardBuilder();  // never signed: the threads race to encode
  const std::string expected =
      testing::SignRaw(R"({"alg":"HS256","typ":"JWT","kid":"k1"})", kStandardPayload,
                       testing::SecretKey(), Algorithm::kHS256);
  std::vector<std::string> tokens(4);
  std::vector<std::thread> threads;
  for (std::string& token : tokens) {
    threads.emplace_back([&builder, &token] {
      for (int i = 0; i < 200; ++i) {
        Result<std::string> t = builder.Sign(testing::SecretKey(), Algorithm::kHS256);
        if (!t.ok() || (!token.empty() && *t != token)) {
          token = "mismatch";
          return;
        }
        token = *t;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& token : tokens) EXPECT_EQ(token, expected);
}

class TokenBuilderEveryAlgorithm : public ::testing::TestWithParam<Algorithm> {};

TEST_P(TokenBuilderEveryAlgorithm, TokenVerifiesWithExactSignatureSize) {
  const Algorithm alg = GetParam();
  const Key& key = Generated(alg);
  const std::string token = SignOrEmpty(StandardBuilder(), key, alg);
  EXPECT_EQ(HeaderOf(token),
            R"({"alg":")" + std::string(ToString(alg)) + R"(","typ":"JWT","kid":"k1"})");
  EXPECT_EQ(Decoded(Parts(token).at(2)).size(), internal::SignatureSize(key, alg));
  EXPECT_TRUE(SignatureVerifies(token, key, alg));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, TokenBuilderEveryAlgorithm,
                         ::testing::Values(Algorithm::kHS256, Algorithm::kRS256, Algorithm::kPS384,
                                           Algorithm::kES256, Algorithm::kES384, Algorithm::kES512,
                                           Algorithm::kEdDSA),
                         [](const ::testing::TestParamInfo<Algorithm>& param) {
                           return std::string(ToString(param.param));
                         });

TEST(TokenBuilderSign, EcdsaSignaturesAreRawOfTheCurveSize) {
  const TokenBuilder builder = StandardBuilder();
  for (auto [alg, size] : {std::pair{Algorithm::kES256, 64u}, std::pair{Algorithm::kES384, 96u},
                           std::pair{Algorithm::kES512, 132u}}) {
    // Many signatures, so that short r or s values (left-padded) occur.
    for (int i = 0; i < 40; ++i) {
      const std::string token = SignOrEmpty(builder, Generated(alg), alg);
      ASSERT_EQ(Decoded(Parts(token).at(2)).size(), size) << ToString(alg);
      ASSERT_TRUE(SignatureVerifies(token, Generated(alg), alg)) << ToString(alg);
    }
  }
}

TEST(TokenBuilderSign, AlternatingKeysOnOneThreadAllVerify) {
  // The per-thread contexts are reused across keys and algorithms.
  const TokenBuilder builder = StandardBuilder();
  const std::vector<Algorithm> order = {Algorithm::kES256, Algorithm::kRS256, Algorithm::kES384,
                                        Algorithm::kEdDSA, Algorithm::kPS384, Algorithm::kES256};
  for (int round = 0; round < 3; ++round) {
    for (Algorithm alg : order) {
      const std::string token = SignOrEmpty(builder, Generated(alg), alg);
      EXPECT_TRUE(SignatureVerifies(token, Generated(alg), alg)) << ToString(alg);
    }
  }
}

TEST(TokenBuilderSign, KeyDestroyedAfterSigningLeavesNextSignIntact) {
  const TokenBuilder builder = StandardBuilder();
  {
    Result<Key> temporary = GenerateKey(Algorithm::kES256);
    ASSERT_TRUE(temporary.ok());
    EXPECT_TRUE(builder.Sign(*temporary, Algorithm::kES256).ok());
  }
  const std::string token = SignOrEmpty(builder, Generated(Algorithm::kES256), Algorithm::kES256);
  EXPECT_TRUE(SignatureVerifies(token, Generated(Algorithm::kES256), Algorithm::kES256));
}

// A 4112-bit RSA key: its 514-byte signature is over the 512 bytes Sign keeps
// on the stack. Generated once with `openssl genpkey` (generating one per
// run takes seconds).
constexpr std::string_view kRsa4112Pem = R"(-----BEGIN PRIVATE KEY-----
MIIJSgIBADANBgkqhkiG9w0BAQEFAASCCTQwggkwAgEAAoICAwDHcpUie+8erraD
ATr4G332l1zKGTIV/cxc/rPf8A68DyGCY9gDhAFoW4V8mvpQpfa7kIACuVQ4Hiy+
w1JMqOMz7UtZEFi8c+8hcF9kD/Vq+K9g3591w8h9I4L5yjcArJUwJoTwAmpdB6GA
fE3YEmy8t4rXP5mWwIVK2LFq5FgJmcayJSYrqpuyZMYSIcgHfUpVMpUfJ4KMA4Wg
j95nQOZHQf2n0wYlzukKfhJkQT7PQuLU5XFEu9x3XRoh7dDimIBWktwvUI5SNktb
mymjrINqQxgiemokUcUSoXv/DQrd75W3K4nkPpF0n0kjlxVV/p4QJLg7DBlg0Tgq
cs9P3JrDEyNNtrloyMv0mrxIAWZ4/T9Y52t1Lx7JYHJy10wi6Y7m+TKbh1tlzt12
6qFIr0j1JzGfCqqTBOFlW9g8OxUPmaJYlIoQ4ol58hGAl12MGdc8nQEu7P46HLtn
VSiWXN0+vkDmb5MDfnJizd7btprgxB9THy9B59f/GjLDQW7T+MP0LP/leRZRgjiE
BOq4dT7amuXh7vnTRum4uskXR+stB+Q3HIiXKn9ProTKJvsSTb+48h7x5cAmsfBV
Ng1uQe+GDKOUZO/tNXdwSW05M7pUavGvjfDx7Y+pLvRgv3x2/UYCUVA3jOwcPWR6
fd6FD98EBStGSvBdnvZgpDojQ6rUOtmzAgMBAAECggICWsyjcIuTlRhdJs8MlZ+O
fRDzwV4vGyvsOfoK0cxsKNmKm93wnckfCu9/mfbENqsX5NQoMxVEbjfujvpFIXlR
1nYVc3qpq0HsgAC0rM1HIWgOD8A+zFJRmAbuveF9oOTxFnay1sGCws+SivgMSG46
6r90igH+Xk9PX3+/ZbaHDffgKYIYGpEVSOXv9plCg4ZarObWVNSb7jo8P5i/26oE
LDSy0hCUH+pO1eQHY3UAr0L4GYxLQMt11zGfkArAqihbZQ5/B1tZL7xgGlhNYKJN
QbdB6ZBpehdv7Mdvt/GsHNXSBw3fPPXvKnTJy1Yg9IFyXE8bQGaFtzoIo+qYzvbT
zjK+UD2K8Jej7oFPLXzNe5G/tC2qXhlX4PXmOheuXHaRX2yl54SX0f4+OxpInc8b
PPAw9+TsQcbx3MyiWnxIx2jC74Wv/v+P+TrL1Kxvl0MwAp03rGTuld0kZjoMgFmt
PcI7RSs8q3E3JvqSW8MKhzs49F0+TXTbBEBBLC8Kk4fol2tRX1zPZL9OubiQYRsZ
R3Ls16wyI8+gWucgZOBy87/W9ezDZoxe2X6z5XVdrY/cRaNaGctnGY3o7T01NPHM
04InWss8jqdzboleA4/7tJD0cFF7qzQnuNEE8Pa2cfT6IFPCPyWpfGX3TqXR7E02
ae5dn6HKHQsujvnbKckj+KydwQKCAQIA7FyH/pdCJ8xMrYONTTI+UM5VY5cMoaDk
Jmm2DnoI5cphDg9WIbITNs60y6d4BW8Scvs0YZgpcycbRK0555iog5L/s336yiQR
oMhD7cVL9JhCcNAL/0n/nqkgpF828E3htIykt2DQFIvTr7WIjAqpM/HrWoZxRjEO
ZAXzwXrR05+78ni5AUpOiFZq578z9aZj2McM1Mz/bGYtVf8YiwHQ2uCeP2TNG+gD
p2Fg0Ua7P2dyejmrg3lGfdcK3AaGYEKjap5ArtqlN634S4368MyRu5QHNDmWV+4h
UgBUjT9u/mLx86AnJhGh7U8kdhzlGiCti789ZqMFz+QqWy1rdzZjRlsCggECANgE
4k3Uw6jOgrnVVu9Mcx+AMZnwkUtWs1rT/BE/Q5eXRj3XOxTI7PfiGvauFq8nZPiB
H1GbCjaTp9r88kEZTRSKrmlTCapTARrRuJzO6hp3fFm3w9TwflvC/TO2UqqaciT7
Lq6Mj++ZZAS+JB6av8u0ewYqZU1TN7nnI4qpeeQ4ZvSNrgFzqtIc2+yVAgvZvkXz
2f6455hqERxdilyqlyVufGvVHeHuKG7twccQIeDieTpH0D8JkBSqqijXP/0unwwq
HZn7XMi3iIVUM3lIltw+jTCMIwZVoOPybAmsN7i7tJfFJe5inGUK6AGqhFLQA0zm
XgFzTXEU24evalM+swmJAoIBATlFko5WCGmsT0gcADkcW40o8ffXue/QFHhaVQrc
9xr3Ft1ZSf2QMKevHo/aXHK0nzvNMrwTKrgEWc8iSk2b5/k5vUu40vP4GW1kGVGb
5PO3kSHUx5NsUswXHxm1GJLRzEb7bU4h30mbOAfzbMrCKo2zqNueiAQCDwKdjprr
L7yfj+MI7Ysqfiz7A5xz8Bst3jPAx5MouRuDBqk3zrKgFgNzOeUSf8CrT3dXWSZc
hTKv1kVXg/+vey0y1ibKTfU1MHO9NN8pi68aMHfeR1fhuc5B6Bz3dz6HLPu5qMMx
A6wQPaBSximrTBk8fBFCnyDdmi+qfy5HgjkFiF3fe5K/Uv7RAoIBAQKNHDcbGix2
M+kJ8frlhj6K/wr4Yl7naTrbYhC6FIxHxxaX4iS+sr3Ct9rN94qeBn1A2SPXlulK
GSNm9V17dQOXF7Q6vNR8Ink0nN+NOgqR+q/8kZ2EMZnX1bG0p4lIRazWIpkBI/oK
b7n2nOqXnUhEm2dZPNUK9I+HgU3z7nKZj+23dqShvxS4Loi+wcVuDuc4mAyAFowg
RI93M1kg0qQoh+OmIrI2Y9fbivxU3nGPeysLChSUglUcJuJQmHrfABXesXbOFyxv
rncUpX77MnzraDN4lDlQ7ZODm28Jz6ao4NsiAu6rz3kKBe9vGhz4Q/G2jsmpmPKK
8oTJt5HAHdExAoIBAXNjbyakB1Qd1mkP08VDnCcHZdMUN+MHQEc3X4hh+kP2K+pj
0mctTyI55vxs2KMYZgMGU6UH/zt9z6lQVT3zwdzIhK6cgwFWM9xoKH5QqMWxurzx
IG2b0+7n8fsaH8aCGsBlzdLUbKltop5EeJYUV6vOUY8+OfCPbupwDIvpBp8OG0n3
zjCa5hFIvAmE0MyBS8n4cmtOqbl3xI8R93e+Mz/AmXc6h1g+SZpJ+Y+PQ4h2QgFy
Ij4O2dXzYOpzG3IwxMH5JoCLj7Ej4L8VgV4DPs0FgAbbjYHNZ5DrhHzZwjuZmt3n
PTdgCypzeqA5I3eo0YjQrNbHo1QEOqeJ7YGDBxUQ
-----END PRIVATE KEY-----
)";

TEST(TokenBuilderSign, RsaOver4096BitsSigns) {
  Result<LoadedKeys> loaded = LoadKeys(kRsa4112Pem);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  const Key& key = loaded->keys.at(0);
  ASSERT_EQ(key.bits(), 4112);
  const std::string token = SignOrEmpty(StandardBuilder(), key, Algorithm::kRS256);
  EXPECT_EQ(Decoded(Parts(token).at(2)).size(), 514u);
  EXPECT_TRUE(SignatureVerifies(token, key, Algorithm::kRS256));
}

TEST(TokenBuilderSign, PublicKeyCannotSign) {
  const Key& key = Generated(Algorithm::kES256);
  Result<std::string> jwk = key.PublicJwk();
  ASSERT_TRUE(jwk.ok());
  Result<LoadedKeys> loaded = LoadKeys(*jwk);
  ASSERT_TRUE(loaded.ok());
  Result<std::string> token = StandardBuilder().Sign(loaded->keys.at(0), Algorithm::kES256);
  EXPECT_THAT(token, HasCode(ErrorCode::kKeyError));
  EXPECT_EQ(token.error().message(), "a public key cannot sign: give the private key");
}

TEST(TokenBuilderSign, KeyOfAnotherFamilyCannotSign) {
  Result<std::string> token = StandardBuilder().Sign(testing::SecretKey(), Algorithm::kES256);
  EXPECT_THAT(token, HasCode(ErrorCode::kKeyError));
  EXPECT_EQ(token.error().message(), "this oct key cannot sign with ES256");
}

TEST(TokenBuilderSignBytesInto, BufferTooSmallIsKeyError) {
  unsigned char out[31];
  Result<std::size_t> length =
      internal::SignBytesInto(testing::SecretKey(), Algorithm::kHS256, "a.b", out);
  EXPECT_THAT(length, HasCode(ErrorCode::kKeyError));
  EXPECT_EQ(length.error().message(),
            "a HS256 signature by this 256-bit key takes 32 bytes; the buffer holds 31");
}

}  // namespace
}  // namespace tock
