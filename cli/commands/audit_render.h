// The audit's two outputs: the --json document of cli.md and the report for
// people (one line per case, findings first).
#ifndef TOCK_CLI_COMMANDS_AUDIT_RENDER_H_
#define TOCK_CLI_COMMANDS_AUDIT_RENDER_H_

#include <optional>
#include <string>

#include "commands/audit_runner.h"
#include "render/human.h"

namespace tock::cli::audit {

// CaseSeverity is the severity a case is reported with: "high" for a fetch,
// the class's severity, "medium" for an error in a note-only class; nullopt
// for policy and oversized cases otherwise.
std::optional<std::string> CaseSeverity(const AttackCase& c);

// AuditJson is {"url","requests","cases":[...],"findings","notes","ssrf_fetches":[...]}.
std::string AuditJson(const AuditReport& report);

// AuditHuman is the report for a terminal.
std::string AuditHuman(const AuditReport& report, const Style& style);

// ProbeErrorJson is the exit-2 document when the baseline is not accepted,
// |error| (ErrorCode::kProbeError) with what the validator answered:
// {"error":{"code":"probe_error","message":...,"status":N|null,"www_authenticate":...}}.
std::string ProbeErrorJson(const Error& error, std::optional<int> status,
                           const std::string& www_authenticate);

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_RENDER_H_
