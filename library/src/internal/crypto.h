// The crypto layer: the only code in the library that calls OpenSSL
// (files library/src/internal/crypto*). Everything here works on KeyMaterial
// parsed once at load time.
#ifndef TOCK_INTERNAL_CRYPTO_H_
#define TOCK_INTERNAL_CRYPTO_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tock/algorithm.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock::internal {

// SignBytes signs |input| with |key| using |alg|. ECDSA signatures come out
// as raw R||S of the curve's exact length (RFC 7518 §3.4). kKeyError when the
// key cannot perform |alg| or has no private part.
Result<std::string> SignBytes(const Key& key, Algorithm alg, std::string_view input);

// SignatureSize is the length of every |alg| signature SignBytes makes with
// |key|: the hash size for HMAC, the modulus size for RSA, 2 * the
// coordinate size for ECDSA, 64 for EdDSA.
std::size_t SignatureSize(const Key& key, Algorithm alg);

// SignBytesInto is SignBytes writing the signature into |out| (at least
// SignatureSize(key, alg) bytes, else kKeyError) and returning its length,
// for callers that encode it straight into a token (TokenBuilder::Sign).
Result<std::size_t> SignBytesInto(const Key& key, Algorithm alg, std::string_view input,
                                  std::span<unsigned char> out);

// VerifyBytes returns true when |signature| is a valid |alg| signature of
// |input| by |key|. MACs are compared in constant time; an ECDSA signature
// must be exactly 2 * the curve's coordinate size (no DER accepted); a key
// that cannot perform |alg| never verifies.
bool VerifyBytes(const Key& key, Algorithm alg, std::string_view input, std::string_view signature);

// RandomBytes returns |n| bytes from OpenSSL's CSPRNG.
std::string RandomBytes(std::size_t n);

// Base64Decode decodes standard, padded base64 (RFC 4648 §4), as HTTP Basic
// uses it; nullopt unless the length is a multiple of 4 and every character
// is in the alphabet (no whitespace).
std::optional<std::string> Base64Decode(std::string_view text);

// Sha256 returns the SHA-256 digest of |data| (32 raw bytes).
std::string Sha256(std::string_view data);

// AesGcmSeal encrypts |plaintext| under the 32-byte |key| with AES-256-GCM
// and a random 12-byte nonce, authenticating |aad|: nonce || ciphertext ||
// tag (16 bytes). kKeyError when the key is not 32 bytes or OpenSSL fails.
Result<std::string> AesGcmSeal(std::string_view key, std::string_view plaintext,
                               std::string_view aad);

// AesGcmOpen reverses AesGcmSeal; kKeyError when the tag does not match.
Result<std::string> AesGcmOpen(std::string_view key, std::string_view sealed,
                               std::string_view aad);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CRYPTO_H_
