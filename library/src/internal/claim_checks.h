// The claim checks Verify runs after the signature verified, in the spec's
// fixed order: claim types, required claims, exp, nbf, iat, max age, max
// lifetime, iss, aud, sub, typ.
#ifndef TOCK_INTERNAL_CLAIM_CHECKS_H_
#define TOCK_INTERNAL_CLAIM_CHECKS_H_

#include <vector>

#include "internal/jws_format.h"
#include "internal/time_rules.h"
#include "tock/error.h"
#include "tock/validator.h"

namespace tock::internal {

class TraceRecorder;

// CheckClaims returns every claim failure of |token| under |validator| at
// |ctx|, in check order; empty when the token passes. With |trace|, each
// claim check is recorded as it ends (and the clock note of a token that
// passed only thanks to the skew).
std::vector<Error> CheckClaims(const ParsedToken& token, const Validator& validator,
                               const TimeContext& ctx, TraceRecorder* trace = nullptr);

// TypMatches compares typ values case-insensitively, ignoring an
// "application/" prefix on either side (RFC 7515 §4.1.9).
bool TypMatches(std::string_view expected, std::string_view actual);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CLAIM_CHECKS_H_
