// The "ceiling": the raw OpenSSL 3 operation a JWT library cannot beat, with
// everything that can be prepared once prepared once (algorithm fetched,
// key parsed, context initialised), so that per call only the work on the
// signing input is left. Not thread-safe: one object per thread.
#ifndef TOCK_BENCH_CEILING_H_
#define TOCK_BENCH_CEILING_H_

#include <openssl/types.h>

#include <string>
#include <string_view>

#include "tock/algorithm.h"

namespace tock::bench {

// MacMode is how the HMAC context is reused between calls. Both are honest
// reuse; the ceiling uses the faster, kReinit (docs/performance.md).
enum class MacMode {
  kReinit,  // EVP_MAC_init(ctx, NULL, 0, NULL): restart from the keyed state
  kDup,     // EVP_MAC_CTX_dup of a keyed template, freed after each call
};

// CeilingMac is HMAC-SHA-256 with a key set once.
class CeilingMac {
 public:
  CeilingMac(std::string_view secret, MacMode mode);
  ~CeilingMac();
  CeilingMac(const CeilingMac&) = delete;
  CeilingMac& operator=(const CeilingMac&) = delete;

  // Mac writes the 32-byte tag of |input| to |out|; false on an OpenSSL error.
  bool Mac(std::string_view input, unsigned char* out);
  // Verify recomputes the tag and compares it in constant time, as a JWS
  // verifier must.
  bool Verify(std::string_view input, std::string_view tag);

 private:
  MacMode mode_;
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
};

// PkeyMode is how the EVP_MD_CTX is prepared for each call. The ceiling uses
// kCopy, never slower and up to 25% faster for RSA (docs/performance.md).
enum class PkeyMode {
  kCopy,    // EVP_MD_CTX_copy_ex from a template initialised once
  kReinit,  // EVP_MD_CTX_reset + EVP_Digest{Sign,Verify}Init with a
            // pre-fetched EVP_MD on the reused EVP_MD_CTX
};

// CeilingPkey signs or verifies with an EVP_PKEY built once: RSA PKCS#1 v1.5
// (RS256), RSA-PSS with salt = digest length (PS256, RFC 7518 §3.5), ECDSA
// with DER signatures (ES256/ES384: OpenSSL's native form; the raw R||S <->
// DER conversion a JOSE library must do is deliberately left out of the
// ceiling), Ed25519 one-shot (EdDSA).
class CeilingPkey {
 public:
  CeilingPkey(Algorithm alg, EVP_PKEY* pkey, bool sign, PkeyMode mode);
  ~CeilingPkey();
  CeilingPkey(const CeilingPkey&) = delete;
  CeilingPkey& operator=(const CeilingPkey&) = delete;

  // Sign writes the signature of |input| to |out| (resized to fit); false on
  // an OpenSSL error.
  bool Sign(std::string_view input, std::string& out);
  bool Verify(std::string_view input, std::string_view signature);

 private:
  bool Prepare();  // readies work_ for one operation

  Algorithm alg_;
  EVP_PKEY* pkey_;  // not owned
  bool sign_;
  PkeyMode mode_;
  EVP_MD* md_ = nullptr;  // pre-fetched; null for EdDSA
  EVP_MD_CTX* template_ = nullptr;
  EVP_MD_CTX* work_ = nullptr;
};

// CeilingSignature makes one signature of |input| with the ceiling itself:
// the signature the ceiling verifies (DER for ECDSA).
std::string CeilingSignature(Algorithm alg, EVP_PKEY* private_key, std::string_view input);

}  // namespace tock::bench

#endif  // TOCK_BENCH_CEILING_H_
