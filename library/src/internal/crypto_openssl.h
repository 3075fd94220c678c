// Helpers shared by the crypto*.cc files only: RAII owners for OpenSSL
// objects and the algorithms fetched once per process.
#ifndef TOCK_INTERNAL_CRYPTO_OPENSSL_H_
#define TOCK_INTERNAL_CRYPTO_OPENSSL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tock/algorithm.h"

namespace tock::internal {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;

// Digests and the HMAC MAC, fetched once per process (fetching is a locked
// lookup in OpenSSL 3 and must stay off the hot path). Never freed.
const EVP_MD* Sha256Md();
const EVP_MD* Sha384Md();
const EVP_MD* Sha512Md();
EVP_MAC* HmacMac();

// DigestFor returns the hash of a JOSE algorithm; null for EdDSA.
const EVP_MD* DigestFor(Algorithm alg);
// DigestNameFor returns "SHA256", "SHA384" or "SHA512"; null for EdDSA.
const char* DigestNameFor(Algorithm alg);

// BioFromView returns a read-only memory BIO over |data|.
BioPtr BioFromView(std::string_view data);

// BnParam returns the big-number parameter |name| of |pkey| as minimal
// big-endian bytes, or padded to |width| bytes when width > 0.
std::optional<std::string> BnParam(const EVP_PKEY* pkey, const char* name, int width = 0);

// LastOpenSslError returns the reason of the newest queued OpenSSL error (or
// |fallback|) and clears the thread's error queue.
std::string LastOpenSslError(std::string_view fallback);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CRYPTO_OPENSSL_H_
