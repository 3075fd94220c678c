// The `tock verify` check list for people: one line per check of cli.md's
// fixed order, each with its numbers, so a rejection shows how far off it was.
#include <sstream>
#include <vector>

#include "render/escape.h"
#include "render/human.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

// The checks before the claims, in cli.md's order.
enum class Stage { kToken, kHeader, kKey, kSignature, kClaims };

Stage StageOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTooLarge:
    case ErrorCode::kMalformed:
    case ErrorCode::kBadBase64:
    case ErrorCode::kBadJson:
      return Stage::kToken;
    case ErrorCode::kUnsupportedAlg:
    case ErrorCode::kCritUnsupported:
      return Stage::kHeader;
    case ErrorCode::kAlgNotAllowed:
    case ErrorCode::kKeyNotFound:
      return Stage::kKey;
    case ErrorCode::kBadSignature:
      return Stage::kSignature;
    default:
      return Stage::kClaims;
  }
}

struct Line {
  bool ok;
  std::string name;
  std::string detail;
};

const Error* Find(const std::vector<Error>& problems, ErrorCode code, std::string_view claim = {}) {
  for (const Error& p : problems) {
    if (p.code() != code) continue;
    if (claim.empty() || p.diagnosis().claim.value_or("") == claim) return &p;
  }
  return nullptr;
}

// FindClaimProblem finds |code|, or a missing or mistyped |claim|.
const Error* FindClaimProblem(const std::vector<Error>& problems, ErrorCode code,
                              std::string_view claim) {
  if (const Error* p = Find(problems, code)) return p;
  if (const Error* p = Find(problems, ErrorCode::kMissingClaim, claim)) return p;
  return Find(problems, ErrorCode::kBadClaim, claim);
}

Line Failed(std::string name, const Error& problem) {
  return Line{false, std::move(name), EscapeControls(problem.message())};
}

std::string Seconds(double s) { return FormatSeconds(s) + "s"; }

std::string JoinQuoted(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + Quote(item);
  return out;
}

struct ClaimContext {
  const ClaimReader* claims;  // null when the token could not be re-read
  const Validator& validator;
  UnixSeconds now;
  const std::vector<Error>& problems;
  std::optional<std::vector<std::string>> audiences;
};

std::optional<double> Number(const ClaimContext& c, std::string_view name) {
  return c.claims ? c.claims->number(name) : std::nullopt;
}

Line TimeLine(const ClaimContext& c, std::string_view name, ErrorCode code) {
  if (const Error* p = FindClaimProblem(c.problems, code, name))
    return Failed(std::string(name), *p);
  std::optional<double> t = Number(c, name);
  if (!t) return Line{true, std::string(name), "absent"};
  std::string detail = TimeCell(*t, c.now);
  if (name == "exp") detail += "; accepted until exp + " + Seconds(double(c.validator.skew_s()));
  if (name == "nbf") detail += "; accepted from nbf - " + Seconds(double(c.validator.skew_s()));
  return Line{true, std::string(name), detail};
}

void AddPolicyLines(const ClaimContext& c, std::vector<Line>& lines) {
  const Validator& v = c.validator;
  std::optional<double> iat = Number(c, "iat"), exp = Number(c, "exp");
  double now = static_cast<double>(c.now);
  if (v.max_age_s()) {
    if (const Error* p = FindClaimProblem(c.problems, ErrorCode::kTokenTooOld, "iat")) {
      lines.push_back(Failed("max age", *p));
    } else {
      std::string age = !iat         ? "age ?"
                        : *iat > now ? "issued in the future"
                                     : "age " + Seconds(now - *iat);
      lines.push_back({true, "max age",
                       age + " within " + Seconds(double(*v.max_age_s())) + " + " +
                           Seconds(double(v.skew_s())) + " skew"});
    }
  }
  if (v.max_lifetime_s()) {
    if (const Error* p = FindClaimProblem(c.problems, ErrorCode::kLifetimeTooLong, "exp")) {
      lines.push_back(Failed("max lifetime", *p));
    } else {
      std::string life = exp ? Seconds(*exp - (iat ? *iat : now)) : "?";
      lines.push_back({true, "max lifetime",
                       "lifetime " + life + " within " + Seconds(double(*v.max_lifetime_s()))});
    }
  }
  auto match_line = [&](std::string name, ErrorCode code, bool active, std::string ok_detail) {
    if (!active) return;
    if (const Error* p = FindClaimProblem(c.problems, code, name)) {
      lines.push_back(Failed(name, *p));
    } else {
      lines.push_back({true, name, std::move(ok_detail)});
    }
  };
  auto claim = [&](std::string_view name) {
    std::optional<std::string> s = c.claims ? c.claims->string(name) : std::nullopt;
    return s ? Quote(*s) : std::string("?");
  };
  match_line("iss", ErrorCode::kIssMismatch, !v.issuers().empty(), claim("iss"));
  std::string aud = c.audiences ? JoinQuoted(*c.audiences) : claim("aud");
  match_line("aud", ErrorCode::kAudMismatch, !v.audiences().empty(),
             aud + " (accepted: " + JoinQuoted(v.audiences()) + ")");
  match_line("sub", ErrorCode::kSubMismatch, v.subject().has_value(), claim("sub"));
  std::optional<std::string> typ = c.claims ? c.claims->header("typ") : std::nullopt;
  match_line("typ", ErrorCode::kTypMismatch, v.type().has_value(), typ ? Quote(*typ) : "?");
}

std::vector<Line> ClaimLines(const ClaimContext& c) {
  std::vector<Line> lines;
  std::string bad;
  for (const Error& p : c.problems) {
    if (p.code() == ErrorCode::kBadClaim) bad += (bad.empty() ? "" : "; ") + p.message();
  }
  if (bad.empty()) {
    lines.push_back({true, "claim types", "registered claims have their types"});
  } else {
    lines.push_back({false, "claim types", EscapeControls(bad)});
  }
  std::vector<std::string> required = c.validator.required_claims();
  if (const Error* p = Find(c.problems, ErrorCode::kMissingClaim)) {
    lines.push_back(Failed("required", *p));
  } else if (!required.empty()) {
    lines.push_back({true, "required", "present: " + JoinQuoted(required)});
  }
  lines.push_back(TimeLine(c, "exp", ErrorCode::kExpired));
  lines.push_back(TimeLine(c, "nbf", ErrorCode::kNotYetValid));
  lines.push_back(TimeLine(c, "iat", ErrorCode::kIssuedInFuture));
  AddPolicyLines(c, lines);
  return lines;
}

std::string FormatLines(const std::vector<Line>& lines, const Style& style) {
  std::ostringstream out;
  for (const Line& line : lines) {
    std::string name = line.name;
    name.resize(std::max<std::size_t>(name.size(), 13), ' ');
    out << "  " << (line.ok ? style.Good("✓") : style.Bad("✗")) << " " << name << line.detail
        << "\n";
  }
  return out.str();
}

// Notes reports an issuer clock that runs ahead but stays within the skew:
// the token passed, but only thanks to the tolerance.
std::string ClockNotes(const ClaimReader& claims, UnixSeconds now, std::int64_t skew,
                       const Style& style) {
  double t_now = static_cast<double>(now);
  std::optional<double> iat = claims.number("iat"), nbf = claims.number("nbf");
  std::string out;
  if (iat && *iat > t_now && *iat <= t_now + double(skew)) {
    out += "  " + style.Warn("note:") + " issuer clock appears " + FormatSeconds(*iat - t_now) +
           " s ahead (iat is " + Seconds(*iat - t_now) + " after now, within the " +
           Seconds(double(skew)) + " skew)\n";
  } else if (nbf && *nbf > t_now && *nbf <= t_now + double(skew)) {
    out += "  " + style.Warn("note:") + " issuer clock appears at least " +
           FormatSeconds(*nbf - t_now) + " s ahead (nbf is " + Seconds(*nbf - t_now) +
           " after now, within the " + Seconds(double(skew)) + " skew)\n";
  }
  return out;
}

std::string NowLine(UnixSeconds now, std::int64_t skew, const Style& style) {
  return "  " +
         style.Dim("now " + FormatUtc(static_cast<double>(now)) + " (" + std::to_string(now) +
                   "), allowed clock skew " + Seconds(double(skew))) +
         "\n";
}

// PreClaimLines lists token, header, key and signature up to |failed|.
std::vector<Line> PreClaimLines(Stage failed, const Error& error, const ClaimReader* claims) {
  std::optional<std::string> alg = claims ? claims->header("alg") : std::nullopt;
  std::optional<std::string> kid = claims ? claims->header("kid") : std::nullopt;
  std::string details[] = {
      "three parts, JSON header and payload",
      alg ? "alg " + EscapeControls(*alg) : "ok",
      kid ? "token kid " + Quote(*kid) : "token has no kid",
      alg ? EscapeControls(*alg) + " verified" : "verified",
  };
  static constexpr const char* kNames[] = {"token", "header", "key", "signature"};
  std::vector<Line> lines;
  for (int s = 0; s < 4; ++s) {
    if (static_cast<int>(failed) == s) {
      lines.push_back(Failed(kNames[s], error));
      break;
    }
    lines.push_back({true, kNames[s], details[s]});
  }
  return lines;
}

}  // namespace

std::string RenderVerifyAccepted(const VerifiedToken& token, const Validator& validator,
                                 const Style& style) {
  ClaimReader claims = ReaderFor(token);
  const Key& key = token.key();
  std::string alg(ToString(token.algorithm()));
  std::string key_detail = std::string(ToString(key.type()));
  if (key.type() == KeyType::kOct || key.type() == KeyType::kRsa) {
    key_detail += " " + std::to_string(key.bits()) + " bits";
  }
  if (!key.curve().empty()) key_detail += " " + std::string(key.curve());
  if (key.kid()) key_detail = "kid " + Quote(*key.kid()) + ", " + key_detail;
  if (key.type() != KeyType::kOct) key_detail += ", thumbprint " + key.Thumbprint();
  std::vector<Line> lines = {
      {true, "token", "three parts, JSON header and payload"},
      {true, "header", "alg " + alg},
      {true, "key", key_detail},
      {true, "signature", alg + " verified"},
  };
  std::vector<Error> none;
  ClaimContext context{&claims, validator, token.now(), none, token.audiences()};
  std::vector<Line> claim_lines = ClaimLines(context);
  lines.insert(lines.end(), claim_lines.begin(), claim_lines.end());
  std::ostringstream out;
  out << style.Good(style.Bold("VALID")) << "\n"
      << FormatLines(lines, style) << NowLine(token.now(), validator.skew_s(), style)
      << ClockNotes(claims, token.now(), validator.skew_s(), style);
  return out.str();
}

std::string RenderVerifyRejected(const Error& error, const Validator& validator,
                                 std::string_view token, UnixSeconds now, const Style& style) {
  if (error.diagnosis().now) now = *error.diagnosis().now;
  std::vector<Error> problems = error.problems();
  if (problems.empty()) problems.push_back(error);
  Stage failed = StageOf(error.code());
  // Re-read the token unverified only to show its header and numbers; past
  // the signature check these bytes are known to be the issuer's.
  std::optional<UnverifiedView> view;
  if (failed != Stage::kToken) {
    if (Result<UnverifiedView> v = InspectUnverified(token, validator.max_token_bytes()); v.ok()) {
      view.emplace(std::move(v).value());
    }
  }
  std::optional<ClaimReader> claims;
  if (view) claims = ReaderFor(*view);
  std::vector<Line> lines = PreClaimLines(failed, error, claims ? &*claims : nullptr);
  if (failed == Stage::kClaims) {
    ClaimContext context{claims ? &*claims : nullptr, validator, now, problems, std::nullopt};
    std::vector<Line> claim_lines = ClaimLines(context);
    lines.insert(lines.end(), claim_lines.begin(), claim_lines.end());
  }
  std::ostringstream out;
  out << style.Bad(style.Bold("REJECTED: " + std::string(error.code_string()))) << "\n"
      << FormatLines(lines, style);
  if (failed != Stage::kClaims) out << "  " << style.Dim("(later checks not run)") << "\n";
  out << NowLine(now, validator.skew_s(), style) << "\n" << EscapeControls(error.message()) << "\n";
  if (error.diagnosis().hint) out << "hint: " << EscapeControls(*error.diagnosis().hint) << "\n";
  return out.str();
}

}  // namespace tock::cli
