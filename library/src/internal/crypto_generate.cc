// Generating new private keys.
#include <openssl/rsa.h>

#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"

namespace tock::internal {
namespace {

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

}  // namespace

Result<std::shared_ptr<KeyMaterial>> GenerateRsa(int bits) {
  if (bits < 2048 || bits > 16384) {
    return KeyError("RSA key size " + std::to_string(bits) +
                    " is outside the supported range 2048..16384 bits");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &pkey) != 1) {
    return KeyError("RSA key generation failed: " + LastOpenSslError("OpenSSL error"));
  }
  return MaterialFromPkey(pkey, true);
}

Result<std::shared_ptr<KeyMaterial>> GenerateEc(std::string_view curve) {
  const char* group = curve == "P-256"   ? "prime256v1"
                      : curve == "P-384" ? "secp384r1"
                      : curve == "P-521" ? "secp521r1"
                                         : nullptr;
  if (group == nullptr) {
    return KeyError("EC curve \"" + std::string(curve) +
                    "\" is not supported (P-256, P-384 and P-521 are)");
  }
  EVP_PKEY* pkey = EVP_EC_gen(group);
  if (pkey == nullptr) {
    return KeyError("EC key generation failed: " + LastOpenSslError("OpenSSL error"));
  }
  return MaterialFromPkey(pkey, true);
}

Result<std::shared_ptr<KeyMaterial>> GenerateEd25519() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) {
    return KeyError("Ed25519 key generation failed: " + LastOpenSslError("OpenSSL error"));
  }
  return MaterialFromPkey(pkey, true);
}

}  // namespace tock::internal
