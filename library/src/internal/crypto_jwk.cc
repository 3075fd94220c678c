// Building EVP_PKEYs from JWK members (RFC 7517, RFC 7518 §6, RFC 8037 §2)
// with EVP_PKEY_fromdata; no deprecated RSA_* / EC_KEY_* calls.
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <vector>

#include "internal/base64url.h"
#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

constexpr std::size_t kMinSecretBytes = 32;
// A 16384-bit modulus is 2048 bytes; anything longer is refused before
// OpenSSL spends time on it.
constexpr std::size_t kMaxRsaModulusBytes = 2048;
constexpr std::size_t kEd25519Bytes = 32;

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

// Decoded holds one decoded member and wipes it when it goes out of scope
// (private members pass through here).
struct Decoded {
  std::optional<std::string> bytes;
  Decoded() = default;
  Decoded(const Decoded&) = delete;
  Decoded& operator=(const Decoded&) = delete;
  ~Decoded() {
    if (bytes) OPENSSL_cleanse(bytes->data(), bytes->size());
  }
  bool present() const { return bytes.has_value(); }
  const std::string& operator*() const { return *bytes; }
  const std::string* operator->() const { return &*bytes; }
};

// ReadMember decodes the base64url member |name| into |out| (left empty when
// absent). An Error when required and absent, or present but not a
// canonical base64url string.
Result<void> ReadMember(const json::object& jwk, std::string_view name, bool required,
                        Decoded& out) {
  const json::value* value = jwk.if_contains(name);
  if (value == nullptr) {
    if (required) return KeyError("member \"" + std::string(name) + "\" is missing");
    return {};
  }
  if (!value->is_string()) return KeyError("member \"" + std::string(name) + "\" is not a string");
  out.bytes.emplace();
  if (!Base64UrlDecodeInto(value->get_string(), *out.bytes)) {
    return KeyError("member \"" + std::string(name) + "\" is not valid base64url");
  }
  return {};
}

// MemberSpec names one member to read: name, required, destination.
struct MemberSpec {
  const char* name;
  bool required;
  Decoded* out;
};

// ParamBuilder wraps OSSL_PARAM_BLD and keeps the BIGNUMs it references
// alive until the parameters are built.
class ParamBuilder {
 public:
  ParamBuilder() : bld_(OSSL_PARAM_BLD_new()) {}

  void Bn(const char* key, std::string_view bytes) {
    BnPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                       static_cast<int>(bytes.size()), nullptr));
    ok_ = ok_ && bld_ && bn && OSSL_PARAM_BLD_push_BN(bld_.get(), key, bn.get()) == 1;
    bns_.push_back(std::move(bn));
  }
  void Utf8(const char* key, const char* value) {
    ok_ = ok_ && bld_ && OSSL_PARAM_BLD_push_utf8_string(bld_.get(), key, value, 0) == 1;
  }
  void Octets(const char* key, std::string_view bytes) {
    ok_ = ok_ && bld_ &&
          OSSL_PARAM_BLD_push_octet_string(bld_.get(), key, bytes.data(), bytes.size()) == 1;
  }
  ParamPtr Build() { return ok_ ? ParamPtr(OSSL_PARAM_BLD_to_param(bld_.get())) : nullptr; }

 private:
  ParamBldPtr bld_;
  std::vector<BnPtr> bns_;
  bool ok_ = true;
};

// FromData makes an EVP_PKEY of |type| ("RSA", "EC") from |params|.
EVP_PKEY* FromData(const char* type, OSSL_PARAM* params, bool has_private) {
  if (params == nullptr) return nullptr;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params) != 1) {
    return nullptr;
  }
  return pkey;
}

Result<std::shared_ptr<KeyMaterial>> RsaFromJwk(const json::object& jwk, const ParseRules& rules) {
  if (jwk.contains("oth")) {
    return KeyError("multi-prime RSA keys (member \"oth\") are not supported");
  }
  Decoded n, e, d, p, q, dp, dq, qi;
  const MemberSpec members[] = {{"n", true, &n},    {"e", true, &e},   {"d", false, &d},
                                {"p", false, &p},   {"q", false, &q},  {"dp", false, &dp},
                                {"dq", false, &dq}, {"qi", false, &qi}};
  for (const auto& [name, required, out] : members) {
    Result<void> read = ReadMember(jwk, name, required, *out);
    if (!read.ok()) return std::move(read).error();
  }
  if (n->empty() || e->empty()) return KeyError("RSA member \"n\" or \"e\" is empty");
  if (n->size() > kMaxRsaModulusBytes) {
    return KeyError("RSA modulus of " + std::to_string(n->size() * 8) +
                    " bits is over the 16384-bit maximum");
  }
  const int crt_count = p.present() + q.present() + dp.present() + dq.present() + qi.present();
  if (crt_count != 0 && (crt_count != 5 || !d.present())) {
    return KeyError(
        "RSA private key members are incomplete: \"d\", \"p\", \"q\", \"dp\", \"dq\" "
        "and \"qi\" go together (RFC 7518 §6.3.2)");
  }
  // Untrusted input: the private members are not used at all (no check).
  const bool use_private = d.present() && !rules.public_only;
  ParamBuilder params;
  params.Bn(OSSL_PKEY_PARAM_RSA_N, *n);
  params.Bn(OSSL_PKEY_PARAM_RSA_E, *e);
  if (use_private) params.Bn(OSSL_PKEY_PARAM_RSA_D, *d);
  if (use_private && crt_count == 5) {
    params.Bn(OSSL_PKEY_PARAM_RSA_FACTOR1, *p);
    params.Bn(OSSL_PKEY_PARAM_RSA_FACTOR2, *q);
    params.Bn(OSSL_PKEY_PARAM_RSA_EXPONENT1, *dp);
    params.Bn(OSSL_PKEY_PARAM_RSA_EXPONENT2, *dq);
    params.Bn(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, *qi);
  }
  ParamPtr built = params.Build();
  EVP_PKEY* pkey = FromData("RSA", built.get(), use_private);
  if (pkey == nullptr) {
    return KeyError("RSA JWK is not a valid key: " + LastOpenSslError("OpenSSL refused it"));
  }
  return MaterialFromPkey(pkey, use_private, rules);
}

Result<std::shared_ptr<KeyMaterial>> EcFromJwk(const json::object& jwk, const ParseRules& rules) {
  const json::value* crv = jwk.if_contains("crv");
  if (crv == nullptr) return KeyError("member \"crv\" is missing");
  if (!crv->is_string()) return KeyError("member \"crv\" is not a string");
  const std::string_view curve = crv->get_string();
  struct Curve {
    std::string_view crv;
    const char* group;
    std::size_t size;
  };
  static constexpr Curve kCurves[] = {
      {"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};
  const Curve* known = nullptr;
  for (const Curve& c : kCurves) {
    if (c.crv == curve) known = &c;
  }
  if (known == nullptr) {
    return KeyError("unknown EC crv \"" + std::string(curve) +
                    "\" (P-256, P-384, P-521 are known)");
  }
  const std::size_t size = known->size;
  const char* group = known->group;
  Decoded x, y, d;
  const MemberSpec members[] = {{"x", true, &x}, {"y", true, &y}, {"d", false, &d}};
  for (const auto& [name, required, out] : members) {
    Result<void> read = ReadMember(jwk, name, required, *out);
    if (!read.ok()) return std::move(read).error();
    // RFC 7518 §6.2.1.2/§6.2.2.1: each is exactly the coordinate size.
    if (out->present() && out->bytes->size() != size) {
      return KeyError("EC member \"" + std::string(name) + "\" is " +
                      std::to_string(out->bytes->size()) + " bytes; " + std::string(curve) +
                      " needs exactly " + std::to_string(size));
    }
  }
  const std::string point = "\x04" + *x + *y;  // SEC1 uncompressed point
  const bool use_private = d.present() && !rules.public_only;
  ParamBuilder params;
  params.Utf8(OSSL_PKEY_PARAM_GROUP_NAME, group);
  params.Octets(OSSL_PKEY_PARAM_PUB_KEY, point);
  if (use_private) params.Bn(OSSL_PKEY_PARAM_PRIV_KEY, *d);
  ParamPtr built = params.Build();
  EVP_PKEY* pkey = FromData("EC", built.get(), use_private);
  if (pkey == nullptr) {
    LastOpenSslError("");
    return KeyError("EC public key (x, y) is not a valid point on curve " + std::string(curve));
  }
  // MaterialFromPkey checks that d belongs to (x, y).
  return MaterialFromPkey(pkey, use_private, rules);
}

Result<std::shared_ptr<KeyMaterial>> OkpFromJwk(const json::object& jwk, const ParseRules& rules) {
  const json::value* crv = jwk.if_contains("crv");
  if (crv == nullptr) return KeyError("member \"crv\" is missing");
  if (!crv->is_string()) return KeyError("member \"crv\" is not a string");
  if (crv->get_string() != "Ed25519") {
    return KeyError("unknown OKP crv \"" + std::string(crv->get_string()) +
                    "\" (only Ed25519 is supported for signatures)");
  }
  Decoded x, d;
  const MemberSpec members[] = {{"x", true, &x}, {"d", false, &d}};
  for (const auto& [name, required, out] : members) {
    Result<void> read = ReadMember(jwk, name, required, *out);
    if (!read.ok()) return std::move(read).error();
    if (out->present() && out->bytes->size() != kEd25519Bytes) {
      return KeyError("Ed25519 member \"" + std::string(name) + "\" is " +
                      std::to_string(out->bytes->size()) + " bytes; it must be 32");
    }
  }
  const auto* x_bytes = reinterpret_cast<const unsigned char*>(x->data());
  if (!d.present() || rules.public_only) {
    EVP_PKEY* pkey =
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, x_bytes, kEd25519Bytes);
    if (pkey == nullptr) return KeyError("Ed25519 public key \"x\" is not valid");
    return MaterialFromPkey(pkey, false);
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr,
                                               reinterpret_cast<const unsigned char*>(d->data()),
                                               kEd25519Bytes));
  unsigned char derived[kEd25519Bytes];
  std::size_t length = sizeof(derived);
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), derived, &length) != 1) {
    LastOpenSslError("");
    return KeyError("Ed25519 private key \"d\" is not valid");
  }
  // RFC 8037 §2: x must be the public key of d.
  if (length != kEd25519Bytes || CRYPTO_memcmp(derived, x_bytes, kEd25519Bytes) != 0) {
    return KeyError("Ed25519 private key \"d\" does not match the public key \"x\"");
  }
  return MaterialFromPkey(pkey.release(), true);
}

Result<std::shared_ptr<KeyMaterial>> OctFromJwk(const json::object& jwk) {
  Decoded k;
  Result<void> read = ReadMember(jwk, "k", true, k);
  if (!read.ok()) return std::move(read).error();
  // RFC 7518 §3.2: an HMAC key is at least as long as the hash output.
  if (k->size() < kMinSecretBytes) {
    return KeyError("HMAC key \"k\" is " + std::to_string(k->size()) +
                    " bytes; at least 32 bytes (256 bits) are required (RFC 7518 §3.2)");
  }
  return MaterialFromSecret(*k);
}

}  // namespace

Result<std::shared_ptr<KeyMaterial>> MaterialFromJwk(const json::object& jwk, std::string_view kty,
                                                     const ParseRules& rules) {
  if (kty == "RSA") return RsaFromJwk(jwk, rules);
  if (kty == "EC") return EcFromJwk(jwk, rules);
  if (kty == "OKP") return OkpFromJwk(jwk, rules);
  if (kty == "oct") return OctFromJwk(jwk);
  return KeyError("unknown kty \"" + std::string(kty) + "\"");
}

}  // namespace tock::internal
