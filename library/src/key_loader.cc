#include "tock/key_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "internal/crypto_key.h"
#include "internal/discovery.h"
#include "internal/http_fetch.h"
#include "internal/json.h"
#include "internal/opaque.h"
#include "internal/read_file.h"
#include "tock/limits.h"

namespace tock {
namespace {

namespace json = boost::json;
using internal::KeyMaterial;

Error KeyError(std::string message) { return Error(ErrorCode::kKeyError, std::move(message)); }

std::string_view SkipLeadingSpace(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string_view::npos ? std::string_view() : text.substr(start);
}

std::string Quoted(std::string_view text) {
  std::string out;
  internal::AppendJsonString(out, text);
  return out;
}

// OptionalString reads member |name|: nullopt when absent, an Error when it
// is present but not a string.
Result<std::optional<std::string>> OptionalString(const json::object& jwk, std::string_view name) {
  const json::value* value = jwk.if_contains(name);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return KeyError("member \"" + std::string(name) + "\" is not a string");
  return std::optional<std::string>(std::string(value->get_string()));
}

// CheckKeyOps refuses a JWK whose "key_ops" allow neither signing nor
// verifying (RFC 7517 §4.3).
Result<void> CheckKeyOps(const json::object& jwk) {
  const json::value* ops = jwk.if_contains("key_ops");
  if (ops == nullptr) return {};
  if (!ops->is_array()) return KeyError("member \"key_ops\" is not an array");
  bool signature_op = false;
  for (const json::value& op : ops->get_array()) {
    if (!op.is_string()) return KeyError("member \"key_ops\" holds a non-string");
    signature_op = signature_op || op.get_string() == "sign" || op.get_string() == "verify";
  }
  if (!signature_op) return KeyError("\"key_ops\" allows neither \"sign\" nor \"verify\"");
  return {};
}

// LoadJwk builds one key from a JWK object, applying the spec's rules for
// members that are not usable signature keys.
Result<Key> LoadJwk(const json::object& jwk, const KeyLoadOptions& options,
                    const internal::ParseRules& rules) {
  const KeyOrigin origin = options.origin;
  const json::value* kty_value = jwk.if_contains("kty");
  if (kty_value == nullptr) return KeyError("member \"kty\" is missing");
  if (!kty_value->is_string()) return KeyError("member \"kty\" is not a string");
  const std::string_view kty = kty_value->get_string();
  if (kty != "RSA" && kty != "EC" && kty != "OKP" && kty != "oct") {
    return KeyError("unknown kty " + Quoted(kty));
  }
  if (kty == "oct" && origin == KeyOrigin::kRemote) {
    return KeyError("oct (HMAC secret) key ignored: keys published at a URL are never secrets");
  }
  auto kid = OptionalString(jwk, "kid");
  if (!kid.ok()) return std::move(kid).error();
  auto use = OptionalString(jwk, "use");
  if (!use.ok()) return std::move(use).error();
  if (*use && **use != "sig") {
    return KeyError("\"use\" is " + Quoted(**use) + (**use == "enc" ? " (an encryption key)" : "") +
                    "; only signature keys are used");
  }
  Result<void> ops = CheckKeyOps(jwk);
  if (!ops.ok()) return std::move(ops).error();
  auto alg_name = OptionalString(jwk, "alg");
  if (!alg_name.ok()) return std::move(alg_name).error();
  std::optional<Algorithm> alg;
  if (*alg_name) {
    alg = ParseAlgorithm(**alg_name);
    if (!alg) {
      return KeyError("\"alg\" " + Quoted(**alg_name) +
                      " is not a signature algorithm tock implements");
    }
  }
  auto material = internal::MaterialFromJwk(jwk, kty, rules);
  if (!material.ok()) return std::move(material).error();
  std::shared_ptr<KeyMaterial> m = std::move(material).value();
  m->kid = std::move(*kid);
  m->use = std::move(*use);
  m->alg = alg;
  Key key = KeyAccess::Make(std::move(m));
  if (alg && !key.CanPerform(*alg)) {
    return KeyError("\"alg\" " + Quoted(ToString(*alg)) + " does not fit this " +
                    std::string(ToString(key.type())) + " key (" + std::to_string(key.bits()) +
                    " bits)");
  }
  return key;
}

std::string MemberLabel(std::size_t index, const json::value& member) {
  std::string label = "keys[" + std::to_string(index) + "]";
  if (member.is_object()) {
    if (const json::value* kid = member.get_object().if_contains("kid"); kid && kid->is_string()) {
      label += " (kid " + Quoted(kid->get_string()) + ")";
    }
  }
  return label;
}

Error NothingUsable(std::string_view what, const std::vector<std::string>& notes) {
  std::string message = std::string(what) + " holds no usable key";
  for (std::size_t i = 0; i < notes.size(); ++i) message += (i == 0 ? ": " : "; ") + notes[i];
  return KeyError(std::move(message));
}

// RulesOf turns the public options into the crypto layer's parse rules.
internal::ParseRules RulesOf(const KeyLoadOptions& options) {
  internal::ParseRules rules;
  if (options.untrusted) {
    rules.public_only = true;
    rules.max_rsa_bits = std::min(options.max_rsa_bits, internal::kMaxRsaBits);
  }
  return rules;
}

// Refused keeps the code of a failure that refuses the whole input
// (kTooLarge: an RSA key over the untrusted limit) and prefixes its message.
Error Refused(const std::string& prefix, const Error& error) {
  const ErrorCode code =
      error.code() == ErrorCode::kTooLarge ? ErrorCode::kTooLarge : ErrorCode::kKeyError;
  return Error(code, prefix + error.message());
}

Result<LoadedKeys> LoadJson(std::string_view content, const KeyLoadOptions& options) {
  const internal::ParseRules rules = RulesOf(options);
  auto parsed = internal::ParseJsonObject(content);
  if (!parsed.ok())
    return KeyError("the key document is not valid JSON: " + parsed.error().message());
  const json::object& object = *parsed;
  const json::value* keys = object.if_contains("keys");
  LoadedKeys out;
  if (keys == nullptr) {  // a single JWK: its failure is the error
    auto key = LoadJwk(object, options, rules);
    if (!key.ok()) return Refused("the JWK is not usable: ", key.error());
    out.keys.push_back(std::move(key).value());
    return out;
  }
  if (!keys->is_array()) return KeyError("the JWKS member \"keys\" is not an array");
  const json::array& members = keys->get_array();
  if (members.empty()) return KeyError("the JWKS has no keys");
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string label = MemberLabel(i, members[i]);
    if (!members[i].is_object()) {
      out.notes.push_back(label + " skipped: not a JSON object");
      continue;
    }
    auto key = LoadJwk(members[i].get_object(), options, rules);
    if (!key.ok() && key.error().code() == ErrorCode::kTooLarge) {
      return Refused(label + ": ", key.error());
    }
    if (!key.ok()) {
      out.notes.push_back(label + " skipped: " + key.error().message());
      continue;
    }
    out.keys.push_back(std::move(key).value());
  }
  if (out.keys.empty()) return NothingUsable("the JWKS", out.notes);
  return out;
}

// AddPemKey appends |key|, or merges it with an earlier key of the same
// thumbprint (a certificate next to its private key), keeping the private.
void AddPemKey(std::vector<Key>& keys, Key key) {
  for (Key& existing : keys) {
    if (existing.Thumbprint() == key.Thumbprint()) {
      if (key.has_private() && !existing.has_private()) existing = std::move(key);
      return;
    }
  }
  keys.push_back(std::move(key));
}

Result<LoadedKeys> LoadPem(std::string_view content, const KeyLoadOptions& options) {
  std::vector<internal::PemBlockResult> blocks =
      internal::ParsePemBlocks(content, RulesOf(options));
  std::size_t key_blocks = 0;
  for (const auto& block : blocks) key_blocks += block.key.has_value();
  LoadedKeys out;
  for (auto& block : blocks) {
    if (!block.key) {
      if (block.label != "EC PARAMETERS") {  // openssl ecparam -genkey writes one
        out.notes.push_back("PEM block " + Quoted(block.label) + " skipped: not a key");
      }
      continue;
    }
    if (!block.key->ok()) {
      if (key_blocks == 1) return std::move(*block.key).error();
      if (block.key->error().code() == ErrorCode::kTooLarge) {
        return Refused("PEM block " + Quoted(block.label) + ": ", block.key->error());
      }
      out.notes.push_back("PEM block " + Quoted(block.label) +
                          " skipped: " + block.key->error().message());
      continue;
    }
    AddPemKey(out.keys, KeyAccess::Make(std::move(*block.key).value()));
  }
  if (out.keys.empty()) return NothingUsable("the PEM input", out.notes);
  return out;
}

}  // namespace

Result<LoadedKeys> LoadKeys(std::string_view content, KeyOrigin origin) {
  KeyLoadOptions options;
  options.origin = origin;
  return LoadKeys(content, options);
}

Result<LoadedKeys> LoadKeys(std::string_view content, const KeyLoadOptions& options) {
  if (content.size() > kMaxKeyDocumentBytes) {
    return KeyError("the key document is " + std::to_string(content.size()) +
                    " bytes; the limit is " + std::to_string(kMaxKeyDocumentBytes));
  }
  const std::string_view text = SkipLeadingSpace(content);
  if (text.empty()) return KeyError("the key input is empty");
  if (text.front() == '{') return LoadJson(text, options);
  if (text.find("-----BEGIN ") != std::string_view::npos) return LoadPem(text, options);
  if (internal::IsDerLike(content)) {
    auto material = internal::MaterialFromDer(content, RulesOf(options));
    if (!material.ok()) return std::move(material).error();
    LoadedKeys out;
    out.keys.push_back(KeyAccess::Make(std::move(material).value()));
    return out;
  }
  return KeyError("the key input is not PEM, DER, a JWK or a JWKS");
}

Result<std::string> internal::ReadFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return Error(ErrorCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  std::string content;
  char buffer[16384];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    content.append(buffer, n);
    if (content.size() > kMaxKeyDocumentBytes) {
      return Error(ErrorCode::kIoError, path + " is larger than the " +
                                            std::to_string(kMaxKeyDocumentBytes) + "-byte limit");
    }
    if (n < sizeof(buffer)) break;
  }
  if (std::ferror(file.get())) {
    return Error(ErrorCode::kIoError, "cannot read " + path + ": " + std::strerror(errno));
  }
  return content;
}

Result<LoadedKeys> LoadKeyFile(const std::string& path) {
  auto content = internal::ReadFile(path);
  if (!content.ok()) return std::move(content).error();
  auto loaded = LoadKeys(*content, KeyOrigin::kLocal);
  if (!loaded.ok()) return KeyError(path + ": " + loaded.error().message());
  return loaded;
}

namespace {

// FetchBody is FetchDocument without the max-age.
Result<std::string> FetchBody(const std::string& url, const FetchOptions& options) {
  auto fetched = internal::HttpGet(url, options.timeout_s, options.max_bytes);
  if (!fetched.ok()) return std::move(fetched).error();
  return std::move(fetched->body);
}

}  // namespace

Result<FetchedDocument> FetchDocument(const std::string& url, const FetchOptions& options) {
  auto fetched = internal::HttpGet(url, options.timeout_s, options.max_bytes);
  if (!fetched.ok()) return std::move(fetched).error();
  return FetchedDocument{std::move(fetched->body), fetched->max_age_s};
}

Result<std::string> DiscoverJwksUri(const std::string& issuer, const FetchOptions& options) {
  const std::string url = internal::DiscoveryUrl(issuer);
  auto body = FetchBody(url, options);
  if (!body.ok()) return std::move(body).error();
  return internal::JwksUriOf(issuer, url, *body);
}

Result<LoadedKeys> FetchJwks(const std::string& url, const FetchOptions& options) {
  auto body = FetchBody(url, options);
  if (!body.ok()) return std::move(body).error();
  auto loaded = LoadKeys(*body, KeyOrigin::kRemote);
  if (!loaded.ok()) return KeyError("JWKS at " + url + ": " + loaded.error().message());
  return loaded;
}

}  // namespace tock
