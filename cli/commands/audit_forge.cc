// The audit's forging helper (audit_forge.h). The one file of the CLI that
// calls OpenSSL directly (tests/hygiene allows exactly this file): the
// forgeries here are what the library's crypto layer must never produce.
#include "commands/audit_forge.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <boost/json.hpp>
#include <memory>

namespace tock::cli::audit {
namespace {

namespace json = boost::json;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size > 0 ? static_cast<std::size_t>(size) : 0);
}

const EVP_MD* HmacDigest(int bits) {
  return bits == 512 ? EVP_sha512() : bits == 384 ? EVP_sha384() : EVP_sha256();
}

std::string Hmac(int bits, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // An empty key is legal HMAC (RFC 2104 pads it with zeros): the point of
  // the kid-as-path case (/dev/null reads as no bytes).
  static const unsigned char kNoKey = 0;
  HMAC(HmacDigest(bits), key.empty() ? &kNoKey : Bytes(key), static_cast<int>(key.size()),
       Bytes(data), data.size(), mac, &size);
  return std::string(reinterpret_cast<char*>(mac), size);
}

Result<json::object> JwkObject(const std::string& jwk_text) {
  boost::system::error_code ec;
  json::value v = json::parse(jwk_text, ec);
  if (ec || !v.is_object()) return KeyError("the key's JWK is not a JSON object.");
  return v.as_object();
}

Result<std::string> JwkMember(const json::object& jwk, std::string_view name) {
  const json::value* v = jwk.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return KeyError("the key's JWK has no \"" + std::string(name) + "\".");
  }
  return B64UrlDecode(v->as_string());
}

// PkeyFromParams builds a public EVP_PKEY of |type| ("RSA", "EC").
Result<PkeyPtr> PkeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return KeyError(std::string("OpenSSL cannot rebuild the ") + type + " public key.");
  }
  return PkeyPtr(pkey);
}

Result<PkeyPtr> RsaPublic(const json::object& jwk) {
  Result<std::string> n = JwkMember(jwk, "n");
  Result<std::string> e = JwkMember(jwk, "e");
  if (!n.ok()) return std::move(n).error();
  if (!e.ok()) return std::move(e).error();
  BnPtr bn_n(BN_bin2bn(Bytes(*n), static_cast<int>(n->size()), nullptr));
  BnPtr bn_e(BN_bin2bn(Bytes(*e), static_cast<int>(e->size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  return PkeyFromParams("RSA", bld.get());
}

Result<PkeyPtr> EcPublic(const json::object& jwk, std::string_view curve) {
  Result<std::string> x = JwkMember(jwk, "x");
  Result<std::string> y = JwkMember(jwk, "y");
  if (!x.ok()) return std::move(x).error();
  if (!y.ok()) return std::move(y).error();
  const char* group = curve == "P-256"   ? "prime256v1"
                      : curve == "P-384" ? "secp384r1"
                                         : "secp521r1";
  std::string point = "\x04" + *x + *y;  // uncompressed SEC 1 point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  return PkeyFromParams("EC", bld.get());
}

Result<PkeyPtr> PublicPkey(const Key& key, const json::object& jwk) {
  switch (key.type()) {
    case KeyType::kRsa:
      return RsaPublic(jwk);
    case KeyType::kEc:
      return EcPublic(jwk, key.curve());
    case KeyType::kOkp: {
      Result<std::string> x = JwkMember(jwk, "x");
      if (!x.ok()) return std::move(x).error();
      EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(*x), x->size());
      if (pkey == nullptr) return KeyError("OpenSSL cannot rebuild the Ed25519 public key.");
      return PkeyPtr(pkey);
    }
    case KeyType::kOct:
      break;
  }
  return KeyError("an HMAC secret has no public half to confuse.");
}

std::string SpkiPem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), pkey);
  return BioText(bio.get());
}

std::string Pkcs1Pem(EVP_PKEY* pkey) {
  std::unique_ptr<OSSL_ENCODER_CTX, Deleter<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free>> ctx(
      OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr));
  unsigned char* data = nullptr;
  std::size_t size = 0;
  if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &size) != 1) return "";
  std::string text(reinterpret_cast<char*>(data), size);
  OPENSSL_free(data);
  return text;
}

std::string SpkiDer(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(pkey, &der);
  if (size <= 0) return "";
  std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return bytes;
}

Result<PkeyPtr> PrivatePkey(const Key& key) {
  Result<std::string> pem = key.PrivatePem();
  if (!pem.ok()) return std::move(pem).error();
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) return KeyError("OpenSSL cannot read the signing key.");
  return PkeyPtr(pkey);
}

const EVP_MD* DigestOf(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS384:
    case Algorithm::kPS384:
    case Algorithm::kES384:
      return EVP_sha384();
    case Algorithm::kRS512:
    case Algorithm::kPS512:
    case Algorithm::kES512:
      return EVP_sha512();
    case Algorithm::kEdDSA:
    case Algorithm::kEd25519:
      return nullptr;  // Ed25519 hashes internally
    default:
      return EVP_sha256();
  }
}

// EcdsaDerToJose turns OpenSSL's DER ECDSA signature into r || s, each
// left-padded to the coordinate size (RFC 7518 §3.4).
Result<std::string> EcdsaDerToJose(const std::string& der, int coordinate_bytes) {
  const unsigned char* p = Bytes(der);
  std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return KeyError("OpenSSL made an unreadable ECDSA signature.");
  std::string out(2 * static_cast<std::size_t>(coordinate_bytes), '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, coordinate_bytes);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + coordinate_bytes, coordinate_bytes);
  return out;
}

Result<std::string> HmacSign(const Key& key, Algorithm alg, std::string_view input) {
  Result<std::string> jwk_text = key.PrivateJwk();
  if (!jwk_text.ok()) return std::move(jwk_text).error();
  Result<json::object> jwk = JwkObject(*jwk_text);
  if (!jwk.ok()) return std::move(jwk).error();
  Result<std::string> secret = JwkMember(*jwk, "k");
  if (!secret.ok()) return std::move(secret).error();
  int bits = alg == Algorithm::kHS512 ? 512 : alg == Algorithm::kHS384 ? 384 : 256;
  return Hmac(bits, *secret, input);
}

}  // namespace

std::string B64Url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes),
                             static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(size));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

Result<std::string> B64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return Error(ErrorCode::kUsage, "not base64url text.");
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  std::size_t padding = (4 - standard.size() % 4) % 4;
  if (padding == 3) return Error(ErrorCode::kUsage, "not base64url text (bad length).");
  standard.append(padding, '=');
  std::string out(standard.size() / 4 * 3, '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(standard),
                             static_cast<int>(standard.size()));
  if (size < 0) return Error(ErrorCode::kUsage, "not base64url text.");
  out.resize(static_cast<std::size_t>(size) - padding);
  return out;
}

std::string Compact(std::string_view header_json, std::string_view payload_json,
                    std::string_view signature) {
  return B64Url(header_json) + "." + B64Url(payload_json) + "." + B64Url(signature);
}

std::string HmacToken(std::string_view header_json, std::string_view payload_json, int bits,
                      std::string_view key_bytes) {
  std::string input = B64Url(header_json) + "." + B64Url(payload_json);
  return input + "." + B64Url(Hmac(bits, key_bytes, input));
}

Result<std::vector<KeyForm>> PublicKeyForms(const Key& key, std::string_view file_pem) {
  Result<std::string> jwk_text = key.PublicJwk(key.kid());
  if (!jwk_text.ok()) return std::move(jwk_text).error();
  Result<json::object> jwk = JwkObject(*jwk_text);
  if (!jwk.ok()) return std::move(jwk).error();
  Result<PkeyPtr> pkey = PublicPkey(key, *jwk);
  if (!pkey.ok()) return std::move(pkey).error();
  std::vector<KeyForm> forms;
  std::string pem = SpkiPem(pkey->get());
  forms.push_back({"spki_pem", pem});
  if (!pem.empty() && pem.back() == '\n')
    forms.push_back({"spki_pem_no_newline", pem.substr(0, pem.size() - 1)});
  if (key.type() == KeyType::kRsa) forms.push_back({"pkcs1_pem", Pkcs1Pem(pkey->get())});
  forms.push_back({"der", SpkiDer(pkey->get())});
  forms.push_back({"jwk", *jwk_text});
  const bool rsa = key.type() == KeyType::kRsa;
  Result<std::string> raw = JwkMember(*jwk, rsa ? "n" : "x");
  if (raw.ok()) forms.push_back({rsa ? "raw_n" : "raw_x", *raw});
  bool known = file_pem.empty();
  for (const KeyForm& form : forms) known = known || form.bytes == file_pem;
  if (!known) forms.push_back({"pem_file", std::string(file_pem)});
  return forms;
}

std::string ZeroEcdsaSignature(int bits, bool der) {
  if (der) return std::string("\x30\x06\x02\x01\x00\x02\x01\x00", 8);
  std::size_t coordinate = bits == 521 ? 66 : static_cast<std::size_t>(bits) / 8;
  return std::string(2 * coordinate, '\0');
}

Result<std::string> SignInput(const Key& key, Algorithm alg, std::string_view signing_input) {
  if (!key.CanPerform(alg)) {
    return KeyError("the signing key cannot sign with " + std::string(ToString(alg)) + ".");
  }
  if (key.type() == KeyType::kOct) return HmacSign(key, alg, signing_input);
  Result<PkeyPtr> pkey = PrivatePkey(key);
  if (!pkey.ok()) return std::move(pkey).error();
  MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md || EVP_DigestSignInit(md.get(), &pctx, DigestOf(alg), nullptr, pkey->get()) != 1) {
    return KeyError("OpenSSL cannot start signing.");
  }
  bool pss = alg == Algorithm::kPS256 || alg == Algorithm::kPS384 || alg == Algorithm::kPS512;
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return KeyError("OpenSSL cannot set up RSA-PSS.");
  }
  std::size_t size = 0;
  if (EVP_DigestSign(md.get(), nullptr, &size, Bytes(signing_input), signing_input.size()) != 1) {
    return KeyError("OpenSSL cannot sign.");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     Bytes(signing_input), signing_input.size()) != 1) {
    return KeyError("OpenSSL cannot sign.");
  }
  signature.resize(size);
  if (key.type() != KeyType::kEc) return signature;
  return EcdsaDerToJose(signature, (key.bits() + 7) / 8);
}

Result<std::string> SelfSignedCertPem(const Key& key, UnixSeconds now) {
  Result<PkeyPtr> pkey = PrivatePkey(key);
  if (!pkey.ok()) return std::move(pkey).error();
  X509Ptr cert(X509_new());
  if (!cert) return KeyError("OpenSSL cannot make a certificate.");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(now - 3600));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(now + 86400));
  X509_set_pubkey(cert.get(), pkey->get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("tock audit"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), pkey->get(), EVP_sha256()) <= 0) {
    return KeyError("OpenSSL cannot sign the certificate.");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  return BioText(bio.get());
}

}  // namespace tock::cli::audit
