#include "tock/key_resolver.h"

#include "tock/verifier.h"

namespace tock {

TokenHeader TokenHeader::Of(const UnverifiedView& view) {
  TokenHeader header;
  header.alg = view.StringHeader("alg");
  header.kid = view.StringHeader("kid");
  header.typ = view.StringHeader("typ");
  header.cty = view.StringHeader("cty");
  return header;
}

StaticKeyResolver::StaticKeyResolver(JwkSet keys)
    : keys_(std::make_shared<const JwkSet>(std::move(keys))) {}

Result<std::shared_ptr<const JwkSet>> StaticKeyResolver::Resolve(
    const TokenHeader&, const std::optional<std::string>&) const {
  return keys_;
}

HeldKeys StaticKeyResolver::Held(const std::optional<std::string>&) const {
  return HeldKeys{keys_, true};
}

JwksResolver::JwksResolver(std::unique_ptr<JwksCache> cache) : cache_(std::move(cache)) {}

Result<std::shared_ptr<const JwkSet>> JwksResolver::Resolve(
    const TokenHeader& header, const std::optional<std::string>&) const {
  return cache_->Get(header.kid.value_or(""));
}

HeldKeys JwksResolver::Held(const std::optional<std::string>&) const { return cache_->Held(); }

std::unique_ptr<JwksResolver> MakeRemoteJwksResolver(std::string jwks_uri, const Clock& clock,
                                                     RemoteJwksOptions options) {
  return std::make_unique<JwksResolver>(std::make_unique<JwksCache>(
      std::move(jwks_uri), options.cache, clock, HttpJwksFetcher(std::move(options.transport)),
      std::move(options.on_fetch)));
}

std::unique_ptr<JwksResolver> MakeDiscoveryResolver(std::string issuer, const Clock& clock,
                                                    std::function<bool(const std::string&)> allowed,
                                                    RemoteJwksOptions options) {
  return std::make_unique<JwksResolver>(std::make_unique<JwksCache>(
      std::move(issuer), options.cache, clock,
      DiscoveryJwksFetcher(std::move(allowed), std::move(options.transport)),
      std::move(options.on_fetch)));
}

void IssuerKeyResolver::Add(std::string issuer, std::shared_ptr<const KeyResolver> resolver) {
  if (by_issuer_.emplace(issuer, std::move(resolver)).second) order_.push_back(std::move(issuer));
}

const KeyResolver* IssuerKeyResolver::Find(std::string_view issuer) const {
  auto it = by_issuer_.find(issuer);
  return it == by_issuer_.end() ? nullptr : it->second.get();
}

Result<std::shared_ptr<const JwkSet>> IssuerKeyResolver::Resolve(
    const TokenHeader& header, const std::optional<std::string>& issuer) const {
  if (!issuer) {
    Diagnosis d;
    d.claim = "iss";
    return Error(ErrorCode::kMissingClaim,
                 "the token has no \"iss\" claim, so no trusted issuer can judge it", d);
  }
  const KeyResolver* resolver = Find(*issuer);
  if (!resolver) {
    Diagnosis d;
    d.claim = "iss";
    d.actual = std::vector<std::string>{*issuer};
    d.expected = order_;
    return Error(ErrorCode::kIssMismatch,
                 "issuer \"" + *issuer + "\" is not trusted by this " + who_, d);
  }
  return resolver->Resolve(header, issuer);
}

HeldKeys IssuerKeyResolver::Held(const std::optional<std::string>& issuer) const {
  const KeyResolver* resolver = issuer ? Find(*issuer) : nullptr;
  return resolver ? resolver->Held(issuer) : HeldKeys{};
}

Result<VerifiedToken> VerifyWithResolver(std::string_view compact, const Validator& validator,
                                         const KeyResolver& resolver, const Clock& clock) {
  Result<UnverifiedView> view = InspectUnverified(compact, validator.max_token_bytes());
  if (!view.ok()) return std::move(view).error();
  Result<std::shared_ptr<const JwkSet>> keys =
      resolver.Resolve(TokenHeader::Of(*view), view->StringClaim("iss"));
  if (!keys.ok()) return std::move(keys).error();
  return Verifier(**keys, clock).Verify(compact, validator);
}

}  // namespace tock
