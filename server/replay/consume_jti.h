// The one way a verified token's jti is used up (server.md: one-time tokens
// and client assertions).
#ifndef TOCK_SERVER_REPLAY_CONSUME_JTI_H_
#define TOCK_SERVER_REPLAY_CONSUME_JTI_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tock/replay_store.h"
#include "tock/result.h"
#include "tock/verified_token.h"

namespace tock::server {

// ConsumeJti records |token|'s jti as used under "KIND:OWNER:JTI" until its
// exp (rounded up) + |skew_s|: "token" and the issuer for a one_time
// [[trust]] entry, "assertion" and the client id for private_key_jwt. Call
// it only once the signature and every claim verified: a forged token must
// not burn a genuine jti. kReplayed when the jti was used already; the
// store's error (e.g. unreachable) otherwise. |token| must have a jti (the
// validator required it).
Result<void> ConsumeJti(ReplayStore& store, std::string_view kind, const std::string& owner,
                        const VerifiedToken& token, std::int64_t skew_s);

}  // namespace tock::server

#endif  // TOCK_SERVER_REPLAY_CONSUME_JTI_H_
