// TokenSource: the sender's side of OAuth 2.0. Gets access tokens with the
// client credentials grant (RFC 6749 §4.4), keeps them, renews them ahead of
// expiry, and says when this machine's clock disagrees with the issuer's.
//
//   tock::SystemClock clock;
//   tock::TokenSourceOptions options;
//   options.issuer = "https://issuer.example.com";
//   options.client_id = "billing";
//   options.client_secret = secret;            // or options.key = private key
//   auto source = tock::TokenSource::Create(options, clock);
//   tock::Result<tock::AccessToken> token = (*source)->Get();
//
// Thread-safe: any number of threads may call Get() at once; at most one
// request to the issuer is in flight (single flight).
#ifndef TOCK_TOKEN_SOURCE_H_
#define TOCK_TOKEN_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/http_transport.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock {

// TokenSourceOptions say where to get tokens and how to authenticate.
struct TokenSourceOptions {
  // issuer: find the token endpoint by discovery, first
  // ISSUER/.well-known/openid-configuration, then RFC 8414's
  // /.well-known/oauth-authorization-server inserted between host and path.
  // The document's "issuer" must equal |issuer| exactly (mix-up defence),
  // else kDiscoveryError. Alternatively token_url names the endpoint.
  std::string issuer;
  std::string token_url;
  std::string client_id;
  // client_secret_basic: RFC 6749 §2.3.1, id and secret form-urlencoded,
  // then HTTP Basic.
  std::optional<std::string> client_secret;
  // private_key_jwt (RFC 7523): a fresh assertion per request, iss = sub =
  // client_id, aud = assertion_audience or else the issuer identifier,
  // iat = now, exp = now + assertion_ttl_s, jti 128 random bits. kid: |kid|,
  // else the key's own kid, else its RFC 7638 thumbprint (`tock sign`).
  std::optional<Key> key;
  std::optional<Algorithm> alg;  // default: the key's default algorithm
  std::optional<std::string> kid;
  std::string assertion_audience;  // required with key + token_url
  std::int64_t assertion_ttl_s = 60;
  // assertion_clock stamps assertions (e.g. a CorrectedClock); default: the
  // source's clock. Must outlive the source.
  const Clock* assertion_clock = nullptr;

  std::vector<std::string> scopes;  // sent space-joined as "scope"
  std::string audience;             // sent as "audience" when not empty
  std::string resource;             // sent as "resource" (RFC 8707) when not empty

  // min_ttl_s: a token is renewed when less than max(min_ttl_s, 20 % of its
  // lifetime) remains; a token whose whole lifetime is under min_ttl_s is
  // used until half of it has passed.
  std::int64_t min_ttl_s = 60;
  double timeout_s = 10.0;
  // Retries after a failure wait a random time in [0, min(backoff_max_s,
  // backoff_initial_s * 2^(failures-1))] (exponential backoff, full jitter).
  double backoff_initial_s = 1.0;
  double backoff_max_s = 60.0;
  // jitter(cap) returns the wait for a cap; default uniform in [0, cap].
  // Tests pin it.
  std::function<double(double)> jitter;
};

// IssuerClock is the issuer's clock offset estimated from one answer of the
// token endpoint: positive when the issuer's clock is ahead of this
// machine's (the sign of `tock clock`). "iat" when the answer held a JWT
// whose iat lies ahead of the request's end (iat + 0.5 - end), else "date"
// from the Date header (Date + 0.5 - the request's midpoint); neither, no
// offset.
struct IssuerClock {
  std::optional<double> offset_s;
  std::string source;  // "iat", "date" or empty
};

// AccessToken is a token with what was learnt when it was fetched. Times
// are this machine's clock: expires_at = arrival of the answer + expires_in
// (never the token's exp, which is on the issuer's clock).
struct AccessToken {
  std::string access_token;
  std::string token_type;
  std::string scope;
  double obtained_at = 0;  // local time the answer arrived
  double expires_at = 0;   // obtained_at + lifetime_s
  double lifetime_s = 0;   // expires_in, else the JWT's exp - iat
  IssuerClock issuer_clock;
  bool cached = false;  // Get() served it without a request

  // RefreshDue is true when the renewal rule above says to fetch anew at |now|.
  bool RefreshDue(double now, double min_ttl_s) const;
};

// SerializeAccessToken / ParseAccessToken write and read a token as a JSON
// object (for a cache file). Never holds a secret or key.
std::string SerializeAccessToken(const AccessToken& token);
Result<AccessToken> ParseAccessToken(std::string_view json);

// TokenSourceStatus is a snapshot for logs and tests.
struct TokenSourceStatus {
  std::string token_endpoint;  // empty until discovery ran
  int consecutive_failures = 0;
  double backoff_cap_s = 0;        // the cap of the current wait
  double next_attempt_at = 0;      // no request before this time (local)
  std::int64_t requests_sent = 0;  // to the token endpoint
};

class TokenSource {
 public:
  // Create checks |options| (kUsage: no client id, not exactly one of
  // secret and key, neither issuer nor token_url, key with token_url but no
  // assertion_audience, a URL neither https nor http to a loopback host;
  // kKeyError: the key cannot sign). |clock| must outlive the source.
  // |transport| defaults to MakeCurlTransport().
  static Result<std::unique_ptr<TokenSource>> Create(
      TokenSourceOptions options, const Clock& clock,
      std::shared_ptr<HttpTransport> transport = nullptr);
  ~TokenSource();
  TokenSource(const TokenSource&) = delete;
  TokenSource& operator=(const TokenSource&) = delete;

  // Get returns a token with time left by the renewal rule, fetching one
  // when needed. While one caller fetches, callers that hold a still-valid
  // token get it at once; the others wait for the fetch. A failed fetch
  // serves the cached token while it has not expired; then the error:
  //   kTokenRefused  the endpoint answered an OAuth error (4xx but 429)
  //   kNetworkError  no answer, a 429 or 5xx (retry_after_s), a bad answer
  //   kDiscoveryError discovery failed or named another issuer
  // During a backoff wait no request is made: Get serves the cache or
  // returns the last error. Every error carries the diagnosis fields
  // oauth_error, http_status and the issuer clock where known.
  Result<AccessToken> Get();

  // Seed offers a token kept elsewhere (a cache file); it is used while the
  // renewal rule allows.
  void Seed(const AccessToken& token);

  // LastIssuerClock is the estimate from the last answer, errors included.
  IssuerClock LastIssuerClock() const;
  TokenSourceStatus Status() const;

 private:
  struct State;
  explicit TokenSource(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// TokenCacheName names a cache entry for |options|: the hex SHA-256 of the
// endpoint (issuer, else token URL), client id, sorted scopes, audience and
// resource. Equal for options that get interchangeable tokens.
std::string TokenCacheName(const TokenSourceOptions& options);

// IsAllowedTokenUrl is true for https URLs and for http URLs whose host is
// loopback (127.0.0.0/8, ::1, localhost).
bool IsAllowedTokenUrl(std::string_view url);

// FormUrlEncode encodes |text| as application/x-www-form-urlencoded
// (space as '+', everything but unreserved characters %-escaped).
std::string FormUrlEncode(std::string_view text);

}  // namespace tock

#endif  // TOCK_TOKEN_SOURCE_H_
