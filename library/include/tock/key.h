// Key: one parsed, immutable signing or verification key.
#ifndef TOCK_KEY_H_
#define TOCK_KEY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/algorithm.h"
#include "tock/result.h"

namespace tock {

struct KeyAccess;

// KeyType is the JWK "kty" of a key.
enum class KeyType { kRsa, kEc, kOkp, kOct };

// ToString returns "RSA", "EC", "OKP" or "oct".
std::string_view ToString(KeyType type);

// Key is a parsed key: built once (the EVP_PKEY is made at load time), then
// immutable and safe to share across threads. Copies share the material.
// A key binds its algorithm family: an RSA, EC or OKP key is never usable as
// an HMAC secret, whatever bytes it was loaded from.
class Key {
 public:
  // FromSecret makes an HMAC key from raw secret bytes. Fails with kKeyError
  // when the secret is under 32 bytes or is itself key material (a PEM block,
  // an OpenSSH key, a JSON object): the classic public-key-as-secret mistake.
  static Result<Key> FromSecret(std::string_view secret);
  // FromSecretBase64Url decodes |text| as strict base64url (trailing '='
  // padding tolerated: people paste padded text) and calls FromSecret.
  // kUsage when |text| is not base64url.
  static Result<Key> FromSecretBase64Url(std::string_view text);

  KeyType type() const;
  // curve returns "P-256", "P-384", "P-521" or "Ed25519"; empty for RSA/oct.
  std::string_view curve() const;
  // bits returns the RSA modulus size, the curve size, or the secret size in bits.
  int bits() const;
  // has_private is true when the key can sign (HMAC secrets always can).
  bool has_private() const;

  // kid, alg and use come from a JWK; a PEM key has none.
  const std::optional<std::string>& kid() const;
  std::optional<Algorithm> alg() const;
  const std::optional<std::string>& use() const;

  // CanPerform is true when this key can sign or verify with |alg|: the
  // family and curve match, a secret is long enough (RFC 7518 §3.2), and a
  // JWK's "alg" (when present) names |alg|.
  bool CanPerform(Algorithm alg) const;
  // Algorithms lists every algorithm CanPerform accepts.
  std::vector<Algorithm> Algorithms() const;

  // Thumbprint returns the RFC 7638 SHA-256 thumbprint, base64url.
  std::string Thumbprint() const;

  // PublicJwk returns the public half as a JWK JSON object with |kid|, "use"
  // and |alg| when given. Fails with kKeyError for an HMAC secret.
  Result<std::string> PublicJwk(std::optional<std::string> kid = std::nullopt,
                                std::optional<Algorithm> alg = std::nullopt) const;
  // PrivatePem returns the private key as PKCS#8 PEM. Fails for public keys
  // and secrets. WARNING: the result is secret material.
  Result<std::string> PrivatePem() const;
  // PrivateJwk returns the private key as a JWK JSON object (with kid when
  // set). WARNING: the result is secret material.
  Result<std::string> PrivateJwk() const;

  // WithKid returns a copy of this key carrying |kid|.
  Key WithKid(std::string kid) const;

  // SharesMaterialWith: both come from one parse (copies, or WithKid of one
  // key). A key loaded or fetched again is another object even when its
  // bytes are equal: a cache of verified signatures keys on this identity.
  bool SharesMaterialWith(const Key& other) const { return material_ == other.material_; }

 private:
  // Only the library makes keys (loaders, generators) and reads their
  // material (the OpenSSL EVP_PKEY or HMAC secret, parsed once), through
  // KeyAccess; to callers it is opaque.
  friend struct KeyAccess;
  explicit Key(std::shared_ptr<const void> material);
  std::shared_ptr<const void> material_;
};

// GenerateKey makes a new private key fit for |alg| (RSA 2048 for RS/PS,
// the matching curve for ES, Ed25519 for EdDSA, a random secret of the hash
// size for HS).
Result<Key> GenerateKey(Algorithm alg);

// GenerateRsaKey makes an RSA key of |bits| (kKeyError under 2048).
Result<Key> GenerateRsaKey(int bits);
// GenerateEcKey makes a key on |curve|: "P-256", "P-384" or "P-521"
// (kKeyError for any other).
Result<Key> GenerateEcKey(std::string_view curve);
// GenerateEd25519Key makes an Ed25519 key.
Result<Key> GenerateEd25519Key();

}  // namespace tock

#endif  // TOCK_KEY_H_
