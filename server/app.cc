#include "app.h"

#include <chrono>
#include <iostream>
#include <thread>

#include "context.h"
#include "endpoints.h"
#include "http/server.h"
#include "replay/replay_stores.h"
#include "tock/key_loader.h"
#include "tock/secret_hash.h"
#include "tock/token_builder.h"
#include "web_page.h"

namespace tock::server {
namespace {

constexpr int kExitBad = 2;

int Fail(const std::string& message) {
  std::cerr << "tock serve: " << message << "\n";
  return kExitBad;
}

// RemoteAllowed: keys are fetched over HTTPS; plain HTTP only on loopback.
bool RemoteAllowed(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return true;
  for (const char* prefix :
       {"http://127.", "http://localhost:", "http://localhost/", "http://[::1]"}) {
    if (url.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// MakeKeySource: a key file, a jwks_uri, or with |discover| the jwks_uri
// of |label| (an issuer) found by OpenID Connect Discovery at each refresh.
Result<KeySource> MakeKeySource(ServerContext& ctx, const std::optional<std::string>& file,
                                std::optional<std::string> uri, const std::string& label,
                                const JwksCacheSettings& settings, bool discover = false) {
  if (discover) uri = label;
  KeySource source;
  if (file) {
    Result<LoadedKeys> keys = LoadKeyFile(*file);
    if (!keys.ok()) return Error(keys.error().code(), label + ": " + keys.error().message());
    for (const std::string& note : keys->notes)
      std::cerr << "tock serve: note: " << label << ": " << note << "\n";
    source.fixed = std::make_shared<const JwkSet>(std::move(keys->keys));
  } else if (uri) {
    if (!RemoteAllowed(*uri)) {
      return Error(ErrorCode::kUsage, label + (discover ? ": issuer " : ": jwks_uri ") + *uri +
                                          " must be https:// (http:// only on loopback)");
    }
    ServerContext* c = &ctx;
    std::string issuer = label;
    source.remote = std::make_unique<JwksCache>(
        *uri, settings, ctx.clock,
        discover ? DiscoveryJwksFetcher(RemoteAllowed) : DefaultJwksFetcher(),
        [c, issuer, uri = *uri](const FetchEvent& e) {
          c->metrics.Inc("tock_jwks_refresh_total",
                         {{"issuer", issuer}, {"result", e.ok ? "ok" : "error"}});
          if (e.ok) return;
          JsonWriter line = c->log.Start("warn", "jwks_refresh_failed");
          line.Str("code", "network_error")
              .Str("message", e.message)
              .Str("iss", issuer)
              .Str("jwks_uri", uri);
          c->log.Write(line);
        });
  }
  return source;
}

std::optional<std::string> BuildContext(ServerContext& ctx) {
  const Config& cfg = ctx.config;
  Result<std::unique_ptr<KeyStore>> keys =
      KeyStore::Open(cfg.data_dir, KeyPolicyOf(cfg.token), ctx.clock.Now());
  if (!keys.ok()) return keys.error().message();
  ctx.keys = std::move(*keys);
  if (cfg.replay.backend == "memory") {
    ctx.replay = std::make_unique<MemoryReplayStore>(ctx.clock);
  } else if (cfg.replay.backend == "redis") {
    auto store = MakeRedisReplayStore(cfg.replay.url, ctx.clock);
    if (!store.ok()) return store.error().message();
    ctx.replay = std::move(*store);
  } else {
    auto store = OpenSqliteReplayStore(cfg.data_dir + "/tock.db", ctx.clock);
    if (!store.ok()) return store.error().message();
    ctx.replay = std::move(*store);
  }
  for (const ClientConfig& c : cfg.clients) {
    Result<KeySource> source =
        MakeKeySource(ctx, c.jwks_file, c.jwks_uri, "client \"" + c.id + "\"", {});
    if (!source.ok()) return source.error().message();
    ctx.clients.emplace(c.id, Client{c, std::move(*source)});
    for (const std::string& aud : c.audiences) {
      if (std::find(ctx.own_audiences.begin(), ctx.own_audiences.end(), aud) ==
          ctx.own_audiences.end())
        ctx.own_audiences.push_back(aud);
    }
  }
  for (const TrustConfig& t : cfg.trust) {
    JwksCacheSettings s{t.cache_max_age_s, t.cache_min_s,     t.cache_max_s,
                        t.cooldown_s,      t.fetch_timeout_s, t.max_stale_s};
    // Neither jwks_uri nor jwks_file: discovered from the issuer (lazily, so
    // an issuer that is down at our start-up does not stop us).
    bool discover = !t.jwks_file && !t.jwks_uri;
    Result<KeySource> source = MakeKeySource(ctx, t.jwks_file, t.jwks_uri, t.issuer, s, discover);
    if (!source.ok()) return source.error().message();
    ctx.trust.emplace(t.issuer, TrustEntry{t, std::move(*source)});
  }
  Result<std::string> dummy = HashSecret(RandomJti());
  if (!dummy.ok()) return dummy.error().message();
  ctx.dummy_secret_hash = *dummy;
  return std::nullopt;
}

void AddRoutes(Router& router, ServerContext& ctx) {
  auto bind = [&ctx](Response (*f)(ServerContext&, const Request&)) {
    return [&ctx, f](const Request& req) { return f(ctx, req); };
  };
  AddWebRoutes(router);  // GET / and the decoder page's files (web/)
  router.Add(http::verb::get, "/.well-known/openid-configuration", bind(HandleDiscovery));
  router.Add(http::verb::get, "/.well-known/jwks.json", bind(HandleJwks));
  router.Add(http::verb::post, "/token", bind(HandleToken));
  router.Add(http::verb::get, "/validate", bind(HandleValidate));
  router.Add(http::verb::post, "/api/inspect", bind(HandleInspect));
  router.Add(http::verb::get, "/healthz", bind(HandleHealth));
  router.Add(http::verb::get, "/metrics", bind(HandleMetrics));
}

// MaintainKeys picks up an index `tock keys rotate` rewrote and runs the
// rotate_every schedule. It runs on a timer, not on request traffic, so an
// idle server rotates on time too.
void MaintainKeys(ServerContext& ctx) {
  if (Result<void> kept = ctx.keys->Maintain(ctx.clock.Now()); !kept.ok()) {
    JsonWriter line = ctx.log.Start("error", "key_maintenance_failed");
    line.Str("message", kept.error().message());
    ctx.log.Write(line);
  }
}

void PrintBanner(const Config& cfg) {
  std::string url = cfg.ListenUrl();
  std::cout << "tock serve: listening on " << url << " as issuer " << cfg.issuer << "\n"
            << "  decoder page   " << url << "/\n"
            << "  discovery      curl " << url << "/.well-known/openid-configuration\n"
            << "  keys           curl " << url << "/.well-known/jwks.json\n"
            << "  token          curl -u CLIENT:SECRET -d grant_type=client_credentials " << url
            << "/token\n"
            << "  validate       curl -H \"Authorization: Bearer $TOKEN\" " << url << "/validate\n"
            << "  inspect        curl -H 'Content-Type: application/json' -d '{\"token\":\"...\"}' "
            << url << "/api/inspect\n"
            << "  health         curl " << url << "/healthz\n"
            << "  metrics        curl " << url << "/metrics\n"
            << std::flush;
}

}  // namespace

int RunServe(const ServeFlags& flags) {
  ConfigResult loaded = LoadConfig(flags.config_file, flags.overrides);
  if (loaded.error) {
    std::cerr << loaded.error->ToString() << "\n";
    return kExitBad;
  }
  static SystemClock system_clock;
  // --clock-offset stages a server whose clock is off (cli.md, tock serve).
  OffsetClock base_clock(system_clock, flags.clock_offset_s);
  const ClockConfig& cc = loaded.config->clock;
  std::unique_ptr<CorrectedClock> corrected;
  if (!cc.servers.empty()) {
    // server.md: issued tokens use the SNTP-corrected clock; the first
    // measurement runs in the background, so listening is not delayed.
    CorrectedClockOptions options;
    options.servers = cc.servers;
    options.refresh_interval_s = static_cast<double>(cc.interval_s);
    options.max_offset_s = static_cast<double>(cc.max_offset_s);
    options.fallback_after_s = static_cast<double>(cc.fallback_after_s);
    Result<std::unique_ptr<CorrectedClock>> started = CorrectedClock::Start(base_clock, options);
    if (!started.ok()) return Fail("[clock]: " + started.error().message());
    corrected = std::move(*started);
  }
  const Clock& clock = corrected ? static_cast<const Clock&>(*corrected) : base_clock;
  Logger log(clock, loaded.config->log_file);
  if (!log.ok()) return Fail("cannot open log_file " + *loaded.config->log_file);
  Metrics metrics;
  ServerContext ctx(std::move(*loaded.config), clock, log, metrics);
  ctx.corrected = corrected.get();
  // The server (and with it the SIGINT/SIGTERM handling) exists before the
  // slow part of start-up (key generation, the store, scrypt): a signal that
  // arrives meanwhile is held and makes Run shut down at once with exit 0,
  // instead of the default action killing the process.
  Router router;
  const LimitsConfig& l = ctx.config.limits;
  HttpLimits limits{l.header_bytes, l.body_bytes, l.header_timeout_s, l.body_timeout_s, 10};
  HttpServer server(
      router, limits,
      [&ctx](const Request& req, const std::string& endpoint, unsigned status, double ms) {
        ctx.metrics.Inc("tock_requests_total",
                        {{"endpoint", endpoint}, {"status", std::to_string(status)}});
        JsonWriter line = ctx.log.Start("info", "request");
        line.Str("method", std::string(req.msg.method_string()))
            .Str("path", req.path)
            .Int("status", status)
            .Str("remote", req.remote_ip)
            .Num("duration_ms", std::round(ms * 1000) / 1000);
        ctx.log.Write(line);
      });
  if (auto problem = BuildContext(ctx)) return Fail(*problem);
  AddRoutes(router, ctx);
  server.Every(std::chrono::seconds(1), [&ctx] { MaintainKeys(ctx); });
  std::string error;
  if (ctx.config.tls() && !server.EnableTls(*ctx.config.tls_cert, *ctx.config.tls_key, error))
    return Fail(error);
  if (!server.Listen(ctx.config.listen_host, ctx.config.listen_port, error)) return Fail(error);
  PrintBanner(ctx.config);
  server.Run(std::max(1u, std::thread::hardware_concurrency()));
  JsonWriter line = ctx.log.Start("info", "shutdown");
  ctx.log.Write(line);
  return 0;
}

}  // namespace tock::server
