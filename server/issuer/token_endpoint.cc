// POST /token: OAuth 2.0 client credentials (RFC 6749 §4.4) with
// client_secret_basic or private_key_jwt (RFC 7523), RFC 9068 access tokens.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "endpoints.h"
#include "tock/basic_auth.h"
#include "tock/inspect.h"
#include "tock/json_writer.h"
#include "tock/secret_hash.h"
#include "tock/time_text.h"
#include "tock/token_builder.h"
#include "tock/validator.h"
#include "tock/verifier.h"

namespace tock::server {
namespace {

constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// OAuthFailure is an RFC 6749 §5.2 error plus what the log line needs.
struct OAuthFailure {
  http::status status;
  std::string error;        // invalid_client, invalid_request, ...
  std::string description;  // the precise reason
  std::string code;         // the verify code for the log, when there is one
  bool basic = false;       // the client tried HTTP Basic: answer a challenge
};

Response OAuthError(const Request& req, const OAuthFailure& f) {
  Response res = JsonResponse(
      req, f.status,
      JsonWriter().Str("error", f.error).Str("error_description", f.description).Finish());
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::pragma, "no-cache");
  if (f.status == http::status::unauthorized) {
    res.set(http::field::www_authenticate,
            f.basic ? "Basic realm=\"tock\"" : "Bearer error=\"invalid_client\"");
  }
  return res;
}

OAuthFailure BadRequest(std::string error, std::string description) {
  return {http::status::bad_request, std::move(error), std::move(description), "", false};
}

OAuthFailure BadClient(std::string description, std::string code, bool basic) {
  return {http::status::unauthorized, "invalid_client", std::move(description), std::move(code),
          basic};
}

struct Form {
  std::map<std::string, std::string> values;
  std::optional<std::string> Get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

// Authenticated is the client that proved its identity.
struct Authenticated {
  const Client* client = nullptr;
};

using AuthResult = std::variant<Authenticated, OAuthFailure>;

void LogRejection(ServerContext& ctx, const Request& req, const OAuthFailure& f,
                  std::string_view event, const std::string& client,
                  const std::optional<UnverifiedView>& view, const Error* error) {
  JsonWriter line = ctx.log.Start("warn", event);
  if (error) {
    AddErrorFields(line, *error);
  } else {
    line.Str("code", f.code.empty() ? f.error : f.code).Str("message", f.description);
  }
  line.Str("error", f.error).Str("endpoint", "/token").Str("remote", req.remote_ip);
  if (!client.empty()) line.Str("client", client);
  if (view) AddTokenFields(line, *view);
  line.Int("now", ctx.clock.Now());
  ctx.log.Write(line);
}

AuthResult AuthenticateBasic(ServerContext& ctx, std::string_view header) {
  Result<BasicCredentials> credentials = DecodeBasicCredentials(header.substr(6));
  if (!credentials.ok()) return BadClient(credentials.error().message(), "malformed", true);
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
  auto id = UrlDecode(credentials->id);
  auto secret = UrlDecode(credentials->secret);
  if (!id || !secret)
    return BadClient("the Basic credentials have a bad %-escape", "malformed", true);
  if (!ctx.token_rate.Allow("client:" + *id, ctx.clock.NowPrecise())) {
    return OAuthFailure{http::status::too_many_requests, "slow_down",
                        "more than " + FormatSeconds(ctx.config.limits.token_rate) +
                            " token requests per second for client \"" + *id + "\"",
                        "rate_limited", false};
  }
  auto it = ctx.clients.find(*id);
  const Client* client = it == ctx.clients.end() ? nullptr : &it->second;
  // An unknown client costs the same scrypt as a known one: no timing oracle.
  const std::string& hash =
      client && client->config.secret_hash ? *client->config.secret_hash : ctx.dummy_secret_hash;
  Result<bool> match = SecretMatches(*secret, hash);
  // Many clients (curl -u among them) send the secret without the
  // form-urlencoding of RFC 6749 §2.3.1; a secret holding '+' or '%' then
  // decodes to something else, so the secret as sent is tried too.
  if (client && (!match.ok() || !*match) && *secret != credentials->secret) {
    match = SecretMatches(credentials->secret, hash);
  }
  if (!client) return BadClient("unknown client \"" + *id + "\"", "unknown_client", true);
  if (!client->config.secret_hash) {
    return BadClient("client \"" + *id + "\" has no secret: it authenticates with private_key_jwt",
                     "bad_secret", true);
  }
  if (!match.ok() || !*match) {
    return BadClient("wrong client secret for client \"" + *id + "\"", "bad_secret", true);
  }
  return Authenticated{client};
}

AuthResult AuthenticateAssertion(ServerContext& ctx, const Form& form,
                                 std::optional<UnverifiedView>& view, std::string& client_id,
                                 std::optional<Error>& error) {
  if (form.Get("client_assertion_type") != kJwtBearer) {
    return BadClient("client_assertion_type must be " + std::string(kJwtBearer), "malformed",
                     false);
  }
  std::string assertion = form.Get("client_assertion").value_or("");
  Result<UnverifiedView> inspected = InspectUnverified(assertion);
  if (!inspected.ok()) {
    error = inspected.error();
    return BadClient(inspected.error().message(), "", false);
  }
  view = *inspected;
  std::optional<std::string> iss = view->StringClaim("iss");
  client_id = iss.value_or(view->StringClaim("sub").value_or(""));
  if (client_id.empty()) {
    Diagnosis d;
    d.claim = "iss";
    error = Error(ErrorCode::kMissingClaim,
                  "the client assertion has no \"iss\" claim: it must name the client", d);
    return BadClient(error->message(), "", false);
  }
  if (auto named = form.Get("client_id"); named && *named != client_id) {
    return BadClient(
        "client_id \"" + *named + "\" differs from the assertion's iss \"" + client_id + "\"",
        "iss_mismatch", false);
  }
  if (!ctx.token_rate.Allow("client:" + client_id, ctx.clock.NowPrecise())) {
    return OAuthFailure{http::status::too_many_requests, "slow_down",
                        "more than " + FormatSeconds(ctx.config.limits.token_rate) +
                            " token requests per second for client \"" + client_id + "\"",
                        "rate_limited", false};
  }
  auto it = ctx.clients.find(client_id);
  if (it == ctx.clients.end())
    return BadClient("unknown client \"" + client_id + "\"", "unknown_client", false);
  const Client& client = it->second;
  if (!client.keys.present()) {
    return BadClient(
        "client \"" + client_id + "\" has no jwks_file or jwks_uri: it cannot use private_key_jwt",
        "key_not_found", false);
  }
  Result<std::shared_ptr<const JwkSet>> keys =
      client.keys.Get(view->StringHeader("kid").value_or(""));
  if (!keys.ok()) {
    error = keys.error();
    return OAuthFailure{
        http::status::service_unavailable, "temporarily_unavailable",
        "the keys of client \"" + client_id + "\" cannot be fetched: " + keys.error().message(),
        "network_error", false};
  }
  ValidatorBuilder vb;
  vb.AddIssuer(client_id).ExpectSubject(client_id).AddAudience(ctx.config.issuer);
  if (ctx.config.assertion.allow_token_endpoint_audience)
    vb.AddAudience(ctx.config.TokenEndpoint());
  vb.RequireClaim("jti")
      .Skew(ctx.config.assertion.skew_s)
      .MaxLifetime(ctx.config.assertion.max_lifetime_s);
  Result<Validator> validator = vb.Build();
  if (!validator.ok())
    return OAuthFailure{http::status::internal_server_error, "server_error",
                        validator.error().message(), "", false};
  Verifier verifier(**keys, ctx.clock);
  Result<VerifiedToken> verified = verifier.Verify(assertion, *validator);
  if (!verified.ok()) {
    error = verified.error();
    return BadClient(verified.error().message(), "", false);
  }
  // Only now, with the signature verified, may the jti be consumed: a forged
  // assertion must not burn a genuine client's jti.
  UnixSeconds exp = static_cast<UnixSeconds>(std::ceil(verified->expires_at().value_or(0)));
  Result<void> fresh = ctx.replay->Consume("assertion:" + client_id + ":" + *verified->jwt_id(),
                                           exp + ctx.config.assertion.skew_s);
  if (!fresh.ok()) {
    error = fresh.error();
    if (fresh.error().code() == ErrorCode::kReplayed)
      return BadClient(fresh.error().message(), "", false);
    return OAuthFailure{http::status::service_unavailable, "temporarily_unavailable",
                        fresh.error().message(), "", false};
  }
  return Authenticated{&client};
}

struct Grant {
  std::string scope;
  std::string audience;
};

std::variant<Grant, OAuthFailure> DecideGrant(const Client& client, const Form& form) {
  Grant grant;
  const ClientConfig& c = client.config;
  if (auto scope = form.Get("scope")) {
    std::set<std::string> seen;
    std::size_t pos = 0;
    std::string s = *scope;
    while (pos < s.size()) {
      std::size_t end = s.find(' ', pos);
      std::string one = s.substr(pos, end == std::string::npos ? end : end - pos);
      pos = end == std::string::npos ? s.size() : end + 1;
      if (one.empty() || !seen.insert(one).second) continue;
      if (std::find(c.scopes.begin(), c.scopes.end(), one) == c.scopes.end()) {
        return BadRequest("invalid_scope",
                          "scope \"" + one + "\" is not registered for client \"" + c.id + "\"");
      }
      grant.scope += (grant.scope.empty() ? "" : " ") + one;
    }
  } else {
    // server.md: no scope asked for gets every registered scope.
    for (const std::string& one : c.scopes) grant.scope += (grant.scope.empty() ? "" : " ") + one;
  }
  if (auto aud = form.Get("audience")) {
    if (std::find(c.audiences.begin(), c.audiences.end(), *aud) == c.audiences.end()) {
      return BadRequest(
          "invalid_target",
          "audience \"" + *aud + "\" is not registered for client \"" + c.id + "\" (RFC 8707)");
    }
    grant.audience = *aud;
  } else {
    grant.audience = c.audiences.front();
  }
  return grant;
}

Response Issue(ServerContext& ctx, const Request& req, const Client& client, const Grant& grant) {
  UnixSeconds now = ctx.clock.Now();
  const SigningKey key = ctx.keys->Active(now);
  TokenBuilder b;
  b.SetType("at+jwt");  // RFC 9068 §2.1
  b.SetKid(key.kid);
  b.SetString("iss", ctx.config.issuer);
  b.SetString("sub", client.config.id);
  b.SetString("client_id", client.config.id);
  b.SetAudiences({grant.audience});
  if (!grant.scope.empty()) b.SetString("scope", grant.scope);
  std::string jti = RandomJti();
  b.SetString("jti", jti);
  Lifetime lifetime;
  lifetime.ttl_s = ctx.config.token.ttl_s;
  lifetime.nbf_backdate_s = ctx.config.token.nbf_backdate_s;
  lifetime.iat_backdate_s = 0;
  lifetime.jti = false;
  b.StampTimes(now, lifetime);
  Result<std::string> token = b.Sign(key.key, key.alg);
  if (!token.ok()) {
    return OAuthError(req, {http::status::internal_server_error, "server_error",
                            token.error().message(), "", false});
  }
  ctx.metrics.Inc("tock_tokens_issued_total", {{"client", client.config.id}});
  JsonWriter line = ctx.log.Start("info", "token_issued");
  line.Str("client", client.config.id)
      .Str("jti", jti)
      .Str("aud", grant.audience)
      .Str("scope", grant.scope)
      .Int("iat", now)
      .Int("exp", now + ctx.config.token.ttl_s)
      .Str("kid", key.kid)
      .Str("remote", req.remote_ip);
  ctx.log.Write(line);
  Response res = JsonResponse(req, http::status::ok,
                              JsonWriter()
                                  .Str("access_token", *token)
                                  .Str("token_type", "Bearer")
                                  .Int("expires_in", ctx.config.token.ttl_s)
                                  .Str("scope", grant.scope)
                                  .Finish());
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::pragma, "no-cache");
  return res;
}

std::variant<Form, OAuthFailure> ReadForm(const Request& req) {
  std::string_view type = req.Header(http::field::content_type);
  std::string lower(type.substr(0, type.find(';')));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  if (lower != "application/x-www-form-urlencoded") {
    return BadRequest("invalid_request", "the body must be application/x-www-form-urlencoded");
  }
  Result<FormPairs> pairs = ParseForm(req.msg.body(), "the form body");
  if (!pairs.ok()) return BadRequest("invalid_request", pairs.error().message());
  Form form;
  for (auto& [k, v] : *pairs) {
    // RFC 6749 §3.2: request parameters must not be repeated.
    if (!form.values.emplace(k, v).second)
      return BadRequest("invalid_request", "parameter \"" + k + "\" is repeated");
  }
  return form;
}

}  // namespace

Response HandleToken(ServerContext& ctx, const Request& req) {
  if (!ctx.token_rate.Allow("ip:" + req.remote_ip, ctx.clock.NowPrecise())) {
    ctx.metrics.Inc("tock_rate_limited_total", {{"endpoint", "/token"}});
    Response res = OAuthError(req, {http::status::too_many_requests, "slow_down",
                                    "more than " + FormatSeconds(ctx.config.limits.token_rate) +
                                        " token requests per second from this address",
                                    "", false});
    res.set(http::field::retry_after, std::to_string(ctx.token_rate.RetryAfter()));
    return res;
  }
  auto form_or = ReadForm(req);
  if (auto* f = std::get_if<OAuthFailure>(&form_or)) return OAuthError(req, *f);
  const Form& form = std::get<Form>(form_or);
  std::optional<std::string> grant_type = form.Get("grant_type");
  if (!grant_type) return OAuthError(req, BadRequest("invalid_request", "grant_type is missing"));
  if (*grant_type != "client_credentials") {
    return OAuthError(req, BadRequest("unsupported_grant_type",
                                      "grant_type \"" + *grant_type +
                                          "\" is not supported; use client_credentials"));
  }
  std::string_view auth = req.Header(http::field::authorization);
  bool basic = auth.size() > 6 && (auth.substr(0, 6) == "Basic " || auth.substr(0, 6) == "basic ");
  bool jwt =
      form.Get("client_assertion").has_value() || form.Get("client_assertion_type").has_value();
  if (basic && jwt)
    return OAuthError(
        req,
        BadRequest("invalid_request",
                   "use one client authentication method, not both Basic and a client assertion"));
  if (form.Get("client_secret"))
    return OAuthError(
        req, BadClient("client_secret_post is not supported: send the secret with HTTP Basic",
                       "malformed", false));
  std::optional<UnverifiedView> view;
  std::optional<Error> error;
  std::string client_id;
  AuthResult auth_result =
      basic ? AuthenticateBasic(ctx, auth)
      : jwt ? AuthenticateAssertion(ctx, form, view, client_id, error)
            : AuthResult(BadClient(
                  "no client authentication: use HTTP Basic or a private_key_jwt client assertion",
                  "malformed", !auth.empty()));
  if (auto* f = std::get_if<OAuthFailure>(&auth_result)) {
    LogRejection(ctx, req, *f, jwt ? "assertion_rejected" : "client_rejected", client_id, view,
                 error ? &*error : nullptr);
    Response res = OAuthError(req, *f);
    if (f->status == http::status::too_many_requests) {
      ctx.metrics.Inc("tock_rate_limited_total", {{"endpoint", "/token"}});
      res.set(http::field::retry_after, std::to_string(ctx.token_rate.RetryAfter()));
    }
    if (f->status == http::status::service_unavailable) res.set(http::field::retry_after, "5");
    return res;
  }
  const Client& client = *std::get<Authenticated>(auth_result).client;
  auto grant = DecideGrant(client, form);
  if (auto* f = std::get_if<OAuthFailure>(&grant)) return OAuthError(req, *f);
  return Issue(ctx, req, client, std::get<Grant>(grant));
}

}  // namespace tock::server
