// Output of `tock probe`: the verdict (what will fail, what to change), the
// --json document of cli.md and the report for people.
#ifndef TOCK_CLI_RENDER_PROBE_RENDER_H_
#define TOCK_CLI_RENDER_PROBE_RENDER_H_

#include <string>

#include "commands/probe_search.h"
#include "render/human.h"

namespace tock::cli {

// ProbeHint is the verdict in words: the two figures, which senders will be
// refused and what to change. With refuses_future_iat, backdating nbf is
// not offered as a fix on its own (the token's iat would be refused next).
std::string ProbeHint(const ProbeFindings& findings);

// ProbeJson is exactly the document of cli.md: url, requests, rtt_ms,
// offset_s, skew_s, uncertainty_s, nbf_edge_s, exp_edge_s, checks, hint.
std::string ProbeJson(const std::string& url, const ProbeFindings& findings);

// RenderProbe is the report for people: the figures with their uncertainty,
// the edges, the checks, the request count and the verdict.
std::string RenderProbe(const std::string& url, const ProbeFindings& findings, const Style& style);

}  // namespace tock::cli

#endif  // TOCK_CLI_RENDER_PROBE_RENDER_H_
