// Tests for tock::KeyResolver and its implementations: a static set, a
// remote JWKS and discovery through a fake HttpTransport, the table by
// issuer, and VerifyWithResolver.
#include "tock/key_resolver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "testing/test_tokens.h"

namespace tock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tock::testing::HasCode;
using ::tock::testing::Hs256;
using ::tock::testing::kSeedNow;
using ::tock::testing::SecretKey;

constexpr char kJwks[] =
    R"({"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"a",)"
    R"("x":"CCtiiYjOPJ0kgnF0aTyuKfg2Il9HaI_0dBwfsYV8I_s","y":"UuOOy4JpqOfMHV0uXqu4mw8i1DowEcwF4k5efbwohd4"}]})";

// FakeTransport answers each URL from a table and records the requests.
class FakeTransport final : public HttpTransport {
 public:
  void Answer(const std::string& url, int status, std::string body, HttpHeaders headers = {}) {
    std::lock_guard lock(mu_);
    answers_[url] = HttpResponse{status, std::move(headers), std::move(body)};
  }
  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    auto it = answers_.find(request.url);
    if (it == answers_.end()) return Error(ErrorCode::kNetworkError, "no route (fake)");
    return it->second;
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, HttpResponse> answers_;
  std::vector<HttpRequest> requests_;
};

Validator Policy() {
  Result<Validator> v = ValidatorBuilder().Build();
  EXPECT_TRUE(v.ok());
  return *v;
}

TEST(StaticKeyResolverTest, YieldsItsSetWhateverTheHeader) {
  StaticKeyResolver resolver(JwkSet({SecretKey()}));
  TokenHeader header;
  header.kid = "unknown";
  auto keys = resolver.Resolve(header, std::string("https://anyone.example"));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->keys().size(), 1u);
  EXPECT_TRUE(resolver.Held(std::nullopt).usable);
}

TEST(TokenHeaderTest, ReadsStringMembersOfTheProtectedHeader) {
  auto view = InspectUnverified(
      Hs256(R"({"alg":"HS256","kid":"k1","typ":"at+jwt","cty":7})", R"({"iss":"x"})"));
  ASSERT_TRUE(view.ok());
  TokenHeader header = TokenHeader::Of(*view);
  EXPECT_EQ(header.alg, "HS256");
  EXPECT_EQ(header.kid, "k1");
  EXPECT_EQ(header.typ, "at+jwt");
  EXPECT_EQ(header.cty, std::nullopt);  // not a string
}

TEST(RemoteJwksResolverTest, FetchesThroughTheTransportWithMaxAge) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Answer("https://issuer.example/jwks", 200, kJwks,
                    {{"Cache-Control", "public, max-age=120"}});
  FixedClock clock(kSeedNow);
  auto resolver = MakeRemoteJwksResolver("https://issuer.example/jwks", clock,
                                         RemoteJwksOptions{{}, transport, {}});
  TokenHeader header;
  header.kid = "a";
  auto keys = resolver->Resolve(header, std::nullopt);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->keys().front().kid(), "a");
  std::vector<HttpRequest> sent = transport->requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_TRUE(sent[0].follow_redirects);  // a public document, as FetchJwks does
  EXPECT_TRUE(resolver->Held(std::nullopt).usable);
}

TEST(RemoteJwksResolverTest, NonOkStatusIsANetworkErrorNamingTheUrl) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Answer("https://issuer.example/jwks", 404, "not here");
  FixedClock clock(kSeedNow);
  auto resolver = MakeRemoteJwksResolver("https://issuer.example/jwks", clock,
                                         RemoteJwksOptions{{}, transport, {}});
  auto keys = resolver->Resolve({}, std::nullopt);
  EXPECT_THAT(keys, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(keys.error().message(), HasSubstr("HTTP 404"));
}

TEST(DiscoveryResolverTest, ReadsJwksUriFromTheIssuersMetadata) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Answer("https://issuer.example/.well-known/openid-configuration", 200,
                    R"({"issuer":"https://issuer.example","jwks_uri":"https://keys.example/j"})");
  transport->Answer("https://keys.example/j", 200, kJwks);
  FixedClock clock(kSeedNow);
  auto allowed = [](const std::string& url) { return url.rfind("https://", 0) == 0; };
  auto resolver = MakeDiscoveryResolver("https://issuer.example", clock, allowed,
                                        RemoteJwksOptions{{}, transport, {}});
  auto keys = resolver->Resolve({}, std::string("https://issuer.example"));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->keys().size(), 1u);
  EXPECT_EQ(transport->requests().size(), 2u);
}

TEST(DiscoveryResolverTest, RefusesMetadataOfAnotherIssuerAndADisallowedJwksUri) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Answer("https://a.example/.well-known/openid-configuration", 200,
                    R"({"issuer":"https://evil.example","jwks_uri":"https://keys.example/j"})");
  transport->Answer("https://b.example/.well-known/openid-configuration", 200,
                    R"({"issuer":"https://b.example","jwks_uri":"http://keys.example/j"})");
  FixedClock clock(kSeedNow);
  auto allowed = [](const std::string& url) { return url.rfind("https://", 0) == 0; };
  auto a = MakeDiscoveryResolver("https://a.example", clock, allowed,
                                 RemoteJwksOptions{{}, transport, {}});
  auto got = a->Resolve({}, std::nullopt);
  EXPECT_THAT(got, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(got.error().message(), HasSubstr("names issuer \"https://evil.example\""));
  auto b = MakeDiscoveryResolver("https://b.example", clock, allowed,
                                 RemoteJwksOptions{{}, transport, {}});
  got = b->Resolve({}, std::nullopt);
  EXPECT_THAT(got, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(got.error().message(), HasSubstr("the discovered jwks_uri http://keys.example/j"));
  EXPECT_EQ(transport->requests().size(), 2u);  // the refused jwks_uri was never fetched
}

TEST(IssuerKeyResolverTest, PicksByIssuerAndNamesTheTrustedOnes) {
  IssuerKeyResolver by_issuer("server");
  by_issuer.Add("https://b.example", std::make_shared<StaticKeyResolver>(JwkSet({SecretKey()})));
  by_issuer.Add("https://a.example", std::make_shared<StaticKeyResolver>(JwkSet()));
  auto b = by_issuer.Resolve({}, std::string("https://b.example"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->keys().size(), 1u);
  EXPECT_TRUE(by_issuer.Held(std::string("https://b.example")).usable);
  EXPECT_FALSE(by_issuer.Held(std::string("https://c.example")).usable);

  auto unknown = by_issuer.Resolve({}, std::string("https://c.example"));
  ASSERT_THAT(unknown, HasCode(ErrorCode::kIssMismatch));
  EXPECT_EQ(unknown.error().message(),
            "issuer \"https://c.example\" is not trusted by this server");
  EXPECT_THAT(unknown.error().diagnosis().expected,
              ElementsAre("https://b.example", "https://a.example"));  // the order of Add
  EXPECT_THAT(by_issuer.Resolve({}, std::nullopt), HasCode(ErrorCode::kMissingClaim));
}

TEST(VerifyWithResolverTest, ResolvesByTheUnverifiedIssThenVerifies) {
  IssuerKeyResolver by_issuer;
  by_issuer.Add("https://a.example", std::make_shared<StaticKeyResolver>(JwkSet({SecretKey()})));
  FixedClock clock(kSeedNow);
  std::string good = Hs256(R"({"alg":"HS256"})", R"({"iss":"https://a.example","exp":)" +
                                                     std::to_string(kSeedNow + 60) + "}");
  auto verified = VerifyWithResolver(good, Policy(), by_issuer, clock);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->issuer(), "https://a.example");

  std::string stranger = Hs256(R"({"alg":"HS256"})", R"({"iss":"https://x.example"})");
  EXPECT_THAT(VerifyWithResolver(stranger, Policy(), by_issuer, clock),
              HasCode(ErrorCode::kIssMismatch));
  EXPECT_THAT(VerifyWithResolver("abc", Policy(), by_issuer, clock),
              HasCode(ErrorCode::kMalformed));
}

}  // namespace
}  // namespace tock
