#include "internal/claim_checks.h"

#include <algorithm>
#include <optional>
#include <string>

#include "internal/claim_run.h"
#include "internal/json.h"
#include "internal/time_text.h"
#include "internal/trace_recorder.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

bool PassedCheck(const TracedCheck* check) {
  return check && check->outcome == CheckOutcome::kPassed;
}

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
void CheckRange(const ParsedToken& t, ClaimRun& run) {
  for (const Registered& r : kRegistered) {
    const RecordedMember& m = t.claim(r.field);
    if (r.kind != Kind::kNumber || m.kind != JsonKind::kNumber || !m.beyond_2_53) continue;
    Diagnosis d;
    d.claim = r.name;
    d.expected = {"a NumericDate within ±2^53 seconds"};
    d.actual = std::vector<std::string>{FormatSeconds(m.number)};
    run.Add(Error(ErrorCode::kBadClaim,
                  std::string("claim \"") + r.name + "\" is " + FormatSeconds(m.number) +
                      ", outside ±2^53 (9007199254740992) seconds",
                  std::move(d)));
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
void CheckRequired(const ParsedToken& t, const Validator& v, ClaimRun& run) {
  run.Begin();
  const bool has_exp = t.claim(ClaimField::kExp).present();
  if (v.require_exp() && !has_exp) {
    run.Add(Missing("exp", "tokens without an expiry are refused unless allowed"));
  }
  for (const std::string& name : v.required_claims()) {
    if (!HasClaim(t, name) && !(name == "exp" && v.require_exp())) {
      run.Add(Missing(name, "the policy requires it"));
    }
  }
  if (v.max_age_s() && !t.claim(ClaimField::kIat).present()) {
    run.Add(Missing("iat", "a maximum token age needs the issue time"));
  }
  if (v.max_lifetime_s() && !v.require_exp() && !has_exp) {
    run.Add(Missing("exp", "a lifetime cap needs an end"));
  }
  if (!v.issuers().empty() && !t.claim(ClaimField::kIss).present()) {
    run.Add(Missing("iss", "the policy checks the issuer"));
  }
  if (!v.audiences().empty() && !t.claim(ClaimField::kAud).present()) {
    run.Add(Missing("aud", "the policy checks the audience"));
  }
  if (v.subject() && !t.claim(ClaimField::kSub).present()) {
    run.Add(Missing("sub", "the policy requires a subject"));
  }
  if (v.type() && !t.field(HeaderField::kTyp).present()) {
    run.Add(Missing("typ", "the policy requires a typ header"));
  }
  // The trace names only the claims the policy lists: the presence of exp,
  // iat, iss, ... is also shown by the check that reads each.
  TracedCheck* check = run.End(
      {"required", {}, !v.required_claims().empty(), "the policy names no required claims"});
  if (PassedCheck(check)) check->detail = "present: " + RawQuotedList(v.required_claims());
}

// CheckTimes applies the time rules, each to a claim present as a number.
void CheckTimes(const ParsedToken& t, const Validator& v, ClaimRun& run) {
  const TimeContext& ctx = run.ctx();
  const std::optional<double> exp = Number(t.claim(ClaimField::kExp));
  const std::optional<double> nbf = Number(t.claim(ClaimField::kNbf));
  const std::optional<double> iat = Number(t.claim(ClaimField::kIat));
  // A time check with its claim absent passes: whether the claim must be
  // there is the required check's question.
  auto absent = [](TracedCheck* check) {
    if (PassedCheck(check)) check->detail = "absent";
  };
  run.Begin();
  if (exp) run.Add(CheckExp(*exp, ctx));
  if (TracedCheck* check = run.End({"exp", "exp"}))
    exp ? TraceExp(*exp, ctx, *check) : absent(check);
  run.Begin();
  if (nbf) run.Add(CheckNbf(*nbf, ctx, iat));
  if (TracedCheck* check = run.End({"nbf", "nbf"}))
    nbf ? TraceNbf(*nbf, ctx, *check) : absent(check);
  run.Begin();
  if (iat) run.Add(CheckIat(*iat, ctx));
  if (TracedCheck* check = run.End({"iat", "iat"}))
    iat ? TraceIat(*iat, ctx, *check) : absent(check);

  run.Begin();
  if (iat && v.max_age_s()) run.Add(CheckMaxAge(*iat, *v.max_age_s(), ctx));
  TracedCheck* check =
      run.End({"max age", "iat", v.max_age_s().has_value(), "no maximum age is set"});
  if (check && iat && v.max_age_s()) TraceMaxAge(*iat, *v.max_age_s(), ctx, *check);
  run.Begin();
  if (exp && v.max_lifetime_s()) run.Add(CheckMaxLifetime(iat, *exp, *v.max_lifetime_s(), ctx));
  check = run.End(
      {"max lifetime", "exp", v.max_lifetime_s().has_value(), "no maximum lifetime is set"});
  if (check && exp && v.max_lifetime_s()) {
    TraceMaxLifetime(iat, *exp, *v.max_lifetime_s(), ctx, *check);
  }
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

// QuotedOrUnknown is a string claim or header for a trace detail, "?" when
// it is not a string.
std::string QuotedOrUnknown(const RecordedMember& m) {
  return m.kind == JsonKind::kString ? RawQuoted(m.text) : "?";
}

void CheckIssuerAndAudience(const ParsedToken& t, const Validator& v, ClaimRun& run) {
  run.Begin();
  if (auto iss = String(t.claim(ClaimField::kIss)); iss && !v.issuers().empty()) {
    const auto& ok = v.issuers();
    if (std::find(ok.begin(), ok.end(), *iss) == ok.end()) {
      run.Add(Mismatch(ErrorCode::kIssMismatch, "iss", ok, {std::string(*iss)}));
    }
  }
  TracedCheck* check = run.End({"iss", "iss", !v.issuers().empty(), "no issuer is required"});
  if (PassedCheck(check)) check->detail = QuotedOrUnknown(t.claim(ClaimField::kIss));

  run.Begin();
  const RecordedMember& aud = t.claim(ClaimField::kAud);
  if (!v.audiences().empty() && HasKind(aud, Kind::kAudience) &&
      !AudienceAccepted(t, v.audiences())) {
    run.Add(Mismatch(ErrorCode::kAudMismatch, "aud", v.audiences(), t.Audiences()));
  }
  check = run.End({"aud", "aud", !v.audiences().empty(), "no audience is required"});
  if (PassedCheck(check)) {
    check->detail =
        RawQuotedList(t.Audiences()) + " (accepted: " + RawQuotedList(v.audiences()) + ")";
  }
}

void CheckSubjectAndType(const ParsedToken& t, const Validator& v, ClaimRun& run) {
  run.Begin();
  if (auto sub = String(t.claim(ClaimField::kSub)); sub && v.subject() && *sub != *v.subject()) {
    run.Add(Mismatch(ErrorCode::kSubMismatch, "sub", {*v.subject()}, {std::string(*sub)}));
  }
  TracedCheck* check = run.End({"sub", "sub", v.subject().has_value(), "no subject is required"});
  if (PassedCheck(check)) check->detail = QuotedOrUnknown(t.claim(ClaimField::kSub));

  run.Begin();
  const RecordedMember& typ = t.field(HeaderField::kTyp);
  if (typ.present() && v.type()) {
    if (typ.kind != JsonKind::kString || !TypMatches(*v.type(), typ.text)) {
      std::string actual = typ.kind == JsonKind::kString ? std::string(typ.text)
                                                         : std::string(JsonKindName(typ.kind));
      run.Add(Mismatch(ErrorCode::kTypMismatch, "typ", {*v.type()}, {std::move(actual)}));
    }
  }
  check = run.End({"typ", "typ", v.type().has_value(), "no typ is required"});
  if (PassedCheck(check)) check->detail = QuotedOrUnknown(typ);
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

namespace {

// CheckTypes: registered claims are type-checked always (spec: precise
// rules); a claim of the wrong type is then left out of the checks that read
// it, which fail on this failure instead.
void CheckTypes(const ParsedToken& token, ClaimRun& run) {
  run.Begin();
  for (const Registered& r : kRegistered) {
    const RecordedMember& m = token.claim(r.field);
    if (m.present() && !HasKind(m, r.kind)) {
      Diagnosis d;
      d.claim = r.name;
      d.expected = {KindText(r.kind)};
      d.actual = std::vector<std::string>{std::string(JsonKindName(m.kind))};
      run.Add(Error(ErrorCode::kBadClaim,
                    std::string("claim \"") + r.name + "\" is " +
                        std::string(JsonKindName(m.kind)) + "; it must be " + KindText(r.kind),
                    std::move(d)));
    }
  }
  CheckRange(token, run);
  TracedCheck* check = run.End({"claim types"});
  if (PassedCheck(check)) check->detail = "registered claims have their types";
  if (check && check->outcome == CheckOutcome::kFailed) {
    // Every type failure is news (each names its own claim): show them all.
    check->detail.clear();
    for (const Error& e : check->problems) {
      check->detail += (check->detail.empty() ? "" : "; ") + e.message();
    }
  }
}

}  // namespace

std::vector<Error> CheckClaims(const ParsedToken& token, const Validator& validator,
                               const TimeContext& ctx, TraceRecorder* trace) {
  ClaimRun run(ctx, trace);
  CheckTypes(token, run);
  CheckRequired(token, validator, run);
  CheckTimes(token, validator, run);
  CheckIssuerAndAudience(token, validator, run);
  CheckSubjectAndType(token, validator, run);
  std::vector<Error> problems = std::move(run).Take();
  if (trace && problems.empty()) {
    const std::optional<double> iat = Number(token.claim(ClaimField::kIat));
    const std::optional<double> nbf = Number(token.claim(ClaimField::kNbf));
    if (std::optional<std::string> note = SkewNote(iat, nbf, ctx)) trace->SetClockNote(*note);
  }
  return problems;
}

}  // namespace tock::internal
