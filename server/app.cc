#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "clock_watch.h"
#include "context.h"
#include "endpoints.h"
#include "http/server.h"
#include "issuer/demo_client.h"
#include "key_resolution.h"
#include "replay/replay_stores.h"
#include "serve.h"
#include "store/open_key_store.h"
#include "tock/app/json_writer.h"
#include "tock/key_loader.h"
#include "tock/secret_hash.h"
#include "tock/token_builder.h"
#include "url_policy.h"
#include "web_routes.h"

namespace tock::server {
namespace {

constexpr int kExitBad = 2;

int Fail(const std::string& message) {
  std::cerr << "tock serve: " << message << "\n";
  return kExitBad;
}

// DataDirProblem refuses a data directory that others could write to or
// that another user owns: whoever can write there can plant signing keys or
// replay state. nullopt when it is fine or does not exist yet (it is then
// created 0700 under the umask set in RunServe).
std::optional<std::string> DataDirProblem(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return "cannot use data_dir " + dir + ": " + std::strerror(errno);
  }
  if (!S_ISDIR(st.st_mode)) return "data_dir " + dir + " is not a directory";
  if (st.st_uid != ::geteuid()) {
    return "data_dir " + dir + " is owned by uid " + std::to_string(st.st_uid) +
           ", not by the user running tock (uid " + std::to_string(::geteuid()) +
           "); it holds signing keys: chown it";
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return "data_dir " + dir + " is writable by " +
           ((st.st_mode & S_IWOTH) ? std::string("everyone") : std::string("its group")) +
           " (mode " + mode + "); it holds signing keys: chmod 700 " + dir;
  }
  return std::nullopt;
}

// WarnAnyAudience: audiences = ["*"] is allowed but must be a visible choice.
void WarnAnyAudience(ServerContext& ctx) {
  for (const TrustConfig& t : ctx.config.trust) {
    if (t.audiences.size() != 1 || t.audiences.front() != "*") continue;
    std::string message = "[[trust]] \"" + t.issuer +
                          "\" has audiences = [\"*\"]: its tokens are accepted for any "
                          "audience unless a location sets ?aud=";
    std::cerr << "tock serve: warning: " << message << "\n";
    JsonWriter line = ctx.log.Start("warn", "trust_any_audience");
    line.Str("iss", t.issuer).Str("message", message);
    ctx.log.Write(line);
  }
}

std::optional<std::string> BuildContext(ServerContext& ctx) {
  const Config& cfg = ctx.config;
  if (auto problem = DataDirProblem(cfg.data_dir)) return problem;
  auto pg_status = std::make_shared<PgStatus>();  // [store]: shared by keys and replay
  Result<std::unique_ptr<KeyStore>> keys =
      OpenKeyStore(cfg, KeyPolicyOf(cfg.token), ctx.clock.Now(), pg_status);
  if (!keys.ok()) return keys.error().message();
  ctx.keys = std::move(*keys);
  if (cfg.replay.backend == "postgres") {
    ctx.replay = MakePostgresReplayStore(cfg.store.url, ctx.clock, pg_status);
  } else if (cfg.replay.backend == "memory") {
    ctx.replay = std::make_unique<MemoryReplayStore>(ctx.clock);
  } else if (cfg.replay.backend == "redis") {
    // hiredis writes with write(2): a Redis that reset the connection must
    // cost one request an EPIPE, not kill the server with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    ServerContext* c = &ctx;
    auto store = MakeRedisReplayStore(cfg.replay.url, ctx.clock, [c](const std::string& message) {
      JsonWriter line = c->log.Start("warn", "redis_no_persistence");
      line.Str("message", message);
      c->log.Write(line);
    });
    if (!store.ok()) return store.error().message();
    ctx.replay = std::move(*store);
    // Connect once now (bounded by the store's timeouts), so the persistence
    // warning appears at start; an unreachable Redis does not stop the start.
    (void)ctx.replay->Ping();
  } else {
    // With [store] the key store made no data directory; SQLite needs one.
    if (auto made = EnsurePrivateDir(cfg.data_dir); !made.ok()) return made.error().message();
    auto store = OpenSqliteReplayStore(cfg.data_dir + "/tock.db", ctx.clock);
    if (!store.ok()) return store.error().message();
    ctx.replay = std::move(*store);
  }
  for (const ClientConfig& c : cfg.clients) {
    auto resolver = MakeKeyResolver(ctx, {c.jwks_file, c.jwks_uri, "client \"" + c.id + "\"", {}});
    if (!resolver.ok()) return resolver.error().message();
    if (*resolver) ctx.client_keys.Add(c.id, *resolver);
    ctx.clients.emplace(c.id, Client{c, std::move(*resolver)});
    for (const std::string& aud : c.audiences) {
      if (std::find(ctx.own_audiences.begin(), ctx.own_audiences.end(), aud) ==
          ctx.own_audiences.end())
        ctx.own_audiences.push_back(aud);
    }
  }
  ctx.issuer_keys.Add(cfg.issuer, std::make_shared<PublishedKeysResolver>(*ctx.keys, ctx.clock));
  for (const TrustConfig& t : cfg.trust) {
    JwksCacheSettings s{t.cache_max_age_s, t.cache_min_s,     t.cache_max_s,
                        t.cooldown_s,      t.fetch_timeout_s, t.max_stale_s};
    // Neither jwks_uri nor jwks_file: discovered from the issuer (lazily, so
    // an issuer that is down at our start-up does not stop us).
    bool discover = !t.jwks_file && !t.jwks_uri;
    auto resolver = MakeKeyResolver(ctx, {t.jwks_file, t.jwks_uri, t.issuer, s, discover});
    if (!resolver.ok()) return resolver.error().message();
    ctx.trust.emplace(t.issuer, TrustEntry{t, std::move(*resolver)});
  }
  // In the order a kIssMismatch diagnosis has always listed them: ours, then by name.
  for (const auto& [issuer, entry] : ctx.trust) ctx.issuer_keys.Add(issuer, entry.keys);
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
  // The thread rule (server.md, "Speed"): only what can block goes to the
  // worker pool: scrypt and the replay store (/token), key fetches
  // (/api/inspect, /validate for keys not yet fetched), Redis (/healthz).
  auto always = [](const Request&) { return true; };
  const bool remote_store =
      ctx.config.replay.backend != "sqlite" && ctx.config.replay.backend != "memory";
  router.Add(http::verb::post, "/token", bind(HandleToken), always);
  router.Add(http::verb::get, "/validate", bind(HandleValidate),
             [&ctx](const Request& req) { return ValidateBlocks(ctx, req); });
  router.Add(http::verb::post, "/api/inspect", bind(HandleInspect), always);
  router.Add(http::verb::get, "/healthz", bind(HandleHealth),
             [remote_store](const Request&) { return remote_store; });
  router.Add(http::verb::get, "/livez", bind(HandleLive));
  router.Add(http::verb::get, "/metrics", bind(HandleMetrics));
}

// ConfigureHttp gives the server the clock for Date, the connection
// counters, the Host guard and the trusted proxies.
std::optional<std::string> ConfigureHttp(HttpServer& server, ServerContext& ctx) {
  const Config& cfg = ctx.config;
  Result<HostGuard> guard = HostGuard::ForListen(cfg.listen_host, cfg.issuer);
  if (!guard.ok()) return guard.error().message();
  Result<TrustedProxies> proxies = TrustedProxies::Parse(cfg.limits.trusted_proxies);
  if (!proxies.ok()) return proxies.error().message();
  HttpPolicy policy;
  policy.now = [&ctx] { return ctx.clock.Now(); };
  policy.connection_evicted = [&ctx] { ctx.metrics.Inc("tock_connections_evicted_total", {}); };
  policy.connection_refused = [&ctx] { ctx.metrics.Inc("tock_connections_refused_total", {}); };
  policy.host_guard = std::move(*guard);
  policy.trusted_proxies = std::move(*proxies);
  server.SetPolicy(std::move(policy));
  return std::nullopt;
}

// MaintainKeys picks up an index `tock keys rotate` rewrote and runs the
// rotate_every schedule. It runs on a timer, not on request traffic, so an
// idle server rotates on time too.
void MaintainKeys(ServerContext& ctx, bool force = false) {
  if (Result<void> kept = ctx.keys->Maintain(ctx.clock.Now(), force); !kept.ok()) {
    JsonWriter line = ctx.log.Start("error", "key_maintenance_failed");
    line.Str("message", kept.error().message());
    ctx.log.Write(line);
  }
}

void PrintBanner(const Config& cfg, const std::optional<DemoClient>& demo) {
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
            << "  liveness       curl " << url << "/livez\n"
            << "  metrics        curl " << url << "/metrics\n";
  if (demo) PrintDemoLines(std::cout, cfg, *demo);
  std::cout << std::flush;
}

}  // namespace

int RunServe(const ServeOptions& flags) {
  // Everything tock creates (keys, SQLite and its -wal/-shm, the log) is
  // for this user only (server.md: data directory 0600/0700).
  ::umask(077);
  ConfigResult loaded = LoadConfig(flags.config_file, flags.overrides);
  if (loaded.error) {
    std::cerr << loaded.error->ToString() << "\n";
    return kExitBad;
  }
  static SystemClock system_clock;
  // --clock-offset stages a server whose clock is off (cli.md, tock serve).
  OffsetClock base_clock(system_clock, flags.clock_offset_s);
  const ClockConfig& cc = loaded.config->clock;
  ClockWatch clock_watch(cc);  // outlives the clock's measuring thread
  std::unique_ptr<CorrectedClock> corrected;
  if (!cc.servers.empty()) {
    // server.md: issued tokens use the SNTP-corrected clock; the first
    // measurement runs in the background, so listening is not delayed.
    CorrectedClockOptions options;
    options.servers = cc.servers;
    options.refresh_interval_s = static_cast<double>(cc.interval_s);
    options.max_offset_s = static_cast<double>(cc.max_offset_s);
    options.fallback_after_s = static_cast<double>(cc.fallback_after_s);
    options.on_measurement = [&clock_watch](const ClockMeasurement& m) {
      clock_watch.OnMeasurement(m);
    };
    Result<std::unique_ptr<CorrectedClock>> started = CorrectedClock::Start(base_clock, options);
    if (!started.ok()) return Fail("[clock]: " + started.error().message());
    corrected = std::move(*started);
  }
  const Clock& clock = corrected ? static_cast<const Clock&>(*corrected) : base_clock;
  Logger log(clock, loaded.config->log_file);
  if (!log.ok()) return Fail("cannot open log_file " + *loaded.config->log_file);
  ClockWatch::Attachment clock_log(clock_watch, log);  // ends before |log|
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
  limits.max_connections = l.max_connections;
  limits.requests_per_connection = l.requests_per_connection;
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
        ctx.log.WriteAccess(line);
      });
  if (auto problem = ConfigureHttp(server, ctx)) return Fail(*problem);
  std::string error;
  if (ctx.config.tls() && !server.EnableTls(*ctx.config.tls_cert, *ctx.config.tls_key, error))
    return Fail(error);
  // Bound before the context is built: with --listen HOST:0 the issuer the
  // key resolver registers must carry the port actually bound.
  if (!server.Listen(ctx.config.listen_host, ctx.config.listen_port, error)) return Fail(error);
  AdoptBoundPort(ctx.config, server.LocalPort());
  if (auto problem = BuildContext(ctx)) return Fail(*problem);
  WarnAnyAudience(ctx);
  AddRoutes(router, ctx);
  server.Every(std::chrono::seconds(1), [&ctx] { MaintainKeys(ctx); });
  server.Every(std::chrono::seconds(1),
               [&ctx] { ctx.verified_cache.DropExpired(ctx.clock.Now()); });
  // [store]: another instance's NOTIFY about a key change is acted on at once.
  ctx.keys->Watch([&ctx] { MaintainKeys(ctx, true); });
  Result<std::optional<DemoClient>> demo = AddDemoClient(ctx, flags.overrides.issuer.has_value());
  if (!demo.ok()) return Fail(demo.error().message());
  if (server.ConnectionCap() < l.max_connections) {
    // As nginx warns when worker_connections exceed the open-file limit.
    JsonWriter line = ctx.log.Start("warn", "connection_cap_lowered");
    line.Int("connection_cap", static_cast<std::int64_t>(server.ConnectionCap()))
        .Int("max_connections", static_cast<std::int64_t>(l.max_connections))
        .Str("message",
             "the open-file limit (ulimit -n) minus 32 caps connections below "
             "[limits] max_connections");
    ctx.log.Write(line);
  }
  PrintBanner(ctx.config, *demo);
  server.Run(std::max(1u, std::thread::hardware_concurrency()));
  JsonWriter line = ctx.log.Start("info", "shutdown");
  ctx.log.Write(line);
  return 0;
}

}  // namespace tock::server
