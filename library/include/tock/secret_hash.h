// Salted, deliberately slow hashes of client secrets (scrypt, RFC 7914), so a
// server keeps no secret it could leak.
#ifndef TOCK_SECRET_HASH_H_
#define TOCK_SECRET_HASH_H_

#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock {

// HashSecret returns a PHC-style string "$scrypt$ln=15,r=8,p=1$SALT$HASH"
// (SALT: 16 random bytes, HASH: 32 bytes, both base64url) for |secret|.
// Each call uses a fresh salt, so two hashes of one secret differ. Fails with
// kUsage when |secret| is empty, kKeyError when OpenSSL cannot run scrypt.
Result<std::string> HashSecret(std::string_view secret);

// SecretMatches returns true when |secret| hashes to |encoded| (made by
// HashSecret), comparing the digests in constant time. Fails with kUsage when
// |encoded| is not such a string or its parameters are out of bounds
// (ln 10..20, r 1..32, p 1..16: a config cannot make a check cost minutes).
Result<bool> SecretMatches(std::string_view secret, std::string_view encoded);

// IsSecretHash is true when |encoded| parses as a HashSecret string.
bool IsSecretHash(std::string_view encoded);

}  // namespace tock

#endif  // TOCK_SECRET_HASH_H_
