// The `tock verify` check list for people: the library's check trace
// (tock/check_trace.h), one line per check that ran, each with its numbers,
// so a rejection shows how far off it was. Only formatting lives here: what
// each check found, and in what order, is the library's.
#include <sstream>

#include "render/escape.h"
#include "render/human.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

// CheckLines prints the checks that ran: ✓ passed, ✗ failed. Skipped ones
// (the policy does not ask for them) and not-reached ones are left out.
std::string CheckLines(const CheckTrace& trace, const Style& style) {
  std::ostringstream out;
  for (const TracedCheck& check : trace.checks) {
    const bool passed = check.outcome == CheckOutcome::kPassed;
    if (!passed && check.outcome != CheckOutcome::kFailed) continue;
    std::string name = check.name;
    name.resize(std::max<std::size_t>(name.size(), 13), ' ');
    out << "  " << (passed ? style.Good("✓") : style.Bad("✗")) << " " << name
        << EscapeControls(check.detail) << "\n";
  }
  return out.str();
}

std::string NowLine(const CheckTrace& trace, const Style& style) {
  return "  " +
         style.Dim("now " + FormatUtc(static_cast<double>(trace.now)) + " (" +
                   std::to_string(trace.now) + "), allowed clock skew " +
                   FormatSeconds(static_cast<double>(trace.skew_s)) + "s") +
         "\n";
}

std::string RenderAccepted(const CheckTrace& trace, const Style& style) {
  std::ostringstream out;
  out << style.Good(style.Bold("VALID")) << "\n"
      << CheckLines(trace, style) << NowLine(trace, style);
  if (trace.clock_note) {
    out << "  " << style.Warn("note:") << " " << EscapeControls(*trace.clock_note) << "\n";
  }
  return out.str();
}

std::string RenderRejected(const Error& error, const CheckTrace& trace, const Style& style) {
  std::ostringstream out;
  out << style.Bad(style.Bold("REJECTED: " + std::string(error.code_string()))) << "\n"
      << CheckLines(trace, style);
  if (trace.AnyNotReached()) out << "  " << style.Dim("(later checks not run)") << "\n";
  out << NowLine(trace, style) << "\n" << EscapeControls(error.message()) << "\n";
  if (error.diagnosis().hint) out << "hint: " << EscapeControls(*error.diagnosis().hint) << "\n";
  return out.str();
}

}  // namespace

std::string RenderVerify(const TracedVerification& verification, const Style& style) {
  if (verification.result.ok()) return RenderAccepted(verification.trace, style);
  return RenderRejected(verification.result.error(), verification.trace, style);
}

}  // namespace tock::cli
