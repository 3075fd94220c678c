// The server's one key resolution. Every token the server checks is checked
// with keys found by its issuer through a tock::IssuerKeyResolver:
// /validate and /api/inspect ask ctx.issuer_keys (this server's own issuer
// and every [[trust]] entry), /token asks ctx.client_keys (the assertion of
// a private_key_jwt client is issued by the client).
#ifndef TOCK_SERVER_KEY_RESOLUTION_H_
#define TOCK_SERVER_KEY_RESOLUTION_H_

#include <memory>
#include <optional>
#include <string>

#include "tock/jwks_cache.h"
#include "tock/key_resolver.h"
#include "tock/result.h"

namespace tock::server {

class KeyStore;
struct ServerContext;

// PublishedKeysResolver yields the keys this server publishes now (its
// JWKS): tokens it issued are checked with exactly what others would fetch.
class PublishedKeysResolver final : public KeyResolver {
 public:
  PublishedKeysResolver(const KeyStore& keys, const Clock& clock) : keys_(keys), clock_(clock) {}
  Result<std::shared_ptr<const JwkSet>> Resolve(
      const TokenHeader& header, const std::optional<std::string>& issuer) const override;
  HeldKeys Held(const std::optional<std::string>& issuer) const override;

 private:
  const KeyStore& keys_;
  const Clock& clock_;
};

// KeySourceConfig is where one issuer's (or client's) keys come from:
// jwks_file, else jwks_uri, else with |discover| the jwks_uri of |label|
// (an issuer) found by OpenID Connect Discovery at each refresh.
struct KeySourceConfig {
  std::optional<std::string> file;
  std::optional<std::string> uri;
  std::string label;  // the issuer, or `client "id"`: messages, metrics, log lines
  JwksCacheSettings cache;
  bool discover = false;
};

// MakeKeyResolver builds the resolver of |source|: nullptr when it names no
// keys; remote sets report every fetch to tock_jwks_refresh_total and failed
// ones to the log (jwks_refresh_failed). kKeyError / kUsage prefixed with the
// label when the file or the URL cannot be used.
Result<std::shared_ptr<const KeyResolver>> MakeKeyResolver(ServerContext& ctx,
                                                           const KeySourceConfig& source);

// KeyOwners names the table a token's issuer is looked up in.
enum class KeyOwners {
  kIssuers,  // this server and its [[trust]] entries (ctx.issuer_keys)
  kClients,  // private_key_jwt clients by id (ctx.client_keys)
};

// ResolveKeys is the one resolution: the keys of |issuer| (the token's
// unverified iss, or the client the assertion names) for a token with
// |header|. Failures are the resolver's: kMissingClaim / kIssMismatch for an
// issuer not in the table, kNetworkError when remote keys cannot be had.
Result<std::shared_ptr<const JwkSet>> ResolveKeys(const ServerContext& ctx, KeyOwners owners,
                                                  const TokenHeader& header,
                                                  const std::optional<std::string>& issuer);

}  // namespace tock::server

#endif  // TOCK_SERVER_KEY_RESOLUTION_H_
