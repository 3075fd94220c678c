// The catalogue's classes whose tokens carry a real signature: by a key the
// audit makes for itself (embedded_jwk, remote_key_url), or by --sign-key, a
// key the validator trusts (crit, claims, policy, oversized). TokenBuilder
// signs them wherever it can; only payloads it cannot express (a duplicate
// member, 1,000-deep nesting) go through the forging helper.
#include <string>
#include <vector>

#include "commands/audit_cases_internal.h"
#include "commands/audit_forge.h"
#include "tock/app/json_writer.h"

namespace tock::cli::audit {
namespace {

constexpr std::string_view kWrongAudience = "https://tock-audit.invalid/wrong-audience";
constexpr std::string_view kWrongIssuer = "https://tock-audit.invalid/wrong-issuer";
constexpr std::int64_t kHour = 3600;

Result<std::string> SignOwn(TokenBuilder builder, const std::optional<std::string>& typ,
                            const Key& key, Algorithm alg) {
  builder.SetType(typ);
  builder.SetKid(key.Thumbprint());
  return builder.Sign(key, alg);
}

Result<void> EmbeddedJwk(const CatalogueInputs& in, const Key& rsa, std::vector<AttackCase>& out) {
  Result<Key> ec = GenerateKey(Algorithm::kES256);
  if (!ec.ok()) return std::move(ec).error();
  for (auto [key, alg] : {std::pair{&rsa, Algorithm::kRS256}, {&*ec, Algorithm::kES256}}) {
    TokenBuilder builder = StampedClaims(*in.baseline, in.now);
    Result<std::string> jwk = key->PublicJwk(key->Thumbprint());
    if (!jwk.ok()) return std::move(jwk).error();
    if (Result<void> r = builder.SetHeaderFromText("jwk", *jwk); !r.ok()) return r;
    Result<std::string> token = SignOwn(builder, in.baseline->typ, *key, alg);
    if (!token.ok()) return std::move(token).error();
    out.push_back(MakeCase("embedded_jwk", std::string(ToString(alg)), *token));
  }
  return {};
}

// RemoteKeyUrl names the listener in jku (a JWKS of the audit's key) and x5u
// (its self-signed certificate): accepted means the validator trusts keys
// from wherever a token points; a fetch alone is SSRF.
Result<void> RemoteKeyUrl(const CatalogueInputs& in, const Key& rsa, Catalogue& catalogue) {
  Result<std::string> jwk = rsa.PublicJwk(rsa.Thumbprint(), Algorithm::kRS256);
  if (!jwk.ok()) return std::move(jwk).error();
  Result<std::string> cert = SelfSignedCertPem(rsa, in.now);
  if (!cert.ok()) return std::move(cert).error();
  struct Member {
    std::string header, path;
    Document document;
  };
  const Member members[] = {
      {"jku", in.path_prefix + "/jku.json", {"application/json", "{\"keys\":[" + *jwk + "]}"}},
      {"x5u", in.path_prefix + "/x5u.pem", {"application/pem-certificate-chain", *cert}}};
  for (const Member& m : members) {
    TokenBuilder builder = StampedClaims(*in.baseline, in.now);
    std::string url = in.callback_base + m.path;
    if (Result<void> r = builder.SetHeaderFromText(m.header, JsonString(url)); !r.ok()) return r;
    Result<std::string> token = SignOwn(builder, in.baseline->typ, rsa, Algorithm::kRS256);
    if (!token.ok()) return std::move(token).error();
    AttackCase c = MakeCase("remote_key_url", m.header, *token);
    c.fetch_path = m.path;
    catalogue.cases.push_back(std::move(c));
    catalogue.documents[m.path] = m.document;
  }
  return {};
}

// Signer signs tokens with --sign-key, the way the baseline was signed.
struct Signer {
  const CatalogueInputs& in;

  Result<std::string> Sign(TokenBuilder builder) const {
    builder.SetType(in.baseline->typ);
    builder.SetKid(in.keys->sign_kid);
    return builder.Sign(*in.keys->sign_key, in.keys->sign_alg);
  }
  // SignPayloadText signs claims given as JSON text, for payloads the
  // builder cannot hold.
  Result<std::string> SignPayloadText(const std::string& payload_json) const {
    std::string header =
        HeaderJson(ToString(in.keys->sign_alg), in.baseline->typ, in.keys->sign_kid);
    std::string input = B64Url(header) + "." + B64Url(payload_json);
    Result<std::string> signature = SignInput(*in.keys->sign_key, in.keys->sign_alg, input);
    if (!signature.ok()) return std::move(signature).error();
    return input + "." + B64Url(*signature);
  }
  TokenBuilder Claims() const { return StampedClaims(*in.baseline, in.now); }
};

// Case names per class, for listing them as skipped without --sign-key.
const std::vector<std::pair<std::string, std::vector<std::string>>>& SignKeyCaseNames() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kNames = {
      {"crit", {"unknown_crit", "b64_false"}},
      {"claims", {"expired", "not_yet_valid", "wrong_aud", "wrong_iss"}},
      {"policy", {"no_exp", "iat_future", "lifetime_1y", "duplicate_aud"}}};
  return kNames;
}

using Made = std::vector<std::pair<std::string, Result<std::string>>>;

Made Crit(const Signer& s) {
  TokenBuilder unknown = s.Claims();
  (void)unknown.SetHeaderFromText("crit", R"(["tock-audit-ext"])");
  (void)unknown.SetHeaderFromText("tock-audit-ext", "true");
  // RFC 7797: with b64 false the signing input holds the raw payload. This
  // token is signed over the usual base64url payload, so a validator that
  // implements b64 refuses it for its signature and one that does not must
  // refuse it for the crit it does not understand.
  TokenBuilder b64 = s.Claims();
  (void)b64.SetHeaderFromText("b64", "false");
  (void)b64.SetHeaderFromText("crit", R"(["b64"])");
  return {{"unknown_crit", s.Sign(unknown)}, {"b64_false", s.Sign(b64)}};
}

Made Claims(const Signer& s, UnixSeconds now, std::int64_t ttl) {
  TokenBuilder expired = s.Claims();
  expired.StampTimes(now - kHour - ttl, Lifetime{ttl, 60, 0, false});
  TokenBuilder early = s.Claims();
  early.SetNumber("nbf", now + kHour);
  early.SetNumber("exp", now + kHour + ttl);
  TokenBuilder aud = s.Claims();
  aud.SetAudiences({std::string(kWrongAudience)});
  TokenBuilder iss = s.Claims();
  iss.SetString("iss", kWrongIssuer);
  return {{"expired", s.Sign(expired)},
          {"not_yet_valid", s.Sign(early)},
          {"wrong_aud", s.Sign(aud)},
          {"wrong_iss", s.Sign(iss)}};
}

Made Policy(const Signer& s, UnixSeconds now, std::int64_t ttl) {
  TokenBuilder no_exp = s.Claims();
  no_exp.RemoveClaim("exp");
  TokenBuilder future = s.Claims();
  future.SetNumber("iat", now + kHour);
  future.SetNumber("exp", now + kHour + ttl);
  TokenBuilder year = s.Claims();
  year.SetNumber("exp", now + 365 * 24 * kHour);
  Made made = {
      {"no_exp", s.Sign(no_exp)}, {"iat_future", s.Sign(future)}, {"lifetime_1y", s.Sign(year)}};
  if (s.in.baseline->has_aud) {
    // A wrong aud, then the good one last: RFC 7519 §4 lets a parser keep the
    // last duplicate, so accepting this is policy; taking the first is a bug.
    std::string payload = s.Claims().PayloadJson();
    payload.insert(1, "\"aud\":" + JsonString(kWrongAudience) + ",");
    made.push_back({"duplicate_aud", s.SignPayloadText(payload)});
  }
  return made;
}

// Oversized tokens are signed when a key is given; without one they carry
// the baseline's signature, which still makes the validator parse them.
Made Oversized(const CatalogueInputs& in, const Signer& s) {
  bool signed_ = in.keys->sign_key.has_value();
  TokenBuilder padded = s.Claims();
  padded.SetString("tock_audit_padding", std::string(48 * 1024, 'A'));  // 64 KiB encoded
  std::string nested = s.Claims().PayloadJson();
  nested.insert(1,
                "\"tock_audit_nesting\":" + std::string(1000, '[') + std::string(1000, ']') + ",");
  auto unsigned_token = [&](const std::string& payload) -> Result<std::string> {
    std::string_view t = in.baseline->token;
    return std::string(t.substr(0, t.find('.'))) + "." + B64Url(payload) +
           std::string(t.substr(t.rfind('.')));
  };
  return {{"64kib_token", signed_ ? s.Sign(padded) : unsigned_token(padded.PayloadJson())},
          {"1000_deep_nesting", signed_ ? s.SignPayloadText(nested) : unsigned_token(nested)}};
}

Result<void> Append(const std::string& klass, Made made, std::vector<AttackCase>& out) {
  for (auto& [name, token] : made) {
    if (!token.ok()) return std::move(token).error();
    out.push_back(MakeCase(klass, name, *token));
  }
  return {};
}

}  // namespace

Result<void> AddOwnKeyClasses(const CatalogueInputs& in, const ClassFilter& wanted,
                              Catalogue& catalogue) {
  if (!wanted("embedded_jwk") && !wanted("remote_key_url")) return {};
  Result<Key> rsa = GenerateKey(Algorithm::kRS256);
  if (!rsa.ok()) return std::move(rsa).error();
  if (wanted("embedded_jwk")) {
    if (Result<void> r = EmbeddedJwk(in, *rsa, catalogue.cases); !r.ok()) return r;
  }
  if (wanted("remote_key_url")) return RemoteKeyUrl(in, *rsa, catalogue);
  return {};
}

Result<void> AddSignKeyClasses(const CatalogueInputs& in, const ClassFilter& wanted,
                               Catalogue& catalogue) {
  const Signer signer{in};
  const std::int64_t ttl = in.baseline->lifetime_s;
  for (const auto& [klass, names] : SignKeyCaseNames()) {
    if (!wanted(klass)) continue;
    if (!in.keys->sign_key) {
      for (const std::string& name : names) {
        catalogue.cases.push_back(
            SkippedCase(klass, name, "needs --sign-key or --secret*: a key the validator trusts"));
      }
      continue;
    }
    Made made = klass == "crit"     ? Crit(signer)
                : klass == "claims" ? Claims(signer, in.now, ttl)
                                    : Policy(signer, in.now, ttl);
    if (Result<void> r = Append(klass, std::move(made), catalogue.cases); !r.ok()) return r;
    if (klass == "policy" && !in.baseline->has_aud) {
      catalogue.cases.push_back(
          SkippedCase("policy", "duplicate_aud", "the baseline has no aud to duplicate"));
    }
  }
  if (wanted("oversized")) return Append("oversized", Oversized(in, signer), catalogue.cases);
  return {};
}

}  // namespace tock::cli::audit
