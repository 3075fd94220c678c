#include "tock/token_source.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>

#include "internal/crypto.h"
#include "internal/json.h"
#include "internal/opaque.h"
#include "internal/token_exchange.h"

namespace tock {

bool AccessToken::RefreshDue(double now, double min_ttl_s) const {
  const double remaining = expires_at - now;
  // A token shorter-lived than min_ttl would never be reusable: use it
  // until half of it has passed instead.
  if (lifetime_s < min_ttl_s) return remaining < lifetime_s / 2;
  return remaining < std::max(min_ttl_s, 0.2 * lifetime_s);
}

std::string SerializeAccessToken(const AccessToken& t) {
  // The library's one serializer, member order as written here.
  boost::json::object o;
  o["access_token"] = t.access_token;
  o["token_type"] = t.token_type;
  o["scope"] = t.scope;
  o["obtained_at"] = t.obtained_at;
  o["expires_at"] = t.expires_at;
  o["lifetime_s"] = t.lifetime_s;
  if (t.issuer_clock.offset_s) {
    o["issuer_clock_offset_s"] = *t.issuer_clock.offset_s;
    o["issuer_clock_source"] = t.issuer_clock.source;
  }
  return internal::SerializeJson(o);
}

Result<AccessToken> ParseAccessToken(std::string_view json) {
  Result<boost::json::object> doc = internal::ParseJsonObject(json);
  if (!doc.ok()) return std::move(doc).error();
  AccessToken t;
  auto token = internal::FindString(*doc, "access_token");
  auto obtained = internal::FindNumber(*doc, "obtained_at");
  auto expires = internal::FindNumber(*doc, "expires_at");
  auto lifetime = internal::FindNumber(*doc, "lifetime_s");
  if (!token || !obtained || !expires || !lifetime) {
    return Error(ErrorCode::kBadJson, "not a saved access token: a member is missing");
  }
  t.access_token = std::string(*token);
  t.token_type = std::string(internal::FindString(*doc, "token_type").value_or("Bearer"));
  t.scope = std::string(internal::FindString(*doc, "scope").value_or(""));
  t.obtained_at = *obtained;
  t.expires_at = *expires;
  t.lifetime_s = *lifetime;
  if (auto offset = internal::FindNumber(*doc, "issuer_clock_offset_s")) {
    t.issuer_clock.offset_s = *offset;
    t.issuer_clock.source =
        std::string(internal::FindString(*doc, "issuer_clock_source").value_or(""));
  }
  return t;
}

std::string TokenCacheName(const TokenSourceOptions& o) {
  std::vector<std::string> scopes = o.scopes;
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  // Length-prefixed fields: no two different tuples give the same text.
  std::string identity = "tock-token-cache-v1";
  auto add = [&identity](std::string_view field) {
    identity += '\n' + std::to_string(field.size()) + ':';
    identity += field;
  };
  add(o.issuer.empty() ? o.token_url : o.issuer);
  add(o.client_id);
  add(std::to_string(scopes.size()));
  for (const std::string& scope : scopes) add(scope);
  add(o.audience);
  add(o.resource);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : internal::Sha256(identity)) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

struct TokenSource::State {
  TokenSourceOptions options;
  const Clock& clock;
  std::shared_ptr<HttpTransport> transport;

  mutable std::mutex mu;
  std::condition_variable fetched;  // signalled when a fetch ends
  bool in_flight = false;
  std::optional<AccessToken> cached;
  std::optional<Error> last_error;
  IssuerClock last_clock;
  std::string endpoint;  // written only by the fetching thread, under mu
  int failures = 0;
  double backoff_cap_s = 0;
  double next_attempt_at = 0;
  std::int64_t requests = 0;
  std::mt19937_64 random{std::random_device{}()};

  State(TokenSourceOptions o, const Clock& c, std::shared_ptr<HttpTransport> t)
      : options(std::move(o)), clock(c), transport(std::move(t)) {}

  // Fetch runs without |mu|: discovery when needed, then one token request.
  Result<AccessToken> Fetch(std::string endpoint_now);
  void RecordFailure(const Error& error);
};

Result<AccessToken> TokenSource::State::Fetch(std::string endpoint_now) {
  if (endpoint_now.empty()) {
    Result<std::string> found =
        internal::DiscoverTokenEndpoint(*transport, options.issuer, options.timeout_s);
    if (!found.ok()) return std::move(found).error();
    endpoint_now = *found;
    std::lock_guard lock(mu);
    endpoint = endpoint_now;
  }
  const std::string& aud =
      options.assertion_audience.empty() ? options.issuer : options.assertion_audience;
  const Clock& stamp = options.assertion_clock ? *options.assertion_clock : clock;
  Result<HttpRequest> request =
      internal::BuildTokenRequest(options, endpoint_now, aud, stamp.Now());
  if (!request.ok()) return std::move(request).error();
  const double start = clock.NowPrecise();
  {
    std::lock_guard lock(mu);
    ++requests;
  }
  Result<HttpResponse> response = transport->Send(*request);
  const double end = clock.NowPrecise();
  if (!response.ok()) return std::move(response).error();
  Result<AccessToken> token = internal::ReadTokenAnswer(*response, start, end);
  std::lock_guard lock(mu);
  last_clock = token.ok() ? token->issuer_clock
                          : IssuerClock{token.error().diagnosis().issuer_clock_offset_s,
                                        token.error().diagnosis().issuer_clock_source.value_or("")};
  return token;
}

void TokenSource::State::RecordFailure(const Error& error) {
  ++failures;
  const double doubled = options.backoff_initial_s * std::pow(2.0, std::min(failures - 1, 30));
  backoff_cap_s = std::min(options.backoff_max_s, doubled);
  double wait = 0;
  if (options.jitter) {
    wait = options.jitter(backoff_cap_s);
  } else {
    wait = std::uniform_real_distribution<double>(0.0, backoff_cap_s)(random);
  }
  next_attempt_at = clock.NowPrecise() + std::clamp(wait, 0.0, backoff_cap_s);
  last_error = error;
}

TokenSource::TokenSource(std::unique_ptr<State> state) : state_(std::move(state)) {}
TokenSource::~TokenSource() = default;

Result<std::unique_ptr<TokenSource>> TokenSource::Create(TokenSourceOptions o, const Clock& clock,
                                                         std::shared_ptr<HttpTransport> transport) {
  auto usage = [](std::string m) { return Error(ErrorCode::kUsage, std::move(m)); };
  if (o.client_id.empty()) return usage("a client id is required");
  if (o.client_secret.has_value() == o.key.has_value()) {
    return usage(
        "give exactly one of a client secret (client_secret_basic) and a key "
        "(private_key_jwt)");
  }
  if (o.issuer.empty() == o.token_url.empty()) {
    return usage("give exactly one of an issuer (discovery) and a token URL");
  }
  if (o.key && o.issuer.empty() && o.assertion_audience.empty()) {
    return usage(
        "a private_key_jwt assertion needs its audience, the issuer identifier: "
        "without discovery, give it (--assertion-aud)");
  }
  for (const std::string* url : {&o.issuer, &o.token_url}) {
    if (!url->empty() && !IsAllowedTokenUrl(*url)) {
      return usage(*url + " is neither https nor http to a loopback host");
    }
  }
  if (o.key) {
    const Algorithm alg = o.alg.value_or(internal::DefaultAlgorithm(*o.key));
    if (!o.key->has_private() || o.key->type() == KeyType::kOct || !o.key->CanPerform(alg)) {
      return Error(ErrorCode::kKeyError, "the key cannot sign private_key_jwt assertions with " +
                                             std::string(ToString(alg)) +
                                             " (a private RSA, EC or OKP key is needed)");
    }
  }
  if (!(o.backoff_initial_s > 0) || !(o.backoff_max_s >= o.backoff_initial_s)) {
    return usage("backoff_initial_s must be positive and at most backoff_max_s");
  }
  if (!transport) transport = MakeCurlTransport();
  auto state = std::make_unique<State>(std::move(o), clock, std::move(transport));
  state->endpoint = state->options.token_url;
  return std::unique_ptr<TokenSource>(new TokenSource(std::move(state)));
}

Result<AccessToken> TokenSource::Get() {
  State& s = *state_;
  const double min_ttl = static_cast<double>(s.options.min_ttl_s);
  std::unique_lock lock(s.mu);
  for (;;) {
    const double now = s.clock.NowPrecise();
    const bool usable = s.cached && now < s.cached->expires_at;
    auto serve_cached = [&] {
      AccessToken t = *s.cached;
      t.cached = true;
      return t;
    };
    if (usable && !s.cached->RefreshDue(now, min_ttl)) return serve_cached();
    if (s.in_flight) {
      // Single flight: a caller with a still-valid token need not wait.
      if (usable) return serve_cached();
      s.fetched.wait(lock, [&] { return !s.in_flight; });
      if (s.last_error && !s.cached) return *s.last_error;
      continue;
    }
    if (s.last_error && now < s.next_attempt_at) {
      if (usable) return serve_cached();
      return *s.last_error;
    }
    s.in_flight = true;
    const std::string endpoint = s.endpoint;
    lock.unlock();
    Result<AccessToken> token = s.Fetch(endpoint);
    lock.lock();
    s.in_flight = false;
    s.fetched.notify_all();
    if (token.ok()) {
      s.cached = *token;
      s.failures = 0;
      s.backoff_cap_s = 0;
      s.next_attempt_at = 0;
      s.last_error.reset();
      return token;
    }
    s.RecordFailure(token.error());
    if (s.cached && s.clock.NowPrecise() < s.cached->expires_at) return serve_cached();
    return token;
  }
}

void TokenSource::Seed(const AccessToken& token) {
  std::lock_guard lock(state_->mu);
  if (!state_->cached || token.expires_at > state_->cached->expires_at) {
    state_->cached = token;
    state_->cached->cached = false;
  }
}

IssuerClock TokenSource::LastIssuerClock() const {
  std::lock_guard lock(state_->mu);
  return state_->last_clock;
}

TokenSourceStatus TokenSource::Status() const {
  std::lock_guard lock(state_->mu);
  return TokenSourceStatus{state_->endpoint, state_->failures, state_->backoff_cap_s,
                           state_->next_attempt_at, state_->requests};
}

}  // namespace tock
