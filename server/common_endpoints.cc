// /healthz, /metrics and the helpers every endpoint shares.
#include <cmath>

#include "clock_watch.h"
#include "endpoints.h"
#include "tock/app/json_writer.h"

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

// HandleHealth: 200 "ok" when every store the server's roles need answers;
// else 503 whose body's first line is the store's reason, then one line per
// role (issuer, validator) saying whether that role is affected, so an
// operator sees at once that a validator may stay in service (load
// balancers that only validate should probe /livez or /validate).
Response HandleHealth(ServerContext& ctx, const Request& req) {
  Result<void> store = ctx.replay->Ping();  // bounded (Redis: 250 ms, one probe at a time)
  Result<void> keys = ctx.keys->Health();   // [store]: as last seen, never waits
  if (store.ok() && keys.ok()) {
    std::string body = "ok\n";
    // A refused SNTP offset or a fallback is said here, still 200: issuing
    // and validating go on with the base clock.
    if (ctx.corrected) {
      if (auto note = ClockHealthNote(*ctx.corrected)) body += *note + "\n";
    }
    return MakeResponse(req, http::status::ok, "text/plain; charset=utf-8", body);
  }
  // The issuer consumes client-assertion jtis; the validator only for
  // one_time trust entries. Validation keys are in memory: a key store that
  // is down affects the issuer only.
  bool validator_needs_store = false;
  for (const auto& [issuer, entry] : ctx.trust) validator_needs_store |= entry.config.one_time;
  validator_needs_store &= !store.ok();
  std::string store_name(ctx.replay->Name());
  std::string body = (keys.ok() ? store : keys).error().message() + "\n";
  if (!keys.ok()) {
    body += "issuer: unavailable: the PostgreSQL key store does not answer (/token needs it)\n";
  } else {
    body += "issuer: unavailable: the " + store_name +
            " replay store does not answer (/token with private_key_jwt needs it)\n";
  }
  body += validator_needs_store ? "validator: unavailable: the " + store_name +
                                      " replay store does not answer (one_time trust entries "
                                      "need it)\n"
                                : std::string("validator: ok\n");
  return MakeResponse(req, http::status::service_unavailable, "text/plain; charset=utf-8", body);
}

// HandleLive: the process serves HTTP (for an orchestrator's restarts; a
// store that is down is no reason to restart).
Response HandleLive(ServerContext&, const Request& req) {
  return MakeResponse(req, http::status::ok, "text/plain; charset=utf-8", "ok\n");
}

Response HandleMetrics(ServerContext& ctx, const Request& req) {
  if (ctx.corrected) SetClockMetrics(*ctx.corrected, ctx.metrics);
  ctx.metrics.Set("tock_validate_cache_entries", double(ctx.verified_cache.size()));
  return MakeResponse(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                      ctx.metrics.Render());
}

}  // namespace tock::server
