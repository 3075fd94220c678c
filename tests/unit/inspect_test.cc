#include "tock/inspect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "internal/jws_format.h"
#include "internal/opaque.h"

namespace tock {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr UnixSeconds kNow = 1781255830;  // 2026-06-12T09:17:10Z
constexpr char kHs256[] = R"({"alg":"HS256","typ":"JWT"})";

UnverifiedView View(std::string_view header, std::string_view payload) {
  Result<UnverifiedView> view =
      InspectUnverified(internal::SerializeCompact(header, payload, "signature"));
  EXPECT_TRUE(view.ok()) << view.error().message();
  return std::move(view).value();
}

UnverifiedView Claims(std::string_view payload) { return View(kHs256, payload); }

std::vector<std::string> Warnings(std::string_view header, std::string_view payload) {
  return View(header, payload).Warnings(kNow);
}

TEST(Inspect, StatusToString) {
  EXPECT_EQ(ToString(LifetimeStatus::kValidNow), "valid_now");
  EXPECT_EQ(ToString(LifetimeStatus::kNotYetValid), "not_yet_valid");
  EXPECT_EQ(ToString(LifetimeStatus::kExpired), "expired");
  EXPECT_EQ(ToString(LifetimeStatus::kNoLifetime), "no_lifetime");
}

TEST(Inspect, ExpAtNowIsExpired) {
  EXPECT_EQ(Claims(R"({"exp":1781255830})").Status(kNow), LifetimeStatus::kExpired);
}

TEST(Inspect, ExpOneSecondAfterNowIsValidNow) {
  EXPECT_EQ(Claims(R"({"exp":1781255831})").Status(kNow), LifetimeStatus::kValidNow);
  EXPECT_EQ(Claims(R"({"exp":1781255830.5})").Status(kNow), LifetimeStatus::kValidNow);
}

TEST(Inspect, NbfAfterNowIsNotYetValid) {
  EXPECT_EQ(Claims(R"({"nbf":1781255863,"exp":1781256000})").Status(kNow),
            LifetimeStatus::kNotYetValid);
}

TEST(Inspect, NbfAtNowIsValidNow) {
  EXPECT_EQ(Claims(R"({"nbf":1781255830})").Status(kNow), LifetimeStatus::kValidNow);
}

TEST(Inspect, ExpiredWinsOverNotYetValid) {
  EXPECT_EQ(Claims(R"({"nbf":1781255900,"exp":1781255800})").Status(kNow),
            LifetimeStatus::kExpired);
}

TEST(Inspect, NoTimeClaimsIsNoLifetime) {
  EXPECT_EQ(Claims(R"({"iat":1781255800})").Status(kNow), LifetimeStatus::kNoLifetime);
}

TEST(Inspect, NonNumericTimesDoNotCountForStatus) {
  UnverifiedView view = Claims(R"({"exp":"1781255800","nbf":null})");
  EXPECT_EQ(view.Status(kNow), LifetimeStatus::kNoLifetime);
  EXPECT_THAT(view.Warnings(kNow), ElementsAre("bad_claim:exp", "bad_claim:nbf"));
}

TEST(Inspect, WellFormedTokenHasNoWarnings) {
  EXPECT_THAT(Warnings(kHs256, R"({"iss":"a","sub":"b","aud":["c","d"],"exp":1781256430,
                                   "nbf":1781255770,"iat":1781255830,"jti":"x"})"),
              IsEmpty());
}

TEST(Inspect, AlgMissingOrNoneWarnsAlgNone) {
  const std::string payload = R"({"exp":1781256430})";
  EXPECT_THAT(Warnings("{}", payload), ElementsAre("alg_none"));
  EXPECT_THAT(Warnings(R"({"alg":"none"})", payload), ElementsAre("alg_none"));
  EXPECT_THAT(Warnings(R"({"alg":"nOnE"})", payload), ElementsAre("alg_none"));
  EXPECT_THAT(Warnings(R"({"alg":null})", payload), ElementsAre("alg_none"));
  EXPECT_THAT(Warnings(R"({"alg":"nonex"})", payload), IsEmpty());
}

TEST(Inspect, ExpAbsentWarnsNoExp) {
  EXPECT_THAT(Warnings(kHs256, "{}"), ElementsAre("no_exp"));
  // A present exp of the wrong type is a bad claim, not a missing one.
  EXPECT_THAT(Warnings(kHs256, R"({"exp":true})"), ElementsAre("bad_claim:exp"));
}

TEST(Inspect, LifetimeOverADayWarnsLongLifetime) {
  EXPECT_THAT(Warnings(kHs256, R"({"iat":1781255830,"exp":1781342231})"),
              ElementsAre("long_lifetime"));
  EXPECT_THAT(Warnings(kHs256, R"({"iat":1781255830,"exp":1781342230})"), IsEmpty());
  // Without iat the lifetime starts at nbf.
  EXPECT_THAT(Warnings(kHs256, R"({"nbf":1781255830,"exp":1781342231})"),
              ElementsAre("long_lifetime"));
  // iat wins over nbf when both are numbers.
  EXPECT_THAT(Warnings(kHs256, R"({"nbf":1781000000,"iat":1781255830,"exp":1781342230})"),
              IsEmpty());
  // Not numbers: no lifetime to judge.
  EXPECT_THAT(Warnings(kHs256, R"({"exp":1999999999})"), IsEmpty());
}

TEST(Inspect, NbfAfterExpWarns) {
  EXPECT_THAT(Warnings(kHs256, R"({"nbf":1781256431,"exp":1781256430})"),
              ElementsAre("nbf_after_exp"));
  EXPECT_THAT(Warnings(kHs256, R"({"nbf":1781256430,"exp":1781256430})"), IsEmpty());
}

TEST(Inspect, IatAfterExpWarns) {
  EXPECT_THAT(Warnings(kHs256, R"({"iat":1781255829,"exp":1781255828})"),
              ElementsAre("iat_after_exp"));
}

TEST(Inspect, IatAfterNowWarnsIatInFuture) {
  EXPECT_THAT(Warnings(kHs256, R"({"iat":1781255831,"exp":1781256430})"),
              ElementsAre("iat_in_future"));
  EXPECT_THAT(Warnings(kHs256, R"({"iat":1781255830,"exp":1781256430})"), IsEmpty());
  EXPECT_THAT(Warnings(kHs256, R"({"iat":1781255830.25,"exp":1781256430})"),
              ElementsAre("iat_in_future"));
}

TEST(Inspect, WrongTypesWarnBadClaimInRegisteredOrder) {
  EXPECT_THAT(Warnings(kHs256, R"({"jti":1,"iat":"x","nbf":[],"exp":{},"aud":["a",2],"sub":null,
                           "iss":false})"),
              // exp is present (an object), so no_exp is not reported.
              ElementsAre("bad_claim:iss", "bad_claim:sub", "bad_claim:aud", "bad_claim:exp",
                          "bad_claim:nbf", "bad_claim:iat", "bad_claim:jti"));
}

TEST(Inspect, AudStringOrStringArrayIsFine) {
  EXPECT_THAT(Warnings(kHs256, R"({"aud":"a","exp":1781256430})"), IsEmpty());
  EXPECT_THAT(Warnings(kHs256, R"({"aud":[],"exp":1781256430})"), IsEmpty());
  EXPECT_THAT(Warnings(kHs256, R"({"aud":7,"exp":1781256430})"), ElementsAre("bad_claim:aud"));
}

TEST(Inspect, CritHeaderWarns) {
  EXPECT_THAT(Warnings(R"({"alg":"HS256","crit":["exp"]})", R"({"exp":1781256430})"),
              ElementsAre("crit_present"));
}

TEST(Inspect, KeyHeadersWarnOnce) {
  for (const char* name : {"jwk", "jku", "x5u", "x5c"}) {
    EXPECT_THAT(
        Warnings(R"({"alg":"HS256",")" + std::string(name) + R"(":"x"})", R"({"exp":1781256430})"),
        ElementsAre("key_in_header"))
        << name;
  }
  EXPECT_THAT(Warnings(R"({"alg":"HS256","jwk":{},"x5c":[]})", R"({"exp":1781256430})"),
              ElementsAre("key_in_header"));
}

TEST(Inspect, AllWarningsInFixedOrder) {
  EXPECT_THAT(Warnings(R"({"alg":"none","x5u":"https://evil","crit":["b64"]})",
                       R"({"iss":7,"nbf":1781400000,"iat":1781500000,"exp":1781300000.5})"),
              ElementsAre("alg_none", "nbf_after_exp", "iat_after_exp", "iat_in_future",
                          "bad_claim:iss", "crit_present", "key_in_header"));
  // iat 10s ahead, exp two days after it, nbf after exp.
  EXPECT_THAT(Warnings(R"({"jku":"https://evil"})",
                       R"({"jti":[],"nbf":1781428641,"iat":1781255840,"exp":1781428640})"),
              ElementsAre("alg_none", "long_lifetime", "nbf_after_exp", "iat_in_future",
                          "bad_claim:jti", "key_in_header"));
}

TEST(Inspect, AccessorsReadDecodedToken) {
  UnverifiedView view =
      View(R"({"alg":"HS256","kid":"k1"})", R"({"sub":"svc\u001b","exp":1781256430.5,"n":"1"})");
  EXPECT_EQ(view.StringHeader("kid"), std::optional<std::string>("k1"));
  EXPECT_EQ(view.StringHeader("sub"), std::nullopt);
  EXPECT_EQ(view.StringClaim("sub"), std::optional<std::string>("svc\x1b"));
  EXPECT_EQ(view.NumberClaim("exp"), std::optional<double>(1781256430.5));
  EXPECT_EQ(view.NumberClaim("n"), std::nullopt);
  EXPECT_EQ(view.HeaderJson(), R"({"alg":"HS256","kid":"k1"})");
  EXPECT_EQ(view.PayloadJson(), R"({"sub":"svc\u001b","exp":1781256430.5,"n":"1"})");
  EXPECT_EQ(view.HeaderJson(true), "{\n  \"alg\": \"HS256\",\n  \"kid\": \"k1\"\n}");
  EXPECT_EQ(view.signature(), "c2lnbmF0dXJl");
  EXPECT_EQ(TokenAccess::Parsed(view).signature, "signature");
}

TEST(Inspect, DecodeFailuresKeepTheirCodes) {
  EXPECT_EQ(InspectUnverified("abc").error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(InspectUnverified("e30.e30.x", 5).error().code(), ErrorCode::kTooLarge);
  EXPECT_EQ(InspectUnverified("e30=.e30.x").error().code(), ErrorCode::kBadBase64);
  EXPECT_EQ(InspectUnverified(internal::SerializeCompact("{}", "[]", "")).error().code(),
            ErrorCode::kBadJson);
}

TEST(Inspect, AlgNoneIsNotADecodeFailure) {
  Result<UnverifiedView> view = InspectUnverified(
      internal::SerializeCompact(R"({"alg":"none"})", R"({"exp":1781256430})", ""));
  ASSERT_TRUE(view.ok());
  EXPECT_THAT(view->Warnings(kNow), ElementsAre("alg_none"));
}

}  // namespace
}  // namespace tock
