// The forged classes of the catalogue: tokens no honest key signed
// (alg_none, signature, hmac_key_confusion, ecdsa_zero, kid_injection). The
// classes signed with a real key are in audit_cases_signed.cc.
#include "commands/audit_cases.h"

#include <boost/json.hpp>

#include "commands/audit_cases_internal.h"
#include "commands/audit_forge.h"

namespace tock::cli::audit {
namespace {

namespace json = boost::json;

// The trusted public keys hmac_key_confusion keys its MACs with: the one the
// baseline's kid names, else the first three (spec).
std::vector<Key> ConfusionKeys(const CatalogueInputs& in) {
  std::vector<Key> asymmetric;
  for (const Key& key : in.keys->trusted) {
    if (key.type() == KeyType::kOct) continue;
    if (in.baseline->kid && key.kid() == in.baseline->kid) return {key};
    asymmetric.push_back(key);
  }
  if (asymmetric.size() > 3) asymmetric.erase(asymmetric.begin() + 3, asymmetric.end());
  return asymmetric;
}

// BaselineHeaderWithAlg is the baseline's header with "alg" replaced.
std::string BaselineHeaderWithAlg(const Baseline& baseline, std::string_view alg) {
  boost::system::error_code ec;
  json::value header = json::parse(baseline.header_json, ec);
  json::object out;
  out["alg"] = alg;
  if (!ec && header.is_object()) {
    for (const auto& member : header.as_object()) {
      if (member.key() != "alg") out[member.key()] = member.value();
    }
  }
  return json::serialize(out);
}

std::vector<std::string_view> Parts(std::string_view token) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != token.npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

void AlgNone(const CatalogueInputs& in, std::vector<AttackCase>& out) {
  std::vector<std::string_view> parts = Parts(in.baseline->token);
  for (std::string_view alg : {"none", "None", "NONE", "nOnE"}) {
    std::string head =
        B64Url(BaselineHeaderWithAlg(*in.baseline, alg)) + "." + std::string(parts[1]) + ".";
    out.push_back(MakeCase("alg_none", std::string(alg) + "_empty_signature", head));
    out.push_back(MakeCase("alg_none", std::string(alg) + "_original_signature",
                           head + std::string(parts[2])));
  }
}

void Signature(const CatalogueInputs& in, std::vector<AttackCase>& out) {
  std::vector<std::string_view> parts = Parts(in.baseline->token);
  std::string signing_input = std::string(parts[0]) + "." + std::string(parts[1]);
  out.push_back(MakeCase("signature", "stripped", signing_input + "."));
  Result<std::string> signature = B64UrlDecode(parts[2]);
  std::string sig = signature.ok() ? *signature : std::string();
  if (sig.size() >= 2) {
    out.push_back(MakeCase("signature", "truncated",
                           signing_input + "." + B64Url(sig.substr(0, sig.size() / 2))));
    std::string flipped = sig;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
    out.push_back(MakeCase("signature", "bit_flipped", signing_input + "." + B64Url(flipped)));
  }
  // The claims changed (one member added) under the original signature.
  Result<std::string> payload = B64UrlDecode(parts[1]);
  boost::system::error_code ec;
  json::value claims = json::parse(payload.ok() ? *payload : "", ec);
  if (!ec && claims.is_object()) {
    claims.as_object()["tock_audit_tampered"] = true;
    out.push_back(MakeCase("signature", "payload_changed",
                           std::string(parts[0]) + "." + B64Url(json::serialize(claims)) + "." +
                               std::string(parts[2])));
  }
}

Result<void> HmacKeyConfusion(const CatalogueInputs& in, std::vector<AttackCase>& out) {
  std::vector<Key> keys = ConfusionKeys(in);
  if (keys.empty()) {
    out.push_back(SkippedCase("hmac_key_confusion", "public_key",
                              "the trusted keys hold no public key (only HMAC secrets)"));
    return {};
  }
  std::string payload = StampedClaims(*in.baseline, in.now).PayloadJson();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Result<std::vector<KeyForm>> forms = PublicKeyForms(keys[i], in.keys->trusted_pem_text);
    if (!forms.ok()) return std::move(forms).error();
    std::optional<std::string> kid = keys[i].kid() ? keys[i].kid() : in.baseline->kid;
    std::string suffix = keys.size() > 1 ? "_key" + std::to_string(i + 1) : "";
    for (int bits : {256, 384, 512}) {
      std::string alg = "HS" + std::to_string(bits);
      std::string header = HeaderJson(alg, in.baseline->typ, kid);
      for (const KeyForm& form : *forms) {
        out.push_back(MakeCase("hmac_key_confusion", alg + "_" + form.name + suffix,
                               HmacToken(header, payload, bits, form.bytes)));
      }
    }
  }
  return {};
}

void EcdsaZero(const CatalogueInputs& in, std::vector<AttackCase>& out) {
  std::string payload = StampedClaims(*in.baseline, in.now).PayloadJson();
  for (int bits : {256, 384, 521}) {
    std::string curve = bits == 521 ? "P-521" : "P-" + std::to_string(bits);
    std::string alg = bits == 521 ? "ES512" : "ES" + std::to_string(bits);
    // The kid of a trusted key on this curve, so that the validator picks
    // an EC key; else the baseline's.
    std::optional<std::string> kid = in.baseline->kid;
    for (const Key& key : in.keys->trusted) {
      if (key.type() == KeyType::kEc && key.curve() == curve && key.kid()) kid = key.kid();
    }
    std::string header = HeaderJson(alg, in.baseline->typ, kid);
    for (bool der : {false, true}) {
      out.push_back(MakeCase("ecdsa_zero", alg + (der ? "_der" : "_raw"),
                             Compact(header, payload, ZeroEcdsaSignature(bits, der))));
    }
  }
}

void KidInjection(const CatalogueInputs& in, std::vector<AttackCase>& out) {
  std::string payload = StampedClaims(*in.baseline, in.now).PayloadJson();
  // A kid read as a file path: /dev/null reads as zero bytes, the MAC key.
  std::string traversal = HeaderJson("HS256", in.baseline->typ, "../../../../../../dev/null");
  out.push_back(
      MakeCase("kid_injection", "path_traversal", HmacToken(traversal, payload, 256, "")));
  // A kid pasted into SQL: the injected row makes the key "k".
  std::string sql = HeaderJson("HS256", in.baseline->typ, "x' UNION SELECT 'k'--");
  out.push_back(MakeCase("kid_injection", "sql_injection", HmacToken(sql, payload, 256, "k")));
}

}  // namespace

std::string_view ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRefused:
      return "refused";
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kError:
      return "error";
    case Outcome::kFetched:
      return "fetched";
    case Outcome::kNote:
      return "note";
    case Outcome::kSkipped:
      break;
  }
  return "skipped";
}

bool IsFinding(Outcome outcome) {
  return outcome == Outcome::kAccepted || outcome == Outcome::kError ||
         outcome == Outcome::kFetched;
}

const std::vector<std::string>& ClassNames() {
  static const std::vector<std::string> kNames = {
      "alg_none",     "signature",      "hmac_key_confusion", "ecdsa_zero",
      "embedded_jwk", "remote_key_url", "kid_injection",      "crit",
      "claims",       "policy",         "oversized"};
  return kNames;
}

TokenBuilder StampedClaims(const Baseline& baseline, UnixSeconds now) {
  TokenBuilder claims = baseline.claims;
  Lifetime lifetime;
  lifetime.ttl_s = baseline.lifetime_s;
  lifetime.jti = baseline.had_jti;
  claims.StampTimes(now, lifetime);
  return claims;
}

Result<Catalogue> BuildCatalogue(const CatalogueInputs& in) {
  Catalogue catalogue;
  auto wanted = [&](std::string_view klass) {
    return in.only.empty() || in.only.count(std::string(klass)) > 0;
  };
  std::vector<AttackCase>& cases = catalogue.cases;
  if (wanted("alg_none")) AlgNone(in, cases);
  if (wanted("signature")) Signature(in, cases);
  if (wanted("hmac_key_confusion")) {
    if (Result<void> r = HmacKeyConfusion(in, cases); !r.ok()) return std::move(r).error();
  }
  if (wanted("ecdsa_zero")) EcdsaZero(in, cases);
  if (Result<void> r = AddOwnKeyClasses(in, wanted, catalogue); !r.ok()) {
    return std::move(r).error();
  }
  if (wanted("kid_injection")) KidInjection(in, cases);
  if (Result<void> r = AddSignKeyClasses(in, wanted, catalogue); !r.ok()) {
    return std::move(r).error();
  }
  for (AttackCase& c : cases) DescribeCase(c);
  return catalogue;
}

}  // namespace tock::cli::audit
