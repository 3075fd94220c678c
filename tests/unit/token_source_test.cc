// tock::TokenSource with a fake HTTP transport and a fake clock: single
// flight, the renewal rule, serve-while-failing, backoff, expires_in rules,
// the issuer-clock estimate, discovery and client authentication.
#include "tock/token_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "internal/base64url.h"
#include "testing/test_tokens.h"
#include "tock/inspect.h"

namespace tock {
namespace {

using testing::HasCode;
using ::testing::HasSubstr;

// FakeClock is settable from the test and read by any thread.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(double now) : now_(now) {}
  UnixSeconds Now() const override { return static_cast<UnixSeconds>(now_.load()); }
  double NowPrecise() const override { return now_.load(); }
  void Set(double now) { now_ = now; }

 private:
  std::atomic<double> now_;
};

// FakeTransport answers with |handler| and records every request.
class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    return handler_(request);
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  HttpRequest request(std::size_t i) const {
    std::lock_guard lock(mu_);
    return requests_.at(i);
  }

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

HttpResponse Json(int status, std::string body, HttpHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return HttpResponse{status, std::move(headers), std::move(body)};
}

HttpResponse TokenAnswer(const std::string& token, int expires_in = 600) {
  return Json(200, R"({"access_token":")" + token + R"(","token_type":"Bearer","expires_in":)" +
                       std::to_string(expires_in) + R"(,"scope":"read"})");
}

TokenSourceOptions SecretOptions() {
  TokenSourceOptions o;
  o.token_url = "https://as.example.com/token";
  o.client_id = "billing";
  o.client_secret = "s3cret";
  o.jitter = [](double cap) { return cap; };  // deterministic: the whole cap
  return o;
}

std::unique_ptr<TokenSource> MakeSource(TokenSourceOptions o, const Clock& clock,
                                        std::shared_ptr<FakeTransport> transport) {
  Result<std::unique_ptr<TokenSource>> source = TokenSource::Create(std::move(o), clock, transport);
  EXPECT_TRUE(source.ok()) << source.error().message();
  return std::move(source).value();
}

constexpr double kT0 = 1781255830.0;

TEST(TokenSource, SixteenThreadsDuringARefreshCauseOneRequest) {
  FakeClock clock(kT0);
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  auto transport = std::make_shared<FakeTransport>([&](const HttpRequest&) {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Result<HttpResponse>(TokenAnswer("tok-1"));
  });
  auto source = MakeSource(SecretOptions(), clock, transport);
  std::vector<std::string> got(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Result<AccessToken> t = source->Get();
      got[i] = t.ok() ? t->access_token : "error: " + t.error().message();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  // Let the other fifteen reach Get() while the one request is held open.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(transport->count(), 1u);
  for (const std::string& token : got) EXPECT_EQ(token, "tok-1");
}

TEST(TokenSource, RefreshesAtEightyPercentOfTheLifetime) {
  FakeClock clock(kT0);
  std::atomic<int> n{0};
  auto transport = std::make_shared<FakeTransport>([&](const HttpRequest&) {
    return Result<HttpResponse>(TokenAnswer("tok-" + std::to_string(++n)));
  });
  auto source = MakeSource(SecretOptions(), clock, transport);  // min_ttl 60 s < 20 % of 600 s
  ASSERT_EQ(source->Get()->access_token, "tok-1");
  clock.Set(kT0 + 479);  // 121 s left: more than 120 s
  Result<AccessToken> kept = source->Get();
  EXPECT_EQ(kept->access_token, "tok-1");
  EXPECT_TRUE(kept->cached);
  EXPECT_EQ(transport->count(), 1u);
  clock.Set(kT0 + 481);  // 119 s left: renewed
  Result<AccessToken> renewed = source->Get();
  EXPECT_EQ(renewed->access_token, "tok-2");
  EXPECT_FALSE(renewed->cached);
  EXPECT_EQ(transport->count(), 2u);
  EXPECT_DOUBLE_EQ(renewed->expires_at, kT0 + 481 + 600);
}

TEST(TokenSource, MinTtlWinsOverTwentyPercentAndShortTokensLastHalfTheirLife) {
  EXPECT_FALSE((AccessToken{"t", "Bearer", "", 0, 600, 600, {}, false}).RefreshDue(400, 150));
  EXPECT_TRUE((AccessToken{"t", "Bearer", "", 0, 600, 600, {}, false}).RefreshDue(451, 150));
  // 30 s lifetime under a 60 s min_ttl: used until 15 s have passed.
  EXPECT_FALSE((AccessToken{"t", "Bearer", "", 0, 30, 30, {}, false}).RefreshDue(14, 60));
  EXPECT_TRUE((AccessToken{"t", "Bearer", "", 0, 30, 30, {}, false}).RefreshDue(16, 60));
}

TEST(TokenSource, FailingRefreshServesTheCachedTokenUntilItExpiresThenTheError) {
  FakeClock clock(kT0);
  std::atomic<bool> failing{false};
  auto transport = std::make_shared<FakeTransport>([&](const HttpRequest&) {
    if (failing) return Result<HttpResponse>(Json(503, R"({"error":"temporarily_unavailable"})"));
    return Result<HttpResponse>(TokenAnswer("tok-1"));
  });
  auto source = MakeSource(SecretOptions(), clock, transport);
  ASSERT_TRUE(source->Get().ok());
  failing = true;
  for (double t : {500.0, 550.0, 590.0, 599.0}) {
    clock.Set(kT0 + t);
    Result<AccessToken> token = source->Get();
    ASSERT_TRUE(token.ok()) << "at +" << t << ": " << token.error().message();
    EXPECT_EQ(token->access_token, "tok-1");
    EXPECT_TRUE(token->cached);
  }
  EXPECT_GE(transport->count(), 3u);  // it kept trying, within the backoff
  clock.Set(kT0 + 600.5);
  Result<AccessToken> after = source->Get();
  EXPECT_THAT(after, HasCode(ErrorCode::kNetworkError));
  EXPECT_EQ(after.error().diagnosis().http_status, 503);
}

TEST(TokenSource, BackoffDoublesFromOneSecondToSixtyAndNoRequestWhileWaiting) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>(
      [](const HttpRequest&) { return Result<HttpResponse>(Json(500, "{}")); });
  auto source = MakeSource(SecretOptions(), clock, transport);
  std::vector<double> caps;
  for (int i = 0; i < 9; ++i) {
    EXPECT_FALSE(source->Get().ok());
    TokenSourceStatus s = source->Status();
    caps.push_back(s.backoff_cap_s);
    EXPECT_DOUBLE_EQ(s.next_attempt_at, clock.NowPrecise() + s.backoff_cap_s);
    const std::size_t before = transport->count();
    clock.Set(s.next_attempt_at - 0.01);  // still waiting: the last error, no request
    EXPECT_THAT(source->Get(), HasCode(ErrorCode::kNetworkError));
    EXPECT_EQ(transport->count(), before);
    clock.Set(s.next_attempt_at);
  }
  EXPECT_THAT(caps, ::testing::ElementsAre(1, 2, 4, 8, 16, 32, 60, 60, 60));
  EXPECT_EQ(source->Status().consecutive_failures, 9);
}

TEST(TokenSource, DefaultJitterStaysWithinTheCap) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>(
      [](const HttpRequest&) { return Result<HttpResponse>(Json(500, "{}")); });
  TokenSourceOptions o = SecretOptions();
  o.jitter = nullptr;
  auto source = MakeSource(o, clock, transport);
  for (int i = 0; i < 12; ++i) {
    (void)source->Get();
    TokenSourceStatus s = source->Status();
    EXPECT_GE(s.next_attempt_at, clock.NowPrecise());
    EXPECT_LE(s.next_attempt_at, clock.NowPrecise() + std::min(60.0, std::pow(2.0, i)));
    clock.Set(s.next_attempt_at);
  }
}

TEST(TokenSource, MissingExpiresInUsesTheJwtExpMinusIat) {
  FakeClock clock(kT0);
  // The issuer's clock is an hour off: exp - iat does not care.
  const std::string jwt =
      testing::Hs256(R"({"alg":"HS256","typ":"at+jwt"})", R"({"iat":1781259430,"exp":1781259730})");
  auto transport = std::make_shared<FakeTransport>([&](const HttpRequest&) {
    return Result<HttpResponse>(
        Json(200, R"({"access_token":")" + jwt + R"(","token_type":"Bearer"})"));
  });
  auto source = MakeSource(SecretOptions(), clock, transport);
  Result<AccessToken> token = source->Get();
  ASSERT_TRUE(token.ok()) << token.error().message();
  EXPECT_DOUBLE_EQ(token->lifetime_s, 300);
  EXPECT_DOUBLE_EQ(token->expires_at, kT0 + 300);
}

TEST(TokenSource, RefusalIsTokenRefusedWithOAuthErrorStatusAndDateClock) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>([](const HttpRequest&) {
    return Result<HttpResponse>(
        Json(401, R"({"error":"invalid_client","error_description":"wrong client secret"})",
             {{"Date", "Fri, 12 Jun 2026 09:18:23 GMT"}}));  // kT0 + 73
  });
  auto source = MakeSource(SecretOptions(), clock, transport);
  Result<AccessToken> token = source->Get();
  ASSERT_THAT(token, HasCode(ErrorCode::kTokenRefused));
  EXPECT_EQ(token.error().message(), "wrong client secret");
  EXPECT_EQ(token.error().diagnosis().oauth_error, "invalid_client");
  EXPECT_EQ(token.error().diagnosis().http_status, 401);
  EXPECT_NEAR(*token.error().diagnosis().issuer_clock_offset_s, 73.5, 0.01);
  EXPECT_EQ(token.error().diagnosis().issuer_clock_source, "date");
  EXPECT_EQ(token.error().disposition(), Disposition::kRejected);
}

TEST(TokenSource, IatAheadOfTheRequestEndIsEvidenceAndIatBehindIsNot) {
  FakeClock clock(kT0);
  std::string iat_text = "1781255903";  // kT0 + 73
  auto transport = std::make_shared<FakeTransport>([&](const HttpRequest&) {
    const std::string jwt = testing::Hs256(R"({"alg":"HS256"})", R"({"iat":)" + iat_text + "}");
    return Result<HttpResponse>(Json(200, R"({"access_token":")" + jwt + R"(","expires_in":1})",
                                     {{"Date", "Fri, 12 Jun 2026 09:17:10 GMT"}}));
  });
  TokenSourceOptions o = SecretOptions();
  auto source = MakeSource(o, clock, transport);
  Result<AccessToken> ahead = source->Get();
  EXPECT_EQ(ahead->issuer_clock.source, "iat");
  EXPECT_NEAR(*ahead->issuer_clock.offset_s, 73.5, 0.01);
  iat_text = "1781255770";  // a minute behind: backdated, so the Date header speaks
  clock.Set(kT0 + 10);
  Result<AccessToken> behind = source->Get();
  EXPECT_EQ(behind->issuer_clock.source, "date");
  EXPECT_NEAR(*behind->issuer_clock.offset_s, -9.5, 0.01);
}

TEST(TokenSource, RateLimitAndServerErrorsAreNetworkErrorsWithRetryAfter) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>([](const HttpRequest&) {
    return Result<HttpResponse>(Json(429, R"({"error":"slow_down","error_description":"too fast"})",
                                     {{"Retry-After", "7"}}));
  });
  auto source = MakeSource(SecretOptions(), clock, transport);
  Result<AccessToken> token = source->Get();
  ASSERT_THAT(token, HasCode(ErrorCode::kNetworkError));
  EXPECT_EQ(token.error().diagnosis().retry_after_s, 7.0);
  EXPECT_THAT(token.error().message(), HasSubstr("HTTP 429"));
}

TEST(TokenSource, RedirectIsNeverFollowedWithCredentials) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>([](const HttpRequest&) {
    return Result<HttpResponse>(
        HttpResponse{302, {{"Location", "https://evil.example/token"}}, ""});
  });
  auto source = MakeSource(SecretOptions(), clock, transport);
  Result<AccessToken> token = source->Get();
  ASSERT_THAT(token, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(token.error().message(), HasSubstr("never follows a redirect"));
  EXPECT_EQ(transport->count(), 1u);
}

TEST(TokenSource, ClientSecretBasicFormUrlencodesIdAndSecret) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>(
      [](const HttpRequest&) { return Result<HttpResponse>(TokenAnswer("t")); });
  TokenSourceOptions o = SecretOptions();
  o.client_id = "my client";
  o.client_secret = "p:w+%/é";
  o.scopes = {"read", "write"};
  o.audience = "https://api.example.com";
  auto source = MakeSource(o, clock, transport);
  ASSERT_TRUE(source->Get().ok());
  HttpRequest r = transport->request(0);
  EXPECT_EQ(r.method, "POST");
  std::string auth;
  for (const auto& [n, v] : r.headers) {
    if (n == "Authorization") auth = v;
  }
  // base64("my+client:p%3Aw%2B%25%2F%C3%A9")
  EXPECT_EQ(auth, "Basic bXkrY2xpZW50OnAlM0F3JTJCJTI1JTJGJUMzJUE5");
  EXPECT_EQ(
      r.body,
      "grant_type=client_credentials&scope=read+write&audience=https%3A%2F%2Fapi.example.com");
}

TEST(TokenSource, PrivateKeyJwtSignsAFreshAssertionPerRequest) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>(
      [](const HttpRequest&) { return Result<HttpResponse>(TokenAnswer("t", 10)); });
  Result<Key> key = GenerateKey(Algorithm::kES256);
  ASSERT_TRUE(key.ok());
  TokenSourceOptions o = SecretOptions();
  o.client_secret.reset();
  o.key = *key;
  o.assertion_audience = "https://as.example.com";
  auto source = MakeSource(o, clock, transport);
  ASSERT_TRUE(source->Get().ok());
  clock.Set(kT0 + 20);
  ASSERT_TRUE(source->Get().ok());
  ASSERT_EQ(transport->count(), 2u);
  std::vector<std::string> jtis;
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string body = transport->request(i).body;
    EXPECT_THAT(body, HasSubstr("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-"
                                "assertion-type%3Ajwt-bearer"));
    const std::string assertion = body.substr(body.find("client_assertion=") + 17);
    Result<UnverifiedView> view = InspectUnverified(assertion);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->StringClaim("iss"), "billing");
    EXPECT_EQ(view->StringClaim("sub"), "billing");
    EXPECT_EQ(view->StringClaim("aud"), "https://as.example.com");
    EXPECT_EQ(view->NumberClaim("iat"), kT0 + 20.0 * static_cast<double>(i));
    EXPECT_EQ(view->NumberClaim("exp"), kT0 + 20.0 * static_cast<double>(i) + 60);
    EXPECT_EQ(view->StringHeader("kid"), key->Thumbprint());
    jtis.push_back(*view->StringClaim("jti"));
    EXPECT_EQ(jtis.back().size(), 22u);
  }
  EXPECT_NE(jtis[0], jtis[1]);
}

TEST(TokenSource, DiscoveryFallsBackToRfc8414WithThePathInserted) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>([](const HttpRequest& r) {
    if (r.url == "https://as.example.com/.well-known/oauth-authorization-server/tenant1") {
      return Result<HttpResponse>(Json(200,
                                       R"({"issuer":"https://as.example.com/tenant1",)"
                                       R"("token_endpoint":"https://as.example.com/t1/token"})"));
    }
    if (r.url == "https://as.example.com/t1/token") return Result<HttpResponse>(TokenAnswer("t"));
    return Result<HttpResponse>(Json(404, "{}"));
  });
  TokenSourceOptions o = SecretOptions();
  o.token_url.clear();
  o.issuer = "https://as.example.com/tenant1";
  auto source = MakeSource(o, clock, transport);
  ASSERT_TRUE(source->Get().ok());
  EXPECT_EQ(transport->request(0).url,
            "https://as.example.com/tenant1/.well-known/openid-configuration");
  EXPECT_EQ(source->Status().token_endpoint, "https://as.example.com/t1/token");
}

TEST(TokenSource, DiscoveryNamingAnotherIssuerIsADiscoveryError) {
  FakeClock clock(kT0);
  auto transport = std::make_shared<FakeTransport>([](const HttpRequest&) {
    return Result<HttpResponse>(Json(200, R"({"issuer":"https://as.example.com/",)"
                                          R"("token_endpoint":"https://as.example.com/token"})"));
  });
  TokenSourceOptions o = SecretOptions();
  o.token_url.clear();
  o.issuer = "https://as.example.com";
  auto source = MakeSource(o, clock, transport);
  Result<AccessToken> token = source->Get();
  ASSERT_THAT(token, HasCode(ErrorCode::kDiscoveryError));
  EXPECT_EQ(token.error().disposition(), Disposition::kCannotJudge);
  EXPECT_EQ(transport->count(), 1u);  // no token request to a mixed-up issuer
}

TEST(TokenSource, OnlyHttpsOrLoopbackHttp) {
  EXPECT_TRUE(IsAllowedTokenUrl("https://as.example.com/token"));
  EXPECT_TRUE(IsAllowedTokenUrl("http://127.0.0.1:8080/token"));
  EXPECT_TRUE(IsAllowedTokenUrl("http://127.9.9.9/token"));
  EXPECT_TRUE(IsAllowedTokenUrl("http://[::1]:80/token"));
  EXPECT_TRUE(IsAllowedTokenUrl("http://localhost/token"));
  EXPECT_FALSE(IsAllowedTokenUrl("http://as.example.com/token"));
  EXPECT_FALSE(IsAllowedTokenUrl("http://10.0.0.1/token"));
  EXPECT_FALSE(IsAllowedTokenUrl("ftp://127.0.0.1/token"));
  FakeClock clock(kT0);
  TokenSourceOptions o = SecretOptions();
  o.token_url = "http://as.example.com/token";
  EXPECT_THAT(TokenSource::Create(o, clock), HasCode(ErrorCode::kUsage));
}

TEST(TokenSource, SavedTokensRoundTripWithoutSecrets) {
  AccessToken t{"tok", "Bearer", "read", kT0, kT0 + 600, 600, IssuerClock{73.5, "iat"}, false};
  const std::string text = SerializeAccessToken(t);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("s3cret")));
  Result<AccessToken> back = ParseAccessToken(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->access_token, "tok");
  EXPECT_EQ(back->expires_at, kT0 + 600);
  EXPECT_EQ(back->issuer_clock.offset_s, 73.5);
  EXPECT_EQ(back->issuer_clock.source, "iat");
  TokenSourceOptions a = SecretOptions(), b = SecretOptions();
  b.scopes = {"x"};
  EXPECT_NE(TokenCacheName(a), TokenCacheName(b));
  a.scopes = {"x", "x"};
  EXPECT_EQ(TokenCacheName(a), TokenCacheName(b));
}

}  // namespace
}  // namespace tock
