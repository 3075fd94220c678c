#include "internal/claim_checks.h"

#include <algorithm>
#include <optional>
#include <string>

#include "internal/json.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

// Registered claims and the JSON types RFC 7519 §4.1 gives them.
enum class Kind { kString, kNumber, kAudience };
struct Registered {
  const char* name;
  Kind kind;
};
constexpr Registered kRegistered[] = {
    {"iss", Kind::kString}, {"sub", Kind::kString}, {"aud", Kind::kAudience},
    {"exp", Kind::kNumber}, {"nbf", Kind::kNumber}, {"iat", Kind::kNumber},
    {"jti", Kind::kString},
};

bool HasKind(const json::value& v, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return v.is_string();
    case Kind::kNumber:
      return v.is_number();
    case Kind::kAudience:
      if (v.is_string()) return true;
      if (!v.is_array()) return false;
      return std::all_of(v.get_array().begin(), v.get_array().end(),
                         [](const json::value& e) { return e.is_string(); });
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

const char* TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "something else";
}

Error Missing(std::string_view claim, std::string why) {
  Diagnosis d;
  d.claim = std::string(claim);
  return Error(ErrorCode::kMissingClaim,
               "token has no \"" + std::string(claim) + "\" claim; " + why, std::move(d));
}

std::vector<std::string> Audiences(const json::value& aud) {
  std::vector<std::string> out;
  if (aud.is_string()) {
    out.emplace_back(aud.get_string());
  } else {
    for (const auto& e : aud.get_array()) out.emplace_back(e.get_string());
  }
  return out;
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

// Presence of everything the policy needs (spec: "required claims").
void CheckRequired(const ParsedToken& t, const Validator& v, std::vector<Error>& out) {
  const json::object& p = t.payload;
  if (v.require_exp() && !p.contains("exp")) {
    out.push_back(Missing("exp", "tokens without an expiry are refused unless allowed"));
  }
  for (const std::string& name : v.required_claims()) {
    if (!p.contains(name) && !(name == "exp" && v.require_exp())) {
      out.push_back(Missing(name, "the policy requires it"));
    }
  }
  if (v.max_age_s() && !p.contains("iat")) {
    out.push_back(Missing("iat", "a maximum token age needs the issue time"));
  }
  if (v.max_lifetime_s() && !v.require_exp() && !p.contains("exp")) {
    out.push_back(Missing("exp", "a lifetime cap needs an end"));
  }
  if (!v.issuers().empty() && !p.contains("iss")) {
    out.push_back(Missing("iss", "the policy checks the issuer"));
  }
  if (!v.audiences().empty() && !p.contains("aud")) {
    out.push_back(Missing("aud", "the policy checks the audience"));
  }
  if (v.subject() && !p.contains("sub")) {
    out.push_back(Missing("sub", "the policy requires a subject"));
  }
  if (v.type() && !t.header.contains("typ")) {
    out.push_back(Missing("typ", "the policy requires a typ header"));
  }
}

void CheckTimes(const ParsedToken& t, const Validator& v, const TimeContext& ctx,
                std::vector<Error>& out) {
  const std::optional<double> exp = FindNumber(t.payload, "exp");
  const std::optional<double> nbf = FindNumber(t.payload, "nbf");
  const std::optional<double> iat = FindNumber(t.payload, "iat");
  auto add = [&out](std::optional<Error> e) {
    if (e) out.push_back(std::move(*e));
  };
  if (exp) add(CheckExp(*exp, ctx));
  if (nbf) add(CheckNbf(*nbf, ctx));
  if (iat) add(CheckIat(*iat, ctx));
  if (iat && v.max_age_s()) add(CheckMaxAge(*iat, *v.max_age_s(), ctx));
  if (exp && v.max_lifetime_s()) add(CheckMaxLifetime(iat, *exp, *v.max_lifetime_s(), ctx));
}

void CheckIdentity(const ParsedToken& t, const Validator& v, std::vector<Error>& out) {
  const json::object& p = t.payload;
  if (auto iss = FindString(p, "iss"); iss && !v.issuers().empty()) {
    const auto& ok = v.issuers();
    if (std::find(ok.begin(), ok.end(), *iss) == ok.end()) {
      out.push_back(Mismatch(ErrorCode::kIssMismatch, "iss", ok, {std::string(*iss)}));
    }
  }
  if (const json::value* aud = p.if_contains("aud");
      aud && !v.audiences().empty() && HasKind(*aud, Kind::kAudience)) {
    // Compare in place: the happy path allocates nothing.
    const auto& ok = v.audiences();
    auto accepted = [&ok](const json::value& a) {
      return std::find(ok.begin(), ok.end(), std::string_view(a.get_string())) != ok.end();
    };
    const bool any = aud->is_string()
                         ? accepted(*aud)
                         : std::any_of(aud->get_array().begin(), aud->get_array().end(), accepted);
    if (!any) out.push_back(Mismatch(ErrorCode::kAudMismatch, "aud", ok, Audiences(*aud)));
  }
  if (auto sub = FindString(p, "sub"); sub && v.subject() && *sub != *v.subject()) {
    out.push_back(Mismatch(ErrorCode::kSubMismatch, "sub", {*v.subject()}, {std::string(*sub)}));
  }
  if (const json::value* typ = t.header.if_contains("typ"); typ && v.type()) {
    if (!typ->is_string() || !TypMatches(*v.type(), typ->get_string())) {
      std::string actual = typ->is_string() ? std::string(typ->get_string()) : TypeName(*typ);
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
    const json::value* v = token.payload.if_contains(r.name);
    if (v && !HasKind(*v, r.kind)) {
      Diagnosis d;
      d.claim = r.name;
      d.expected = {KindText(r.kind)};
      d.actual = std::vector<std::string>{TypeName(*v)};
      problems.emplace_back(ErrorCode::kBadClaim,
                            std::string("claim \"") + r.name + "\" is " + TypeName(*v) +
                                "; it must be " + KindText(r.kind),
                            std::move(d));
    }
  }
  CheckRequired(token, validator, problems);
  CheckTimes(token, validator, ctx, problems);
  CheckIdentity(token, validator, problems);
  for (Error& e : problems) e.mutable_diagnosis().now = ctx.now;
  return problems;
}

}  // namespace tock::internal
