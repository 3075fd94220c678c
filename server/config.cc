#include "config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>

#include "http/trusted_proxies.h"
#include "replay/redis_url.h"
#include "store/pg.h"
#include "tock/app/files.h"
#include "tock/app/time_text.h"
#include "tock/key_loader.h"
#include "tock/secret_hash.h"
#include "toml_guard.h"
#include "url_policy.h"

namespace tock::server {
namespace {

namespace fs = std::filesystem;

// kMaxDurationS bounds every configured duration (100 years): any sum of a
// few of them and a Unix time stays far inside int64 seconds, and inside
// int64 nanoseconds for the timers, so no arithmetic on them can overflow.
constexpr std::int64_t kMaxDurationS = std::int64_t{36500} * 86400;
// kMaxTrustSkewS is the library's bound on a validator's skew (ValidatorBuilder).
constexpr std::int64_t kMaxTrustSkewS = 86400;

// Failure carries a ConfigError out of the nested readers; caught in LoadConfig.
struct Failure {
  ConfigError error;
};

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const toml::node* node, std::string reason) const {
    int line = node ? static_cast<int>(node->source().begin.line) : 0;
    throw Failure{ConfigError{file_, line, std::move(reason)}};
  }

  // CheckKeys refuses keys a table does not know: a typo is not a default.
  void CheckKeys(const toml::table& table, std::string_view where,
                 std::initializer_list<std::string_view> known) const {
    for (auto&& [key, node] : table) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || key.str() == k;
      if (!ok) {
        throw Failure{
            ConfigError{file_, static_cast<int>(key.source().begin.line),
                        "unknown key \"" + std::string(key.str()) + "\" in " + std::string(where)}};
      }
    }
  }

  std::optional<std::string> String(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) Fail(n, "\"" + std::string(key) + "\" must be a string");
    return n->as_string()->get();
  }

  std::optional<bool> Bool(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) Fail(n, "\"" + std::string(key) + "\" must be true or false");
    return n->as_boolean()->get();
  }

  std::optional<double> Number(const toml::table& t, std::string_view key, double lo,
                               double hi) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    double v = 0;
    if (n->is_integer()) {
      v = static_cast<double>(n->as_integer()->get());
    } else if (n->is_floating_point()) {
      v = n->as_floating_point()->get();
    } else {
      Fail(n, "\"" + std::string(key) + "\" must be a number");
    }
    if (!(v >= lo && v <= hi)) {
      Fail(n, "\"" + std::string(key) + "\" must be between " + FormatSeconds(lo) + " and " +
                  FormatSeconds(hi) + ", not " + FormatSeconds(v));
    }
    return v;
  }

  // Duration reads "90s", "5m", ... or an integer number of seconds.
  void Duration(const toml::table& t, std::string_view key, std::int64_t& out,
                bool allow_zero = true) const {
    const toml::node* n = t.get(key);
    if (!n) return;
    std::int64_t v = 0;
    if (n->is_integer()) {
      v = n->as_integer()->get();
    } else if (n->is_string()) {
      Result<std::int64_t> d = ParseDuration(n->as_string()->get());
      if (!d.ok()) Fail(n, "\"" + std::string(key) + "\": " + d.error().message());
      v = *d;
    } else {
      Fail(n, "\"" + std::string(key) + "\" must be a duration such as \"90s\" or \"5m\"");
    }
    if (v < 0 || (!allow_zero && v == 0)) {
      Fail(n, "\"" + std::string(key) + "\" must be " + (allow_zero ? "zero or more" : "positive"));
    }
    if (v > kMaxDurationS) {
      Fail(n, "\"" + std::string(key) + "\" is over the maximum of " +
                  FormatDuration(double(kMaxDurationS)) + " (100 years)");
    }
    out = v;
  }

  std::vector<std::string> Strings(const toml::table& t, std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) Fail(n, "\"" + std::string(key) + "\" must be an array of strings");
    for (const toml::node& e : *a) {
      if (!e.is_string()) Fail(&e, "\"" + std::string(key) + "\" must hold only strings");
      if (e.as_string()->get().empty())
        Fail(&e, "\"" + std::string(key) + "\" holds an empty string");
      out.push_back(e.as_string()->get());
    }
    return out;
  }

  const toml::table* Table(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table())
      Fail(n, "\"" + std::string(key) + "\" must be a table [" + std::string(key) + "]");
    return n->as_table();
  }

  // Path resolves |p| against the config file's folder (server.md: paths are
  // relative to the config file).
  std::string Path(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute() || file_.empty()) return p;
    return (fs::absolute(fs::path(file_)).parent_path() / p).lexically_normal().string();
  }

  // Readable fails at |key| when the file |path| it names cannot be read.
  void Readable(const toml::table& t, std::string_view key, const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      Fail(t.get(key),
           "\"" + std::string(key) + "\": cannot read " + path + ": " + std::strerror(errno));
    }
    std::fclose(f);
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

void ReadToken(const Reader& r, const toml::table& t, TokenConfig& c) {
  r.CheckKeys(t, "[token]",
              {"ttl", "nbf_backdate", "algorithm", "prepublish", "rotate_every", "jwks_max_age"});
  r.Duration(t, "ttl", c.ttl_s, false);
  r.Duration(t, "nbf_backdate", c.nbf_backdate_s);
  r.Duration(t, "prepublish", c.prepublish_s);
  r.Duration(t, "jwks_max_age", c.jwks_max_age_s);
  if (t.get("rotate_every")) {
    std::int64_t v = 0;
    r.Duration(t, "rotate_every", v, false);
    c.rotate_every_s = v;
    // Each key must sign for a while after its pre-publication ends.
    if (v <= c.prepublish_s) {
      r.Fail(t.get("rotate_every"), "\"rotate_every\" (" + FormatDuration(double(v)) +
                                        ") must be longer than prepublish (" +
                                        FormatDuration(double(c.prepublish_s)) + ")");
    }
  }
  if (auto alg = r.String(t, "algorithm")) {
    std::optional<Algorithm> a = ParseAlgorithm(*alg);
    if (!a || *a == Algorithm::kHS256 || *a == Algorithm::kHS384 || *a == Algorithm::kHS512) {
      r.Fail(t.get("algorithm"),
             "\"algorithm\" must be an asymmetric JOSE algorithm such as "
             "ES256, RS256 or EdDSA, not \"" +
                 *alg + "\"");
    }
    c.algorithm = *a;
  }
  // The JWKS must not be cached past the pre-publication window, or a
  // verifier could miss the next key when it starts signing.
  if (t.get("jwks_max_age") && c.jwks_max_age_s > c.prepublish_s / 2) {
    r.Fail(t.get("jwks_max_age"), "\"jwks_max_age\" (" + FormatDuration(double(c.jwks_max_age_s)) +
                                      ") must be at most prepublish / 2 (" +
                                      FormatDuration(double(c.prepublish_s / 2)) + ")");
  }
  c.jwks_max_age_s = std::min(c.jwks_max_age_s, c.prepublish_s / 2);
}

void ReadAssertion(const Reader& r, const toml::table& t, AssertionConfig& c) {
  r.CheckKeys(t, "[assertion]", {"skew", "max_lifetime", "allow_token_endpoint_audience"});
  r.Duration(t, "skew", c.skew_s);
  r.Duration(t, "max_lifetime", c.max_lifetime_s, false);
  if (auto b = r.Bool(t, "allow_token_endpoint_audience")) c.allow_token_endpoint_audience = *b;
}

// CheckUrl fails at |key| when |url| is not one keys may be fetched from.
void CheckUrl(const Reader& r, const toml::table& t, std::string_view key, const std::string& url,
              const std::string& owner) {
  if (Result<void> ok = CheckFetchUrl(url); !ok.ok())
    r.Fail(t.get(key), owner + ": \"" + std::string(key) + "\": " + ok.error().message());
}

ClientConfig ReadClient(const Reader& r, const toml::table& t, std::set<std::string>& ids) {
  r.CheckKeys(t, "[[client]]",
              {"id", "secret", "secret_hash", "jwks_file", "jwks_uri", "scopes", "audiences"});
  ClientConfig c;
  auto id = r.String(t, "id");
  if (!id || id->empty()) r.Fail(&t, "[[client]] needs a non-empty \"id\"");
  c.id = *id;
  if (!ids.insert(c.id).second) r.Fail(t.get("id"), "client id \"" + c.id + "\" is listed twice");
  auto secret = r.String(t, "secret");
  c.secret_hash = r.String(t, "secret_hash");
  if (secret && c.secret_hash)
    r.Fail(t.get("secret"), "client \"" + c.id + "\" has both \"secret\" and \"secret_hash\"");
  if (secret) {
    if (secret->size() < 32) {
      r.Fail(t.get("secret"), "client \"" + c.id + "\": \"secret\" is " +
                                  std::to_string(secret->size()) +
                                  " bytes; at least 32 are required");
    }
    Result<std::string> hash = HashSecret(*secret);
    if (!hash.ok()) r.Fail(t.get("secret"), hash.error().message());
    c.secret_hash = *hash;
  } else if (c.secret_hash && !IsSecretHash(*c.secret_hash)) {
    r.Fail(t.get("secret_hash"), "client \"" + c.id +
                                     "\": \"secret_hash\" is not a hash printed "
                                     "by `tock hash-secret`");
  }
  c.jwks_file = r.String(t, "jwks_file");
  if (c.jwks_file) c.jwks_file = r.Path(*c.jwks_file);
  c.jwks_uri = r.String(t, "jwks_uri");
  if (c.jwks_file && c.jwks_uri)
    r.Fail(t.get("jwks_uri"), "client \"" + c.id + "\" has both \"jwks_file\" and \"jwks_uri\"");
  if (c.jwks_uri) CheckUrl(r, t, "jwks_uri", *c.jwks_uri, "client \"" + c.id + "\"");
  if (!c.secret_hash && !c.jwks_file && !c.jwks_uri) {
    r.Fail(&t, "client \"" + c.id +
                   "\" has no credentials: set \"secret\", \"secret_hash\", "
                   "\"jwks_file\" or \"jwks_uri\"");
  }
  c.scopes = r.Strings(t, "scopes");
  c.audiences = r.Strings(t, "audiences");
  if (c.audiences.empty()) {
    r.Fail(&t, "client \"" + c.id + "\" has no \"audiences\": every access token needs one");
  }
  return c;
}

// ReadAudiences: a trust entry must say which audiences it accepts; "*"
// (alone) accepts any, explicitly (start-up warns about it).
std::vector<std::string> ReadAudiences(const Reader& r, const toml::table& t,
                                       const std::string& issuer) {
  std::vector<std::string> audiences = r.Strings(t, "audiences");
  if (audiences.empty()) {
    r.Fail(t.get("audiences") ? t.get("audiences") : &t,
           "[[trust]] \"" + issuer +
               "\" has no \"audiences\": list the audiences its tokens must carry, or "
               "audiences = [\"*\"] to accept any audience");
  }
  if (audiences.size() > 1 &&
      std::find(audiences.begin(), audiences.end(), "*") != audiences.end()) {
    r.Fail(t.get("audiences"),
           "[[trust]] \"" + issuer + "\": \"*\" (any audience) cannot be listed with others");
  }
  return audiences;
}

TrustConfig ReadTrust(const Reader& r, const toml::table& t) {
  r.CheckKeys(
      t, "[[trust]]",
      {"issuer", "jwks_uri", "jwks_file", "audiences", "algorithms", "skew", "require", "one_time",
       "cache_max_age", "cache_min", "cache_max", "cooldown", "fetch_timeout", "max_stale"});
  TrustConfig c;
  auto issuer = r.String(t, "issuer");
  if (!issuer || issuer->empty()) r.Fail(&t, "[[trust]] needs a non-empty \"issuer\"");
  c.issuer = *issuer;
  c.jwks_uri = r.String(t, "jwks_uri");
  c.jwks_file = r.String(t, "jwks_file");
  if (c.jwks_file) c.jwks_file = r.Path(*c.jwks_file);
  if (c.jwks_uri && c.jwks_file)
    r.Fail(t.get("jwks_file"),
           "[[trust]] \"" + c.issuer + "\" has both \"jwks_uri\" and \"jwks_file\"");
  const std::string owner = "[[trust]] \"" + c.issuer + "\"";
  if (c.jwks_uri) CheckUrl(r, t, "jwks_uri", *c.jwks_uri, owner);
  // Neither: the jwks_uri is discovered from the issuer, fetched by the same rule.
  if (!c.jwks_uri && !c.jwks_file) CheckUrl(r, t, "issuer", c.issuer, owner + " (discovery)");
  c.audiences = ReadAudiences(r, t, c.issuer);
  for (const std::string& name : r.Strings(t, "algorithms")) {
    std::optional<Algorithm> a = ParseAlgorithm(name);
    if (!a) r.Fail(t.get("algorithms"), "unknown algorithm \"" + name + "\" in \"algorithms\"");
    c.algorithms.push_back(*a);
  }
  r.Duration(t, "skew", c.skew_s);
  if (c.skew_s > kMaxTrustSkewS)
    r.Fail(t.get("skew"), "[[trust]] \"" + c.issuer + "\": \"skew\" must be at most 1d");
  c.require = r.Strings(t, "require");
  if (auto b = r.Bool(t, "one_time")) c.one_time = *b;
  r.Duration(t, "cache_max_age", c.cache_max_age_s);
  r.Duration(t, "cache_min", c.cache_min_s);
  r.Duration(t, "cache_max", c.cache_max_s);
  r.Duration(t, "cooldown", c.cooldown_s);
  r.Duration(t, "fetch_timeout", c.fetch_timeout_s, false);
  r.Duration(t, "max_stale", c.max_stale_s);
  if (c.cache_min_s > c.cache_max_s)
    r.Fail(&t, "[[trust]] \"" + c.issuer + "\": cache_min is larger than cache_max");
  return c;
}

void ReadLimits(const Reader& r, const toml::table& t, LimitsConfig& c) {
  r.CheckKeys(t, "[limits]",
              {"header_bytes", "body_bytes", "header_timeout", "body_timeout", "token_rate",
               "max_connections", "requests_per_connection", "trusted_proxies"});
  if (auto v = r.Number(t, "header_bytes", 1024, 1 << 20)) c.header_bytes = std::size_t(*v);
  if (auto v = r.Number(t, "body_bytes", 1024, 16 << 20)) c.body_bytes = std::size_t(*v);
  r.Duration(t, "header_timeout", c.header_timeout_s, false);
  r.Duration(t, "body_timeout", c.body_timeout_s, false);
  if (auto v = r.Number(t, "token_rate", 0.001, 1e6)) c.token_rate = *v;
  if (auto v = r.Number(t, "max_connections", 1, 1e6)) c.max_connections = std::size_t(*v);
  if (auto v = r.Number(t, "requests_per_connection", 1, 1e12))
    c.requests_per_connection = std::uint64_t(*v);
  c.trusted_proxies = r.Strings(t, "trusted_proxies");
  // A bad entry is reported at its own line (an array may span several).
  if (const toml::node* list = t.get("trusted_proxies")) {
    for (const toml::node& e : *list->as_array()) {
      if (Result<void> ok = TrustedProxies::CheckOne(e.as_string()->get()); !ok.ok())
        r.Fail(&e, "[limits] " + ok.error().message());
    }
  }
}

void ReadReplay(const Reader& r, const toml::table& t, ReplayConfig& c) {
  r.CheckKeys(t, "[replay]", {"backend", "url"});
  if (auto b = r.String(t, "backend")) {
    if (*b != "sqlite" && *b != "memory" && *b != "redis" && *b != "postgres") {
      r.Fail(t.get("backend"),
             "[replay] backend must be \"sqlite\", \"memory\", \"redis\" or "
             "\"postgres\", not \"" +
                 *b + "\"");
    }
    c.backend = *b;
  }
  if (auto u = r.String(t, "url"); u && c.backend == "postgres") {
    r.Fail(t.get("url"), "[replay] backend = \"postgres\" uses [store] url; remove [replay] url");
  } else if (u) {
    // Checked here, so a bad url is "FILE:LINE: reason" (without the password).
    if (Result<RedisUrl> url = ParseRedisUrl(*u); !url.ok())
      r.Fail(t.get("url"), url.error().message());
    c.url = *u;
  }
}

void ReadStore(const Reader& r, const toml::table& t, StoreConfig& c) {
  r.CheckKeys(t, "[store]", {"url", "kek_file", "previous_kek_file"});
  if (auto u = r.String(t, "url")) {
    if (Result<void> ok = pg::CheckConninfo(*u); !ok.ok())
      r.Fail(t.get("url"), ok.error().message());
    c.url = *u;
  } else {
    r.Fail(&t, "[store] needs url = \"postgresql://USER@HOST:PORT/DB\"");
  }
  for (const char* key : {"kek_file", "previous_kek_file"}) {
    auto p = r.String(t, key);
    if (!p) continue;
    std::string path = r.Path(*p);
    r.Readable(t, key, path);
    (std::string_view(key) == "kek_file" ? c.kek_file : c.previous_kek_file) = path;
  }
}

// CheckStoreRules: with several instances, a new key must reach every
// instance (within 2 s) before any signs with it.
void CheckStoreRules(const Reader& r, const toml::table& root, const Config& c) {
  const toml::table* token = root.get_as<toml::table>("token");
  const toml::node* where = token ? token->get("prepublish") : root.get("store");
  if (c.replay.backend == "postgres" && !c.store.postgres())
    r.Fail(root.get("replay"), "[replay] backend = \"postgres\" needs [store] url");
  if (!c.store.postgres()) return;
  if (c.token.prepublish_s < 4) {
    r.Fail(where,
           "with [store], [token] prepublish must be at least 4s (instances see a new "
           "key within 2 s), not " +
               std::to_string(c.token.prepublish_s) + "s");
  }
  if (c.token.rotate_every_s && *c.token.rotate_every_s <= c.token.prepublish_s) {
    r.Fail(token ? token->get("rotate_every") : where,
           "with [store], [token] rotate_every (" + std::to_string(*c.token.rotate_every_s) +
               "s) must be longer than prepublish (" + std::to_string(c.token.prepublish_s) + "s)");
  }
}

void ReadClock(const Reader& r, const toml::table& t, ClockConfig& c) {
  r.CheckKeys(t, "[clock]", {"servers", "interval", "max_offset", "fallback_after"});
  c.servers = r.Strings(t, "servers");
  r.Duration(t, "interval", c.interval_s, false);
  r.Duration(t, "max_offset", c.max_offset_s);
  r.Duration(t, "fallback_after", c.fallback_after_s, false);
}

void ReadValidate(const Reader& r, const toml::table& t, ValidateConfig& c) {
  r.CheckKeys(t, "[validate]", {"cache_size", "cache_bytes"});
  if (auto v = r.Number(t, "cache_size", 0, 1e8)) c.cache_size = std::size_t(*v);
  if (auto v = r.Number(t, "cache_bytes", 0, double(1ull << 36))) c.cache_bytes = std::size_t(*v);
}

template <typename F>
void ForEachTable(const Reader& r, const toml::table& root, std::string_view key, F f) {
  const toml::node* n = root.get(key);
  if (!n) return;
  const toml::array* a = n->as_array();
  if (!a) r.Fail(n, "\"" + std::string(key) + "\" must be written [[" + std::string(key) + "]]");
  for (const toml::node& e : *a) {
    if (!e.is_table()) r.Fail(&e, "[[" + std::string(key) + "]] entries must be tables");
    f(*e.as_table());
  }
}

void ReadRoot(const Reader& r, const toml::table& root, Config& c) {
  r.CheckKeys(root, "the top level",
              {"listen", "data_dir", "issuer", "tls_cert", "tls_key", "log_file", "token",
               "assertion", "client", "trust", "limits", "replay", "clock", "store", "validate"});
  if (auto l = r.String(root, "listen")) {
    if (!ParseListen(*l, c.listen_host, c.listen_port)) {
      r.Fail(root.get("listen"),
             "\"listen\" must be HOST:PORT, such as \"127.0.0.1:8080\", not \"" + *l + "\"");
    }
  }
  if (auto d = r.String(root, "data_dir")) c.data_dir = r.Path(*d);
  if (auto i = r.String(root, "issuer")) c.issuer = *i;
  if (auto p = r.String(root, "tls_cert")) c.tls_cert = r.Path(*p);
  if (auto p = r.String(root, "tls_key")) c.tls_key = r.Path(*p);
  if (c.tls_cert.has_value() != c.tls_key.has_value()) {
    r.Fail(root.get(c.tls_cert ? "tls_cert" : "tls_key"),
           "\"tls_cert\" and \"tls_key\" go together");
  }
  // A missing file is a config error with its line; what is in the files
  // (PEM, a key that matches the certificate) is checked when TLS starts.
  if (c.tls_cert) r.Readable(root, "tls_cert", *c.tls_cert);
  if (c.tls_key) r.Readable(root, "tls_key", *c.tls_key);
  if (auto p = r.String(root, "log_file")) c.log_file = r.Path(*p);
  if (auto* t = r.Table(root, "token")) ReadToken(r, *t, c.token);
  if (auto* t = r.Table(root, "assertion")) ReadAssertion(r, *t, c.assertion);
  if (auto* t = r.Table(root, "limits")) ReadLimits(r, *t, c.limits);
  if (auto* t = r.Table(root, "replay")) ReadReplay(r, *t, c.replay);
  if (auto* t = r.Table(root, "clock")) ReadClock(r, *t, c.clock);
  if (auto* t = r.Table(root, "store")) ReadStore(r, *t, c.store);
  CheckStoreRules(r, root, c);
  if (auto* t = r.Table(root, "validate")) ReadValidate(r, *t, c.validate);
  std::set<std::string> ids;
  ForEachTable(r, root, "client",
               [&](const toml::table& t) { c.clients.push_back(ReadClient(r, t, ids)); });
  std::set<std::string> issuers;
  ForEachTable(r, root, "trust", [&](const toml::table& t) {
    TrustConfig trust = ReadTrust(r, t);
    if (!issuers.insert(trust.issuer).second)
      r.Fail(&t, "[[trust]] issuer \"" + trust.issuer + "\" is listed twice");
    c.trust.push_back(std::move(trust));
  });
}

bool IsWildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host.empty();
}

// Finish applies the rules that join several keys and the flags.
void Finish(const Reader& r, const toml::table* root, bool issuer_in_file, Config& c) {
  const toml::node* issuer_node = root ? root->get("issuer") : nullptr;
  if (c.issuer.empty()) {
    if (IsWildcard(c.listen_host)) {
      throw Failure{ConfigError{
          r.file(), root && root->get("listen") ? int(root->get("listen")->source().begin.line) : 0,
          "listening on the wildcard address " + c.listen_host +
              " needs an explicit \"issuer\" (or --issuer): the issuer "
              "URL must be one clients can reach"}};
    }
    c.issuer = c.ListenUrl();
  } else if (c.issuer.rfind("https://", 0) != 0 && c.issuer.rfind("http://", 0) != 0) {
    throw Failure{
        ConfigError{issuer_in_file ? r.file() : "",
                    issuer_node && issuer_in_file ? int(issuer_node->source().begin.line) : 0,
                    "\"issuer\" must be an http:// or https:// URL, not \"" + c.issuer + "\""}};
  }
  while (c.issuer.size() > 8 && c.issuer.back() == '/') c.issuer.pop_back();
  for (const TrustConfig& t : c.trust) {
    if (t.issuer == c.issuer) {
      throw Failure{ConfigError{r.file(), 0,
                                "[[trust]] issuer \"" + t.issuer +
                                    "\" is this server's own issuer, which is always trusted"}};
    }
  }
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = file.empty() ? "tock serve" : file;
  if (line > 0) out += ":" + std::to_string(line);
  return out + ": " + reason;
}

std::string Config::ListenUrl() const {
  std::string host =
      listen_host.find(':') != std::string::npos ? "[" + listen_host + "]" : listen_host;
  return std::string(tls() ? "https://" : "http://") + host + ":" + std::to_string(listen_port);
}

std::string Config::TokenEndpoint() const { return issuer + "/token"; }

bool ParseListen(const std::string& text, std::string& host, std::uint16_t& port) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = text.substr(0, colon);
  std::string p = text.substr(colon + 1);
  if (h.front() == '[') {
    if (h.back() != ']' || h.size() < 3) return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;
  }
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
    return false;
  unsigned long value = std::stoul(p);
  if (value > 65535) return false;
  host = h;
  port = static_cast<std::uint16_t>(value);
  return true;
}

ConfigResult LoadConfig(const std::string& path, const Overrides& overrides) {
  Config c;
  c.config_file = path;
  Reader r(path);
  try {
    toml::table root;
    if (!path.empty()) {
      try {
        // Read here, not by toml::parse_file: the text is checked first
        // (toml_guard.h says why).
        Result<std::string> text = ReadFile(path);
        if (!text.ok()) return {std::nullopt, ConfigError{path, 0, "cannot read the config file"}};
        if (auto problem = CheckTomlText(*text)) {
          return {std::nullopt, ConfigError{path, problem->line, problem->reason}};
        }
        root = toml::parse(*text, path);
      } catch (const toml::parse_error& e) {
        std::string reason(e.description());
        if (reason.find("File could not be opened") != std::string::npos)
          reason = "cannot read the config file";
        return {std::nullopt, ConfigError{path, int(e.source().begin.line), reason}};
      }
      ReadRoot(r, root, c);
    }
    if (overrides.listen && !ParseListen(*overrides.listen, c.listen_host, c.listen_port)) {
      return {std::nullopt,
              ConfigError{"", 0, "--listen must be HOST:PORT, not \"" + *overrides.listen + "\""}};
    }
    if (overrides.data_dir) c.data_dir = *overrides.data_dir;
    if (overrides.issuer) c.issuer = *overrides.issuer;
    Finish(r, path.empty() ? nullptr : &root, !overrides.issuer, c);
  } catch (const Failure& f) {
    return {std::nullopt, f.error};
  }
  return {std::move(c), std::nullopt};
}

}  // namespace tock::server
