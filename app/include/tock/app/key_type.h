// GenerateKeyOfType: `tock keygen --type` words into the library's typed
// key generators (tock/key.h); DefaultAlgorithm: what `tock sign` signs with.
#ifndef TOCK_APP_KEY_TYPE_H_
#define TOCK_APP_KEY_TYPE_H_

#include <string_view>

#include "tock/algorithm.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock {

// GenerateKeyOfType makes a key from `keygen --type`: "rsa" with |bits|
// (>= 2048; 0 means 2048), "ec" with |curve| ("P-256", "P-384", "P-521";
// empty means P-256), or "ed25519". kUsage for any other type.
Result<Key> GenerateKeyOfType(std::string_view type, int bits, std::string_view curve);

// DefaultAlgorithm is the algorithm `tock sign` uses with |key|: its JWK
// "alg", else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA, HS256.
Algorithm DefaultAlgorithm(const Key& key);

}  // namespace tock

#endif  // TOCK_APP_KEY_TYPE_H_
