// KeyResolver: where the keys that may verify a token come from, chosen from
// its protected header (panva/jose's getKey). Implementations: a static key
// set, a remote JWKS behind a JwksCache, an issuer's JWKS found by discovery,
// and a table of resolvers by issuer.
#ifndef TOCK_KEY_RESOLVER_H_
#define TOCK_KEY_RESOLVER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/clock.h"
#include "tock/http_transport.h"
#include "tock/inspect.h"
#include "tock/jwk_set.h"
#include "tock/jwks_cache.h"
#include "tock/result.h"
#include "tock/validator.h"
#include "tock/verified_token.h"

namespace tock {

// TokenHeader is what a resolver sees of a token's protected header: its
// string members (a member of another JSON type is absent). Nothing in it is
// verified; it only picks keys.
struct TokenHeader {
  std::optional<std::string> alg;
  std::optional<std::string> kid;
  std::optional<std::string> typ;
  std::optional<std::string> cty;

  // Of reads the header of an inspected (unverified) token.
  static TokenHeader Of(const UnverifiedView& view);
};

// KeyResolver yields the candidate keys for a token. |issuer| is the token's
// unverified "iss", passed explicitly by a caller whose trust decision is
// made by issuer (nullopt otherwise); a resolver that serves one key source
// ignores it. Key selection by kid and alg within the set stays the
// Verifier's. Implementations are safe to call from several threads.
class KeyResolver {
 public:
  virtual ~KeyResolver() = default;

  // Resolve fails with kNetworkError when remote keys cannot be had (the
  // caller may answer "try again"), kIssMismatch / kMissingClaim when a
  // resolver by issuer does not know |issuer|.
  virtual Result<std::shared_ptr<const JwkSet>> Resolve(
      const TokenHeader& header, const std::optional<std::string>& issuer) const = 0;

  // Held is what Resolve would start from, without any I/O: for a cache of
  // verified tokens that must drop a token once its keys are gone or stale.
  virtual HeldKeys Held(const std::optional<std::string>& issuer) const = 0;
};

// StaticKeyResolver always yields one fixed set (a key file, a JWKS given
// inline).
class StaticKeyResolver final : public KeyResolver {
 public:
  explicit StaticKeyResolver(JwkSet keys);
  Result<std::shared_ptr<const JwkSet>> Resolve(
      const TokenHeader& header, const std::optional<std::string>& issuer) const override;
  HeldKeys Held(const std::optional<std::string>& issuer) const override;

 private:
  std::shared_ptr<const JwkSet> keys_;
};

// JwksResolver yields the set of its JwksCache, asking it with the header's
// kid (an unknown kid may refresh the set, once per cooldown).
class JwksResolver final : public KeyResolver {
 public:
  explicit JwksResolver(std::unique_ptr<JwksCache> cache);
  Result<std::shared_ptr<const JwkSet>> Resolve(
      const TokenHeader& header, const std::optional<std::string>& issuer) const override;
  HeldKeys Held(const std::optional<std::string>& issuer) const override;
  JwksCache& cache() const { return *cache_; }

 private:
  std::unique_ptr<JwksCache> cache_;
};

// RemoteJwksOptions configure a JwksResolver: the cache settings, the
// transport (null: libcurl), and who hears each fetch's outcome.
struct RemoteJwksOptions {
  JwksCacheSettings cache;
  std::shared_ptr<HttpTransport> transport;
  std::function<void(const FetchEvent&)> on_fetch;
};

// MakeRemoteJwksResolver caches the JWKS at |jwks_uri|. |clock| must
// outlive the resolver.
std::unique_ptr<JwksResolver> MakeRemoteJwksResolver(std::string jwks_uri, const Clock& clock,
                                                     RemoteJwksOptions options = {});

// MakeDiscoveryResolver caches the JWKS of |issuer|, whose jwks_uri is read
// from its metadata (OpenID Connect Discovery) at each refresh. A jwks_uri
// that |allowed| refuses is a failed fetch (e.g. https only).
std::unique_ptr<JwksResolver> MakeDiscoveryResolver(std::string issuer, const Clock& clock,
                                                    std::function<bool(const std::string&)> allowed,
                                                    RemoteJwksOptions options = {});

// IssuerKeyResolver picks a resolver by the token's issuer: the trust
// decision of a server that accepts several issuers. Fill it with Add before
// sharing it; it is read-only afterwards.
class IssuerKeyResolver final : public KeyResolver {
 public:
  // |who| ends the message of an unknown issuer: "... is not trusted by this
  // |who|".
  explicit IssuerKeyResolver(std::string who = "verifier") : who_(std::move(who)) {}

  // Add registers |resolver| for tokens whose iss is |issuer|; the order of
  // Add is the order the issuers are listed in a kIssMismatch diagnosis.
  void Add(std::string issuer, std::shared_ptr<const KeyResolver> resolver);
  // Find returns the resolver of |issuer|, or nullptr.
  const KeyResolver* Find(std::string_view issuer) const;

  // Resolve: kMissingClaim without |issuer|, kIssMismatch (its diagnosis
  // lists the trusted issuers) for an unknown one, else the issuer's keys.
  Result<std::shared_ptr<const JwkSet>> Resolve(
      const TokenHeader& header, const std::optional<std::string>& issuer) const override;
  HeldKeys Held(const std::optional<std::string>& issuer) const override;

 private:
  std::string who_;
  std::vector<std::string> order_;
  std::map<std::string, std::shared_ptr<const KeyResolver>, std::less<>> by_issuer_;
};

// VerifyWithResolver verifies |compact| with the keys |resolver| yields for
// its protected header and unverified iss, then with |validator| on
// |clock| (Verifier::Verify's checks and order). A token that cannot be
// decoded fails as Verify would; a resolver failure is returned as is.
Result<VerifiedToken> VerifyWithResolver(std::string_view compact, const Validator& validator,
                                         const KeyResolver& resolver, const Clock& clock);

}  // namespace tock

#endif  // TOCK_KEY_RESOLVER_H_
