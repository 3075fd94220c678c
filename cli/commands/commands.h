// The `tock` subcommands. Each Register* adds its subcommand and flags to the
// root app and returns the runner main() calls when that subcommand parsed.
#ifndef TOCK_CLI_COMMANDS_COMMANDS_H_
#define TOCK_CLI_COMMANDS_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace tock::cli {

// Command is a registered subcommand and the function that runs it; run
// returns the process exit code (0, 1 or 2 per cli.md).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command RegisterDecode(CLI::App& root);
Command RegisterVerify(CLI::App& root);
Command RegisterSign(CLI::App& root);
Command RegisterKeygen(CLI::App& root);
Command RegisterJwks(CLI::App& root);
Command RegisterThumbprint(CLI::App& root);
// `tock hash-secret` (commands/hash_secret.cc, written with the server).
Command RegisterHashSecret(CLI::App& root);
// `tock audit URL` (commands/audit*.cc): attack a live validator.
Command RegisterAudit(CLI::App& root);
// `tock probe URL` (commands/probe*.cc): measure a remote validator.
Command RegisterProbe(CLI::App& root);
// `tock token` (commands/token.cc): client credentials via tock::TokenSource.
Command RegisterToken(CLI::App& root);
// `tock keys rotate|list` (commands/keys.cc; only in a build with the server).
Command RegisterKeys(CLI::App& root);
// `tock serve` (commands/serve.cc; only in a build with the server): flags
// into server::ServeOptions, then server::RunServe.
Command RegisterServe(CLI::App& root);

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMANDS_COMMANDS_H_
