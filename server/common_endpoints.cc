// /healthz, /metrics and the helpers every endpoint shares.
#include <cmath>

#include "clock_watch.h"
#include "endpoints.h"
#include "tock/json_writer.h"

namespace tock::server {

std::string HeaderSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool allowed = (c >= 0x20 && c <= 0x21) || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
    out += allowed ? ch : '?';
  }
  return out;
}

void AddTokenFields(JsonWriter& line, const UnverifiedView& view) {
  if (auto v = view.StringClaim("iss")) line.Str("iss", *v);
  if (auto v = view.StringHeader("kid")) line.Str("kid", *v);
  if (auto v = view.StringClaim("sub")) line.Str("sub", *v);
  for (const char* name : {"iat", "nbf", "exp"}) {
    if (auto v = view.NumberClaim(name)) line.Num(name, *v);
  }
}

void AddErrorFields(JsonWriter& line, const Error& error) {
  line.Str("code", error.code_string()).Str("message", error.message());
}

Response HandleHealth(ServerContext& ctx, const Request& req) {
  Result<void> store = ctx.replay->Ping();
  if (!store.ok()) {
    return MakeResponse(req, http::status::service_unavailable, "text/plain; charset=utf-8",
                        store.error().message() + "\n");
  }
  std::string body = "ok\n";
  // A refused SNTP offset or a fallback is said here, still 200: issuing and
  // validating go on with the base clock.
  if (ctx.corrected) {
    if (auto note = ClockHealthNote(*ctx.corrected)) body += *note + "\n";
  }
  return MakeResponse(req, http::status::ok, "text/plain; charset=utf-8", body);
}

Response HandleMetrics(ServerContext& ctx, const Request& req) {
  if (ctx.corrected) SetClockMetrics(*ctx.corrected, ctx.metrics);
  return MakeResponse(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                      ctx.metrics.Render());
}

}  // namespace tock::server
