// Size and nesting bounds shared by every parser of untrusted input.
#ifndef TOCK_LIMITS_H_
#define TOCK_LIMITS_H_

#include <cstddef>

namespace tock {

// kDefaultMaxTokenBytes is the longest compact token accepted by default
// (`--max-token-bytes`).
inline constexpr std::size_t kDefaultMaxTokenBytes = 16384;
// kMaxJsonDepth is the deepest container nesting accepted; the top-level
// object is depth 1.
inline constexpr int kMaxJsonDepth = 64;
// kMaxKeyDocumentBytes bounds a key file, JWK or JWKS document.
inline constexpr std::size_t kMaxKeyDocumentBytes = 1 << 20;

}  // namespace tock

#endif  // TOCK_LIMITS_H_
