#include "internal/token_exchange.h"

#include <curl/curl.h>

#include <boost/json/object.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <cmath>
#include <string_view>

#include "internal/base64url.h"
#include "internal/json.h"
#include "internal/opaque.h"
#include "internal/time_text.h"
#include "tock/inspect.h"
#include "tock/token_builder.h"

namespace tock::internal {
namespace {

constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

Error DiscoveryError(std::string message) {
  return Error(ErrorCode::kDiscoveryError, std::move(message));
}

// StandardBase64 is padded base64 (RFC 4648 §4), as HTTP Basic uses it:
// the base64url alphabet mapped back, then padding.
std::string StandardBase64(std::string_view bytes) {
  std::string out = Base64UrlEncode(bytes);
  for (char& c : out) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

// HttpDate parses an HTTP-date (RFC 9110 §5.6.7) with libcurl's parser.
std::optional<double> HttpDate(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const time_t t = curl_getdate(text->c_str(), nullptr);
  if (t == -1) return std::nullopt;
  return static_cast<double>(t);
}

// Rfc8414Url inserts the well-known path between the host and the issuer's
// path (RFC 8414 §3.1), a terminating '/' of the path removed first.
std::optional<std::string> Rfc8414Url(const std::string& issuer) {
  auto parsed = boost::urls::parse_uri(issuer);
  if (!parsed) return std::nullopt;
  std::string path(parsed->encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  return std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_authority()) +
         "/.well-known/oauth-authorization-server" + path;
}

// ReadDiscoveryDocument checks one fetched document: the exact issuer, then
// a token_endpoint that is https or loopback http.
Result<std::string> ReadDiscoveryDocument(const std::string& url, const std::string& body,
                                          const std::string& issuer) {
  Result<boost::json::object> doc = ParseJsonObject(body);
  if (!doc.ok()) {
    return DiscoveryError("the discovery document at " + url +
                          " is not a JSON object: " + doc.error().message());
  }
  std::optional<std::string_view> named = FindString(*doc, "issuer");
  if (!named || *named != issuer) {
    return DiscoveryError("the discovery document at " + url + " names issuer \"" +
                          std::string(named.value_or("")) + "\", not \"" + issuer +
                          "\": refused (the issuer must match exactly, RFC 8414 §3.3)");
  }
  std::optional<std::string_view> endpoint = FindString(*doc, "token_endpoint");
  if (!endpoint)
    return DiscoveryError("the discovery document at " + url + " has no token_endpoint");
  if (!IsAllowedTokenUrl(*endpoint)) {
    return DiscoveryError("the token_endpoint " + std::string(*endpoint) + " named at " + url +
                          " is neither https nor http to a loopback host");
  }
  return std::string(*endpoint);
}

void AddField(std::string& body, std::string_view name, std::string_view value) {
  if (!body.empty()) body += '&';
  body += FormUrlEncode(name);
  body += '=';
  body += FormUrlEncode(value);
}

Result<std::string> MakeAssertion(const TokenSourceOptions& o, const std::string& aud,
                                  UnixSeconds now) {
  TokenBuilder b;
  b.SetString("iss", o.client_id);
  b.SetString("sub", o.client_id);
  b.SetAudiences({aud});
  b.SetNumber("iat", now);
  b.SetNumber("exp", now + o.assertion_ttl_s);
  b.SetString("jti", RandomJti());
  if (o.kid) {
    b.SetKid(o.kid);
  } else if (o.key->kid()) {
    b.SetKid(o.key->kid());
  } else {
    b.SetKid(o.key->Thumbprint());
  }
  return b.Sign(*o.key, o.alg.value_or(DefaultAlgorithm(*o.key)));
}

std::optional<double> RetryAfter(const HttpResponse& response, double end) {
  std::optional<std::string> text = response.Header("Retry-After");
  if (!text) return std::nullopt;
  double seconds = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (ec == std::errc() && ptr == text->data() + text->size() && seconds >= 0) return seconds;
  std::optional<double> at = HttpDate(text);
  if (!at) return std::nullopt;
  // An HTTP-date is on the server's clock: measure it against its Date.
  std::optional<double> now = HttpDate(response.Header("Date"));
  return std::max(0.0, *at - now.value_or(end));
}

void AddClock(Error& error, const IssuerClock& clock) {
  if (!clock.offset_s) return;
  error.mutable_diagnosis().issuer_clock_offset_s = clock.offset_s;
  error.mutable_diagnosis().issuer_clock_source = clock.source;
}

Error AnswerError(const HttpResponse& response, double end, const IssuerClock& clock) {
  Result<boost::json::object> body = ParseJsonObject(response.body);
  std::optional<std::string> oauth_error, description;
  if (body.ok()) {
    if (auto e = FindString(*body, "error")) oauth_error = std::string(*e);
    if (auto d = FindString(*body, "error_description")) description = std::string(*d);
  }
  const std::string status = "HTTP " + std::to_string(response.status);
  Diagnosis d;
  d.http_status = response.status;
  d.oauth_error = oauth_error;
  if (response.status == 429 || response.status >= 500) {
    d.retry_after_s = RetryAfter(response, end);
    std::string message = "the token endpoint answered " + status;
    if (d.retry_after_s) message += " (Retry-After: " + FormatSeconds(*d.retry_after_s) + "s)";
    if (description || oauth_error) message += ": " + description.value_or(*oauth_error);
    Error e(ErrorCode::kNetworkError, message, std::move(d));
    AddClock(e, clock);
    return e;
  }
  if (response.status >= 400 && oauth_error) {
    Error e(ErrorCode::kTokenRefused, description.value_or(*oauth_error), std::move(d));
    AddClock(e, clock);
    return e;
  }
  std::string message = "the token endpoint answered " + status;
  if (response.status >= 300 && response.status < 400) {
    message += " (a redirect to " + response.Header("Location").value_or("?") +
               "): a request with credentials never follows a redirect";
  } else if (response.status >= 400) {
    message += " without an OAuth error";
  }
  Error e(ErrorCode::kNetworkError, message, std::move(d));
  AddClock(e, clock);
  return e;
}

}  // namespace

Result<std::string> DiscoverTokenEndpoint(HttpTransport& transport, const std::string& issuer,
                                          double timeout_s) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::vector<std::string> urls = {base + "/.well-known/openid-configuration"};
  if (std::optional<std::string> rfc = Rfc8414Url(issuer)) urls.push_back(*rfc);
  std::string tried;
  for (const std::string& url : urls) {
    HttpRequest request;
    request.url = url;
    request.timeout_s = timeout_s;
    request.headers = {{"Accept", "application/json"}};
    Result<HttpResponse> response = transport.Send(request);
    if (!response.ok()) return std::move(response).error();
    if (response->status == 200) return ReadDiscoveryDocument(url, response->body, issuer);
    tried +=
        (tried.empty() ? "" : ", ") + url + " answered HTTP " + std::to_string(response->status);
  }
  return DiscoveryError("no discovery document for " + issuer + ": " + tried);
}

Result<HttpRequest> BuildTokenRequest(const TokenSourceOptions& o, const std::string& endpoint,
                                      const std::string& assertion_aud, UnixSeconds assertion_now) {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint;
  request.timeout_s = o.timeout_s;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  std::string body;
  AddField(body, "grant_type", "client_credentials");
  if (!o.scopes.empty()) {
    std::string joined;
    for (const std::string& s : o.scopes) joined += (joined.empty() ? "" : " ") + s;
    AddField(body, "scope", joined);
  }
  if (!o.audience.empty()) AddField(body, "audience", o.audience);
  if (!o.resource.empty()) AddField(body, "resource", o.resource);
  if (o.key) {
    Result<std::string> assertion = MakeAssertion(o, assertion_aud, assertion_now);
    if (!assertion.ok()) return std::move(assertion).error();
    AddField(body, "client_id", o.client_id);
    AddField(body, "client_assertion_type", kJwtBearer);
    AddField(body, "client_assertion", *assertion);
  } else {
    // RFC 6749 §2.3.1: both halves form-urlencoded before Basic.
    const std::string pair = FormUrlEncode(o.client_id) + ":" + FormUrlEncode(*o.client_secret);
    request.headers.emplace_back("Authorization", "Basic " + StandardBase64(pair));
  }
  request.body = std::move(body);
  return request;
}

IssuerClock EstimateIssuerClock(const HttpResponse& response, double start, double end) {
  const double midpoint = (start + end) / 2;
  // Whole seconds on the issuer's clock: the true time is half a second on
  // average past them.
  Result<boost::json::object> body = ParseJsonObject(response.body);
  if (body.ok()) {
    if (auto token = FindString(*body, "access_token")) {
      Result<UnverifiedView> view = InspectUnverified(*token);
      std::optional<double> iat = view.ok() ? view->NumberClaim("iat") : std::nullopt;
      // An iat behind is no evidence: issuers may backdate it. An issuer
      // stamps iat after its work on the request (a client secret's scrypt
      // among it), close to the answer's departure: so against the end.
      if (iat && *iat > end) return IssuerClock{std::floor(*iat) + 0.5 - end, "iat"};
    }
  }
  if (std::optional<double> date = HttpDate(response.Header("Date"))) {
    return IssuerClock{*date + 0.5 - midpoint, "date"};
  }
  return IssuerClock{};
}

Result<AccessToken> ReadTokenAnswer(const HttpResponse& response, double start, double end) {
  const IssuerClock clock = EstimateIssuerClock(response, start, end);
  if (response.status != 200) return AnswerError(response, end, clock);
  Result<boost::json::object> body = ParseJsonObject(response.body);
  std::optional<std::string_view> token;
  if (body.ok()) token = FindString(*body, "access_token");
  if (!token || token->empty()) {
    Diagnosis d;
    d.http_status = 200;
    Error e(ErrorCode::kNetworkError,
            "the token endpoint answered HTTP 200 without an access_token", std::move(d));
    AddClock(e, clock);
    return e;
  }
  AccessToken t;
  t.access_token = std::string(*token);
  t.token_type = std::string(FindString(*body, "token_type").value_or("Bearer"));
  t.scope = std::string(FindString(*body, "scope").value_or(""));
  t.obtained_at = end;
  t.issuer_clock = clock;
  if (std::optional<double> expires_in = FindNumber(*body, "expires_in"); expires_in) {
    t.lifetime_s = std::max(0.0, *expires_in);
  } else if (Result<UnverifiedView> view = InspectUnverified(t.access_token); view.ok()) {
    // No expires_in (it is only RECOMMENDED): a JWT's own lifetime, which
    // needs no agreement between the clocks.
    std::optional<double> exp = view->NumberClaim("exp");
    std::optional<double> iat = view->NumberClaim("iat");
    if (exp && iat) t.lifetime_s = std::max(0.0, *exp - *iat);
  }
  t.expires_at = t.obtained_at + t.lifetime_s;
  return t;
}

}  // namespace tock::internal

namespace tock {

bool IsAllowedTokenUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return false;
  if (parsed->scheme_id() == boost::urls::scheme::https) return parsed->has_authority();
  if (parsed->scheme_id() != boost::urls::scheme::http) return false;
  switch (parsed->host_type()) {
    case boost::urls::host_type::ipv4:
      return parsed->host_ipv4_address().to_bytes()[0] == 127;
    case boost::urls::host_type::ipv6:
      return parsed->host_ipv6_address().is_loopback();
    case boost::urls::host_type::name: {
      std::string host = parsed->host();
      for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return host == "localhost";
    }
    default:
      return false;
  }
}

std::string FormUrlEncode(std::string_view text) {
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return boost::urls::encode(text, boost::urls::unreserved_chars, opts);
}

}  // namespace tock
