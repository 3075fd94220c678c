// `tock decode [TOKEN]`: split and decode a token without verifying it.
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "render/human.h"
#include "render/json.h"

namespace tock::cli {
namespace {

struct DecodeOptions {
  Output out{"decode"};
  std::string token;
  ClockOptions clock;
  std::size_t max_token_bytes = kDefaultMaxTokenBytes;
};

int RunDecode(const DecodeOptions& o) {
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportCannotJudge(o.out, clock.error());
  if (o.max_token_bytes == 0)
    return ReportCannotJudge(o.out, UsageError("--max-token-bytes must be at least 1."));
  Result<std::string> token = ReadToken(o.token);
  if (!token.ok()) return ReportCannotJudge(o.out, token.error());
  UnixSeconds now = (*clock)->Now();
  Result<UnverifiedView> view = InspectUnverified(*token, o.max_token_bytes);
  if (!view.ok()) {
    if (view.error().disposition() == Disposition::kCannotJudge) {
      return ReportCannotJudge(o.out, view.error());
    }
    if (o.out.json) {
      std::cout << DecodeFailureJson(view.error()) << "\n";
    } else {
      std::cout << RenderDecodeFailure(view.error(), StdoutStyle());
    }
    return kExitRejected;
  }
  if (o.out.json) {
    std::cout << DecodeJson(*view, now) << "\n";
  } else {
    std::cout << RenderDecode(*view, now, StdoutStyle());
  }
  return kExitOk;
}

}  // namespace

Command RegisterDecode(CLI::App& root) {
  auto o = std::make_shared<DecodeOptions>();
  CLI::App* app = root.add_subcommand(
      "decode", "Decode a token WITHOUT verifying it: header, payload, times, warnings");
  app->add_option("token", o->token, "The token; omitted or - reads stdin (\"Bearer \" stripped)")
      ->type_name("TOKEN");
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  o->clock.Register(*app);
  app->add_option("--max-token-bytes", o->max_token_bytes, "Longest token accepted")
      ->type_name("N")
      ->capture_default_str();
  return Command{app, [o] { return RunDecode(*o); }};
}

}  // namespace tock::cli
