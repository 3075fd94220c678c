// The `tock serve` configuration: TOML (toml++), defaults of server.md, flags
// that override it, and the precise rules checked before listening.
#ifndef TOCK_SERVER_CONFIG_H_
#define TOCK_SERVER_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tock/algorithm.h"
#include "tock/defaults.h"

namespace tock::server {

// ConfigError is a bad config: printed as "FILE:LINE: reason", exit 2.
struct ConfigError {
  std::string file;  // empty for a flag or the defaults
  int line = 0;      // 0 when unknown
  std::string reason;
  std::string ToString() const;
};

struct ClientConfig {
  std::string id;
  std::optional<std::string> secret_hash;  // a plain `secret` is hashed on load
  std::optional<std::string> jwks_file;    // absolute after loading
  std::optional<std::string> jwks_uri;
  std::vector<std::string> scopes;
  std::vector<std::string> audiences;
};

struct TrustConfig {
  std::string issuer;
  std::optional<std::string> jwks_uri;
  std::optional<std::string> jwks_file;
  std::vector<std::string> audiences;
  std::vector<Algorithm> algorithms;  // empty: what the keys can perform
  std::int64_t skew_s = kDefaultSkewSeconds;
  std::vector<std::string> require;
  bool one_time = false;
  std::int64_t cache_max_age_s = kDefaultJwksMaxAgeSeconds;
  std::int64_t cache_min_s = kMinJwksMaxAgeSeconds;
  std::int64_t cache_max_s = 86400;
  std::int64_t cooldown_s = 30;
  std::int64_t fetch_timeout_s = 5;
  std::int64_t max_stale_s = 86400;
};

struct TokenConfig {
  std::int64_t ttl_s = kDefaultTokenTtlSeconds;
  std::int64_t nbf_backdate_s = kDefaultNbfBackdateSeconds;
  Algorithm algorithm = Algorithm::kES256;
  std::int64_t prepublish_s = 3600;
  std::optional<std::int64_t> rotate_every_s;
  std::int64_t jwks_max_age_s = 300;
};

struct AssertionConfig {
  std::int64_t skew_s = kDefaultSkewSeconds;
  std::int64_t max_lifetime_s = kDefaultAssertionMaxLifetimeSeconds;
  bool allow_token_endpoint_audience = false;
};

struct LimitsConfig {
  std::size_t header_bytes = 16384;
  std::size_t body_bytes = 65536;
  std::int64_t header_timeout_s = 10;
  std::int64_t body_timeout_s = 30;
  double token_rate = 20;
  std::size_t max_connections = 4096;             // capped by the open-file limit - 32
  std::uint64_t requests_per_connection = 10000;  // then Connection: close
  std::vector<std::string> trusted_proxies;       // CIDRs whose X-Forwarded-For counts
};

struct ReplayConfig {
  std::string backend = "sqlite";
  std::string url = "redis://127.0.0.1:6379/0";
};

// StoreConfig is [store]: signing keys in PostgreSQL instead of data_dir.
struct StoreConfig {
  std::string url;  // postgresql://... or libpq key/value; empty: the data directory
  std::optional<std::string> kek_file;           // absolute after loading; else TOCK_KEK
  std::optional<std::string> previous_kek_file;  // absolute after loading
  bool postgres() const { return !url.empty(); }
};

struct ClockConfig {
  std::vector<std::string> servers;
  std::int64_t interval_s = 600;
  std::int64_t max_offset_s = 600;
  std::int64_t fallback_after_s = 3600;
};

// [validate]: the verified-token cache (server.md, "Speed").
struct ValidateConfig {
  std::size_t cache_size = 100000;      // tokens; 0 turns the cache off
  std::size_t cache_bytes = 32u << 20;  // whichever bound is reached first
};

struct Config {
  std::string config_file;  // empty: embedded defaults
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string data_dir = "./tock-data";
  std::string issuer;  // derived from listen when not set
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::optional<std::string> log_file;
  TokenConfig token;
  AssertionConfig assertion;
  std::vector<ClientConfig> clients;
  std::vector<TrustConfig> trust;
  LimitsConfig limits;
  ReplayConfig replay;
  ClockConfig clock;
  StoreConfig store;
  ValidateConfig validate;

  bool tls() const { return tls_cert.has_value(); }
  // ListenUrl is http(s)://host:port of the listen address.
  std::string ListenUrl() const;
  // TokenEndpoint is issuer + "/token".
  std::string TokenEndpoint() const;
};

// Overrides are the command-line flags that win over the file.
struct Overrides {
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> issuer;
};

// LoadConfig reads |path| (empty: the embedded defaults), applies
// |overrides|, hashes plain client secrets and checks the precise rules.
// Every failure names the file and line where it is known.
struct ConfigResult {
  std::optional<Config> config;
  std::optional<ConfigError> error;
};
ConfigResult LoadConfig(const std::string& path, const Overrides& overrides);

// ParseListen splits "host:port" / "[v6]:port"; false on bad input.
bool ParseListen(const std::string& text, std::string& host, std::uint16_t& port);

}  // namespace tock::server

#endif  // TOCK_SERVER_CONFIG_H_
