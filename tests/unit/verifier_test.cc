#include "tock/verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_tokens.h"
#include "tock/app/report.h"
#include "tock/token_builder.h"

namespace tock {
namespace {

using testing::HasCode;
using testing::Hs256;

constexpr const char* kClaims =
    R"({"iss":"https://issuer.example","sub":"svc","aud":"api","iat":1781255800,)"
    R"("nbf":1781255800,"exp":1781256400})";

class VerifierTest : public ::testing::Test {
 protected:
  Validator Policy(ValidatorBuilder b = ValidatorBuilder()) {
    Result<Validator> v = b.Build();
    EXPECT_TRUE(v.ok());
    return *v;
  }
  Result<VerifiedToken> Verify(const std::string& token, const Validator& v) {
    return verifier_.Verify(token, v);
  }
  FixedClock clock_{testing::kSeedNow};
  Verifier verifier_{JwkSet({testing::SecretKey()}), clock_};
};

TEST_F(VerifierTest, GoodTokenIsAcceptedWithTypedClaims) {
  Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256","typ":"JWT"})", kClaims), Policy());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->issuer(), "https://issuer.example");
  EXPECT_EQ(r->subject(), "svc");
  EXPECT_EQ(r->audiences(), std::vector<std::string>{"api"});
  EXPECT_EQ(r->expires_at(), 1781256400.0);
  EXPECT_EQ(r->algorithm(), Algorithm::kHS256);
  EXPECT_EQ(r->now(), testing::kSeedNow);
  EXPECT_EQ(r->type(), "JWT");
}

TEST_F(VerifierTest, AlgNoneInAnyCaseIsUnsupported) {
  for (const char* alg : {"none", "NONE", "nOnE"}) {
    const std::string header = std::string(R"({"alg":")") + alg + "\"}";
    std::string token = Hs256(header, kClaims);
    token = token.substr(0, token.rfind('.') + 1);  // unsigned, as an attacker sends it
    EXPECT_THAT(Verify(token, Policy()), HasCode(ErrorCode::kUnsupportedAlg)) << alg;
  }
}

TEST_F(VerifierTest, MissingOrUnknownAlgIsUnsupported) {
  EXPECT_THAT(Verify(Hs256(R"({"typ":"JWT"})", kClaims), Policy()),
              HasCode(ErrorCode::kUnsupportedAlg));
  EXPECT_THAT(Verify(Hs256(R"({"alg":"HS255"})", kClaims), Policy()),
              HasCode(ErrorCode::kUnsupportedAlg));
  EXPECT_THAT(Verify(Hs256(R"({"alg":"hs256"})", kClaims), Policy()),
              HasCode(ErrorCode::kUnsupportedAlg));
  EXPECT_THAT(Verify(Hs256(R"({"alg":256})", kClaims), Policy()),
              HasCode(ErrorCode::kUnsupportedAlg));
}

TEST_F(VerifierTest, AnyCritIsUnsupported) {
  EXPECT_THAT(Verify(Hs256(R"({"alg":"HS256","crit":["exp"],"exp":1})", kClaims), Policy()),
              HasCode(ErrorCode::kCritUnsupported));
}

TEST_F(VerifierTest, AlgOutsideAllowListIsNotAllowed) {
  // The key is a 32-byte secret: HS384 is beyond what it can perform.
  Result<Key> big = Key::FromSecret(std::string(48, 'k'));
  ASSERT_TRUE(big.ok());
  const std::string token =
      testing::SignRaw(R"({"alg":"HS384"})", kClaims, *big, Algorithm::kHS384);
  EXPECT_THAT(Verify(token, Policy()), HasCode(ErrorCode::kAlgNotAllowed));
  EXPECT_THAT(Verify(Hs256(R"({"alg":"HS256"})", kClaims),
                     Policy(std::move(ValidatorBuilder().AllowAlgorithm(Algorithm::kHS384)))),
              HasCode(ErrorCode::kAlgNotAllowed));
}

TEST_F(VerifierTest, HmacTokenAgainstPublicKeyIsNotAllowed) {
  Result<Key> ec = GenerateKey(Algorithm::kES256);
  ASSERT_TRUE(ec.ok());
  Verifier v(JwkSet({*ec}), clock_);
  EXPECT_THAT(v.Verify(Hs256(R"({"alg":"HS256"})", kClaims), Policy()),
              HasCode(ErrorCode::kAlgNotAllowed));
}

TEST_F(VerifierTest, KidSelectsKeyAndUnknownKidIsNotFound) {
  Key a = testing::SecretKey().WithKid("a");
  Key b = testing::SecretKey(std::string(32, 'b')).WithKid("b");
  Verifier v(JwkSet({a, b}), clock_);
  const std::string by_b =
      testing::SignRaw(R"({"alg":"HS256","kid":"b"})", kClaims, b, Algorithm::kHS256);
  Result<VerifiedToken> ok = v.Verify(by_b, Policy());
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->key().kid(), "b");
  const std::string unknown =
      testing::SignRaw(R"({"alg":"HS256","kid":"c"})", kClaims, b, Algorithm::kHS256);
  EXPECT_THAT(v.Verify(unknown, Policy()), HasCode(ErrorCode::kKeyNotFound));
  // kid "a" selects key a only: b's signature does not verify under it.
  const std::string wrong =
      testing::SignRaw(R"({"alg":"HS256","kid":"a"})", kClaims, b, Algorithm::kHS256);
  EXPECT_THAT(v.Verify(wrong, Policy()), HasCode(ErrorCode::kBadSignature));
}

TEST_F(VerifierTest, KidlessKeysServeAnyKid) {
  const std::string token = Hs256(R"({"alg":"HS256","kid":"whatever"})", kClaims);
  EXPECT_TRUE(Verify(token, Policy()).ok());
}

TEST_F(VerifierTest, KidSelectingKeyOfOtherTypeIsAlgNotAllowed) {
  Result<Key> ec = GenerateKey(Algorithm::kES256);
  ASSERT_TRUE(ec.ok());
  Verifier v(JwkSet({ec->WithKid("ec"), testing::SecretKey().WithKid("hs")}), clock_);
  EXPECT_THAT(v.Verify(Hs256(R"({"alg":"HS256","kid":"ec"})", kClaims), Policy()),
              HasCode(ErrorCode::kAlgNotAllowed));
}

TEST_F(VerifierTest, TamperedPayloadIsBadSignature) {
  std::string token = Hs256(R"({"alg":"HS256"})", kClaims);
  const std::string other = Hs256(R"({"alg":"HS256"})", R"({"sub":"admin","exp":1781256400})");
  const std::string forged = token.substr(0, token.find('.')) +
                             other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                             token.substr(token.rfind('.'));
  EXPECT_THAT(Verify(forged, Policy()), HasCode(ErrorCode::kBadSignature));
}

TEST_F(VerifierTest, EmptySignatureIsBadSignature) {
  std::string token = Hs256(R"({"alg":"HS256"})", kClaims);
  token.erase(token.rfind('.') + 1);
  EXPECT_THAT(Verify(token, Policy()), HasCode(ErrorCode::kBadSignature));
}

TEST_F(VerifierTest, JwkHeaderWithAttackerKeyIsIgnored) {
  Result<Key> attacker = GenerateKey(Algorithm::kES256);
  ASSERT_TRUE(attacker.ok());
  Result<std::string> jwk = attacker->PublicJwk();
  ASSERT_TRUE(jwk.ok());
  const std::string header = R"({"alg":"ES256","jwk":)" + *jwk + "}";
  const std::string token = testing::SignRaw(header, kClaims, *attacker, Algorithm::kES256);
  // Only an HMAC secret is configured: ES256 is outside the allow-list.
  EXPECT_THAT(Verify(token, Policy()), HasCode(ErrorCode::kAlgNotAllowed));
  // Signed by the configured key, the same header is harmless.
  EXPECT_TRUE(Verify(Hs256(R"({"alg":"HS256","jwk":)" + *jwk + "}", kClaims), Policy()).ok());
}

TEST_F(VerifierTest, WrongClaimTypesAreBadClaimEvenWithoutAPolicyOnThem) {
  struct Case {
    const char* payload;
    const char* claim;
  } cases[] = {
      {R"({"exp":"1781256400"})", "exp"},
      {R"({"exp":1781256400,"nbf":true})", "nbf"},
      {R"({"exp":1781256400,"iat":null})", "iat"},
      {R"({"exp":1781256400,"iss":7})", "iss"},
      {R"({"exp":1781256400,"sub":{}})", "sub"},
      {R"({"exp":1781256400,"jti":[]})", "jti"},
      {R"({"exp":1781256400,"aud":["a",1]})", "aud"},
      {R"({"exp":1781256400,"aud":{"a":1}})", "aud"},
  };
  for (const Case& c : cases) {
    Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256"})", c.payload), Policy());
    ASSERT_THAT(r, HasCode(ErrorCode::kBadClaim)) << c.payload;
    EXPECT_EQ(r.error().diagnosis().claim, c.claim);
  }
}

TEST_F(VerifierTest, IdentityMismatchesCarryExpectedAndActual) {
  ValidatorBuilder b;
  b.AddIssuer("https://other.example")
      .AddAudience("x")
      .AddAudience("y")
      .ExpectSubject("me")
      .ExpectType("at+jwt");
  Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256","typ":"JWT"})", kClaims), Policy(b));
  ASSERT_THAT(r, HasCode(ErrorCode::kIssMismatch));
  const auto& problems = r.error().problems();
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].code(), ErrorCode::kIssMismatch);
  EXPECT_EQ(problems[0].diagnosis().expected, std::vector<std::string>{"https://other.example"});
  EXPECT_EQ(problems[1].code(), ErrorCode::kAudMismatch);
  EXPECT_EQ(problems[1].diagnosis().expected, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(problems[1].diagnosis().actual, std::vector<std::string>{"api"});
  EXPECT_EQ(problems[2].code(), ErrorCode::kSubMismatch);
  EXPECT_EQ(problems[3].code(), ErrorCode::kTypMismatch);
}

TEST_F(VerifierTest, AnyAcceptedAudiencePasses) {
  ValidatorBuilder b;
  b.AddAudience("api2");
  EXPECT_TRUE(
      Verify(Hs256(R"({"alg":"HS256"})", R"({"aud":["api1","api2"],"exp":1781256400})"), Policy(b))
          .ok());
}

TEST_F(VerifierTest, TypIsCaseInsensitiveAndIgnoresApplicationPrefix) {
  ValidatorBuilder b;
  b.ExpectType("at+jwt");
  EXPECT_TRUE(
      Verify(Hs256(R"({"alg":"HS256","typ":"application/AT+JWT"})", kClaims), Policy(b)).ok());
}

TEST_F(VerifierTest, AbsentCheckedClaimsAreMissingClaim) {
  ValidatorBuilder b;
  b.AddIssuer("i").RequireClaim("jti");
  Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256"})", R"({"exp":1781256400})"), Policy(b));
  ASSERT_THAT(r, HasCode(ErrorCode::kMissingClaim));
  EXPECT_EQ(r.error().diagnosis().claim, "jti");
  ASSERT_EQ(r.error().problems().size(), 2u);
  EXPECT_EQ(r.error().problems()[1].diagnosis().claim, "iss");
}

TEST_F(VerifierTest, ProblemsListEveryClaimFailureInOrder) {
  Result<VerifiedToken> r =
      Verify(Hs256(R"({"alg":"HS256"})", R"({"exp":1781255000,"iat":1781259999,"iss":"x"})"),
             Policy(std::move(ValidatorBuilder().Skew(0).AddIssuer("y"))));
  ASSERT_THAT(r, HasCode(ErrorCode::kExpired));
  ASSERT_EQ(r.error().problems().size(), 3u);
  EXPECT_EQ(r.error().problems()[1].code(), ErrorCode::kIssuedInFuture);
  EXPECT_EQ(r.error().problems()[2].code(), ErrorCode::kIssMismatch);
  EXPECT_NE(VerifyRejectedJson(r.error()).find(R"("problems":[{"code":"expired")"),
            std::string::npos);
}

TEST_F(VerifierTest, ClockIsReadOnceAndReported) {
  Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256"})", kClaims), Policy());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(VerifyAcceptedJson(*r).find(R"("now":1781255830)"), std::string::npos);
}

TEST_F(VerifierTest, CheckPolicyRefusesAlgorithmNoKeyCanPerform) {
  EXPECT_TRUE(verifier_.CheckPolicy(Policy()).ok());
  Result<void> r = verifier_.CheckPolicy(
      Policy(std::move(ValidatorBuilder().AllowAlgorithm(Algorithm::kHS512))));
  EXPECT_THAT(r, HasCode(ErrorCode::kKeyError));
  Verifier empty(JwkSet{}, clock_);
  EXPECT_THAT(empty.CheckPolicy(Policy()), HasCode(ErrorCode::kKeyError));
}

TEST_F(VerifierTest, TokenBuilderOutputVerifies) {
  TokenBuilder builder;
  builder.SetString("sub", "svc");
  builder.StampTimes(testing::kSeedNow, Lifetime{});
  Result<std::string> token = builder.Sign(testing::SecretKey(), Algorithm::kHS256);
  ASSERT_TRUE(token.ok());
  Result<VerifiedToken> r = Verify(*token, Policy());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->not_before(), testing::kSeedNow - 60.0);
  EXPECT_EQ(r->expires_at(), testing::kSeedNow + 600.0);
  EXPECT_EQ(r->jwt_id()->size(), 22u);
}

// Verification reads registered claims from the parser's record; these
// take the paths that need the claims DOM (built on demand) instead.
std::string TenAudiences(const char* last) {
  std::string aud = "[";
  for (int i = 0; i < 9; ++i) aud += "\"a" + std::to_string(i) + "\",";
  return aud + "\"" + last + "\"]";
}

TEST_F(VerifierTest, LongAudienceArrayIsCheckedInFull) {
  ValidatorBuilder b;
  b.AddAudience("api");
  const std::string claims = R"({"exp":1781256400,"aud":)" + TenAudiences("api") + "}";
  Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256"})", claims), Policy(b));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->audiences().size(), 10u);
  EXPECT_EQ(r->audiences().back(), "api");

  const std::string other = R"({"exp":1781256400,"aud":)" + TenAudiences("x") + "}";
  Result<VerifiedToken> refused = Verify(Hs256(R"({"alg":"HS256"})", other), Policy(b));
  ASSERT_THAT(refused, HasCode(ErrorCode::kAudMismatch));
  ASSERT_TRUE(refused.error().diagnosis().actual.has_value());
  EXPECT_EQ(refused.error().diagnosis().actual->size(), 10u);
}

TEST_F(VerifierTest, CustomRequiredClaimAndAccessorsUseTheClaims) {
  ValidatorBuilder b;
  b.RequireClaim("scope");
  const std::string with = R"({"exp":1781256400,"scope":"read","n":2.5,"iss":"i"})";
  Result<VerifiedToken> r = Verify(Hs256(R"({"alg":"HS256","x":"y"})", with), Policy(b));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->StringClaim("scope"), "read");
  EXPECT_EQ(r->NumberClaim("n"), 2.5);
  EXPECT_EQ(r->StringClaim("iss"), "i");           // from the record
  EXPECT_EQ(r->NumberClaim("iss"), std::nullopt);  // a string, not a number
  EXPECT_EQ(r->StringHeader("x"), "y");
  EXPECT_EQ(r->ClaimJson("n"), "2.5");
  EXPECT_THAT(Verify(Hs256(R"({"alg":"HS256"})", R"({"exp":1781256400})"), Policy(b)),
              HasCode(ErrorCode::kMissingClaim));
}

TEST_F(VerifierTest, CritMessageNamesTheExtensions) {
  Result<VerifiedToken> r =
      Verify(Hs256(R"({"alg":"HS256","crit":["b64","urn:x"]})", kClaims), Policy());
  ASSERT_THAT(r, HasCode(ErrorCode::kCritUnsupported));
  EXPECT_NE(r.error().message().find(R"(["b64","urn:x"])"), std::string::npos)
      << r.error().message();
}

// One Verifier and Validator shared by threads, as a server uses them; run
// under the tsan build too (README: Development).
TEST_F(VerifierTest, ThreadsShareOneVerifierAndOneVerifiedToken) {
  const Validator policy = Policy();
  const std::string token = Hs256(R"({"alg":"HS256","typ":"JWT"})", kClaims);
  const Result<VerifiedToken> shared = Verify(token, policy);
  ASSERT_TRUE(shared.ok()) << shared.error().message();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const Result<VerifiedToken> r = verifier_.Verify(token, policy);
        if (!r.ok() || r->subject() != "svc") ++failures;
        // The first ClaimsJson builds the shared token's DOM; the others wait.
        if (shared->ClaimsJson().find("\"sub\":\"svc\"") == std::string::npos) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace tock
