#include "commands/audit_render.h"

#include <algorithm>
#include <sstream>

#include "render/escape.h"
#include "tock/app/json_writer.h"

namespace tock::cli::audit {
namespace {

// Rank orders the human report: findings by severity, then notes, then
// refused, then skipped.
int Rank(const AttackCase& c) {
  if (IsFinding(c.outcome)) {
    std::optional<std::string> s = CaseSeverity(c);
    if (s == "critical") return 0;
    if (s == "high") return 1;
    if (s == "medium") return 2;
    return 3;
  }
  switch (c.outcome) {
    case Outcome::kNote:
      return 4;
    case Outcome::kRefused:
      return 5;
    default:
      return 6;
  }
}

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

std::string CaseJson(const AttackCase& c) {
  JsonWriter w;
  w.Str("class", c.klass).Str("name", c.name);
  if (c.status) {
    w.Int("status", *c.status);
  } else {
    w.Raw("status", "null");
  }
  w.Str("result", ToString(c.outcome));
  std::optional<std::string> severity = CaseSeverity(c);
  if (severity) {
    w.Str("severity", *severity);
  } else {
    w.Raw("severity", "null");
  }
  w.StrArray("refs", c.refs);
  if (!c.reason.empty()) w.Str("reason", c.reason);
  return w.Finish();
}

std::string FetchJson(const SsrfFetch& f) {
  JsonWriter w;
  w.Str("url", f.url).Str("method", f.fetch.method).Str("path", f.fetch.target);
  w.Str("remote", f.fetch.remote);
  if (f.klass.empty()) {
    w.Raw("class", "null").Raw("name", "null");
  } else {
    w.Str("class", f.klass).Str("name", f.name);
  }
  return w.Finish();
}

std::string Pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string ResultCell(const AttackCase& c, const Style& style) {
  std::string word =
      Pad(ToString(c.outcome) == "accepted" ? "ACCEPTED" : std::string(ToString(c.outcome)), 9);
  if (IsFinding(c.outcome)) return style.Bad(style.Bold(word));
  if (c.outcome == Outcome::kNote) return style.Warn(word);
  if (c.outcome == Outcome::kRefused) return style.Good(word);
  return style.Dim(word);
}

std::string CaseLine(const AttackCase& c, const Style& style) {
  std::ostringstream line;
  // The severity column is for findings: "refused critical" would read as
  // a critical problem (--json gives every case's severity).
  std::string severity = IsFinding(c.outcome) ? CaseSeverity(c).value_or("-") : "-";
  line << ResultCell(c, style) << Pad(severity, 9) << Pad(c.klass, 19)
       << Pad(EscapeControls(c.name), 30) << Pad(c.status ? std::to_string(*c.status) : "-", 5);
  std::string refs;
  for (const std::string& r : c.refs) refs += (refs.empty() ? "" : ", ") + r;
  if (IsFinding(c.outcome) || c.outcome == Outcome::kNote) line << refs;
  if (!c.reason.empty() && c.outcome != Outcome::kFetched) {
    line << (IsFinding(c.outcome) || c.outcome == Outcome::kNote ? "; " : "")
         << EscapeControls(c.reason);
  }
  std::string text = line.str();
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

std::optional<std::string> CaseSeverity(const AttackCase& c) {
  if (c.outcome == Outcome::kFetched) return "high";
  if (!c.severity.empty()) return c.severity;
  if (c.outcome == Outcome::kError) return "medium";
  return std::nullopt;
}

std::string AuditJson(const AuditReport& report) {
  std::vector<std::string> cases, fetches;
  for (const AttackCase& c : report.cases) cases.push_back(CaseJson(c));
  for (const SsrfFetch& f : report.ssrf_fetches) fetches.push_back(FetchJson(f));
  return JsonWriter()
      .Str("url", report.url)
      .Int("requests", report.requests)
      .Raw("cases", JsonArray(cases))
      .Int("findings", report.Findings())
      .Int("notes", report.Notes())
      .Raw("ssrf_fetches", JsonArray(fetches))
      .Finish();
}

std::string AuditHuman(const AuditReport& report, const Style& style) {
  std::vector<const AttackCase*> order;
  for (const AttackCase& c : report.cases) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(),
                   [](const AttackCase* a, const AttackCase* b) { return Rank(*a) < Rank(*b); });
  std::ostringstream out;
  int findings = report.Findings();
  out << style.Bold("tock audit " + EscapeControls(report.url)) << ": "
      << (findings == 0
              ? style.Good("no finding")
              : style.Bad(std::to_string(findings) + (findings == 1 ? " finding" : " findings")))
      << ", " << report.Notes() << (report.Notes() == 1 ? " note, " : " notes, ")
      << report.cases.size() << " cases, " << report.requests << " requests\n\n";
  out << style.Dim(Pad("result", 9) + Pad("severity", 9) + Pad("class", 19) + Pad("case", 30) +
                   "HTTP")
      << "\n";
  for (const AttackCase* c : order) out << CaseLine(*c, style) << "\n";
  if (!report.ssrf_fetches.empty()) {
    out << "\n"
        << style.Bad("The validator fetched URLs named by unverified tokens (SSRF):") << "\n";
    for (const SsrfFetch& f : report.ssrf_fetches) {
      out << "  " << EscapeControls(f.fetch.method) << " " << EscapeControls(f.url) << " from "
          << EscapeControls(f.fetch.remote)
          << (f.klass.empty() ? "" : " (" + f.klass + " " + f.name + ")") << "\n";
    }
  }
  return out.str();
}

std::string ProbeErrorJson(const Error& error, std::optional<int> status,
                           const std::string& www_authenticate) {
  JsonWriter doc;
  doc.Str("code", std::string(error.code_string())).Str("message", error.message());
  if (status) {
    doc.Int("status", *status);
  } else {
    doc.Raw("status", "null");
  }
  doc.Str("www_authenticate", www_authenticate);
  return JsonWriter().Raw("error", doc.Finish()).Finish();
}

}  // namespace tock::cli::audit
