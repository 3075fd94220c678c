// `tock token`: the sender's side. Gets an access token with the client
// credentials grant through tock::TokenSource, caches it, and warns when the
// issuer's clock disagrees with this machine's (cli.md, `tock token`).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "commands/token_cache.h"
#include "commands/token_output.h"
#include "common/options.h"
#include "tock/app/files.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

struct TokenOptions {
  Output out{"token"};
  ClockOptions clock;
  std::string issuer, token_url, client_id;
  std::string secret_file, secret_env;
  std::string key_file, kid, alg, assertion_aud;
  std::vector<std::string> scopes;
  std::string audience, resource;
  std::string min_ttl = "60s", timeout = "10s";
  std::string cache_dir;
  bool no_cache = false;
  bool header_line = false;
  std::vector<std::string> ntp_servers;
  std::string ntp_max = "10m";
};

// ReadSecret reads the client secret: the file's bytes less one final line
// break (`echo secret > file` adds one, and no secret ends with one), or the
// environment variable's value.
Result<std::string> ReadSecret(const TokenOptions& o) {
  if (!o.secret_env.empty()) {
    const char* value = std::getenv(o.secret_env.c_str());
    if (value == nullptr || value[0] == '\0') {
      return UsageError("--secret-env: the environment variable " + o.secret_env +
                        " is not set or empty.");
    }
    return std::string(value);
  }
  Result<std::string> bytes = ReadFile(o.secret_file);
  if (!bytes.ok()) return std::move(bytes).error();
  std::string secret = std::move(bytes).value();
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) return UsageError("--secret-file " + o.secret_file + " is empty.");
  return secret;
}

Result<Key> ReadClientKey(const TokenOptions& o, std::optional<Algorithm> alg) {
  Result<std::vector<Key>> keys = LoadKeyFileWithNotes(o.out, o.key_file);
  if (!keys.ok()) return std::move(keys).error();
  for (const Key& key : *keys) {
    if (key.has_private() && key.type() != KeyType::kOct && (!alg || key.CanPerform(*alg))) {
      return key;
    }
  }
  return Error(ErrorCode::kKeyError,
               "--key " + o.key_file + " holds no private RSA, EC or Ed25519 key" +
                   (alg ? " that can sign " + std::string(ToString(*alg)) : std::string()) +
                   " (private_key_jwt needs one).");
}

Result<TokenSourceOptions> MakeSourceOptions(const TokenOptions& o) {
  TokenSourceOptions s;
  s.issuer = o.issuer;
  s.token_url = o.token_url;
  s.client_id = o.client_id;
  const int methods = !o.secret_file.empty() + !o.secret_env.empty() + !o.key_file.empty();
  if (methods != 1) {
    return UsageError(
        "give exactly one client authentication: --secret-file, --secret-env "
        "(client_secret_basic) or --key (private_key_jwt).");
  }
  if (o.issuer.empty() == o.token_url.empty()) {
    return UsageError("give exactly one of --issuer (discovery) and --token-url.");
  }
  if (!o.key_file.empty() && !o.token_url.empty() && o.assertion_aud.empty()) {
    return UsageError(
        "--token-url with --key needs --assertion-aud URL (the issuer identifier, "
        "the audience of the private_key_jwt assertion).");
  }
  if (o.key_file.empty() && (!o.kid.empty() || !o.alg.empty() || !o.assertion_aud.empty())) {
    return UsageError("--kid, --alg and --assertion-aud go with --key (private_key_jwt).");
  }
  if (o.key_file.empty()) {
    Result<std::string> secret = ReadSecret(o);
    if (!secret.ok()) return std::move(secret).error();
    s.client_secret = *secret;
  } else {
    if (!o.alg.empty()) {
      Result<Algorithm> alg = ParseAlgorithmOption("--alg", o.alg);
      if (!alg.ok()) return std::move(alg).error();
      s.alg = *alg;
    }
    Result<Key> key = ReadClientKey(o, s.alg);
    if (!key.ok()) return std::move(key).error();
    s.key = *key;
    if (!o.kid.empty()) s.kid = o.kid;
    s.assertion_audience = o.assertion_aud;
  }
  s.scopes = o.scopes;
  s.audience = o.audience;
  s.resource = o.resource;
  Result<std::int64_t> min_ttl = ParseDurationOption("--min-ttl", o.min_ttl);
  if (!min_ttl.ok()) return std::move(min_ttl).error();
  s.min_ttl_s = *min_ttl;
  Result<std::int64_t> timeout = ParseDurationOption("--timeout", o.timeout);
  if (!timeout.ok()) return std::move(timeout).error();
  if (*timeout <= 0) return UsageError("--timeout must be positive.");
  s.timeout_s = static_cast<double>(*timeout);
  return s;
}

// AssertionClock is the clock assertions are stamped with: with --ntp, this
// machine's clock corrected by one SNTP measurement (within --ntp-max).
Result<std::optional<OffsetClock>> AssertionClock(const TokenOptions& o, const Clock& clock) {
  if (o.ntp_servers.empty()) return std::optional<OffsetClock>();
  Result<std::int64_t> cap = ParseDurationOption("--ntp-max", o.ntp_max);
  if (!cap.ok()) return std::move(cap).error();
  Result<ClockCorrection> c = MeasureCorrection(o.ntp_servers, clock, static_cast<double>(*cap));
  if (!c.ok()) return std::move(c).error();
  PrintNote(o.out, CorrectionNote(*c));
  return std::optional<OffsetClock>(std::in_place, clock, c->offset_s);
}

void WarnAboutClock(const IssuerClock& clock, bool assertions) {
  if (std::optional<std::string> warning = ClockWarning(clock, assertions)) {
    std::cerr << *warning << "\n";
  }
}

int RunToken(const TokenOptions& o) {
  if (!o.clock.now.empty()) {
    return ReportTokenError(o.out, UsageError("--now is refused: a token request happens now."));
  }
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportTokenError(o.out, clock.error());
  const Clock& now_clock = (*clock)->clock();
  Result<TokenSourceOptions> options = MakeSourceOptions(o);
  if (!options.ok()) return ReportTokenError(o.out, options.error());
  std::string cache_file;
  std::optional<AccessToken> saved;
  if (!o.no_cache) {
    Result<std::string> dir = o.cache_dir.empty() ? DefaultCacheDir() : o.cache_dir;
    if (!dir.ok()) return ReportTokenError(o.out, dir.error());
    if (Result<void> ready = PrepareCacheDir(o.out, *dir); !ready.ok()) {
      return ReportTokenError(o.out, ready.error());
    }
    cache_file = *dir + "/" + TokenCacheName(*options) + ".json";
    saved = ReadCachedToken(cache_file);
    const double now = now_clock.NowPrecise();
    if (saved && now < saved->expires_at &&
        !saved->RefreshDue(now, static_cast<double>(options->min_ttl_s))) {
      saved->cached = true;
      return PrintToken(o.out, *saved, now, o.header_line);
    }
  }
  Result<std::optional<OffsetClock>> stamp = AssertionClock(o, now_clock);
  if (!stamp.ok()) return ReportTokenError(o.out, stamp.error());
  if (*stamp) options->assertion_clock = &**stamp;
  const bool assertions = options->key.has_value();
  Result<std::unique_ptr<TokenSource>> source = TokenSource::Create(*options, now_clock);
  if (!source.ok()) return ReportTokenError(o.out, source.error());
  // A cached token due for renewal but not expired is what a failed
  // renewal falls back to, as TokenSource does for programs.
  if (saved && now_clock.NowPrecise() < saved->expires_at) (*source)->Seed(*saved);
  Result<AccessToken> token = (*source)->Get();
  WarnAboutClock((*source)->LastIssuerClock(), assertions);
  if (!token.ok()) return ReportTokenError(o.out, token.error());
  if (token->cached) {
    PrintNote(o.out, "could not renew the token; using the cached one, which has " +
                         FormatDuration(std::max(0.0, token->expires_at - now_clock.NowPrecise())) +
                         " left");
    return PrintToken(o.out, *token, now_clock.NowPrecise(), o.header_line);
  }
  if (!cache_file.empty() && token->lifetime_s > 0) {
    if (Result<void> written = WriteCachedToken(cache_file, *token); !written.ok()) {
      PrintNote(o.out, "the token was not cached: " + written.error().message());
    }
  }
  return PrintToken(o.out, *token, now_clock.NowPrecise(), o.header_line);
}

void RegisterAuthFlags(CLI::App& app, TokenOptions& o) {
  app.add_option("--client-id", o.client_id, "The client (required)")->type_name("ID")->required();
  app.add_option("--secret-file", o.secret_file,
                 "client_secret_basic with the secret in FILE (one final newline ignored)")
      ->type_name("FILE");
  app.add_option("--secret-env", o.secret_env, "client_secret_basic with the secret in $VAR")
      ->type_name("VAR");
  app.add_option("--key", o.key_file, "private_key_jwt: sign a fresh assertion with this key")
      ->type_name("FILE");
  app.add_option("--kid", o.kid,
                 "kid of the assertion (default: the JWK's kid, else the "
                 "RFC 7638 thumbprint)")
      ->type_name("KID");
  app.add_option("--alg", o.alg, "Assertion algorithm (default from the key)")->type_name("ALG");
  app.add_option("--assertion-aud", o.assertion_aud,
                 "Audience of the assertion (default: the issuer identifier)")
      ->type_name("URL");
}

}  // namespace

Command RegisterToken(CLI::App& root) {
  auto o = std::make_shared<TokenOptions>();
  CLI::App* app = root.add_subcommand(
      "token", "Get an OAuth 2.0 access token (client credentials), cached; prints it");
  app->add_option("--issuer", o->issuer, "Find the token endpoint by discovery from this issuer")
      ->type_name("URL");
  app->add_option("--token-url", o->token_url, "The token endpoint, without discovery")
      ->type_name("URL");
  RegisterAuthFlags(*app, *o);
  app->add_option("--scope", o->scopes, "Scope to ask for; repeatable (sent space-joined)")
      ->type_name("S")
      ->allow_extra_args(false);
  app->add_option("--audience", o->audience, "Sent as audience")->type_name("A");
  app->add_option("--resource", o->resource, "Sent as resource (RFC 8707)")->type_name("A");
  app->add_option("--min-ttl", o->min_ttl, "Reuse a cached token only while it has D left")
      ->type_name("D")
      ->capture_default_str();
  app->add_option("--cache", o->cache_dir,
                  "Token cache folder (default $XDG_CACHE_HOME/tock, else ~/.cache/tock)")
      ->type_name("DIR");
  app->add_flag("--no-cache", o->no_cache, "Neither read nor write the cache");
  app->add_flag("--header", o->header_line, "Print 'Authorization: Bearer TOKEN' (curl -H @-)");
  app->add_option("--ntp", o->ntp_servers, "Stamp assertions with SNTP-corrected time; repeatable")
      ->type_name("HOST[:PORT]")
      ->allow_extra_args(false);
  app->add_option("--ntp-max", o->ntp_max, "Refuse (exit 2) an SNTP offset larger than D")
      ->type_name("D")
      ->capture_default_str();
  app->add_option("--timeout", o->timeout, "Time allowed for each HTTP request")
      ->type_name("D")
      ->capture_default_str();
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  o->clock.Register(*app);
  return Command{app, [o] { return RunToken(*o); }};
}

}  // namespace tock::cli
