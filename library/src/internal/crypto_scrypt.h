// scrypt key derivation (RFC 7914) over OpenSSL's EVP_KDF, for secret_hash.
#ifndef TOCK_INTERNAL_CRYPTO_SCRYPT_H_
#define TOCK_INTERNAL_CRYPTO_SCRYPT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tock::internal {

// ScryptParams are scrypt's cost parameters: N = 2^log2_n, r, p.
struct ScryptParams {
  int log2_n = 15;
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// Scrypt derives |length| bytes from |password| and |salt|; nullopt when
// OpenSSL refuses (parameters, memory).
std::optional<std::string> Scrypt(std::string_view password, std::string_view salt,
                                  const ScryptParams& params, std::size_t length);

// ConstantTimeEquals compares |a| and |b| without an early exit on the first
// differing byte (the lengths are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CRYPTO_SCRYPT_H_
