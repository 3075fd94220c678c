#include "validate/cached_verify.h"

#include <cmath>
#include <limits>

#include "context.h"

namespace tock::server {
namespace {

// InKeySet: the same key object (a re-fetched JWKS makes new objects, so
// after a refresh a token is verified once more and remembered again).
bool InKeySet(const JwkSet& keys, const Key& key) {
  for (const Key& k : keys.keys()) {
    if (k.SharesMaterialWith(key)) return true;
  }
  return false;
}

// DropAt is exp + skew: from then on, Verify refuses the token as expired
// (now >= exp + skew), so the entry can go. No exp: kept until evicted.
UnixSeconds DropAt(const VerifiedToken& token, std::int64_t skew_s) {
  std::optional<double> exp = token.expires_at();
  if (!exp) return std::numeric_limits<UnixSeconds>::max();
  return static_cast<UnixSeconds>(std::ceil(*exp)) + skew_s;
}

}  // namespace

Result<VerifiedToken> VerifyCached(ServerContext& ctx, const Verifier& verifier,
                                   const Validator& policy, std::string_view trust_entry,
                                   std::string_view token, std::optional<ToRemember>& remember) {
  VerifiedCache& cache = ctx.verified_cache;
  std::optional<VerifiedCache::Digest> digest;
  if (cache.enabled()) digest = VerifiedCache::DigestOf(trust_entry, token);
  if (!digest) return verifier.Verify(token, policy);
  std::optional<Key> known = cache.Find(*digest, ctx.clock.Now());
  if (known && !InKeySet(verifier.keys(), *known)) {
    // The key that verified it left the trust entry's key set.
    cache.Forget(*digest);
    known.reset();
  }
  ctx.metrics.Inc("tock_validate_cache_total", {{"result", known ? "hit" : "miss"}});
  if (known) return verifier.VerifyKnownSignature(token, policy, *known);
  Result<VerifiedToken> verified = verifier.Verify(token, policy);
  if (verified.ok()) remember = ToRemember{*digest, DropAt(*verified, policy.skew_s())};
  return verified;
}

void RememberAccepted(ServerContext& ctx, const ToRemember& remember, const VerifiedToken& token) {
  ctx.verified_cache.Remember(remember.digest, token.key(), remember.drop_at);
}

}  // namespace tock::server
