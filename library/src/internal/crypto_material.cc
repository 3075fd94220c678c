// Wrapping parsed EVP_PKEYs and secrets into KeyMaterial, and exporting their
// JWK members and PEM form.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstring>

#include "internal/base64url.h"
#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"

namespace tock::internal {
namespace {

constexpr int kMinRsaBits = 2048;

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

// JoseCurve maps OpenSSL's group name to the JOSE "crv" name and the size of
// one coordinate in bytes.
std::optional<std::pair<std::string, std::size_t>> JoseCurve(std::string_view group) {
  if (group == "prime256v1" || group == "P-256" || group == "secp256r1") {
    return std::make_pair(std::string("P-256"), std::size_t{32});
  }
  if (group == "secp384r1" || group == "P-384")
    return std::make_pair(std::string("P-384"), std::size_t{48});
  if (group == "secp521r1" || group == "P-521")
    return std::make_pair(std::string("P-521"), std::size_t{66});
  return std::nullopt;
}

Result<void> DescribeRsa(const EVP_PKEY* pkey, KeyMaterial& m, const ParseRules& rules) {
  m.type = KeyType::kRsa;
  m.bits = EVP_PKEY_get_bits(pkey);
  if (m.bits < kMinRsaBits) {
    return KeyError("RSA key of " + std::to_string(m.bits) + " bits is under the " +
                    std::to_string(kMinRsaBits) + "-bit minimum");
  }
  if (rules.max_rsa_bits < kMaxRsaBits && m.bits > rules.max_rsa_bits) {
    return Error(ErrorCode::kTooLarge, "RSA key of " + std::to_string(m.bits) +
                                           " bits is over the " +
                                           std::to_string(rules.max_rsa_bits) +
                                           "-bit limit for keys sent over the network");
  }
  if (m.bits > kMaxRsaBits) {
    return KeyError("RSA key of " + std::to_string(m.bits) + " bits is over the " +
                    std::to_string(kMaxRsaBits) + "-bit maximum");
  }
  // An even or trivial public exponent is not an RSA key anyone generated;
  // e = 1 would make every "signature" equal to its padded digest.
  std::optional<std::string> e = BnParam(pkey, OSSL_PKEY_PARAM_RSA_E);
  if (!e || e->empty() || (static_cast<unsigned char>(e->back()) & 1) == 0 ||
      (e->size() == 1 && static_cast<unsigned char>((*e)[0]) < 3)) {
    return KeyError("RSA public exponent is not an odd number of at least 3");
  }
  return {};
}

Result<void> DescribeEc(const EVP_PKEY* pkey, KeyMaterial& m) {
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &length) != 1) {
    LastOpenSslError("");
    return KeyError("EC key without a named curve (explicit parameters) is not supported");
  }
  auto curve = JoseCurve(std::string_view(group, length));
  if (!curve) {
    return KeyError("EC curve " + std::string(group, length) +
                    " is not supported (P-256, P-384 and P-521 are)");
  }
  m.type = KeyType::kEc;
  m.curve = curve->first;
  m.ec_coordinate_bytes = curve->second;
  m.bits = EVP_PKEY_get_bits(pkey);
  // The point must lie on the curve (invalid-curve attacks); decoders check
  // this already, and the check is cheap enough to make sure.
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(pkey), nullptr));
  if (!ctx || EVP_PKEY_public_check_quick(ctx.get()) != 1) {
    LastOpenSslError("");
    return KeyError("EC public key is not a valid point on curve " + m.curve);
  }
  return {};
}

// HasPairToCheck says whether EVP_PKEY_pairwise_check can judge |pkey|:
// always for EC and Ed25519; for RSA only with its prime factors, which a
// JWK may leave out (RFC 7518 §6.3.2: n, e and d suffice), and without
// which OpenSSL's check fails every key.
bool HasPairToCheck(const EVP_PKEY* pkey) {
  if (!EVP_PKEY_is_a(pkey, "RSA")) return true;
  BIGNUM* p = nullptr;
  const bool has_factors = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) == 1;
  BN_clear_free(p);
  ERR_clear_error();
  return has_factors;
}

// PublicHalf returns the public key of |pkey| (its SubjectPublicKeyInfo read
// back), so nothing private is kept and nothing is checked.
PkeyPtr PublicHalf(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(pkey, &der);
  if (length <= 0) return nullptr;
  const unsigned char* cursor = der;
  PkeyPtr out(d2i_PUBKEY(nullptr, &cursor, length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::shared_ptr<KeyMaterial> MaterialFromSecret(std::string_view secret) {
  auto m = std::make_shared<KeyMaterial>();
  m->type = KeyType::kOct;
  m->secret.assign(secret.data(), secret.size());
  m->bits = static_cast<int>(secret.size() * 8);
  m->has_private = true;
  m->thumbprint = ComputeThumbprint(ThumbprintMembers(*m));
  return m;
}

Result<std::shared_ptr<KeyMaterial>> MaterialFromPkey(EVP_PKEY* raw, bool has_private,
                                                      const ParseRules& rules) {
  PkeyPtr pkey(raw);
  if (!pkey) return KeyError("no key was parsed");
  auto m = std::make_shared<KeyMaterial>();
  Result<void> described;
  if (EVP_PKEY_is_a(pkey.get(), "RSA")) {
    described = DescribeRsa(pkey.get(), *m, rules);
  } else if (EVP_PKEY_is_a(pkey.get(), "RSA-PSS")) {
    described = KeyError(
        "RSA-PSS-restricted keys (id-RSASSA-PSS) are not supported; use a plain RSA key for PS256, "
        "PS384 and PS512");
  } else if (EVP_PKEY_is_a(pkey.get(), "EC")) {
    described = DescribeEc(pkey.get(), *m);
  } else if (EVP_PKEY_is_a(pkey.get(), "ED25519")) {
    m->type = KeyType::kOkp;
    m->curve = "Ed25519";
    m->bits = 256;
  } else {
    const char* name = EVP_PKEY_get0_type_name(pkey.get());
    described = KeyError(std::string("key type ") + (name ? name : "unknown") +
                         " is not supported (RSA, EC P-256/P-384/P-521 and Ed25519 are)");
  }
  if (!described.ok()) return std::move(described).error();
  if (has_private && rules.public_only) {
    // Untrusted input: a pairwise check of an RSA key tests its primes,
    // seconds of CPU for a large key; the public half needs no check.
    pkey = PublicHalf(pkey.get());
    if (!pkey) {
      return KeyError("cannot take the public half of the private key: " +
                      LastOpenSslError("OpenSSL refused it"));
    }
    has_private = false;
  }
  if (has_private && HasPairToCheck(pkey.get())) {
    // Every private key carries its public half too (a JWK's x and y or n
    // and e, SEC1's optional point, PKCS#1's n and e); a mismatched pair
    // signs tokens that its own public key, and the JWKS published from it,
    // never verify. One check here for every format (fuzz_keys found PEM
    // keys that escaped a JWK-only check).
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!ctx || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
      const std::string reason = LastOpenSslError("");
      return KeyError("the private key does not match its public key" +
                      (reason.empty() ? std::string() : " (OpenSSL: " + reason + ")") +
                      "; the key is corrupt or was assembled from two keys");
    }
  }
  m->has_private = has_private;
  m->pkey = pkey.release();
  m->thumbprint = ComputeThumbprint(ThumbprintMembers(*m));
  return m;
}

std::shared_ptr<KeyMaterial> CopyWithKid(const KeyMaterial& source, std::string kid) {
  auto m = std::make_shared<KeyMaterial>();
  m->type = source.type;
  m->curve = source.curve;
  m->bits = source.bits;
  m->has_private = source.has_private;
  m->kid = std::move(kid);
  m->use = source.use;
  m->alg = source.alg;
  if (source.pkey != nullptr && EVP_PKEY_up_ref(source.pkey) == 1) m->pkey = source.pkey;
  m->secret = source.secret;
  m->ec_coordinate_bytes = source.ec_coordinate_bytes;
  m->thumbprint = source.thumbprint;
  return m;
}

std::vector<JwkMember> ThumbprintMembers(const KeyMaterial& key) {
  // RFC 7638 §3.2: the required members only, in lexicographic order.
  std::vector<JwkMember> out;
  switch (key.type) {
    case KeyType::kRsa:
      out.emplace_back("e", Base64UrlEncode(BnParam(key.pkey, OSSL_PKEY_PARAM_RSA_E).value_or("")));
      out.emplace_back("kty", "RSA");
      out.emplace_back("n", Base64UrlEncode(BnParam(key.pkey, OSSL_PKEY_PARAM_RSA_N).value_or("")));
      break;
    case KeyType::kEc: {
      const int width = static_cast<int>(key.ec_coordinate_bytes);
      out.emplace_back("crv", key.curve);
      out.emplace_back("kty", "EC");
      out.emplace_back(
          "x", Base64UrlEncode(BnParam(key.pkey, OSSL_PKEY_PARAM_EC_PUB_X, width).value_or("")));
      out.emplace_back(
          "y", Base64UrlEncode(BnParam(key.pkey, OSSL_PKEY_PARAM_EC_PUB_Y, width).value_or("")));
      break;
    }
    case KeyType::kOkp: {
      unsigned char raw[32];
      std::size_t length = sizeof(raw);
      std::string x;
      if (EVP_PKEY_get_raw_public_key(key.pkey, raw, &length) == 1) {
        x.assign(reinterpret_cast<const char*>(raw), length);
      }
      out.emplace_back("crv", key.curve);
      out.emplace_back("kty", "OKP");
      out.emplace_back("x", Base64UrlEncode(x));
      break;
    }
    case KeyType::kOct:
      out.emplace_back("k", Base64UrlEncode(key.secret));
      out.emplace_back("kty", "oct");
      break;
  }
  return out;
}

std::vector<JwkMember> PrivateMembers(const KeyMaterial& key) {
  std::vector<JwkMember> out;
  if (!key.has_private) return out;
  auto add = [&](const char* name, const char* param, int width = 0) {
    std::optional<std::string> value = BnParam(key.pkey, param, width);
    if (value) {
      out.emplace_back(name, Base64UrlEncode(*value));
      OPENSSL_cleanse(value->data(), value->size());
    }
  };
  switch (key.type) {
    case KeyType::kRsa:
      // RFC 7518 §6.3.2; the CRT members only when the key has them.
      add("d", OSSL_PKEY_PARAM_RSA_D);
      add("p", OSSL_PKEY_PARAM_RSA_FACTOR1);
      add("q", OSSL_PKEY_PARAM_RSA_FACTOR2);
      add("dp", OSSL_PKEY_PARAM_RSA_EXPONENT1);
      add("dq", OSSL_PKEY_PARAM_RSA_EXPONENT2);
      add("qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
      break;
    case KeyType::kEc:
      // RFC 7518 §6.2.2.1: d is the full coordinate size.
      add("d", OSSL_PKEY_PARAM_PRIV_KEY, static_cast<int>(key.ec_coordinate_bytes));
      break;
    case KeyType::kOkp: {
      unsigned char raw[32];
      std::size_t length = sizeof(raw);
      if (EVP_PKEY_get_raw_private_key(key.pkey, raw, &length) == 1) {
        out.emplace_back("d",
                         Base64UrlEncode(std::string_view(reinterpret_cast<char*>(raw), length)));
      }
      OPENSSL_cleanse(raw, sizeof(raw));
      break;
    }
    case KeyType::kOct:
      out.emplace_back("k", Base64UrlEncode(key.secret));
      break;
  }
  return out;
}

Result<std::string> PrivatePkcs8Pem(const KeyMaterial& key) {
  if (key.type == KeyType::kOct) {
    return KeyError("an HMAC secret has no PEM form; export it as a JWK instead");
  }
  if (!key.has_private) return KeyError("the key has no private part to export");
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key.pkey, nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return KeyError("cannot write the private key as PKCS#8 PEM: " +
                    LastOpenSslError("unknown OpenSSL error"));
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace tock::internal
