// Client authentication for POST /token (see client_auth.h).
#include "issuer/client_auth.h"

#include <cmath>

#include "key_resolution.h"
#include "replay/consume_jti.h"
#include "tock/app/basic_auth.h"
#include "tock/app/time_text.h"
#include "tock/secret_hash.h"
#include "tock/validator.h"
#include "tock/verifier.h"

namespace tock::server {
namespace {

constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// ClientRateFull: the claimed client's bucket is empty. Only authenticated
// requests charge it, so only the client itself can have emptied it.
std::optional<OAuthFailure> ClientRateFull(ServerContext& ctx, const std::string& id) {
  if (ctx.token_rate.HasRoom("client:" + id, ctx.clock.NowPrecise())) return std::nullopt;
  return RateLimited(ctx, "client \"" + id + "\"");
}

// IsTimeRule: the failures a sender with a wrong clock must be told about.
// The verifier checks them only after the signature verified, so whoever
// gets one holds the client's key.
bool IsTimeRule(ErrorCode code) {
  return code == ErrorCode::kExpired || code == ErrorCode::kNotYetValid ||
         code == ErrorCode::kIssuedInFuture || code == ErrorCode::kLifetimeTooLong;
}

Result<Validator> AssertionValidator(const ServerContext& ctx, const std::string& client_id) {
  ValidatorBuilder vb;
  vb.AddIssuer(client_id).ExpectSubject(client_id).AddAudience(ctx.config.issuer);
  if (ctx.config.assertion.allow_token_endpoint_audience)
    vb.AddAudience(ctx.config.TokenEndpoint());
  vb.RequireClaim("jti")
      .Skew(ctx.config.assertion.skew_s)
      .MaxLifetime(ctx.config.assertion.max_lifetime_s);
  return vb.Build();
}

// ReadAssertion inspects the assertion (unverified) and names its client.
std::optional<OAuthFailure> ReadAssertion(const Form& form, AuthContext& out) {
  if (form.Get("client_assertion_type") != kJwtBearer) {
    return BadClient("client_assertion_type must be " + std::string(kJwtBearer), "malformed",
                     false);
  }
  Result<UnverifiedView> inspected = InspectUnverified(form.Get("client_assertion").value_or(""));
  if (!inspected.ok()) {
    out.error = inspected.error();
    return BadClient(inspected.error().message(), std::string(inspected.error().code_string()),
                     false);
  }
  out.view = *inspected;
  out.client_id = out.view->StringClaim("iss").value_or(out.view->StringClaim("sub").value_or(""));
  if (out.client_id.empty()) {
    return BadClient("the client assertion has no \"iss\" claim: it must name the client",
                     "missing_claim", false);
  }
  if (auto named = form.Get("client_id"); named && *named != out.client_id) {
    return BadClient(
        "client_id \"" + *named + "\" differs from the assertion's iss \"" + out.client_id + "\"",
        "iss_mismatch", false);
  }
  return std::nullopt;
}

// VerifyAssertion checks signature and claims with |keys|.
std::optional<OAuthFailure> VerifyAssertion(ServerContext& ctx, const JwkSet& keys,
                                            const std::string& assertion, AuthContext& out,
                                            std::optional<VerifiedToken>& verified) {
  Result<Validator> validator = AssertionValidator(ctx, out.client_id);
  if (!validator.ok()) {
    return OAuthFailure{http::status::internal_server_error,
                        "server_error",
                        validator.error().message(),
                        "",
                        false,
                        ""};
  }
  Result<VerifiedToken> checked = Verifier(keys, ctx.clock).Verify(assertion, *validator);
  if (!checked.ok()) {
    out.error = checked.error();
    std::string code(checked.error().code_string());
    if (IsTimeRule(checked.error().code())) {
      // The caller proved it holds the client's key: tell it about its clock.
      return OAuthFailure{
          http::status::unauthorized, "invalid_client", checked.error().message(), code, false, ""};
    }
    return BadClient(checked.error().message(), code, false);
  }
  // server.md: aud is the issuer identifier, as a string or an array of
  // exactly that one value; an assertion meant for other audiences too is
  // refused (it could be replayed to them).
  if (std::size_t count = checked->audiences().size(); count != 1) {
    return BadClient("the client assertion's aud must name this issuer alone, not " +
                         std::to_string(count) + " audiences",
                     "aud_mismatch", false);
  }
  verified = std::move(*checked);
  return std::nullopt;
}

}  // namespace

OAuthFailure BadClient(std::string detail, std::string code, bool basic) {
  return {http::status::unauthorized,
          "invalid_client",
          std::string(kClientAuthFailed),
          std::move(code),
          basic,
          std::move(detail)};
}

OAuthFailure RateLimited(const ServerContext& ctx, const std::string& who) {
  return {http::status::too_many_requests,
          "slow_down",
          "more than " + FormatSeconds(ctx.config.limits.token_rate) +
              " token requests per second for " + who,
          "rate_limited",
          false,
          ""};
}

AuthResult AuthenticateBasic(ServerContext& ctx, std::string_view header, AuthContext& out) {
  Result<BasicCredentials> credentials = DecodeBasicCredentials(header.substr(6));
  if (!credentials.ok()) return BadClient(credentials.error().message(), "malformed", true);
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
  auto id = UrlDecode(credentials->id);
  auto secret = UrlDecode(credentials->secret);
  if (!id || !secret)
    return BadClient("the Basic credentials have a bad %-escape", "malformed", true);
  out.client_id = *id;
  if (auto limited = ClientRateFull(ctx, *id)) return *limited;
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
                     "no_secret", true);
  }
  if (!match.ok() || !*match) {
    return BadClient("wrong client secret for client \"" + *id + "\"", "bad_secret", true);
  }
  return Authenticated{client};
}

AuthResult AuthenticateAssertion(ServerContext& ctx, const Form& form, AuthContext& out) {
  if (auto failed = ReadAssertion(form, out)) return *failed;
  const std::string& client_id = out.client_id;
  if (auto limited = ClientRateFull(ctx, client_id)) return *limited;
  auto it = ctx.clients.find(client_id);
  if (it == ctx.clients.end())
    return BadClient("unknown client \"" + client_id + "\"", "unknown_client", false);
  const Client& client = it->second;
  if (!client.keys) {
    return BadClient(
        "client \"" + client_id + "\" has no jwks_file or jwks_uri: it cannot use private_key_jwt",
        "key_not_found", false);
  }
  Result<std::shared_ptr<const JwkSet>> keys =
      ResolveKeys(ctx, KeyOwners::kClients, TokenHeader::Of(*out.view), client_id);
  if (!keys.ok()) {
    out.error = keys.error();
    return OAuthFailure{
        http::status::service_unavailable,
        "temporarily_unavailable",
        "the keys of client \"" + client_id + "\" cannot be fetched: " + keys.error().message(),
        "network_error",
        false,
        ""};
  }
  std::optional<VerifiedToken> verified;
  std::string assertion = form.Get("client_assertion").value_or("");
  if (auto failed = VerifyAssertion(ctx, **keys, assertion, out, verified)) return *failed;
  // Only now, with the signature verified, may the jti be consumed: a forged
  // assertion must not burn a genuine client's jti.
  Result<void> fresh =
      ConsumeJti(*ctx.replay, "assertion", client_id, *verified, ctx.config.assertion.skew_s);
  if (!fresh.ok()) {
    out.error = fresh.error();
    if (fresh.error().code() == ErrorCode::kReplayed)
      return BadClient(fresh.error().message(), "replayed", false);
    return OAuthFailure{http::status::service_unavailable,
                        "temporarily_unavailable",
                        fresh.error().message(),
                        "",
                        false,
                        ""};
  }
  return Authenticated{&client};
}

}  // namespace tock::server
