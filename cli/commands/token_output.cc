#include "commands/token_output.h"

#include <cmath>
#include <iostream>

#include "render/escape.h"
#include "tock/app/json_writer.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

std::string IssuerClockJson(const IssuerClock& clock) {
  if (!clock.offset_s) return R"({"offset_s":null,"source":null})";
  return JsonWriter()
      .Int("offset_s", std::lround(*clock.offset_s))
      .Str("source", clock.source)
      .Finish();
}

}  // namespace

std::optional<std::string> ClockWarning(const IssuerClock& clock, bool assertions) {
  if (!clock.offset_s) return std::nullopt;
  const long offset = std::lround(*clock.offset_s);
  if (std::labs(offset) < kClockWarningSeconds) return std::nullopt;
  const std::string n = std::to_string(std::labs(offset)) + "s";
  const bool ahead = offset > 0;
  const std::string source = clock.source == "iat" ? "token iat" : "Date header";
  std::string text = "warning: the issuer's clock is " + n + (ahead ? " ahead of" : " behind") +
                     " this machine's (" + source + "): ";
  const std::string look = n + (ahead ? " old" : " early");
  if (assertions) {
    text += "to it, your private_key_jwt assertions look " + look;
  } else {
    text += "to it, times stamped on this machine look " + look + ", and its tokens look " + n +
            (ahead ? " early" : " old") + " to validators on this machine's clock";
  }
  return text + "; fix this machine's time (tock clock)";
}

int PrintToken(const Output& out, const AccessToken& token, double now, bool header_line) {
  if (!out.json) {
    std::cout << (header_line ? "Authorization: Bearer " : "") << token.access_token << "\n";
    return kExitOk;
  }
  const double remaining = token.cached ? token.expires_at - now : token.lifetime_s;
  std::cout << JsonWriter()
                   .Str("access_token", token.access_token)
                   .Str("token_type", token.token_type)
                   .Int("expires_in",
                        static_cast<std::int64_t>(std::floor(std::max(0.0, remaining))))
                   .Str("expires_at", FormatUtc(std::floor(token.expires_at)))
                   .Str("scope", token.scope)
                   .Bool("cached", token.cached)
                   .Raw("issuer_clock", IssuerClockJson(token.issuer_clock))
                   .Finish()
            << "\n";
  return kExitOk;
}

int ReportTokenError(const Output& out, const Error& error) {
  const Diagnosis& d = error.diagnosis();
  const bool refused = error.code() == ErrorCode::kTokenRefused;
  std::string human = "tock token: ";
  if (refused) {
    human += "the token endpoint refused the request: " + d.oauth_error.value_or("?");
    if (d.http_status) human += " (HTTP " + std::to_string(*d.http_status) + ")";
    human += ": ";
  }
  std::cerr << EscapeControls(human + error.message()) << "\n";
  if (error.code() == ErrorCode::kUsage) std::cerr << "Run 'tock token --help' for the flags.\n";
  if (out.json) {
    JsonWriter e;
    e.Str("code", error.code_string());
    if (d.oauth_error) e.Str("oauth_error", *d.oauth_error);
    if (d.http_status) e.Int("status", *d.http_status);
    e.Str("message", error.message());
    if (d.retry_after_s) e.Num("retry_after_s", *d.retry_after_s);
    if (d.issuer_clock_offset_s) {
      e.Raw("issuer_clock", IssuerClockJson(IssuerClock{d.issuer_clock_offset_s,
                                                        d.issuer_clock_source.value_or("")}));
    }
    std::cout << JsonWriter().Raw("error", e.Finish()).Finish() << "\n";
  }
  return refused ? kExitRejected : kExitCannotJudge;
}

}  // namespace tock::cli
