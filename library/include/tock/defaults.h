// The defaults every part of tock shares: the lifetime it gives tokens, how
// far it backdates nbf, and the clock skew a verifier tolerates. `tock sign`,
// `tock verify`, `tock serve`'s issuer and validator and its key rotation all
// read them from here, so they cannot drift apart.
#ifndef TOCK_DEFAULTS_H_
#define TOCK_DEFAULTS_H_

#include <cstdint>

namespace tock {

// kDefaultTokenTtlSeconds is exp - iat of a token tock issues (10 minutes).
inline constexpr std::int64_t kDefaultTokenTtlSeconds = 600;
// kDefaultNbfBackdateSeconds puts nbf one minute in the past, so a receiver
// whose clock is behind still accepts a fresh token.
inline constexpr std::int64_t kDefaultNbfBackdateSeconds = 60;
// kDefaultSkewSeconds is the clock-skew tolerance a verifier applies to exp,
// nbf and iat unless told otherwise (5 minutes).
inline constexpr std::int64_t kDefaultSkewSeconds = 300;
// kDefaultAssertionMaxLifetimeSeconds bounds exp - iat of a client assertion
// (RFC 7523) the issuer accepts.
inline constexpr std::int64_t kDefaultAssertionMaxLifetimeSeconds = 300;
// kDefaultJwksMaxAgeSeconds is how long a fetched JWKS is kept when its
// response names no max-age; kMinJwksMaxAgeSeconds is the least it is kept.
inline constexpr std::int64_t kDefaultJwksMaxAgeSeconds = 600;
inline constexpr std::int64_t kMinJwksMaxAgeSeconds = 60;

}  // namespace tock

#endif  // TOCK_DEFAULTS_H_
