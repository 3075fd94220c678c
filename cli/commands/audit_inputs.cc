// The audit's inputs: --only, the trusted and signing keys, and the
// baseline every attack token copies its claims from.
#include "commands/audit_inputs.h"

#include <algorithm>
#include <boost/json.hpp>

#include "render/escape.h"
#include "tock/app/files.h"
#include "tock/app/key_type.h"

namespace tock::cli::audit {

Result<std::set<std::string>> ParseOnly(const std::string& text) {
  std::set<std::string> only;
  std::size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string name =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto& all = ClassNames();
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      std::string list;
      for (const std::string& c : all) list += (list.empty() ? "" : ", ") + c;
      return UsageError("--only: no class named \"" + EscapeControls(name) +
                        "\"; the classes are " + list + ".");
    }
    only.insert(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return only;
}

namespace {

// LoadSignKey loads the optional signing key, its algorithm and its kid.
Result<void> LoadSignKey(const AuditOptions& o, AuditKeys& keys) {
  int sources = (o.sign_key_file.empty() ? 0 : 1) + static_cast<int>(o.secret_opt->count() > 0) +
                static_cast<int>(o.secret_file_opt->count() > 0) +
                static_cast<int>(o.secret_b64_opt->count() > 0);
  if (sources > 1) {
    return UsageError("give one signing key: --sign-key, --secret, --secret-file or --secret-b64.");
  }
  std::vector<Result<Key>> sign;
  if (!o.sign_key_file.empty()) {
    Result<std::vector<Key>> file = LoadKeyFileWithNotes(o.out, o.sign_key_file);
    if (!file.ok()) return std::move(file).error();
    for (const Key& k : *file) {
      if (k.has_private()) sign.push_back(k);
    }
    if (sign.empty()) {
      return Error(ErrorCode::kKeyError,
                   "--sign-key " + o.sign_key_file + " holds no private key.");
    }
  }
  if (o.secret_opt->count() > 0) sign.push_back(Key::FromSecret(o.secret));
  if (o.secret_file_opt->count() > 0) {
    Result<std::string> bytes = ReadFile(o.secret_file);
    if (!bytes.ok()) return std::move(bytes).error();
    sign.push_back(Key::FromSecret(*bytes));
  }
  if (o.secret_b64_opt->count() > 0) sign.push_back(Key::FromSecretBase64Url(o.secret_b64));
  if (sign.empty()) return {};
  if (!sign.front().ok()) return sign.front().error();
  keys.sign_key = *sign.front();
  keys.sign_alg = DefaultAlgorithm(*keys.sign_key);
  if (!o.sign_alg.empty()) {
    Result<Algorithm> alg = ParseAlgorithmOption("--alg", o.sign_alg);
    if (!alg.ok()) return std::move(alg).error();
    if (!keys.sign_key->CanPerform(*alg)) {
      return Error(ErrorCode::kKeyError, "the signing key cannot sign with " + o.sign_alg + ".");
    }
    keys.sign_alg = *alg;
  }
  // The kid by `tock sign`'s rule: the JWK's own, else the thumbprint.
  if (o.kid_opt->count() > 0) {
    keys.sign_kid = o.kid;
  } else if (keys.sign_key->kid()) {
    keys.sign_kid = keys.sign_key->kid();
  } else if (keys.sign_key->type() != KeyType::kOct) {
    keys.sign_kid = keys.sign_key->Thumbprint();
  }
  return {};
}

}  // namespace

Result<AuditKeys> LoadAuditKeys(const AuditOptions& o) {
  AuditKeys keys;
  KeySourceOptions trusted;
  trusted.key_files = o.key_files;
  trusted.jwks = o.jwks;
  if (trusted.SourceCount() == 0) {
    return UsageError(
        "audit needs the validator's public keys: give --jwks FILE|URL or --key PUBFILE.");
  }
  Result<std::vector<Key>> loaded = trusted.Load(o.out);
  if (!loaded.ok()) return std::move(loaded).error();
  keys.trusted = std::move(*loaded);
  if (!o.key_files.empty()) {
    Result<std::string> text = ReadFile(o.key_files.front());
    if (text.ok() && text->rfind("-----BEGIN", 0) == 0) keys.trusted_pem_text = *text;
  }
  if (Result<void> r = LoadSignKey(o, keys); !r.ok()) return std::move(r).error();
  return keys;
}

namespace {

// ApplyClaimFlags lets --iss, --aud, --sub, --claim override the baseline's.
Result<void> ApplyClaimFlags(const AuditOptions& o, Baseline& b) {
  if (o.iss_opt->count() > 0) b.claims.SetString("iss", o.iss);
  if (o.sub_opt->count() > 0) b.claims.SetString("sub", o.sub);
  if (!o.audiences.empty()) b.claims.SetAudiences(o.audiences);
  for (const std::string& assignment : o.claims) {
    Result<std::pair<std::string, std::string>> kv = SplitAssignment("--claim", assignment);
    if (!kv.ok()) return std::move(kv).error();
    b.claims.SetClaimFromText(kv->first, kv->second);
  }
  if (o.typ_opt->count() > 0) b.typ = o.typ;
  b.has_aud = b.has_aud || !o.audiences.empty();
  return {};
}

Result<Baseline> BaselineFromToken(const AuditOptions& o) {
  Result<std::string> token = ReadToken(o.token);
  if (!token.ok()) return std::move(token).error();
  Result<UnverifiedView> view = InspectUnverified(*token);
  if (!view.ok()) return UsageError("--token does not decode: " + view.error().message());
  Baseline b;
  b.token = *token;
  b.header_json = view->HeaderJson();
  if (Result<void> r = b.claims.MergeClaimsJson(view->PayloadJson()); !r.ok()) return r.error();
  boost::system::error_code ec;
  boost::json::value payload = boost::json::parse(view->PayloadJson(), ec);
  b.has_aud = !ec && payload.is_object() && payload.as_object().contains("aud");
  b.had_jti = view->StringClaim("jti").has_value();
  std::optional<double> iat = view->NumberClaim("iat"), exp = view->NumberClaim("exp");
  if (iat && exp && *exp > *iat)
    b.lifetime_s = std::min<std::int64_t>(600, std::int64_t(*exp - *iat));
  for (const char* claim : {"iat", "nbf", "exp", "jti"}) b.claims.RemoveClaim(claim);
  b.kid = view->StringHeader("kid");
  b.typ = view->StringHeader("typ");
  if (Result<void> r = ApplyClaimFlags(o, b); !r.ok()) return r.error();
  return b;
}

}  // namespace

Result<Baseline> MakeBaseline(const AuditOptions& o, const AuditKeys& keys, UnixSeconds now) {
  if (!o.token.empty()) return BaselineFromToken(o);
  if (!keys.sign_key) {
    return UsageError(
        "audit needs a token the validator accepts: give --token TOKEN, or "
        "--sign-key FILE / --secret* to make one.");
  }
  Baseline b;
  b.typ = "JWT";
  b.had_jti = true;
  b.kid = keys.sign_kid;
  if (Result<void> r = ApplyClaimFlags(o, b); !r.ok()) return r.error();
  TokenBuilder builder = StampedClaims(b, now);
  builder.SetType(b.typ);
  builder.SetKid(keys.sign_kid);
  Result<std::string> token = builder.Sign(*keys.sign_key, keys.sign_alg);
  if (!token.ok()) return std::move(token).error();
  b.token = *token;
  Result<UnverifiedView> view = InspectUnverified(b.token);
  if (!view.ok()) return std::move(view).error();
  b.header_json = view->HeaderJson();
  return b;
}

}  // namespace tock::cli::audit
