#include "render/human.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "render/escape.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

constexpr int kTimelineWidth = 56;

std::string WarningText(std::string_view code) {
  if (code == "alg_none") return "alg is \"none\" or missing: no verifier should accept this";
  if (code == "no_exp") return "no exp: the token never expires";
  if (code == "long_lifetime") return "lifetime over 24h (exp - iat, else exp - nbf)";
  if (code == "nbf_after_exp") return "nbf is after exp: the token can never be valid";
  if (code == "iat_after_exp") return "iat is after exp";
  if (code == "iat_in_future") return "iat is after now: the issuer's clock may be ahead";
  if (code.rfind("bad_claim:", 0) == 0) {
    return "registered claim " + std::string(code.substr(10)) + " has the wrong type";
  }
  if (code == "crit_present") return "crit header present: verifiers must understand it";
  if (code == "key_in_header") {
    return "jwk/jku/x5u/x5c header present: never trust a key the token brings";
  }
  return "";
}

std::string StatusText(LifetimeStatus status) {
  switch (status) {
    case LifetimeStatus::kValidNow:
      return "inside nbf..exp on this machine's clock";
    case LifetimeStatus::kNotYetValid:
      return "nbf is still in the future on this machine's clock";
    case LifetimeStatus::kExpired:
      return "exp has passed on this machine's clock";
    case LifetimeStatus::kNoLifetime:
      return "neither nbf nor exp: no validity window";
  }
  return "";
}

// Place |label| in |line| at |col| (or just after what is already there).
void PutLabel(std::string& line, int col, std::string_view label, std::size_t& used) {
  std::size_t at = std::max<std::size_t>(static_cast<std::size_t>(std::max(col, 0)), used);
  if (line.size() < at + label.size()) line.resize(at + label.size(), ' ');
  line.replace(at, label.size(), label);
  used = at + label.size() + 1;
}

}  // namespace

std::string Style::Paint(std::string_view text, std::string_view sgr) const {
  if (!color) return std::string(text);
  return "\x1b[" + std::string(sgr) + "m" + std::string(text) + "\x1b[0m";
}

Style StdoutStyle() {
  Style style;
  style.color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  return style;
}

ClaimReader ReaderFor(const UnverifiedView& view) {
  return ClaimReader{[&view](std::string_view n) { return view.NumberClaim(n); },
                     [&view](std::string_view n) { return view.StringClaim(n); },
                     [&view](std::string_view n) { return view.StringHeader(n); }};
}

ClaimReader ReaderFor(const VerifiedToken& token) {
  return ClaimReader{[&token](std::string_view n) { return token.NumberClaim(n); },
                     [&token](std::string_view n) { return token.StringClaim(n); },
                     [&token](std::string_view n) { return token.StringHeader(n); }};
}

std::string TimeCell(double value, UnixSeconds now) {
  return FormatUtc(value) + " (" + FormatRelative(value - static_cast<double>(now)) + ")";
}

std::string RenderTimesTable(const ClaimReader& claims, UnixSeconds now, const Style& style) {
  std::ostringstream out;
  out << style.Bold("times") << "  (now " << FormatUtc(static_cast<double>(now)) << ", " << now
      << ")\n";
  bool any = false;
  for (std::string_view name : {"iat", "nbf", "exp"}) {
    std::optional<double> v = claims.number(name);
    if (!v) continue;
    any = true;
    std::string value = FormatSeconds(*v);
    value.resize(std::max<std::size_t>(value.size(), 12), ' ');
    std::string utc = FormatUtc(*v);
    utc.resize(std::max<std::size_t>(utc.size(), 22), ' ');
    out << "  " << name << "  " << value << "  " << utc << "  "
        << FormatRelative(*v - static_cast<double>(now)) << "\n";
  }
  if (!any) out << "  " << style.Dim("(no iat, nbf or exp as numbers)") << "\n";
  return out.str();
}

std::string RenderTimeline(std::optional<double> nbf, std::optional<double> exp, UnixSeconds now,
                           const Style& style) {
  if (!nbf && !exp) return "  " + style.Dim("(no nbf or exp: no validity window to draw)") + "\n";
  const double t_now = static_cast<double>(now);
  double lo = t_now, hi = t_now;
  for (const std::optional<double>& t : {nbf, exp}) {
    if (t) lo = std::min(lo, *t), hi = std::max(hi, *t);
  }
  double span = std::max(hi - lo, 1.0);
  lo -= span * 0.12;
  hi += span * 0.12;
  auto column = [&](double t) {
    return static_cast<int>(std::lround((t - lo) / (hi - lo) * (kTimelineWidth - 1)));
  };
  std::string bar;
  bool now_inside = (!nbf || t_now >= *nbf) && (!exp || t_now < *exp);
  for (int c = 0; c < kTimelineWidth; ++c) {
    double t = lo + (hi - lo) * c / (kTimelineWidth - 1);
    bool inside = (!nbf || t >= *nbf) && (!exp || t < *exp);
    bar += inside ? '=' : '-';
  }
  if (nbf) bar[static_cast<std::size_t>(column(*nbf))] = '[';
  if (exp) bar[static_cast<std::size_t>(column(*exp))] = ']';
  std::string labels;
  std::size_t used = 0;
  if (nbf && (!exp || *nbf <= *exp)) PutLabel(labels, column(*nbf), "nbf", used);
  if (exp) PutLabel(labels, column(*exp) - 2, "exp", used);
  if (nbf && exp && *nbf > *exp) PutLabel(labels, column(*nbf), "nbf", used);
  std::string marker(static_cast<std::size_t>(column(t_now)), ' ');
  marker += "^ now";
  std::string painted = now_inside ? style.Good(bar) : style.Bad(bar);
  return "  " + labels + "\n  " + painted + "\n  " + marker + "\n";
}

std::string RenderDecode(const UnverifiedView& view, UnixSeconds now, const Style& style) {
  std::ostringstream out;
  out << style.Warn(style.Bold("UNVERIFIED")) << "  "
      << "decoded only: the signature was NOT checked; do not trust these claims\n\n";
  out << style.Bold("header") << "\n" << EscapeJsonText(view.HeaderJson(true)) << "\n\n";
  out << style.Bold("payload") << "\n" << EscapeJsonText(view.PayloadJson(true)) << "\n\n";
  std::string_view sig = view.signature();
  out << style.Bold("signature") << "  ";
  if (sig.empty()) {
    out << style.Warn("(empty)") << "\n\n";
  } else {
    out << EscapeControls(sig.substr(0, 24)) << (sig.size() > 24 ? "..." : "") << "  ("
        << sig.size() << " base64url characters)\n\n";
  }
  ClaimReader claims = ReaderFor(view);
  out << RenderTimesTable(claims, now, style) << "\n";
  LifetimeStatus status = view.Status(now);
  std::string status_name(ToString(status));
  out << style.Bold("status") << "  "
      << (status == LifetimeStatus::kValidNow ? style.Good(status_name) : style.Warn(status_name))
      << "  " << StatusText(status) << " (no skew applied)\n\n";
  out << style.Bold("timeline") << "\n"
      << RenderTimeline(claims.number("nbf"), claims.number("exp"), now, style);
  std::vector<std::string> warnings = view.Warnings(now);
  out << "\n" << style.Bold("warnings");
  if (warnings.empty()) out << "  " << style.Dim("none");
  out << "\n";
  for (const std::string& code : warnings) {
    out << "  " << style.Warn("! " + EscapeControls(code)) << "  "
        << EscapeControls(WarningText(code)) << "\n";
  }
  return out.str();
}

std::string RenderDecodeFailure(const Error& error, const Style& style) {
  std::ostringstream out;
  out << style.Bad("CANNOT DECODE: " + std::string(error.code_string())) << "\n  "
      << EscapeControls(error.message()) << "\n";
  if (error.diagnosis().hint) out << "  hint: " << EscapeControls(*error.diagnosis().hint) << "\n";
  return out.str();
}

}  // namespace tock::cli
