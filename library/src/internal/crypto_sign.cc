// SignBytes and VerifyBytes for every JOSE algorithm tock implements.
//
// Performance: each key caches, per algorithm, a context that was initialised
// once (digest, padding, key). An RSA/ECDSA/EdDSA call duplicates it, so the
// hot path neither fetches algorithms (a locked lookup in OpenSSL 3) nor
// re-initialises the key, and the cached template is never written after it
// is published. The duplicate goes into a per-thread EVP_MD_CTX that is
// reused call after call (ThreadDigestContext). HMAC goes one step further
// with a per-thread cache of armed contexts (MacCache).
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "internal/crypto.h"
#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"
#include "internal/ecdsa_der.h"
#include "internal/opaque.h"

namespace tock::internal {
namespace {

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

// Hmac writes the MAC of |input| to |out|, which holds at least the hash size.
bool Hmac(const KeyMaterial& key, Algorithm alg, std::string_view input,
          std::span<unsigned char> out, std::size_t* out_length) {
  thread_local MacCache cache;
  EVP_MAC_CTX* ctx = cache.Get(key, alg);
  const bool ok = ctx != nullptr &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()),
                                 input.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), out_length, out.size()) == 1;
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

// ThreadDigestContext is one EVP_MD_CTX per thread for signing and one for
// verifying, reused by every call on that thread: EVP_MD_CTX_copy_ex resets
// it and copies the key's template in, which saves the EVP_MD_CTX_new and
// free each call would otherwise pay. Freed at thread exit.
//
// Key lifetime: the copy holds a reference to the key's EVP_PKEY (through
// its EVP_PKEY_CTX) until the next copy on the same thread. For the verify
// context that is acceptable: a public key kept alive a little longer is
// only memory, and the KeyMaterial still owns its own reference. The sign
// context is reset after every call (SignAsymmetric), so a private key is
// never kept alive by a thread after its KeyMaterial is destroyed. The reset
// frees what the next copy would have freed anyway; it adds only a release
// and a re-take of the digest's reference count.
struct ThreadDigestContext {
  EVP_MD_CTX* ctx = nullptr;
  ThreadDigestContext() = default;
  ThreadDigestContext(const ThreadDigestContext&) = delete;
  ThreadDigestContext& operator=(const ThreadDigestContext&) = delete;
  ~ThreadDigestContext() { EVP_MD_CTX_free(ctx); }
};

// DigestContext returns this thread's |sign| or verify context, armed for
// one EVP_DigestSign/Verify call with |key| and |alg|, or null.
EVP_MD_CTX* DigestContext(const KeyMaterial& key, Algorithm alg, bool sign) {
  thread_local ThreadDigestContext sign_context;
  thread_local ThreadDigestContext verify_context;
  ThreadDigestContext& reused = sign ? sign_context : verify_context;
  if (reused.ctx == nullptr) reused.ctx = EVP_MD_CTX_new();
  EVP_MD_CTX* ctx = reused.ctx;
  if (ctx == nullptr) return nullptr;
  const EVP_MD_CTX* tmpl = DigestTemplate(key, alg, sign);
  if (tmpl != nullptr && EVP_MD_CTX_copy_ex(ctx, tmpl) == 1) return ctx;
  // A provider without context duplication: initialise from scratch.
  ERR_clear_error();
  EVP_MD_CTX_reset(ctx);
  if (!InitDigestContext(ctx, key, alg, sign)) {
    ERR_clear_error();
    EVP_MD_CTX_reset(ctx);
    return nullptr;
  }
  return ctx;
}

// ResetOnExit drops the sign context's reference to the private key when
// SignAsymmetric returns (see ThreadDigestContext).
struct ResetOnExit {
  EVP_MD_CTX* ctx;
  ~ResetOnExit() { EVP_MD_CTX_reset(ctx); }
};

// SignAsymmetric writes the RSA, ECDSA or EdDSA signature of |input| into
// |out|, which holds exactly SignatureSize bytes, and returns its length.
Result<std::size_t> SignAsymmetric(const KeyMaterial& key, Algorithm alg, std::string_view input,
                                   std::span<unsigned char> out) {
  EVP_MD_CTX* ctx = DigestContext(key, alg, /*sign=*/true);
  if (ctx == nullptr) {
    return Error(ErrorCode::kKeyError, "cannot prepare " + std::string(ToString(alg)) +
                                           " signing: " + LastOpenSslError("OpenSSL error"));
  }
  const ResetOnExit reset{ctx};
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (IsEcdsa(alg)) {
    // OpenSSL signs in DER; JOSE wants R||S (RFC 7518 §3.4).
    unsigned char der[kMaxEcdsaDerSize];
    std::size_t length = sizeof(der);
    if (EVP_DigestSign(ctx, der, &length, in, input.size()) == 1) {
      if (EcdsaDerToRaw(std::span<const unsigned char>(der, length), out)) return out.size();
      return Error(ErrorCode::kKeyError,
                   std::string(ToString(alg)) + " signing failed: the " + std::to_string(length) +
                       "-byte DER signature does not hold two integers of at most " +
                       std::to_string(out.size() / 2) + " bytes");
    }
  } else {
    std::size_t length = out.size();
    if (EVP_DigestSign(ctx, out.data(), &length, in, input.size()) == 1) return length;
  }
  return Error(ErrorCode::kKeyError, std::string(ToString(alg)) +
                                         " signing failed: " + LastOpenSslError("OpenSSL error"));
}

bool VerifyAsymmetric(const KeyMaterial& key, Algorithm alg, std::string_view input,
                      std::string_view signature) {
  unsigned char der[kMaxEcdsaDerSize];
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
  EVP_MD_CTX* ctx = DigestContext(key, alg, /*sign=*/false);
  if (ctx == nullptr) return false;
  const int verified = EVP_DigestVerify(
      ctx, sig, sig_length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  if (verified != 1) ERR_clear_error();
  return verified == 1;
}

}  // namespace

std::size_t SignatureSize(const Key& key, Algorithm alg) {
  const KeyMaterial& m = KeyAccess::Material(key);
  if (IsHmac(alg)) return static_cast<std::size_t>(EVP_MD_get_size(DigestFor(alg)));
  if (IsEcdsa(alg)) return 2 * m.ec_coordinate_bytes;
  if (m.pkey == nullptr) return 0;
  return static_cast<std::size_t>(EVP_PKEY_get_size(m.pkey));  // RSA modulus; 64 for Ed25519
}

Result<std::size_t> SignBytesInto(const Key& key, Algorithm alg, std::string_view input,
                                  std::span<unsigned char> out) {
  const KeyMaterial& m = KeyAccess::Material(key);
  if (!key.CanPerform(alg)) {
    return Error(ErrorCode::kKeyError, "this " + std::string(ToString(m.type)) + " key (" +
                                           std::to_string(m.bits) + " bits) cannot sign " +
                                           std::string(ToString(alg)));
  }
  if (!m.has_private) {
    return Error(ErrorCode::kKeyError, "this " + std::string(ToString(m.type)) +
                                           " key is a public key; signing needs the private key");
  }
  const std::size_t size = SignatureSize(key, alg);
  if (size == 0 || out.size() < size) {
    return Error(ErrorCode::kKeyError, "a " + std::string(ToString(alg)) + " signature by this " +
                                           std::to_string(m.bits) + "-bit key takes " +
                                           std::to_string(size) + " bytes; the buffer holds " +
                                           std::to_string(out.size()));
  }
  if (IsHmac(alg)) {
    std::size_t length = 0;
    if (!Hmac(m, alg, input, out, &length)) {
      return Error(ErrorCode::kKeyError, std::string(ToString(alg)) + " computation failed");
    }
    return length;
  }
  return SignAsymmetric(m, alg, input, out.first(size));
}

Result<std::string> SignBytes(const Key& key, Algorithm alg, std::string_view input) {
  std::string signature(key.CanPerform(alg) ? SignatureSize(key, alg) : 0, '\0');
  Result<std::size_t> length =
      SignBytesInto(key, alg, input,
                    std::span<unsigned char>(reinterpret_cast<unsigned char*>(signature.data()),
                                             signature.size()));
  if (!length.ok()) return std::move(length).error();
  signature.resize(*length);
  return signature;
}

bool VerifyBytes(const Key& key, Algorithm alg, std::string_view input,
                 std::string_view signature) {
  if (!key.CanPerform(alg)) return false;
  const KeyMaterial& m = KeyAccess::Material(key);
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
