// VerifyCached: /validate's use of the verified-token cache.
#ifndef TOCK_SERVER_VALIDATE_CACHED_VERIFY_H_
#define TOCK_SERVER_VALIDATE_CACHED_VERIFY_H_

#include <optional>
#include <string_view>

#include "tock/validator.h"
#include "tock/verified_token.h"
#include "tock/verifier.h"
#include "validate/verified_cache.h"

namespace tock::server {

struct ServerContext;

// ToRemember is a token verified on a cache miss: remembered only once the
// request is accepted (a refused token is never cached).
struct ToRemember {
  VerifiedCache::Digest digest;
  UnixSeconds drop_at;  // exp + skew
};

// VerifyCached judges |token| as |verifier|.Verify(token, policy) does, with
// ctx.verified_cache: on a hit whose key is still in |verifier|'s key set only
// the signature computation is skipped; an entry whose key left the set is
// dropped and the token verified again. Counts tock_validate_cache_total.
// On a miss that verified, |remember| is set.
Result<VerifiedToken> VerifyCached(ServerContext& ctx, const Verifier& verifier,
                                   const Validator& policy, std::string_view trust_entry,
                                   std::string_view token, std::optional<ToRemember>& remember);

// RememberAccepted records |remember| for |token| (the request answered 204).
void RememberAccepted(ServerContext& ctx, const ToRemember& remember, const VerifiedToken& token);

}  // namespace tock::server

#endif  // TOCK_SERVER_VALIDATE_CACHED_VERIFY_H_
