// Kek: a key-encryption key that seals private keys at rest (AES-256-GCM).
//
// `tock serve` keeps its signing keys in PostgreSQL sealed under a Kek, with
// the key's `kid` as associated data, so a sealed key copied onto another
// key's row does not open. The sealed form is nonce (12 bytes) || ciphertext
// || tag (16 bytes); the nonce is random per Seal.
#ifndef TOCK_KEY_WRAP_H_
#define TOCK_KEY_WRAP_H_

#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock {

class Kek {
 public:
  // FromText reads 32 bytes written as base64url (padding and surrounding
  // whitespace, such as a file's trailing newline, are ignored). kKeyError
  // when the text is not base64url or does not hold exactly 32 bytes.
  static Result<Kek> FromText(std::string_view text);

  // Generate makes a new random Kek from OpenSSL's CSPRNG.
  static Kek Generate();

  // ToText is the Kek as unpadded base64url (what FromText reads).
  // WARNING: this is the secret itself; write it only to a 0600 file.
  std::string ToText() const;

  // id is the Kek's fingerprint, "kek-" + 16 base64url characters of a
  // SHA-256 over a fixed label and the key: stored beside every sealed key
  // so the right Kek can be picked, and safe to log.
  const std::string& id() const { return id_; }

  // Seal encrypts |plaintext| with AES-256-GCM under this Kek, binding
  // |associated_data| (the kid). Fails with kKeyError only when OpenSSL does.
  Result<std::string> Seal(std::string_view plaintext, std::string_view associated_data) const;

  // Open decrypts what Seal made with the same Kek and |associated_data|.
  // kKeyError when the Kek or the associated data differ or the bytes were
  // changed (the GCM tag does not match), or when |sealed| is too short.
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

 private:
  explicit Kek(std::string bytes);
  std::string bytes_;  // 32 bytes
  std::string id_;
};

}  // namespace tock

#endif  // TOCK_KEY_WRAP_H_
