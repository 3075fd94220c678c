// What `tock token` prints: the token (or its header line), the --json
// document, the refusal and error documents, and the issuer-clock warning.
#ifndef TOCK_CLI_COMMANDS_TOKEN_OUTPUT_H_
#define TOCK_CLI_COMMANDS_TOKEN_OUTPUT_H_

#include <optional>
#include <string>

#include "common/options.h"
#include "tock/token_source.h"

namespace tock::cli {

// kClockWarningSeconds: an issuer clock this far off either way is warned about.
inline constexpr long kClockWarningSeconds = 5;

// ClockWarning is the stderr warning for |clock|, or nullopt when the offset
// is unknown or under kClockWarningSeconds. |assertions| words the
// consequence for a private_key_jwt client.
std::optional<std::string> ClockWarning(const IssuerClock& clock, bool assertions);

// PrintToken prints the token (or "Authorization: Bearer TOKEN" with
// |header_line|), or the --json document at local time |now|. Returns 0.
int PrintToken(const Output& out, const AccessToken& token, double now, bool header_line);

// ReportTokenError prints a failure: token_refused (exit 1) with its OAuth
// error and status, else the exit-2 error; with --json the document on
// stdout. Returns the exit code.
int ReportTokenError(const Output& out, const Error& error);

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMANDS_TOKEN_OUTPUT_H_
