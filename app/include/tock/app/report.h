// The JSON documents of docs/cli.md, shared by the CLI and the server.
#ifndef TOCK_APP_REPORT_H_
#define TOCK_APP_REPORT_H_

#include <string>

#include "tock/clock.h"
#include "tock/error.h"
#include "tock/inspect.h"
#include "tock/verified_token.h"
#include "tock/verifier.h"

namespace tock {

// DecodeReportJson returns the `tock decode --json` document for |view| at |now|.
std::string DecodeReportJson(const UnverifiedView& view, UnixSeconds now);

// VerifyAcceptedJson returns {"valid":true,"header","claims","key","now"}.
std::string VerifyAcceptedJson(const VerifiedToken& token);

// VerifyRejectedJson returns {"valid":false,"error":{...},"problems":[...]};
// problems is error.problems(), or [error] when that is empty.
std::string VerifyRejectedJson(const Error& error);

// VerifyReportJson is the `tock verify --json` document of a traced
// verification: VerifyAcceptedJson or VerifyRejectedJson, plus the trace:
// "now" and "skew_s" (the clock and tolerance the checks used), "checks"
// (every check in order: {"name","outcome","detail"} and, where set,
// "now", "claim_time", "skew_s", "delta_s", "limit_s", and "problems" as
// error objects) and "clock_note" when the trace has one.
std::string VerifyReportJson(const TracedVerification& verification);

// ErrorDocumentJson returns {"error":{...}}: decode failures and the exit-2
// document of commands other than verify.
std::string ErrorDocumentJson(const Error& error);

// ErrorObjectJson returns the error object alone: code, message and the
// diagnosis fields that are set (the claim's time under the claim's name).
std::string ErrorObjectJson(const Error& error);

}  // namespace tock

#endif  // TOCK_APP_REPORT_H_
