// SignBytes and VerifyBytes for every JOSE algorithm tock implements.
//
// Performance: each key caches, per algorithm, a context that was initialised
// once (digest, padding, key). An RSA/ECDSA/EdDSA call duplicates it, so the
// hot path neither fetches algorithms (a locked lookup in OpenSSL 3) nor
// re-initialises the key, and the cached template is never written after it
// is published. HMAC goes one step further with a per-thread cache of armed
// contexts (MacCache).
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "internal/crypto.h"
#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"

namespace tock::internal {
namespace {

// The largest DER ECDSA signature (P-521): SEQUENCE of two 66-byte INTEGERs
// with sign bytes is 139 bytes.
constexpr std::size_t kMaxEcdsaDer = 160;

bool IsHmac(Algorithm alg) {
  return alg == Algorithm::kHS256 || alg == Algorithm::kHS384 || alg == Algorithm::kHS512;
}
bool IsPss(Algorithm alg) {
  return alg == Algorithm::kPS256 || alg == Algorithm::kPS384 || alg == Algorithm::kPS512;
}
bool IsEcdsa(Algorithm alg) {
  return alg == Algorithm::kES256 || alg == Algorithm::kES384 || alg == Algorithm::kES512;
}

std::size_t HmacSlot(Algorithm alg) {
  return alg == Algorithm::kHS256 ? 0 : alg == Algorithm::kHS384 ? 1 : 2;
}

// Publish stores |fresh| in |slot| unless another thread got there first;
// returns whichever context won. The loser's context is freed by |fresh|.
template <typename T, typename Ptr>
T* Publish(std::atomic<T*>& slot, Ptr fresh) {
  T* expected = nullptr;
  if (slot.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
    return fresh.release();
  }
  return expected;
}

const EVP_MAC_CTX* MacTemplate(const KeyMaterial& key, Algorithm alg) {
  std::atomic<EVP_MAC_CTX*>& slot = key.mac_templates[HmacSlot(alg)];
  if (EVP_MAC_CTX* ready = slot.load(std::memory_order_acquire)) return ready;
  MacCtxPtr fresh(EVP_MAC_CTX_new(HmacMac()));
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                          const_cast<char*>(DigestNameFor(alg)), 0),
                         OSSL_PARAM_construct_end()};
  if (!fresh || EVP_MAC_init(fresh.get(), reinterpret_cast<const unsigned char*>(key.secret.data()),
                             key.secret.size(), params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return Publish(slot, std::move(fresh));
}

// MacCache keeps, per thread, a few HMAC contexts ready for reuse, keyed by
// (KeyMaterial::id, hash). Re-arming a used context is one EVP_MAC_init with
// no key (a state copy); EVP_MAC_CTX_dup allocates about nine objects.
// Measured on a 500-byte input: 1.4 us against 2.4 us per HS256. Ids are
// never reused, so an entry left by a destroyed key can never serve another
// key; it is freed (and wiped by OpenSSL) on eviction or at thread exit.
struct MacCache {
  struct Entry {
    std::uint64_t key_id = 0;
    std::size_t slot = 0;
    EVP_MAC_CTX* ctx = nullptr;
  };
  std::array<Entry, 8> entries;
  std::size_t next_victim = 0;

  ~MacCache() {
    for (Entry& entry : entries) EVP_MAC_CTX_free(entry.ctx);
  }

  // Get returns a context ready for update/final, or null.
  EVP_MAC_CTX* Get(const KeyMaterial& key, Algorithm alg) {
    const std::size_t slot = HmacSlot(alg);
    for (Entry& entry : entries) {
      if (entry.ctx != nullptr && entry.key_id == key.id && entry.slot == slot) {
        if (EVP_MAC_init(entry.ctx, nullptr, 0, nullptr) == 1) return entry.ctx;
        EVP_MAC_CTX_free(entry.ctx);
        entry.ctx = nullptr;
        return nullptr;
      }
    }
    const EVP_MAC_CTX* tmpl = MacTemplate(key, alg);
    EVP_MAC_CTX* ctx = tmpl != nullptr ? EVP_MAC_CTX_dup(tmpl) : nullptr;
    if (ctx == nullptr) return nullptr;
    Entry& victim = entries[next_victim];
    next_victim = (next_victim + 1) % entries.size();
    EVP_MAC_CTX_free(victim.ctx);
    victim = Entry{key.id, slot, ctx};
    return ctx;
  }
};

// Hmac writes the MAC of |input| to |out| (EVP_MAX_MD_SIZE bytes).
bool Hmac(const KeyMaterial& key, Algorithm alg, std::string_view input, unsigned char* out,
          std::size_t* out_length) {
  thread_local MacCache cache;
  EVP_MAC_CTX* ctx = cache.Get(key, alg);
  const bool ok = ctx != nullptr &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()),
                                 input.size()) == 1 &&
                  EVP_MAC_final(ctx, out, out_length, EVP_MAX_MD_SIZE) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// InitDigestContext prepares |ctx| to sign or verify with |alg|: the hash,
// and for PS* the PSS padding with salt length = hash length and MGF1 with
// the same hash (RFC 7518 §3.5).
bool InitDigestContext(EVP_MD_CTX* ctx, const KeyMaterial& key, Algorithm alg, bool sign) {
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = DigestFor(alg);
  const int init = sign ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, key.pkey)
                        : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key.pkey);
  if (init != 1) return false;
  if (key.type == KeyType::kRsa) {
    if (IsPss(alg)) {
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    }
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  return true;
}

const EVP_MD_CTX* DigestTemplate(const KeyMaterial& key, Algorithm alg, bool sign) {
  auto& slots = sign ? key.sign_templates : key.verify_templates;
  std::atomic<EVP_MD_CTX*>& slot = slots[static_cast<std::size_t>(alg)];
  if (EVP_MD_CTX* ready = slot.load(std::memory_order_acquire)) return ready;
  MdCtxPtr fresh(EVP_MD_CTX_new());
  if (!fresh || !InitDigestContext(fresh.get(), key, alg, sign)) {
    ERR_clear_error();
    return nullptr;
  }
  return Publish(slot, std::move(fresh));
}

// DigestContext returns a context ready for one EVP_DigestSign/Verify call.
MdCtxPtr DigestContext(const KeyMaterial& key, Algorithm alg, bool sign) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return nullptr;
  const EVP_MD_CTX* tmpl = DigestTemplate(key, alg, sign);
  if (tmpl != nullptr && EVP_MD_CTX_copy_ex(ctx.get(), tmpl) == 1) return ctx;
  // A provider without context duplication: initialise from scratch.
  ERR_clear_error();
  EVP_MD_CTX_reset(ctx.get());
  if (!InitDigestContext(ctx.get(), key, alg, sign)) {
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

// EcdsaDerToRaw converts a DER ECDSA-Sig-Value to R||S, each left-padded to
// the coordinate size (RFC 7518 §3.4).
std::optional<std::string> EcdsaDerToRaw(const unsigned char* der, std::size_t length,
                                         std::size_t width) {
  const unsigned char* p = der;
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(length));
  if (sig == nullptr) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string out(2 * width, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  const int w = static_cast<int>(width);
  const bool ok = BN_bn2binpad(r, dst, w) == w && BN_bn2binpad(s, dst + width, w) == w;
  ECDSA_SIG_free(sig);
  if (!ok) return std::nullopt;
  return out;
}

// AppendDerInteger writes the n-byte big-endian unsigned |p| as a minimal
// DER INTEGER (X.690 §8.3) at |out| and returns its length: leading zero
// bytes dropped, one 0x00 added when the top bit is set. n <= 66, so the
// length always fits the short form.
std::size_t AppendDerInteger(const unsigned char* p, std::size_t n, unsigned char* out) {
  while (n > 1 && *p == 0) {
    ++p;
    --n;
  }
  const std::size_t pad = (*p & 0x80) != 0 ? 1 : 0;
  out[0] = 0x02;
  out[1] = static_cast<unsigned char>(n + pad);
  out[2] = 0x00;
  std::memcpy(out + 2 + pad, p, n);
  return 2 + pad + n;
}

// EcdsaRawToDer converts R||S to the DER ECDSA-Sig-Value OpenSSL verifies
// (RFC 3279 §2.2.3: SEQUENCE { r INTEGER, s INTEGER }) into |der|; returns
// its length, 0 on failure. Written directly because the BIGNUM round trip
// through i2d_ECDSA_SIG cost ~15k instructions and ~17 allocations per
// verify (docs/performance.md).
std::size_t EcdsaRawToDer(std::string_view raw, unsigned char (&der)[kMaxEcdsaDer]) {
  const std::size_t width = raw.size() / 2;
  if (width == 0 || width > 66 || raw.size() != 2 * width) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  unsigned char body[2 * (3 + 66)];
  std::size_t body_length = AppendDerInteger(bytes, width, body);
  body_length += AppendDerInteger(bytes + width, width, body + body_length);
  // P-521 bodies exceed 127 bytes: DER's long form with one length byte.
  const std::size_t header = body_length < 128 ? 2 : 3;
  if (header + body_length > kMaxEcdsaDer) return 0;
  der[0] = 0x30;
  if (header == 2) {
    der[1] = static_cast<unsigned char>(body_length);
  } else {
    der[1] = 0x81;
    der[2] = static_cast<unsigned char>(body_length);
  }
  std::memcpy(der + header, body, body_length);
  return header + body_length;
}

Result<std::string> SignAsymmetric(const KeyMaterial& key, Algorithm alg, std::string_view input) {
  MdCtxPtr ctx = DigestContext(key, alg, /*sign=*/true);
  if (!ctx) {
    return Error(ErrorCode::kKeyError, "cannot prepare " + std::string(ToString(alg)) +
                                           " signing: " + LastOpenSslError("OpenSSL error"));
  }
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (IsEcdsa(alg)) {
    unsigned char der[kMaxEcdsaDer];
    std::size_t length = sizeof(der);
    if (EVP_DigestSign(ctx.get(), der, &length, in, input.size()) == 1) {
      if (auto raw = EcdsaDerToRaw(der, length, key.ec_coordinate_bytes)) return *raw;
    }
  } else {
    std::string out(static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey)), '\0');
    std::size_t length = out.size();
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, in,
                       input.size()) == 1) {
      out.resize(length);
      return out;
    }
  }
  return Error(ErrorCode::kKeyError, std::string(ToString(alg)) +
                                         " signing failed: " + LastOpenSslError("OpenSSL error"));
}

bool VerifyAsymmetric(const KeyMaterial& key, Algorithm alg, std::string_view input,
                      std::string_view signature) {
  unsigned char der[kMaxEcdsaDer];
  const unsigned char* sig = reinterpret_cast<const unsigned char*>(signature.data());
  std::size_t sig_length = signature.size();
  if (IsEcdsa(alg)) {
    // RFC 7518 §3.4: exactly R||S; a DER signature (or any other length)
    // never verifies, whatever OpenSSL would accept.
    if (signature.size() != 2 * key.ec_coordinate_bytes) return false;
    sig_length = EcdsaRawToDer(signature, der);
    if (sig_length == 0) return false;
    sig = der;
  }
  MdCtxPtr ctx = DigestContext(key, alg, /*sign=*/false);
  if (!ctx) return false;
  const int verified =
      EVP_DigestVerify(ctx.get(), sig, sig_length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size());
  if (verified != 1) ERR_clear_error();
  return verified == 1;
}

}  // namespace

Result<std::string> SignBytes(const Key& key, Algorithm alg, std::string_view input) {
  const KeyMaterial& m = key.material();
  if (!key.CanPerform(alg)) {
    return Error(ErrorCode::kKeyError, "this " + std::string(ToString(m.type)) + " key (" +
                                           std::to_string(m.bits) + " bits) cannot sign " +
                                           std::string(ToString(alg)));
  }
  if (!m.has_private) {
    return Error(ErrorCode::kKeyError, "this " + std::string(ToString(m.type)) +
                                           " key is a public key; signing needs the private key");
  }
  if (IsHmac(alg)) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!Hmac(m, alg, input, mac, &length)) {
      return Error(ErrorCode::kKeyError, std::string(ToString(alg)) + " computation failed");
    }
    return std::string(reinterpret_cast<const char*>(mac), length);
  }
  return SignAsymmetric(m, alg, input);
}

bool VerifyBytes(const Key& key, Algorithm alg, std::string_view input,
                 std::string_view signature) {
  if (!key.CanPerform(alg)) return false;
  const KeyMaterial& m = key.material();
  if (IsHmac(alg)) {
    // The length is public (it is the hash size) and is checked first; only
    // the bytes are compared, in constant time.
    if (signature.size() != static_cast<std::size_t>(EVP_MD_get_size(DigestFor(alg)))) {
      return false;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!Hmac(m, alg, input, mac, &length) || length != signature.size()) return false;
    return CRYPTO_memcmp(mac, signature.data(), length) == 0;
  }
  return VerifyAsymmetric(m, alg, input, signature);
}

}  // namespace tock::internal
