#include "key_resolution.h"

#include <iostream>

#include "context.h"
#include "tock/key_loader.h"
#include "url_policy.h"

namespace tock::server {
namespace {

// ReportFetches counts every fetch of |issuer|'s keys and logs the failed
// ones, naming the URL the cache was given.
std::function<void(const FetchEvent&)> ReportFetches(ServerContext& ctx, std::string issuer,
                                                     std::string uri) {
  ServerContext* c = &ctx;
  return [c, issuer = std::move(issuer), uri = std::move(uri)](const FetchEvent& e) {
    c->metrics.Inc("tock_jwks_refresh_total",
                   {{"issuer", issuer}, {"result", e.ok ? "ok" : "error"}});
    if (e.ok) return;
    JsonWriter line = c->log.Start("warn", "jwks_refresh_failed");
    line.Str("code", "network_error")
        .Str("message", e.message)
        .Str("iss", issuer)
        .Str("jwks_uri", uri);
    c->log.Write(line);
  };
}

}  // namespace

Result<std::shared_ptr<const JwkSet>> PublishedKeysResolver::Resolve(
    const TokenHeader&, const std::optional<std::string>&) const {
  return std::make_shared<const JwkSet>(keys_.Published(clock_.Now()));
}

HeldKeys PublishedKeysResolver::Held(const std::optional<std::string>&) const {
  return HeldKeys{std::make_shared<const JwkSet>(keys_.Published(clock_.Now())), true};
}

Result<std::shared_ptr<const KeyResolver>> MakeKeyResolver(ServerContext& ctx,
                                                           const KeySourceConfig& source) {
  const std::string& label = source.label;
  if (source.file) {
    Result<LoadedKeys> keys = LoadKeyFile(*source.file);
    if (!keys.ok()) return Error(keys.error().code(), label + ": " + keys.error().message());
    for (const std::string& note : keys->notes)
      std::cerr << "tock serve: note: " << label << ": " << note << "\n";
    return std::shared_ptr<const KeyResolver>(
        std::make_shared<StaticKeyResolver>(JwkSet(std::move(keys->keys))));
  }
  std::optional<std::string> uri = source.discover ? std::optional(label) : source.uri;
  if (!uri) return std::shared_ptr<const KeyResolver>();
  // The config checked it already (FILE:LINE); one rule everywhere.
  if (Result<void> allowed = CheckFetchUrl(*uri); !allowed.ok()) {
    return Error(ErrorCode::kUsage, label + (source.discover ? ": issuer: " : ": jwks_uri: ") +
                                        allowed.error().message());
  }
  RemoteJwksOptions options{source.cache, ctx.key_transport, ReportFetches(ctx, label, *uri)};
  if (source.discover) {
    return std::shared_ptr<const KeyResolver>(
        MakeDiscoveryResolver(*uri, ctx.clock, FetchUrlAllowed, std::move(options)));
  }
  return std::shared_ptr<const KeyResolver>(
      MakeRemoteJwksResolver(*uri, ctx.clock, std::move(options)));
}

Result<std::shared_ptr<const JwkSet>> ResolveKeys(const ServerContext& ctx, KeyOwners owners,
                                                  const TokenHeader& header,
                                                  const std::optional<std::string>& issuer) {
  const IssuerKeyResolver& table =
      owners == KeyOwners::kClients ? ctx.client_keys : ctx.issuer_keys;
  return table.Resolve(header, issuer);
}

}  // namespace tock::server
