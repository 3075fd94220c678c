// KeyMaterial and the crypto layer's key-building functions. Only files named
// library/src/internal/crypto* call OpenSSL; key.cc, key_loader.cc and
// jwk_set.cc reach it through the functions declared here.
#ifndef TOCK_INTERNAL_CRYPTO_KEY_H_
#define TOCK_INTERNAL_CRYPTO_KEY_H_

#include <openssl/types.h>

#include <array>
#include <atomic>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tock/algorithm.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock::internal {

// kAlgorithmCount is the number of Algorithm enumerators (kHS256 .. kEd25519).
inline constexpr std::size_t kAlgorithmCount = 14;

// KeyMaterial is one parsed key. It is immutable once built; the only state
// that changes afterwards is the per-algorithm context cache below, which is
// filled at most once per slot with an atomic compare-and-swap, so a
// KeyMaterial may be shared freely between threads.
struct KeyMaterial {
  // Gives the material a process-unique id (never reused).
  KeyMaterial();
  KeyMaterial(const KeyMaterial&) = delete;
  KeyMaterial& operator=(const KeyMaterial&) = delete;
  // Frees the EVP_PKEY and the cached contexts; wipes the secret.
  ~KeyMaterial();

  const std::uint64_t id;  // keys the per-thread HMAC context cache

  KeyType type = KeyType::kOct;
  std::string curve;  // "P-256", "P-384", "P-521", "Ed25519"; empty for RSA/oct.
  int bits = 0;       // modulus size, curve size, or secret size in bits.
  bool has_private = false;
  std::optional<std::string> kid;
  std::optional<std::string> use;
  std::optional<Algorithm> alg;  // a JWK's "alg": narrows CanPerform to it.

  EVP_PKEY* pkey = nullptr;             // owned; null for oct.
  std::string secret;                   // HMAC secret (oct only); wiped on destruction.
  std::size_t ec_coordinate_bytes = 0;  // 32, 48 or 66 for EC keys.
  std::string thumbprint;               // RFC 7638, computed once at load.

  // Contexts initialised once per algorithm and duplicated per call, so the
  // hot path never fetches an algorithm or re-parses the key. Index:
  // static_cast<size_t>(Algorithm).
  mutable std::array<std::atomic<EVP_MD_CTX*>, kAlgorithmCount> verify_templates{};
  mutable std::array<std::atomic<EVP_MD_CTX*>, kAlgorithmCount> sign_templates{};
  mutable std::array<std::atomic<EVP_MAC_CTX*>, 3> mac_templates{};  // HS256/384/512
};

// kMaxRsaBits matches OpenSSL's OPENSSL_RSA_MAX_MODULUS_BITS: larger moduli
// are refused anyway, and only make verification slow.
inline constexpr int kMaxRsaBits = 16384;

// ParseRules narrow what a key parser accepts and does (KeyLoadOptions).
// public_only: private material becomes its public half with no pairwise
// check and is never used to sign. An RSA key over max_rsa_bits is kTooLarge
// when the bound is below kMaxRsaBits.
struct ParseRules {
  bool public_only = false;
  int max_rsa_bits = kMaxRsaBits;
};

// JwkMember is one "name": "base64url value" member of a JWK.
using JwkMember = std::pair<std::string, std::string>;

// MaterialFromSecret wraps an HMAC secret (no policy checks: the caller
// applies the 32-byte minimum and the key-material refusal).
std::shared_ptr<KeyMaterial> MaterialFromSecret(std::string_view secret);

// MaterialFromPkey wraps a parsed EVP_PKEY (taking ownership of it, also on
// failure), checks that tock supports it (RSA >= 2048 bits, P-256/384/521,
// Ed25519) and computes its thumbprint. kKeyError with the reason otherwise.
// With |rules|.public_only a private key is reduced to its public half.
Result<std::shared_ptr<KeyMaterial>> MaterialFromPkey(EVP_PKEY* pkey, bool has_private,
                                                      const ParseRules& rules = {});

// MaterialFromJwk builds a key from one JWK object whose "kty" is RSA, EC,
// OKP or oct (kid/use/alg are left to the caller). kKeyError with a sentence
// naming the bad member when the JWK is unusable.
// With |rules|.public_only the private members are read (their format is
// checked) but not used.
Result<std::shared_ptr<KeyMaterial>> MaterialFromJwk(const boost::json::object& jwk,
                                                     std::string_view kty,
                                                     const ParseRules& rules = {});

// PemBlockResult is the outcome of one PEM block.
struct PemBlockResult {
  std::string label;                                        // e.g. "PUBLIC KEY"
  std::optional<Result<std::shared_ptr<KeyMaterial>>> key;  // nullopt: ignorable block
};

// ParsePemBlocks parses every "-----BEGIN X-----" block of |text|, in order,
// stopping after a block that is kTooLarge (the whole input is refused).
std::vector<PemBlockResult> ParsePemBlocks(std::string_view text, const ParseRules& rules = {});

// MaterialFromDer parses a DER private key (PKCS#8, PKCS#1, SEC1), public key
// (SPKI, PKCS#1) or X.509 certificate.
Result<std::shared_ptr<KeyMaterial>> MaterialFromDer(std::string_view der,
                                                     const ParseRules& rules = {});

// CopyWithKid returns a new KeyMaterial sharing |source|'s key with |kid|.
std::shared_ptr<KeyMaterial> CopyWithKid(const KeyMaterial& source, std::string kid);

// ThumbprintMembers returns the RFC 7638 required members of the public key
// in lexicographic order, "kty" included (values are JSON strings, unquoted).
std::vector<JwkMember> ThumbprintMembers(const KeyMaterial& key);
// PrivateMembers returns the private members ("d", "p", ...; "k" for oct) in
// RFC 7518 order. Empty for a public key.
std::vector<JwkMember> PrivateMembers(const KeyMaterial& key);

// PrivatePkcs8Pem returns the private key as PKCS#8 PEM.
Result<std::string> PrivatePkcs8Pem(const KeyMaterial& key);

// GenerateRsa, GenerateEc and GenerateEd25519 make new private keys.
Result<std::shared_ptr<KeyMaterial>> GenerateRsa(int bits);
Result<std::shared_ptr<KeyMaterial>> GenerateEc(std::string_view curve);
Result<std::shared_ptr<KeyMaterial>> GenerateEd25519();

// ComputeThumbprint returns base64url(SHA-256(canonical JSON of |members|)).
std::string ComputeThumbprint(const std::vector<JwkMember>& members);

// IsDerLike is true when |content| starts like a DER SEQUENCE.
bool IsDerLike(std::string_view content);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CRYPTO_KEY_H_
