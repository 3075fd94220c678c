#include "replay/consume_jti.h"

#include <cmath>

namespace tock::server {

Result<void> ConsumeJti(ReplayStore& store, std::string_view kind, const std::string& owner,
                        const VerifiedToken& token, std::int64_t skew_s) {
  UnixSeconds exp = static_cast<UnixSeconds>(std::ceil(token.expires_at().value_or(0)));
  std::string id = std::string(kind) + ":" + owner + ":" + token.jwt_id().value_or("");
  return store.Consume(id, exp + skew_s);
}

}  // namespace tock::server
