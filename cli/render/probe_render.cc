#include "render/probe_render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "render/escape.h"
#include "tock/app/json_writer.h"

namespace tock::cli {
namespace {

// The backdating and skew people are told to use when no measurement asks
// for more: a minute, as `tock sign` and `tock serve` backdate nbf.
constexpr double kComfortableS = 60;

// Fmt prints seconds without a useless ".0": "2", "2.5", "-7".
std::string Fmt(double s) {
  char buf[32];
  if (s == std::floor(s)) {
    std::snprintf(buf, sizeof buf, "%.0f", s);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", s);
  }
  return buf;
}

std::string Round3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Wrap breaks |text| into lines of at most |width| columns at spaces.
std::string Wrap(const std::string& text, std::size_t width) {
  std::string out, line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

std::string ClockSentence(const ProbeFindings& f) {
  std::string clock;
  if (f.offset_s == 0) {
    clock = "The validator's clock agrees with this machine's";
  } else {
    clock = "The validator's clock is " + Fmt(std::fabs(f.offset_s)) + " s " +
            (f.offset_s < 0 ? "behind" : "ahead of") + " this machine's";
  }
  return clock + " (±" + Fmt(std::round(f.uncertainty_s * 10) / 10) + " s) and it allows " +
         Fmt(f.skew_s) + " s of clock skew.";
}

// NbfSentence: senders ahead of the validator by more than the skew are
// refused for nbf = now. Backdating nbf helps only if iat is not checked.
std::string NbfSentence(const ProbeFindings& f) {
  const double ahead = -f.offset_s;  // this machine ahead of the validator
  std::string text =
      "A sender whose clock runs more than " + Fmt(f.skew_s) + " s ahead of the validator's";
  if (ahead > f.skew_s) text += " (this machine's does, by " + Fmt(ahead) + " s)";
  text += " is refused for tokens with nbf = now";
  if (!f.refuses_future_iat) {
    return text + ": backdate nbf by at least " + Fmt(kComfortableS) +
           " s, or ask the validator's owner to allow at least " + Fmt(kComfortableS) +
           " s of clock skew.";
  }
  const double need = ahead > f.skew_s ? std::ceil(ahead) : kComfortableS;
  return text +
         ", and backdating nbf alone will not do, since the validator also refuses tokens whose "
         "iat is in the future: correct the sender's clock (NTP), or ask the validator's owner "
         "to allow at least " +
         Fmt(need) + " s of clock skew.";
}

}  // namespace

std::string ProbeHint(const ProbeFindings& f) {
  std::string hint = ClockSentence(f) + " " + NbfSentence(f);
  const double early = f.offset_s - f.skew_s;  // how early our tokens expire there
  if (early > 0) {
    hint += " Tokens from this machine expire " + Fmt(early) +
            " s early there, as its clock is behind the validator's: refresh them at least " +
            Fmt(std::ceil(early)) + " s before exp.";
  }
  if (!f.requires_exp) hint += " It accepts tokens without exp: a leaked one never expires.";
  if (f.accepts_30d_lifetime) hint += " It accepts a 30-day lifetime: it caps no lifetime.";
  return hint;
}

std::string ProbeJson(const std::string& url, const ProbeFindings& f) {
  JsonWriter checks;
  checks.Bool("requires_exp", f.requires_exp)
      .Bool("refuses_future_iat", f.refuses_future_iat)
      .Bool("accepts_30d_lifetime", f.accepts_30d_lifetime);
  JsonWriter doc;
  doc.Str("url", url)
      .Int("requests", f.requests)
      .Raw("rtt_ms", Round3(f.max_rtt_ms))
      .Num("offset_s", f.offset_s)
      .Num("skew_s", f.skew_s)
      .Raw("uncertainty_s", Round3(f.uncertainty_s))
      .Int("nbf_edge_s", f.nbf_edge_s)
      .Int("exp_edge_s", f.exp_edge_s)
      .Raw("checks", checks.Finish())
      .Str("hint", ProbeHint(f));
  return EscapeJsonText(doc.Finish());
}

std::string RenderProbe(const std::string& url, const ProbeFindings& f, const Style& style) {
  const std::string pm = " ± " + Round3(f.uncertainty_s) + " s";
  auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
  auto row = [](std::string label, const std::string& value) {
    label.resize(std::max<std::size_t>(label.size() + 1, 26), ' ');
    return "  " + label + value + "\n";
  };
  const char* side = f.offset_s < 0   ? "behind this machine's"
                     : f.offset_s > 0 ? "ahead of this machine's"
                                      : "in step with this machine's";
  std::string out = style.Bold("Validator " + EscapeControls(url)) + "\n";
  out += row("clock offset", Fmt(f.offset_s) + " s" + pm + "  (" + side + "; (U - L) / 2)");
  out += row("clock skew allowed", Fmt(f.skew_s) + " s" + pm + "  ((U + L) / 2)");
  out +=
      row("nbf edge U", std::to_string(f.nbf_edge_s) + " s  (largest d accepted, nbf = now + d)");
  out +=
      row("exp edge L", std::to_string(f.exp_edge_s) + " s  (smallest d refused, exp = now - d)");
  out += row("requires exp", yes(f.requires_exp));
  out += row("refuses future iat", yes(f.refuses_future_iat));
  out += row("accepts 30-day lifetime", yes(f.accepts_30d_lifetime));
  out += row("requests",
             std::to_string(f.requests) + " (largest round trip " + Round3(f.max_rtt_ms) + " ms)");
  const bool trouble = f.skew_s < kComfortableS || f.offset_s != 0;
  const std::string verdict = Wrap("Verdict: " + ProbeHint(f), 78);
  out += "\n" + (trouble ? style.Warn(verdict) : style.Good(verdict)) + "\n";
  return out;
}

}  // namespace tock::cli
