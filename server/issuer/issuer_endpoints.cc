// Discovery and JWKS: what clients and verifiers need to trust our tokens.
#include <cstdint>

#include "endpoints.h"
#include "tock/algorithm.h"
#include "tock/app/json_writer.h"

namespace tock::server {

Response HandleDiscovery(ServerContext& ctx, const Request& req) {
  const std::string& iss = ctx.config.issuer;
  std::vector<std::string> assertion_algs;
  for (Algorithm alg : AllAlgorithms()) {
    // Client assertions use the client's public keys: never an HMAC secret.
    if (alg == Algorithm::kHS256 || alg == Algorithm::kHS384 || alg == Algorithm::kHS512) continue;
    assertion_algs.emplace_back(ToString(alg));
  }
  std::string body =
      JsonWriter()
          .Str("issuer", iss)
          .Str("jwks_uri", iss + "/.well-known/jwks.json")
          .Str("token_endpoint", ctx.config.TokenEndpoint())
          .StrArray("token_endpoint_auth_methods_supported",
                    {"client_secret_basic", "private_key_jwt"})
          .StrArray("token_endpoint_auth_signing_alg_values_supported", assertion_algs)
          .StrArray("grant_types_supported", {"client_credentials"})
          .StrArray("response_types_supported", {"token"})
          .Finish();
  Response res = JsonResponse(req, http::status::ok, body);
  res.set(http::field::cache_control,
          "public, max-age=" + std::to_string(ctx.config.token.jwks_max_age_s));
  return res;
}

Response HandleJwks(ServerContext& ctx, const Request& req) {
  UnixSeconds now = ctx.clock.Now();
  // A retired key stays published while a token it signed can be valid
  // (KeyPolicy::keep_s), and the next key is published before it signs.
  Result<std::string> jwks = ctx.keys->PublicJwks(now);
  if (!jwks.ok()) {
    return JsonResponse(req, http::status::internal_server_error,
                        JsonWriter()
                            .Str("error", "server_error")
                            .Str("error_description", jwks.error().message())
                            .Finish());
  }
  Response res = MakeResponse(req, http::status::ok, "application/jwk-set+json", *jwks + "\n");
  res.set(http::field::cache_control,
          "public, max-age=" + std::to_string(ctx.config.token.jwks_max_age_s));
  return res;
}

}  // namespace tock::server
