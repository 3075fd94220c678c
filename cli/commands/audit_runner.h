// The audit's runner: sends each case's token through the request layer and
// turns the answers (and the listener's fetches) into results.
#ifndef TOCK_CLI_COMMANDS_AUDIT_RUNNER_H_
#define TOCK_CLI_COMMANDS_AUDIT_RUNNER_H_

#include <string>
#include <vector>

#include "commands/audit_cases.h"
#include "commands/audit_listener.h"
#include "common/bearer_request.h"

namespace tock::cli::audit {

// SsrfFetch is a listener request, with the case whose token named it.
struct SsrfFetch {
  Fetch fetch;
  std::string url;    // the callback base + the requested target
  std::string klass;  // empty when no case named that path
  std::string name;
};

// AuditReport is the whole result, as the renderers show it.
struct AuditReport {
  std::string url;
  int requests = 0;
  std::vector<AttackCase> cases;
  std::vector<SsrfFetch> ssrf_fetches;
  int Findings() const;
  int Notes() const;
};

// RunCases sends every case that has a token (until the request cap, after
// which the rest are skipped), classifies the answers, waits |fetch_wait_s|
// after the last request for late fetches, and marks fetched cases.
// |listener| may be null (no jku/x5u case selected).
void RunCases(BearerClient& client, const Listener* listener, const std::string& callback_base,
              double fetch_wait_s, AuditReport& report);

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_RUNNER_H_
