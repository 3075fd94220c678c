// The --json documents of the CLI. Every document comes from tock/report.h or
// the library; this layer only makes the output terminal-safe.
#ifndef TOCK_CLI_RENDER_JSON_H_
#define TOCK_CLI_RENDER_JSON_H_

#include <string>

#include "tock/tock.h"

namespace tock::cli {

// DecodeJson is the `tock decode --json` document.
std::string DecodeJson(const UnverifiedView& view, UnixSeconds now);

// DecodeFailureJson is {"error":{...}} for a token that does not decode.
std::string DecodeFailureJson(const Error& error);

// VerifyJson is {"valid":true,...} for an accepted token, {"valid":false,
// "error":{...},"problems":[...]} for a rejection, with the check trace
// (VerifyReportJson).
std::string VerifyJson(const TracedVerification& verification);

// CannotJudgeJson is the exit-2 document: {"error":{...}}, or for verify
// {"valid":false,"error":{...},"problems":[...]}.
std::string CannotJudgeJson(const Error& error, bool verify);

}  // namespace tock::cli

#endif  // TOCK_CLI_RENDER_JSON_H_
