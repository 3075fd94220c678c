#include "ceiling.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "fixtures.h"

namespace tock::bench {
namespace {

const char* DigestName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHS256:
    case Algorithm::kRS256:
    case Algorithm::kPS256:
    case Algorithm::kES256:
      return "SHA256";
    case Algorithm::kES384:
      return "SHA384";
    case Algorithm::kEdDSA:
    case Algorithm::kEd25519:
      return nullptr;  // Ed25519 hashes internally (RFC 8032)
    default:
      Die("the ceiling does not implement " + std::string(ToString(alg)));
  }
}

}  // namespace

CeilingMac::CeilingMac(std::string_view secret, MacMode mode) : mode_(mode) {
  mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  ctx_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
  if (ctx_ == nullptr) Die("EVP_MAC HMAC is not available");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  if (EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   params) != 1) {
    Die("EVP_MAC_init with the key failed");
  }
}

CeilingMac::~CeilingMac() {
  EVP_MAC_CTX_free(ctx_);
  EVP_MAC_free(mac_);
}

bool CeilingMac::Mac(std::string_view input, unsigned char* out) {
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t len = 0;
  if (mode_ == MacMode::kReinit) {
    // A NULL key restarts HMAC from the saved inner/outer pad state: no key
    // schedule and no fetch per call.
    return EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(ctx_, data, input.size()) == 1 && EVP_MAC_final(ctx_, out, &len, 32) == 1;
  }
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(ctx_);
  const bool ok = ctx != nullptr && EVP_MAC_update(ctx, data, input.size()) == 1 &&
                  EVP_MAC_final(ctx, out, &len, 32) == 1;
  EVP_MAC_CTX_free(ctx);
  return ok;
}

bool CeilingMac::Verify(std::string_view input, std::string_view tag) {
  unsigned char out[32];
  if (!Mac(input, out) || tag.size() != sizeof(out)) return false;
  return CRYPTO_memcmp(out, tag.data(), sizeof(out)) == 0;
}

CeilingPkey::CeilingPkey(Algorithm alg, EVP_PKEY* pkey, bool sign, PkeyMode mode)
    : alg_(alg), pkey_(pkey), sign_(sign), mode_(mode) {
  if (const char* name = DigestName(alg)) {
    md_ = EVP_MD_fetch(nullptr, name, nullptr);
    if (md_ == nullptr) Die(std::string("cannot fetch ") + name);
  }
  template_ = EVP_MD_CTX_new();
  work_ = EVP_MD_CTX_new();
  if (template_ == nullptr || work_ == nullptr) Die("EVP_MD_CTX_new failed");
  EVP_PKEY_CTX* pctx = nullptr;
  const int rc = sign_ ? EVP_DigestSignInit(template_, &pctx, md_, nullptr, pkey_)
                       : EVP_DigestVerifyInit(template_, &pctx, md_, nullptr, pkey_);
  if (rc != 1) Die("EVP_Digest{Sign,Verify}Init failed for " + std::string(ToString(alg)));
  if (alg == Algorithm::kPS256 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    Die("cannot set RSA-PSS parameters");
  }
  if (mode_ == PkeyMode::kCopy && EVP_MD_CTX_copy_ex(work_, template_) != 1) {
    Die("EVP_MD_CTX_copy_ex cannot copy a " + std::string(ToString(alg)) + " context");
  }
}

CeilingPkey::~CeilingPkey() {
  EVP_MD_CTX_free(work_);
  EVP_MD_CTX_free(template_);
  EVP_MD_free(md_);
}

bool CeilingPkey::Prepare() {
  if (mode_ == PkeyMode::kCopy) return EVP_MD_CTX_copy_ex(work_, template_) == 1;
  EVP_MD_CTX_reset(work_);
  EVP_PKEY_CTX* pctx = nullptr;
  const int rc = sign_ ? EVP_DigestSignInit(work_, &pctx, md_, nullptr, pkey_)
                       : EVP_DigestVerifyInit(work_, &pctx, md_, nullptr, pkey_);
  if (rc != 1) return false;
  if (alg_ == Algorithm::kPS256) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  return true;
}

bool CeilingPkey::Sign(std::string_view input, std::string& out) {
  if (!Prepare()) return false;
  // resize() within the capacity reserved by the first call does not allocate.
  out.resize(static_cast<std::size_t>(EVP_PKEY_get_size(pkey_)));
  std::size_t len = out.size();
  if (EVP_DigestSign(work_, reinterpret_cast<unsigned char*>(out.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return false;
  }
  out.resize(len);
  return true;
}

bool CeilingPkey::Verify(std::string_view input, std::string_view signature) {
  return Prepare() &&
         EVP_DigestVerify(work_, reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

std::string CeilingSignature(Algorithm alg, EVP_PKEY* private_key, std::string_view input) {
  CeilingPkey signer(alg, private_key, /*sign=*/true, PkeyMode::kCopy);
  std::string signature;
  if (!signer.Sign(input, signature))
    Die("the ceiling cannot sign with " + std::string(ToString(alg)));
  return signature;
}

}  // namespace tock::bench
