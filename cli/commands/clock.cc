// `tock clock`: how far is this machine's clock from NTP time? Output in the
// manner of ntpdig and `chronyc tracking`: per server its address, stratum,
// signed offset and delay, then the best estimate in words.
#include "commands/clock.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "common/options.h"
#include "render/escape.h"
#include "render/human.h"
#include "tock/sntp.h"

namespace tock::cli {
namespace {

struct ClockCommandOptions {
  Output out{"clock"};
  ClockOptions clock;
  std::vector<std::string> servers;
  int samples = 4;
  std::string timeout = "2s";
  std::string max_offset = "1s";
};

std::string Printf(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// Amount prints a magnitude people read at a glance: "0.412 ms", "73.012 s".
std::string Amount(double seconds) {
  double a = std::fabs(seconds);
  return a < 1.0 ? Printf("%.3f ms", a * 1000.0) : Printf("%.3f s", a);
}

// Direction says the offset from this machine's side: a positive offset
// (server ahead) means this machine is behind, as ntpdate reports it.
std::string Direction(double offset_s) {
  return "this machine is " + Amount(offset_s) + (offset_s >= 0 ? " behind" : " ahead");
}

std::string Pad(std::string text, std::size_t width, bool right = false) {
  if (text.size() >= width) return text + " ";
  std::string fill(width - text.size(), ' ');
  return right ? fill + text + " " : text + fill + " ";
}

std::string RenderTable(const ClockReport& report, int samples, const Style& style) {
  std::size_t w = 6;
  for (const ServerMeasurement& m : report.servers) {
    w = std::max({w, EscapeControls(m.server).size(), m.address.size()});
  }
  std::string out = style.Bold(Pad("SERVER", w + 1) + Pad("ADDRESS", w + 1) + Pad("STRATUM", 7) +
                               Pad("OFFSET", 14, true) + Pad("DELAY", 12, true) + "SAMPLES") +
                    "\n";
  for (std::size_t i = 0; i < report.servers.size(); ++i) {
    const ServerMeasurement& m = report.servers[i];
    std::string row =
        Pad(EscapeControls(m.server), w + 1) + Pad(m.address.empty() ? "-" : m.address, w + 1);
    std::string count = std::to_string(m.samples) + "/" + std::to_string(samples);
    if (m.answered()) {
      row += Pad(std::to_string(*m.stratum), 7, true) +
             Pad(Printf("%+.6f s", *m.offset_s), 14, true) +
             Pad(Printf("%.6f s", *m.delay_s), 12, true) + count;
      if (report.best == i) row = style.Bold(row + "  *");
    } else {
      row += Pad("-", 7, true) + Pad("-", 14, true) + Pad("-", 12, true) + count;
    }
    out += row + "\n";
    if (!m.answered()) out += "  " + style.Bad("error: " + EscapeControls(*m.error)) + "\n";
  }
  return out;
}

// RenderSummary is the best estimate in words, like `chronyc tracking`'s
// "System time: N seconds slow of NTP time".
std::string RenderSummary(const ClockReport& report, double max_offset_s, const Style& style) {
  const ServerMeasurement& best = report.servers[*report.best];
  const double offset = *report.offset_s;
  std::string line = "Offset " + Printf("%+.6f s", offset) + " (delay " +
                     Printf("%.6f s", *report.delay_s) + ") from " + EscapeControls(best.server) +
                     ", stratum " + std::to_string(*best.stratum) + ": " + Direction(offset) + ".";
  const bool over = std::fabs(offset) > max_offset_s;
  std::string out = "\n" + (over ? style.Bad(line) : style.Good(line)) + "\n";
  out += "(* marks the best estimate: the answering server with the smallest delay.)\n";
  return out;
}

int RunClock(const ClockCommandOptions& o) {
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportCannotJudge(o.out, clock.error());
  Result<std::int64_t> timeout = ParseDurationOption("--timeout", o.timeout);
  if (!timeout.ok()) return ReportCannotJudge(o.out, timeout.error());
  Result<std::int64_t> max_offset = ParseDurationOption("--max-offset", o.max_offset);
  if (!max_offset.ok()) return ReportCannotJudge(o.out, max_offset.error());
  if (*timeout < 1) return ReportCannotJudge(o.out, UsageError("--timeout must be at least 1s."));
  if (o.samples < 1 || o.samples > kMaxNtpSamples) {
    return ReportCannotJudge(
        o.out, UsageError("--samples must be between 1 and " + std::to_string(kMaxNtpSamples) +
                          ", not " + std::to_string(o.samples) + "."));
  }

  std::vector<std::string> servers = o.servers;
  if (servers.empty()) servers.emplace_back(kDefaultNtpServer);
  MeasureOptions options{o.samples, static_cast<double>(*timeout), 0.0};
  Result<ClockReport> report = MeasureClock(servers, options, (*clock)->clock());
  if (!report.ok()) return ReportCannotJudge(o.out, report.error());

  const double max_s = static_cast<double>(*max_offset);
  if (o.out.json) {
    std::cout << EscapeJsonText(ClockReportJson(*report)) << "\n";
  } else {
    Style style = StdoutStyle();
    std::cout << RenderTable(*report, o.samples, style);
    if (report->answered()) std::cout << RenderSummary(*report, max_s, style);
  }
  if (!report->answered()) {
    std::cerr << "tock clock: " << EscapeControls(NoAnswerError(*report).message()) << "\n";
    return kExitCannotJudge;
  }
  if (std::fabs(*report->offset_s) > max_s) {
    std::cerr << "tock clock: the offset " << Printf("%+.6f s", *report->offset_s)
              << " exceeds --max-offset " << *max_offset << "s: " << Direction(*report->offset_s)
              << ".\n";
    return kExitRejected;
  }
  return kExitOk;
}

}  // namespace

Command RegisterClock(CLI::App& root) {
  auto o = std::make_shared<ClockCommandOptions>();
  CLI::App* app =
      root.add_subcommand("clock", "Measure this machine's clock offset with SNTP (RFC 4330)");
  app->add_option("--server", o->servers,
                  "NTP server HOST, HOST:PORT or [IPv6]:PORT; repeatable (default pool.ntp.org)")
      ->type_name("HOST[:PORT]");
  app->add_option("--samples", o->samples,
                  "Requests per server; the one with the smallest delay counts")
      ->type_name("N")
      ->capture_default_str();
  app->add_option("--timeout", o->timeout, "How long to wait for each reply")
      ->type_name("D")
      ->capture_default_str();
  app->add_option("--max-offset", o->max_offset,
                  "Exit 1 when the best offset's absolute value exceeds D")
      ->type_name("D")
      ->capture_default_str();
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  o->clock.Register(*app);
  app->footer(
      "offset_s is how far the server's clock is ahead of this machine's (positive: this "
      "machine is behind).\nExit 0 within --max-offset, 1 beyond it, 2 when no server answers.");
  return Command{app, [o] { return RunClock(*o); }};
}

}  // namespace tock::cli
