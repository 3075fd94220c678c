// Process-wide algorithm handles, digests, randomness and KeyMaterial's
// lifetime.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <cstdlib>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"
#include "internal/json.h"

namespace tock::internal {
namespace {

// FetchOrDie fetches a digest the library cannot work without. OpenSSL 3's
// default provider always has the SHA-2 family; its absence is a broken
// installation, not a recoverable condition.
EVP_MD* FetchOrDie(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) std::abort();
  return md;
}

}  // namespace

const EVP_MD* Sha256Md() {
  static EVP_MD* const md = FetchOrDie("SHA256");
  return md;
}

const EVP_MD* Sha384Md() {
  static EVP_MD* const md = FetchOrDie("SHA384");
  return md;
}

const EVP_MD* Sha512Md() {
  static EVP_MD* const md = FetchOrDie("SHA512");
  return md;
}

EVP_MAC* HmacMac() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) std::abort();
    return m;
  }();
  return mac;
}

const EVP_MD* DigestFor(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHS256:
    case Algorithm::kRS256:
    case Algorithm::kPS256:
    case Algorithm::kES256:
      return Sha256Md();
    case Algorithm::kHS384:
    case Algorithm::kRS384:
    case Algorithm::kPS384:
    case Algorithm::kES384:
      return Sha384Md();
    case Algorithm::kHS512:
    case Algorithm::kRS512:
    case Algorithm::kPS512:
    case Algorithm::kES512:
      return Sha512Md();
    case Algorithm::kEdDSA:
    case Algorithm::kEd25519:
      return nullptr;
  }
  return nullptr;
}

const char* DigestNameFor(Algorithm alg) {
  const EVP_MD* md = DigestFor(alg);
  if (md == Sha256Md()) return "SHA256";
  if (md == Sha384Md()) return "SHA384";
  if (md == Sha512Md()) return "SHA512";
  return nullptr;
}

BioPtr BioFromView(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::optional<std::string> BnParam(const EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  BnPtr bn(raw);
  const int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (width > 0) {
    if (BN_bn2binpad(bn.get(), dst, width) != width) return std::nullopt;
  } else {
    BN_bn2bin(bn.get(), dst);
  }
  return out;
}

std::string LastOpenSslError(std::string_view fallback) {
  unsigned long code = ERR_peek_last_error();
  std::string reason;
  if (code != 0) {
    const char* text = ERR_reason_error_string(code);
    if (text != nullptr) reason = text;
  }
  ERR_clear_error();
  return reason.empty() ? std::string(fallback) : reason;
}

KeyMaterial::KeyMaterial()
    : id([] {
        static std::atomic<std::uint64_t> next{1};
        return next.fetch_add(1, std::memory_order_relaxed);
      }()) {}

KeyMaterial::~KeyMaterial() {
  for (auto& slot : verify_templates) EVP_MD_CTX_free(slot.load());
  for (auto& slot : sign_templates) EVP_MD_CTX_free(slot.load());
  for (auto& slot : mac_templates) EVP_MAC_CTX_free(slot.load());
  EVP_PKEY_free(pkey);
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // A CSPRNG that cannot produce output must not be papered over with
    // weaker bytes: jti values and generated secrets depend on it.
    std::abort();
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, Sha256Md(), nullptr) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string ComputeThumbprint(const std::vector<JwkMember>& members) {
  // RFC 7638 §3.2: the required members, sorted, no whitespace.
  std::string canonical = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i > 0) canonical += ',';
    AppendJsonString(canonical, members[i].first);
    canonical += ':';
    AppendJsonString(canonical, members[i].second);
  }
  canonical += '}';
  return Base64UrlEncode(Sha256(canonical));
}

bool IsDerLike(std::string_view content) {
  return content.size() >= 2 && static_cast<unsigned char>(content[0]) == 0x30;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > (1u << 16)) return std::nullopt;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool alpha = std::isalnum(c) || c == '+' || c == '/';
    if (c == '=' && i + 2 >= text.size()) {
      ++pad;
    } else if (!alpha || pad > 0) {
      return std::nullopt;  // EVP_DecodeBlock would skip whitespace; we do not
    }
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace tock::internal
