// The JSON documents of shared/spec/cli.md, shared by the CLI and the server.
#ifndef TOCK_APP_REPORT_H_
#define TOCK_APP_REPORT_H_

#include <string>

#include "tock/clock.h"
#include "tock/error.h"
#include "tock/inspect.h"
#include "tock/verified_token.h"

namespace tock {

// DecodeReportJson returns the `tock decode --json` document for |view| at |now|.
std::string DecodeReportJson(const UnverifiedView& view, UnixSeconds now);

// VerifyAcceptedJson returns {"valid":true,"header","claims","key","now"}.
std::string VerifyAcceptedJson(const VerifiedToken& token);

// VerifyRejectedJson returns {"valid":false,"error":{...},"problems":[...]};
// problems is error.problems(), or [error] when that is empty.
std::string VerifyRejectedJson(const Error& error);

// ErrorDocumentJson returns {"error":{...}}: decode failures and the exit-2
// document of commands other than verify.
std::string ErrorDocumentJson(const Error& error);

// ErrorObjectJson returns the error object alone: code, message and the
// diagnosis fields that are set (the claim's time under the claim's name).
std::string ErrorObjectJson(const Error& error);

}  // namespace tock

#endif  // TOCK_APP_REPORT_H_
