// Parsing PEM blocks and DER: SPKI, PKCS#8, PKCS#1, SEC1 and X.509.
#include <openssl/decoder.h>
#include <openssl/pem.h>

#include "internal/crypto_key.h"
#include "internal/crypto_openssl.h"

namespace tock::internal {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

// NoPassphrase stops OpenSSL from prompting on the terminal for an encrypted
// key: tock never decrypts keys.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

Error EncryptedKey() {
  return KeyError(
      "the PEM private key is encrypted; tock does not decrypt keys (decrypt it first, e.g. "
      "openssl pkey -in KEY -out PLAIN.pem)");
}

// Decode runs an OSSL_DECODER over |data| ("PEM" or "DER") for the keys
// |selection| allows; |type| narrows to one key type (null: any).
EVP_PKEY* Decode(std::string_view data, const char* input, const char* type, int selection) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* ctx =
      OSSL_DECODER_CTX_new_for_pkey(&pkey, input, nullptr, type, selection, nullptr, nullptr);
  if (ctx == nullptr) return nullptr;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t length = data.size();
  if (OSSL_DECODER_from_data(ctx, &bytes, &length) != 1) {
    EVP_PKEY_free(pkey);
    pkey = nullptr;
  }
  OSSL_DECODER_CTX_free(ctx);
  return pkey;
}

Result<std::shared_ptr<KeyMaterial>> FromCertificate(X509* cert, std::string_view what,
                                                     const ParseRules& rules) {
  if (cert == nullptr) {
    return KeyError(std::string(what) + " is not a valid X.509 certificate: " +
                    LastOpenSslError("OpenSSL could not parse it"));
  }
  X509Ptr owned(cert);
  EVP_PKEY* pkey = X509_get_pubkey(owned.get());  // new reference
  if (pkey == nullptr) {
    return KeyError(std::string(what) +
                    " holds no usable public key: " + LastOpenSslError("unknown key type"));
  }
  return MaterialFromPkey(pkey, false, rules);
}

// OpenSshKeyError is out of line: built inline in ParseBlock, GCC 12 warns
// (-Wmaybe-uninitialized, a false positive) about the optional's Result.
[[gnu::noinline]] Error OpenSshKeyError() {
  return KeyError(
      "OpenSSH private keys are not supported; convert with ssh-keygen -p -m PKCS8 -f KEY");
}

std::optional<Result<std::shared_ptr<KeyMaterial>>> ParseBlock(std::string_view label,
                                                               std::string_view block,
                                                               const ParseRules& rules) {
  using R = Result<std::shared_ptr<KeyMaterial>>;
  if (label == "ENCRYPTED PRIVATE KEY") return R(EncryptedKey());
  const bool private_label =
      label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY";
  if (private_label) {
    // Traditional (PKCS#1, SEC1) encryption shows in the headers.
    if (block.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) return R(EncryptedKey());
    BioPtr bio = BioFromView(block);
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
    if (pkey == nullptr) {
      return R(KeyError("PEM block \"" + std::string(label) + "\" is not a valid private key: " +
                        LastOpenSslError("OpenSSL could not parse it")));
    }
    return MaterialFromPkey(pkey, true, rules);
  }
  if (label == "PUBLIC KEY") {
    BioPtr bio = BioFromView(block);
    EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr);
    if (pkey == nullptr) {
      return R(KeyError("PEM block \"PUBLIC KEY\" is not a valid SubjectPublicKeyInfo: " +
                        LastOpenSslError("OpenSSL could not parse it")));
    }
    return MaterialFromPkey(pkey, false, rules);
  }
  if (label == "RSA PUBLIC KEY") {
    EVP_PKEY* pkey = Decode(block, "PEM", "RSA", EVP_PKEY_PUBLIC_KEY);
    if (pkey == nullptr) {
      return R(KeyError("PEM block \"RSA PUBLIC KEY\" is not a valid PKCS#1 public key: " +
                        LastOpenSslError("OpenSSL could not parse it")));
    }
    return MaterialFromPkey(pkey, false, rules);
  }
  if (label == "CERTIFICATE") {
    BioPtr bio = BioFromView(block);
    return FromCertificate(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr),
                           "PEM block \"CERTIFICATE\"", rules);
  }
  if (label == "OPENSSH PRIVATE KEY") return R(OpenSshKeyError());
  return std::nullopt;  // parameters, CSRs, CRLs...: not keys
}

}  // namespace

std::vector<PemBlockResult> ParsePemBlocks(std::string_view text, const ParseRules& rules) {
  std::vector<PemBlockResult> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t begin = text.find(kBegin, pos);
    if (begin == std::string_view::npos) break;
    const std::size_t label_start = begin + kBegin.size();
    const std::size_t label_end = text.find(kDashes, label_start);
    const std::size_t line_end = text.find('\n', label_start);
    if (label_end == std::string_view::npos || label_end > line_end) {
      out.push_back({"", KeyError("a PEM BEGIN line is not terminated by \"-----\"")});
      break;
    }
    std::string label(text.substr(label_start, label_end - label_start));
    const std::string end_line = "-----END " + label + "-----";
    const std::size_t end = text.find(end_line, label_end);
    if (end == std::string_view::npos) {
      out.push_back({label, KeyError("PEM block \"" + label + "\" has no END line")});
      break;
    }
    const std::string_view block = text.substr(begin, end + end_line.size() - begin);
    pos = end + end_line.size();
    auto key = ParseBlock(label, block, rules);
    const bool refused = key && !key->ok() && key->error().code() == ErrorCode::kTooLarge;
    out.push_back({std::move(label), std::move(key)});
    if (refused) break;  // the whole input is refused: parse no more of it
  }
  return out;
}

Result<std::shared_ptr<KeyMaterial>> MaterialFromDer(std::string_view der,
                                                     const ParseRules& rules) {
  if (EVP_PKEY* pkey = Decode(der, "DER", nullptr, EVP_PKEY_KEYPAIR)) {
    return MaterialFromPkey(pkey, true, rules);
  }
  if (EVP_PKEY* pkey = Decode(der, "DER", nullptr, EVP_PKEY_PUBLIC_KEY)) {
    return MaterialFromPkey(pkey, false, rules);
  }
  LastOpenSslError("");
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  if (X509* cert = d2i_X509(nullptr, &bytes, static_cast<long>(der.size()))) {
    return FromCertificate(cert, "DER certificate", rules);
  }
  LastOpenSslError("");
  return KeyError(
      "the DER content is not a key tock can read (PKCS#8, PKCS#1, SEC1, SubjectPublicKeyInfo or "
      "an X.509 certificate; encrypted keys are not supported)");
}

}  // namespace tock::internal
