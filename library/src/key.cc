#include "tock/key.h"

#include <array>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "internal/crypto_key.h"
#include "internal/json.h"
#include "internal/opaque.h"

namespace tock {
namespace {

constexpr std::size_t kMinSecretBytes = 32;

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

std::string_view SkipLeadingSpace(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string_view::npos ? std::string_view() : text.substr(start);
}

// KeyMaterialReason names why |secret| is key material rather than a
// secret; nullopt when it looks like an ordinary secret. Using a public key
// as an HMAC secret is the classic algorithm-confusion mistake.
std::optional<std::string> KeyMaterialReason(std::string_view secret) {
  const std::string_view text = SkipLeadingSpace(secret);
  if (text.starts_with("-----BEGIN")) return "it is a PEM block";
  for (std::string_view prefix : {"ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss "}) {
    if (text.starts_with(prefix)) return "it is an OpenSSH public key";
  }
  // Only text that really is a JSON object counts: a random secret may
  // start with '{' (1 in 256).
  if (text.starts_with("{") && internal::ParseJsonObject(secret).ok()) {
    return "it is a JSON object (a JWK?)";
  }
  return std::nullopt;
}

// JsonMember appends ,"name":"value" (or without the comma when first).
void JsonMember(std::string& out, std::string_view name, std::string_view value) {
  if (out.size() > 1) out += ',';
  internal::AppendJsonString(out, name);
  out += ':';
  internal::AppendJsonString(out, value);
}

// AppendKeyMembers appends "kty" and the public members of |m|.
void AppendKeyMembers(std::string& out, const internal::KeyMaterial& m) {
  JsonMember(out, "kty", ToString(m.type));
  for (const auto& [name, value] : internal::ThumbprintMembers(m)) {
    if (name != "kty") JsonMember(out, name, value);
  }
}

}  // namespace

std::string_view ToString(KeyType type) {
  switch (type) {
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEc:
      return "EC";
    case KeyType::kOkp:
      return "OKP";
    case KeyType::kOct:
      return "oct";
  }
  return "unknown";
}

Key::Key(std::shared_ptr<const void> material) : material_(std::move(material)) {}

Result<Key> Key::FromSecret(std::string_view secret) {
  if (auto reason = KeyMaterialReason(secret)) {
    return KeyError("the HMAC secret looks like key material: " + *reason +
                    ". A public key is never an HMAC secret; pass keys with --key or --jwks");
  }
  if (secret.size() < kMinSecretBytes) {
    return KeyError("the HMAC secret is " + std::to_string(secret.size()) +
                    " bytes; at least 32 bytes (256 bits) are required (RFC 7518 §3.2)");
  }
  return KeyAccess::Make(internal::MaterialFromSecret(secret));
}

Result<Key> Key::FromSecretBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::optional<std::string> bytes = internal::Base64UrlDecode(text);
  if (!bytes) {
    return Error(ErrorCode::kUsage,
                 "the secret is not canonical base64url: use the alphabet A-Z a-z 0-9 - _");
  }
  return FromSecret(*bytes);
}

KeyType Key::type() const { return KeyAccess::Material(*this).type; }
std::string_view Key::curve() const { return KeyAccess::Material(*this).curve; }
int Key::bits() const { return KeyAccess::Material(*this).bits; }
bool Key::has_private() const { return KeyAccess::Material(*this).has_private; }
const std::optional<std::string>& Key::kid() const { return KeyAccess::Material(*this).kid; }
std::optional<Algorithm> Key::alg() const { return KeyAccess::Material(*this).alg; }
const std::optional<std::string>& Key::use() const { return KeyAccess::Material(*this).use; }

bool Key::CanPerform(Algorithm alg) const {
  const internal::KeyMaterial& m = KeyAccess::Material(*this);
  if (m.alg && !SameAlgorithm(*m.alg, alg)) return false;
  switch (alg) {
    case Algorithm::kHS256:
      return m.type == KeyType::kOct && m.secret.size() >= 32;
    case Algorithm::kHS384:
      return m.type == KeyType::kOct && m.secret.size() >= 48;
    case Algorithm::kHS512:
      return m.type == KeyType::kOct && m.secret.size() >= 64;
    case Algorithm::kRS256:
    case Algorithm::kRS384:
    case Algorithm::kRS512:
    case Algorithm::kPS256:
    case Algorithm::kPS384:
    case Algorithm::kPS512:
      return m.type == KeyType::kRsa && m.bits >= 2048;
    case Algorithm::kES256:
      return m.type == KeyType::kEc && m.ec_coordinate_bytes == 32;
    case Algorithm::kES384:
      return m.type == KeyType::kEc && m.ec_coordinate_bytes == 48;
    case Algorithm::kES512:
      return m.type == KeyType::kEc && m.ec_coordinate_bytes == 66;
    case Algorithm::kEdDSA:
    case Algorithm::kEd25519:
      return m.type == KeyType::kOkp && m.curve == "Ed25519";
  }
  return false;
}

std::vector<Algorithm> Key::Algorithms() const {
  std::vector<Algorithm> out;
  for (Algorithm alg : AllAlgorithms()) {
    if (CanPerform(alg)) out.push_back(alg);
  }
  return out;
}

Algorithm internal::DefaultAlgorithm(const Key& key) {
  const internal::KeyMaterial& m = KeyAccess::Material(key);
  if (m.alg) return *m.alg;
  switch (m.type) {
    case KeyType::kRsa:
      return Algorithm::kRS256;
    case KeyType::kEc:
      return m.ec_coordinate_bytes == 48   ? Algorithm::kES384
             : m.ec_coordinate_bytes == 66 ? Algorithm::kES512
                                           : Algorithm::kES256;
    case KeyType::kOkp:
      return Algorithm::kEdDSA;
    case KeyType::kOct:
      return Algorithm::kHS256;
  }
  return Algorithm::kHS256;
}

std::string Key::Thumbprint() const { return KeyAccess::Material(*this).thumbprint; }

Result<std::string> Key::PublicJwk(std::optional<std::string> kid,
                                   std::optional<Algorithm> alg) const {
  const internal::KeyMaterial& m = KeyAccess::Material(*this);
  if (m.type == KeyType::kOct) {
    return KeyError("an HMAC secret has no public half: it cannot be published as a JWK");
  }
  if (alg && !CanPerform(*alg)) {
    return KeyError("this " + std::string(ToString(m.type)) + " key cannot perform " +
                    std::string(ToString(*alg)));
  }
  if (!kid) kid = m.kid;
  if (!alg) alg = m.alg;
  std::string out = "{";
  AppendKeyMembers(out, m);
  if (kid) JsonMember(out, "kid", *kid);
  JsonMember(out, "use", "sig");
  if (alg) JsonMember(out, "alg", ToString(*alg));
  out += '}';
  return out;
}

Result<std::string> Key::PrivatePem() const {
  return internal::PrivatePkcs8Pem(KeyAccess::Material(*this));
}

Result<std::string> Key::PrivateJwk() const {
  const internal::KeyMaterial& m = KeyAccess::Material(*this);
  if (!m.has_private) return KeyError("the key has no private part to export");
  std::string out = "{";
  if (m.type == KeyType::kOct) {
    JsonMember(out, "kty", "oct");
  } else {
    AppendKeyMembers(out, m);
  }
  for (const auto& [name, value] : internal::PrivateMembers(m)) JsonMember(out, name, value);
  if (m.kid) JsonMember(out, "kid", *m.kid);
  if (m.use) JsonMember(out, "use", *m.use);
  if (m.alg) JsonMember(out, "alg", ToString(*m.alg));
  out += '}';
  return out;
}

Key Key::WithKid(std::string kid) const {
  return KeyAccess::Make(internal::CopyWithKid(KeyAccess::Material(*this), std::move(kid)));
}

Result<Key> GenerateKey(Algorithm alg) {
  Result<std::shared_ptr<internal::KeyMaterial>> made = Error(ErrorCode::kKeyError, "");
  switch (alg) {
    case Algorithm::kHS256:
    case Algorithm::kHS384:
    case Algorithm::kHS512: {
      // Straight to the material: random bytes may start with '{' and must
      // not meet FromSecret's key-material check.
      const std::size_t size = alg == Algorithm::kHS256 ? 32 : alg == Algorithm::kHS384 ? 48 : 64;
      return KeyAccess::Make(internal::MaterialFromSecret(internal::RandomBytes(size)));
    }
    case Algorithm::kRS256:
    case Algorithm::kRS384:
    case Algorithm::kRS512:
    case Algorithm::kPS256:
    case Algorithm::kPS384:
    case Algorithm::kPS512:
      made = internal::GenerateRsa(2048);
      break;
    case Algorithm::kES256:
      made = internal::GenerateEc("P-256");
      break;
    case Algorithm::kES384:
      made = internal::GenerateEc("P-384");
      break;
    case Algorithm::kES512:
      made = internal::GenerateEc("P-521");
      break;
    case Algorithm::kEdDSA:
    case Algorithm::kEd25519:
      made = internal::GenerateEd25519();
      break;
  }
  if (!made.ok()) return std::move(made).error();
  return KeyAccess::Make(std::move(made).value());
}

namespace {

Result<Key> MadeKey(Result<std::shared_ptr<internal::KeyMaterial>> made) {
  if (!made.ok()) return std::move(made).error();
  return KeyAccess::Make(std::move(made).value());
}

}  // namespace

Result<Key> GenerateRsaKey(int bits) { return MadeKey(internal::GenerateRsa(bits)); }

Result<Key> GenerateEcKey(std::string_view curve) { return MadeKey(internal::GenerateEc(curve)); }

Result<Key> GenerateEd25519Key() { return MadeKey(internal::GenerateEd25519()); }

}  // namespace tock
