// `tock serve`: registers the subcommand with the `tock` CLI (cli/main.cc).
#ifndef TOCK_SERVER_SERVE_COMMAND_H_
#define TOCK_SERVER_SERVE_COMMAND_H_

#include "commands/commands.h"

namespace tock::cli {

// RegisterServe adds `serve` (--config, --listen, --data-dir, --issuer,
// --clock-offset; --now is refused).
Command RegisterServe(CLI::App& root);

}  // namespace tock::cli

#endif  // TOCK_SERVER_SERVE_COMMAND_H_
