// /healthz, /metrics and the helpers every endpoint shares.
#include <cmath>

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
  return MakeResponse(req, http::status::ok, "text/plain; charset=utf-8", "ok\n");
}

Response HandleMetrics(ServerContext& ctx, const Request& req) {
  if (ctx.corrected) {
    // Same sign as `tock clock`'s offset_s: positive when the SNTP servers'
    // clock is ahead of this machine's.
    CorrectionStatus status = ctx.corrected->status();
    if (status.last_offset_s) ctx.metrics.Set("tock_clock_offset_seconds", *status.last_offset_s);
  }
  return MakeResponse(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                      ctx.metrics.Render());
}

}  // namespace tock::server
