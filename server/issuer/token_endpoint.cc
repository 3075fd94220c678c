// POST /token: OAuth 2.0 client credentials (RFC 6749 §4.4) with
// client_secret_basic or private_key_jwt (RFC 7523), RFC 9068 access tokens.
// Client authentication itself is issuer/client_auth.cc.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <optional>
#include <set>

#include "endpoints.h"
#include "issuer/client_auth.h"
#include "tock/app/json_writer.h"
#include "tock/app/time_text.h"
#include "tock/token_builder.h"

namespace tock::server {
namespace {

// Stamp adds what every /token response carries: no caching. (The Date
// header, which a client whose assertion failed a time rule compares with
// its clock, is set on every response by the HTTP layer from ctx.clock.)
Response Stamp(const ServerContext&, Response res) {
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::pragma, "no-cache");
  return res;
}

Response OAuthError(const ServerContext& ctx, const Request& req, const OAuthFailure& f) {
  Response res = JsonResponse(
      req, f.status,
      JsonWriter().Str("error", f.error).Str("error_description", f.description).Finish());
  if (f.status == http::status::unauthorized) {
    res.set(http::field::www_authenticate,
            f.basic ? "Basic realm=\"tock\"" : "Bearer error=\"invalid_client\"");
  }
  if (f.status == http::status::too_many_requests)
    res.set(http::field::retry_after, std::to_string(ctx.token_rate.RetryAfter()));
  if (f.status == http::status::service_unavailable) res.set(http::field::retry_after, "5");
  return Stamp(ctx, std::move(res));
}

OAuthFailure BadRequest(std::string error, std::string description) {
  return {http::status::bad_request, std::move(error), std::move(description), "", false, ""};
}

// LogRejection writes the precise cause: the library's error when there is
// one, else the failure's code and detail (never the uniform description).
void LogRejection(ServerContext& ctx, const Request& req, const OAuthFailure& f,
                  std::string_view event, const AuthContext& auth) {
  JsonWriter line = ctx.log.Start("warn", event);
  if (auth.error && (f.code.empty() || f.code == auth.error->code_string())) {
    AddErrorFields(line, *auth.error);
  } else {
    line.Str("code", f.code.empty() ? f.error : f.code)
        .Str("message", f.detail.empty() ? f.description : f.detail);
  }
  line.Str("error", f.error).Str("endpoint", "/token").Str("remote", req.remote_ip);
  if (!auth.client_id.empty()) line.Str("client", auth.client_id);
  if (auth.view) AddTokenFields(line, *auth.view);
  line.Int("now", ctx.clock.Now());
  ctx.log.Write(line);
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
  // RFC 8707: `resource` names the target like `audience` does; both may be
  // sent only when they agree.
  std::optional<std::string> audience = form.Get("audience");
  std::optional<std::string> resource = form.Get("resource");
  if (audience && resource && *audience != *resource) {
    return BadRequest("invalid_request", "audience \"" + *audience + "\" and resource \"" +
                                             *resource + "\" differ: send one target");
  }
  if (std::optional<std::string> target = audience ? audience : resource) {
    if (std::find(c.audiences.begin(), c.audiences.end(), *target) == c.audiences.end()) {
      return BadRequest("invalid_target", std::string(audience ? "audience" : "resource") + " \"" +
                                              *target + "\" is not registered for client \"" +
                                              c.id + "\" (RFC 8707)");
    }
    grant.audience = *target;
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
    return OAuthError(ctx, req,
                      {http::status::internal_server_error, "server_error", token.error().message(),
                       "", false, ""});
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
  return Stamp(ctx, std::move(res));
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

// SendsAssertion: the request chose private_key_jwt (RFC 7523).
bool SendsAssertion(const Form& form) {
  return form.Get("client_assertion").has_value() || form.Get("client_assertion_type").has_value();
}

// Authenticate runs the client authentication the request chose.
AuthResult Authenticate(ServerContext& ctx, const Request& req, const Form& form,
                        AuthContext& auth) {
  std::string_view header = req.Header(http::field::authorization);
  bool basic =
      header.size() > 6 && (header.substr(0, 6) == "Basic " || header.substr(0, 6) == "basic ");
  const bool jwt = SendsAssertion(form);
  if (basic && jwt) {
    return BadRequest(
        "invalid_request",
        "use one client authentication method, not both Basic and a client assertion");
  }
  if (form.Get("client_secret"))
    return BadClient("client_secret_post is not supported: send the secret with HTTP Basic",
                     "malformed", false);
  if (basic) return AuthenticateBasic(ctx, header, auth);
  if (jwt) return AuthenticateAssertion(ctx, form, auth);
  return BadClient("no client authentication: use HTTP Basic or a private_key_jwt client assertion",
                   "malformed", !header.empty());
}

}  // namespace

// Rate limits (server.md): the remote address pays for failed client
// authentications, a client only for its authenticated requests, so nobody
// can lock a client out by failing in its name. Both buckets are checked
// before the costly part (scrypt, signature), and charged after it.
Response HandleToken(ServerContext& ctx, const Request& req) {
  const std::string address_key = "ip:" + req.remote_ip;
  if (!ctx.token_rate.HasRoom(address_key, ctx.clock.NowPrecise())) {
    ctx.metrics.Inc("tock_rate_limited_total", {{"endpoint", "/token"}});
    return OAuthError(ctx, req, RateLimited(ctx, "this address"));
  }
  auto form_or = ReadForm(req);
  if (auto* f = std::get_if<OAuthFailure>(&form_or)) return OAuthError(ctx, req, *f);
  const Form& form = std::get<Form>(form_or);
  std::optional<std::string> grant_type = form.Get("grant_type");
  if (!grant_type)
    return OAuthError(ctx, req, BadRequest("invalid_request", "grant_type is missing"));
  if (*grant_type != "client_credentials") {
    return OAuthError(
        ctx, req,
        BadRequest("unsupported_grant_type",
                   "grant_type \"" + *grant_type + "\" is not supported; use client_credentials"));
  }
  // [store] unreachable: no key change can be agreed with the other
  // instances, so no token is issued (validation goes on from memory).
  if (Result<void> keys_ok = ctx.keys->Health(); !keys_ok.ok()) {
    return OAuthError(ctx, req,
                      {http::status::service_unavailable, "temporarily_unavailable",
                       keys_ok.error().message(), "", false, ""});
  }
  AuthContext auth;
  const bool jwt = SendsAssertion(form);
  AuthResult auth_result = Authenticate(ctx, req, form, auth);
  if (auto* f = std::get_if<OAuthFailure>(&auth_result)) {
    if (f->status == http::status::unauthorized)
      (void)ctx.token_rate.Allow(address_key, ctx.clock.NowPrecise());
    if (f->status == http::status::too_many_requests)
      ctx.metrics.Inc("tock_rate_limited_total", {{"endpoint", "/token"}});
    if (f->status != http::status::bad_request)
      LogRejection(ctx, req, *f, jwt ? "assertion_rejected" : "client_rejected", auth);
    return OAuthError(ctx, req, *f);
  }
  const Client& client = *std::get<Authenticated>(auth_result).client;
  if (!ctx.token_rate.Allow("client:" + client.config.id, ctx.clock.NowPrecise())) {
    ctx.metrics.Inc("tock_rate_limited_total", {{"endpoint", "/token"}});
    return OAuthError(ctx, req, RateLimited(ctx, "client \"" + client.config.id + "\""));
  }
  auto grant = DecideGrant(client, form);
  if (auto* f = std::get_if<OAuthFailure>(&grant)) return OAuthError(ctx, req, *f);
  return Issue(ctx, req, client, std::get<Grant>(grant));
}

}  // namespace tock::server
