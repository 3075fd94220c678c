// `tock`: the command-line front end of the tock library (docs/cli.md).
#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands/clock.h"
#include "commands/commands.h"
#include "common/options.h"

#ifndef TOCK_VERSION
#define TOCK_VERSION "0.0.0"
#endif

namespace tock::cli {
namespace {

// SniffOutput finds the verb and --json before CLI11 parses, so that a parse
// error under --json still yields the JSON usage document (cli.md).
Output SniffOutput(int argc, char** argv) {
  Output out;
  out.verb = argc > 1 && argv[1][0] != '-' ? argv[1] : "";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (std::strcmp(argv[i], "--json") == 0) out.json = true;
  }
  return out;
}

Command RegisterHelp(CLI::App& root) {
  auto topic = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand("help", "Show help for tock or for one command");
  app->add_option("command", *topic, "The command to explain")->type_name("COMMAND");
  return Command{
      app, [&root, topic] {
        if (topic->empty()) {
          // root.help() would describe "help" itself: it is the
          // selected subcommand now.
          std::cout << root.get_formatter()->make_help(&root, "tock", CLI::AppFormatMode::Normal);
          return kExitOk;
        }
        for (const CLI::App* sub : root.get_subcommands({})) {
          if (sub->get_name() == *topic) {
            std::cout << sub->help("tock");
            return kExitOk;
          }
        }
        return ReportCannotJudge(Output{"help"}, UsageError("no command named \"" + *topic +
                                                            "\"; run 'tock help' for the list."));
      }};
}

int Main(int argc, char** argv) {
  CLI::App app{"tock: JWT signing, verification and clock-skew diagnosis", "tock"};
  app.set_version_flag("--version", std::string("tock ") + TOCK_VERSION);
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes: 0 ok / accepted, 1 rejected, 2 cannot judge (usage, key, I/O, network).\n"
      "Run 'tock COMMAND --help' for a command's flags.");
  std::vector<Command> commands = {
      RegisterDecode(app), RegisterVerify(app),     RegisterSign(app),       RegisterKeygen(app),
      RegisterJwks(app),   RegisterThumbprint(app), RegisterHashSecret(app), RegisterClock(app),
      RegisterAudit(app),  RegisterProbe(app),      RegisterToken(app)};
#ifdef TOCK_WITH_SERVER
  commands.push_back(RegisterServe(app));
  commands.push_back(RegisterKeys(app));
#endif
  commands.push_back(RegisterHelp(app));
  Output sniffed = SniffOutput(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "errors" with exit code 0: print them.
    if (e.get_exit_code() == 0) return app.exit(e);
    // CLI11 would exit 105-115; the contract says bad usage is exit 2.
    std::string message = e.what();
    if (!message.empty() && message.back() != '.') message += ".";
    return ReportCannotJudge(sniffed, UsageError(message));
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  std::cerr << app.help();
  return kExitCannotJudge;
}

}  // namespace
}  // namespace tock::cli

int main(int argc, char** argv) { return tock::cli::Main(argc, argv); }
