#include "internal/claim_checks.h"

#include <algorithm>
#include <optional>
#include <string>

#include "internal/json.h"
#include "internal/time_text.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

// Registered claims and the JSON types RFC 7519 §4.1 gives them.
enum class Kind { kString, kNumber, kAudience };
struct Registered {
  ClaimField field;
  const char* name;
  Kind kind;
};
constexpr Registered kRegistered[] = {
    {ClaimField::kIss, "iss", Kind::kString},   {ClaimField::kSub, "sub", Kind::kString},
    {ClaimField::kAud, "aud", Kind::kAudience}, {ClaimField::kExp, "exp", Kind::kNumber},
    {ClaimField::kNbf, "nbf", Kind::kNumber},   {ClaimField::kIat, "iat", Kind::kNumber},
    {ClaimField::kJti, "jti", Kind::kString},
};

bool HasKind(const RecordedMember& m, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return m.kind == JsonKind::kString;
    case Kind::kNumber:
      return m.kind == JsonKind::kNumber;
    case Kind::kAudience:
      return m.kind == JsonKind::kString || (m.kind == JsonKind::kArray && m.strings_only);
  }
  return false;
}

const char* KindText(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kNumber:
      return "a number (NumericDate)";
    case Kind::kAudience:
      return "a string or an array of strings";
  }
  return "";
}

// Number is a time claim's value; nullopt for one of the wrong type or
// beyond ±2^53 (reported as bad_claim by CheckRange instead).
std::optional<double> Number(const RecordedMember& m) {
  if (m.kind != JsonKind::kNumber || m.beyond_2_53) return std::nullopt;
  return m.number;
}

// CheckRange refuses NumericDates beyond ±2^53 seconds (about 285 million
// years): no real token has one, and converting one to whole seconds would
// be undefined behaviour.
void CheckRange(const ParsedToken& t, std::vector<Error>& out) {
  for (const Registered& r : kRegistered) {
    const RecordedMember& m = t.claim(r.field);
    if (r.kind != Kind::kNumber || m.kind != JsonKind::kNumber || !m.beyond_2_53) continue;
    Diagnosis d;
    d.claim = r.name;
    d.expected = {"a NumericDate within ±2^53 seconds"};
    d.actual = std::vector<std::string>{FormatSeconds(m.number)};
    out.emplace_back(ErrorCode::kBadClaim,
                     std::string("claim \"") + r.name + "\" is " + FormatSeconds(m.number) +
                         ", outside ±2^53 (9007199254740992) seconds",
                     std::move(d));
  }
}

std::optional<std::string_view> String(const RecordedMember& m) {
  if (m.kind != JsonKind::kString) return std::nullopt;
  return m.text;
}

Error Missing(std::string_view claim, std::string why) {
  Diagnosis d;
  d.claim = std::string(claim);
  return Error(ErrorCode::kMissingClaim,
               "token has no \"" + std::string(claim) + "\" claim; " + why, std::move(d));
}

std::string Quoted(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    AppendJsonString(out, v);
  }
  return out;
}

Error Mismatch(ErrorCode code, const char* claim, std::vector<std::string> expected,
               std::vector<std::string> actual) {
  Diagnosis d;
  d.claim = claim;
  const std::string message = std::string("token ") + claim + " " + Quoted(actual) +
                              (expected.size() == 1 ? " is not the required " : " is none of ") +
                              Quoted(expected);
  d.expected = std::move(expected);
  d.actual = std::move(actual);
  return Error(code, message, std::move(d));
}

// HasClaim looks a registered claim up in the record; any other name needs
// the DOM (only policies that require custom claims pay for it).
bool HasClaim(const ParsedToken& t, std::string_view name) {
  if (const RecordedMember* m = t.claims.Find(name)) return m->present();
  return t.payload().contains(name);
}

// Presence of everything the policy needs (spec: "required claims").
void CheckRequired(const ParsedToken& t, const Validator& v, std::vector<Error>& out) {
  const bool has_exp = t.claim(ClaimField::kExp).present();
  if (v.require_exp() && !has_exp) {
    out.push_back(Missing("exp", "tokens without an expiry are refused unless allowed"));
  }
  for (const std::string& name : v.required_claims()) {
    if (!HasClaim(t, name) && !(name == "exp" && v.require_exp())) {
      out.push_back(Missing(name, "the policy requires it"));
    }
  }
  if (v.max_age_s() && !t.claim(ClaimField::kIat).present()) {
    out.push_back(Missing("iat", "a maximum token age needs the issue time"));
  }
  if (v.max_lifetime_s() && !v.require_exp() && !has_exp) {
    out.push_back(Missing("exp", "a lifetime cap needs an end"));
  }
  if (!v.issuers().empty() && !t.claim(ClaimField::kIss).present()) {
    out.push_back(Missing("iss", "the policy checks the issuer"));
  }
  if (!v.audiences().empty() && !t.claim(ClaimField::kAud).present()) {
    out.push_back(Missing("aud", "the policy checks the audience"));
  }
  if (v.subject() && !t.claim(ClaimField::kSub).present()) {
    out.push_back(Missing("sub", "the policy requires a subject"));
  }
  if (v.type() && !t.field(HeaderField::kTyp).present()) {
    out.push_back(Missing("typ", "the policy requires a typ header"));
  }
}

void CheckTimes(const ParsedToken& t, const Validator& v, const TimeContext& ctx,
                std::vector<Error>& out) {
  const std::optional<double> exp = Number(t.claim(ClaimField::kExp));
  const std::optional<double> nbf = Number(t.claim(ClaimField::kNbf));
  const std::optional<double> iat = Number(t.claim(ClaimField::kIat));
  auto add = [&out](std::optional<Error> e) {
    if (e) out.push_back(std::move(*e));
  };
  if (exp) add(CheckExp(*exp, ctx));
  if (nbf) add(CheckNbf(*nbf, ctx, iat));
  if (iat) add(CheckIat(*iat, ctx));
  if (iat && v.max_age_s()) add(CheckMaxAge(*iat, *v.max_age_s(), ctx));
  if (exp && v.max_lifetime_s()) add(CheckMaxLifetime(iat, *exp, *v.max_lifetime_s(), ctx));
}

// AudienceAccepted compares in place, so the happy path allocates nothing.
bool AudienceAccepted(const ParsedToken& t, const std::vector<std::string>& ok) {
  const auto accepted = [&ok](std::string_view a) {
    return std::find(ok.begin(), ok.end(), a) != ok.end();
  };
  if (auto list = t.claims.Strings(t.claim(ClaimField::kAud))) {
    return std::any_of(list->begin(), list->end(), accepted);
  }
  const json::array& all = t.payload().at("aud").get_array();
  return std::any_of(all.begin(), all.end(), [&accepted](const json::value& a) {
    return accepted(std::string_view(a.get_string()));
  });
}

void CheckIdentity(const ParsedToken& t, const Validator& v, std::vector<Error>& out) {
  if (auto iss = String(t.claim(ClaimField::kIss)); iss && !v.issuers().empty()) {
    const auto& ok = v.issuers();
    if (std::find(ok.begin(), ok.end(), *iss) == ok.end()) {
      out.push_back(Mismatch(ErrorCode::kIssMismatch, "iss", ok, {std::string(*iss)}));
    }
  }
  const RecordedMember& aud = t.claim(ClaimField::kAud);
  if (!v.audiences().empty() && HasKind(aud, Kind::kAudience) &&
      !AudienceAccepted(t, v.audiences())) {
    out.push_back(Mismatch(ErrorCode::kAudMismatch, "aud", v.audiences(), t.Audiences()));
  }
  if (auto sub = String(t.claim(ClaimField::kSub)); sub && v.subject() && *sub != *v.subject()) {
    out.push_back(Mismatch(ErrorCode::kSubMismatch, "sub", {*v.subject()}, {std::string(*sub)}));
  }
  const RecordedMember& typ = t.field(HeaderField::kTyp);
  if (typ.present() && v.type()) {
    if (typ.kind != JsonKind::kString || !TypMatches(*v.type(), typ.text)) {
      std::string actual = typ.kind == JsonKind::kString ? std::string(typ.text)
                                                         : std::string(JsonKindName(typ.kind));
      out.push_back(Mismatch(ErrorCode::kTypMismatch, "typ", {*v.type()}, {std::move(actual)}));
    }
  }
}

std::string_view StripApplication(std::string_view s) {
  constexpr std::string_view kPrefix = "application/";
  if (s.size() >= kPrefix.size() &&
      std::equal(kPrefix.begin(), kPrefix.end(), s.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    s.remove_prefix(kPrefix.size());
  }
  return s;
}

}  // namespace

bool TypMatches(std::string_view expected, std::string_view actual) {
  expected = StripApplication(expected);
  actual = StripApplication(actual);
  return expected.size() == actual.size() &&
         std::equal(expected.begin(), expected.end(), actual.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

std::vector<Error> CheckClaims(const ParsedToken& token, const Validator& validator,
                               const TimeContext& ctx) {
  std::vector<Error> problems;
  // Registered claims are type-checked always (spec: precise rules); a claim
  // of the wrong type is then left out of the checks that read it.
  for (const Registered& r : kRegistered) {
    const RecordedMember& m = token.claim(r.field);
    if (m.present() && !HasKind(m, r.kind)) {
      Diagnosis d;
      d.claim = r.name;
      d.expected = {KindText(r.kind)};
      d.actual = std::vector<std::string>{std::string(JsonKindName(m.kind))};
      problems.emplace_back(ErrorCode::kBadClaim,
                            std::string("claim \"") + r.name + "\" is " +
                                std::string(JsonKindName(m.kind)) + "; it must be " +
                                KindText(r.kind),
                            std::move(d));
    }
  }
  CheckRange(token, problems);
  CheckRequired(token, validator, problems);
  CheckTimes(token, validator, ctx, problems);
  CheckIdentity(token, validator, problems);
  for (Error& e : problems) e.mutable_diagnosis().now = ctx.now;
  return problems;
}

}  // namespace tock::internal
