// `tock clock`: measure this machine's clock offset with SNTP (cli.md).
// Declared here rather than in commands.h, which belongs to the CLI owner;
// main.cc registers it like the others.
#ifndef TOCK_CLI_COMMANDS_CLOCK_H_
#define TOCK_CLI_COMMANDS_CLOCK_H_

#include <CLI/CLI.hpp>

#include "commands/commands.h"

namespace tock::cli {

// RegisterClock adds `tock clock` (--server, --samples, --timeout,
// --max-offset, --json, --now, --clock-offset).
Command RegisterClock(CLI::App& root);

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMANDS_CLOCK_H_
