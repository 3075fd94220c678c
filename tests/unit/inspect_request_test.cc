// Tests for ParseInspectRequest / InspectResponseJson (tock/inspect_request.h):
// the /api/inspect body is untrusted JSON read by the library's one parser.
#include "tock/app/inspect_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "internal/json.h"
#include "testing/test_tokens.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tock::testing::HasCode;
using tock::testing::Hs256;
using tock::testing::kSeedNow;

TEST(ParseInspectRequest, TokenAloneGetsTheDefaultPolicy) {
  Result<InspectRequest> r = ParseInspectRequest(R"({"token":"a.b.c"})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->token, "a.b.c");
  EXPECT_FALSE(r->key);
  EXPECT_FALSE(r->jwks_uri);
  EXPECT_FALSE(r->now);
  ASSERT_TRUE(r->policy);
  EXPECT_EQ(r->policy->skew_s(), 300);
  EXPECT_TRUE(r->policy->require_exp());
}

TEST(ParseInspectRequest, JwkObjectIsReserialisedForLoadKeys) {
  const std::string jwk = *GenerateKey(Algorithm::kES256)->PublicJwk();
  Result<InspectRequest> r = ParseInspectRequest(R"({"token":"t","key":)" + jwk + "}");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->key);
  Result<LoadedKeys> loaded = LoadKeys(*r->key);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->keys.size(), 1u);
}

TEST(ParseInspectRequest, PemStringIsKeptAsText) {
  Result<InspectRequest> r =
      ParseInspectRequest(R"({"token":"t","key":"-----BEGIN PUBLIC KEY-----\nAA==\n"})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r->key, "-----BEGIN PUBLIC KEY-----\nAA==\n");
}

TEST(ParseInspectRequest, PolicyMembersBecomeTheValidator) {
  Result<InspectRequest> r =
      ParseInspectRequest(R"({"token":"t","now":1781255830,"jwks_uri":"http://127.0.0.1:1/jwks",)"
                          R"("policy":{"iss":["https://a"],"aud":"api","sub":"svc","typ":"at+jwt",)"
                          R"("require":["jti"],"skew":"90s","max_age":"1h","max_lifetime":"",)"
                          R"("algorithms":["ES256"],"allow_missing_exp":true}})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->now, kSeedNow);
  EXPECT_EQ(r->jwks_uri, "http://127.0.0.1:1/jwks");
  const Validator& v = *r->policy;
  EXPECT_THAT(v.issuers(), ElementsAre("https://a"));
  EXPECT_THAT(v.audiences(), ElementsAre("api"));
  EXPECT_EQ(v.subject(), "svc");
  EXPECT_EQ(v.type(), "at+jwt");
  EXPECT_THAT(v.required_claims(), ElementsAre("jti"));
  EXPECT_EQ(v.skew_s(), 90);
  EXPECT_EQ(v.max_age_s(), 3600);
  EXPECT_FALSE(v.max_lifetime_s());
  EXPECT_THAT(v.algorithms(), ElementsAre(Algorithm::kES256));
  EXPECT_FALSE(v.require_exp());
}

TEST(ParseInspectRequest, NotJsonIsBadJson) {
  for (const char* body :
       {"", "token=x", "[1]", R"({"token":"a","token":"b"})", "{\"token\":\"\xff\"}"}) {
    EXPECT_THAT(ParseInspectRequest(body), HasCode(ErrorCode::kBadJson)) << body;
  }
}

TEST(ParseInspectRequest, WrongShapesAreUsageErrorsNamingTheMember) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", "\"token\""},
      {R"({"token":5})", "\"token\" must be a string"},
      {R"({"token":"t","key":5})", "\"key\""},
      {R"({"token":"t","key":"k","jwks_uri":"http://x"})", "not both"},
      {R"({"token":"t","now":"soon"})", "\"now\""},
      {R"({"token":"t","now":1.5})", "\"now\""},
      {R"({"token":"t","extra":1})", "unknown member \"extra\""},
      {R"({"token":"t","policy":[]})", "\"policy\" must be an object"},
      {R"({"token":"t","policy":{"skew":"soon"}})", "policy.skew"},
      {R"({"token":"t","policy":{"algorithms":["none"]}})", "unknown algorithm \"none\""},
      {R"({"token":"t","policy":{"aud":[1]}})", "policy.aud"},
      {R"({"token":"t","policy":{"allow_missing_exp":"yes"}})", "policy.allow_missing_exp"},
      {R"({"token":"t","policy":{"exp":1}})", "unknown member \"policy.exp\""},
      {R"({"token":"t","policy":{"iss":[""]}})", "invalid validation policy"},
  };
  for (const auto& [body, needle] : cases) {
    Result<InspectRequest> r = ParseInspectRequest(body);
    EXPECT_THAT(r, HasCode(ErrorCode::kUsage)) << body;
    if (!r.ok()) {
      EXPECT_THAT(r.error().message(), HasSubstr(needle)) << body;
    }
  }
}

TEST(InspectResponseJson, DecodeDocumentPlusVerification) {
  const std::string token = Hs256(R"({"alg":"HS256"})", R"({"sub":"x","exp":1781256000})");
  Result<UnverifiedView> view = InspectUnverified(token);
  ASSERT_TRUE(view.ok());
  const std::string text = InspectResponseJson(*view, kSeedNow, R"({"valid":true})");
  Result<boost::json::object> doc = internal::ParseJsonObject(text);
  ASSERT_TRUE(doc.ok()) << text;
  EXPECT_EQ(internal::SerializeJson(doc->at("verification")), R"({"valid":true})");
  EXPECT_EQ(internal::SerializeJson(doc->at("payload")), R"({"sub":"x","exp":1781256000})");
  EXPECT_EQ(InspectResponseJson(*view, kSeedNow, std::nullopt).find("verification"),
            std::string::npos);
}

TEST(InspectResponseJson, DecodeErrorDocumentPlusVerification) {
  const Error error(ErrorCode::kMalformed, "not three parts");
  Result<boost::json::object> doc =
      internal::ParseJsonObject(InspectResponseJson(error, R"({"valid":false})"));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->at("error").at("code").as_string(), "malformed");
  EXPECT_EQ(doc->at("verification").at("valid").as_bool(), false);
}

}  // namespace
}  // namespace tock
