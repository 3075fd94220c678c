// `tock serve`: the command line of the server. It parses the flags into
// server::ServeOptions and calls server::RunServe (server/serve.h).
#ifdef TOCK_WITH_SERVER

#include "serve.h"

#include <memory>

#include "commands/commands.h"
#include "common/options.h"

namespace tock::cli {

Command RegisterServe(CLI::App& root) {
  auto flags = std::make_shared<server::ServeOptions>();
  auto listen = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  auto issuer = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand(
      "serve", "Run the issuer, validator and decoder page over HTTP (see docs/server.md)");
  app->add_option("--config", flags->config_file, "TOML config file")->type_name("FILE");
  CLI::Option* l =
      app->add_option("--listen", *listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  CLI::Option* d = app->add_option("--data-dir", *data_dir,
                                   "Folder for keys and the replay database (default ./tock-data)");
  CLI::Option* i = app->add_option("--issuer", *issuer, "Issuer URL (default http://LISTEN)");
  auto clock = std::make_shared<ClockOptions>();
  app->add_option("--clock-offset", clock->offset,
                  "Shift the server's clock by D (issuing, validation, SNTP), e.g. -7s")
      ->type_name("D");
  app->add_option("--now", clock->now, "Refused: a server's clock runs; use --clock-offset")
      ->type_name("T");
  return Command{app, [=] {
                   // serve reads the clock all along: --clock-offset shifts it
                   // (issuing, validation, SNTP); a pinned --now makes no sense.
                   const Output out{"serve"};
                   if (!clock->now.empty()) {
                     return ReportCannotJudge(
                         out, UsageError("--now is refused for serve: a server's clock must "
                                         "run; use --clock-offset D to shift it."));
                   }
                   if (!clock->offset.empty()) {
                     Result<std::int64_t> shift =
                         ParseDurationOption("--clock-offset", clock->offset, true);
                     if (!shift.ok()) return ReportCannotJudge(out, shift.error());
                     flags->clock_offset_s = static_cast<double>(*shift);
                   }
                   if (l->count()) flags->overrides.listen = *listen;
                   if (d->count()) flags->overrides.data_dir = *data_dir;
                   if (i->count()) flags->overrides.issuer = *issuer;
                   return server::RunServe(*flags);
                 }};
}

}  // namespace tock::cli

#endif  // TOCK_WITH_SERVER
