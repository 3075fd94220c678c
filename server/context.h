// ServerContext: everything the endpoints share, built once at start-up.
#ifndef TOCK_SERVER_CONTEXT_H_
#define TOCK_SERVER_CONTEXT_H_

#include <map>
#include <memory>
#include <string>

#include "config.h"
#include "issuer/key_store.h"
#include "issuer/rate_limiter.h"
#include "log.h"
#include "metrics.h"
#include "tock/clock.h"
#include "tock/corrected_clock.h"
#include "tock/http_transport.h"
#include "tock/jwk_set.h"
#include "tock/key_resolver.h"
#include "tock/replay_store.h"
#include "validate/skew_tracker.h"
#include "validate/verified_cache.h"

namespace tock::server {

struct Client {
  ClientConfig config;
  std::shared_ptr<const KeyResolver> keys;  // private_key_jwt; nullptr without jwks_file/jwks_uri
};

struct TrustEntry {
  TrustConfig config;
  std::shared_ptr<const KeyResolver> keys;  // also in ServerContext::issuer_keys
};

struct ServerContext {
  Config config;
  const Clock& clock;
  Logger& log;
  Metrics& metrics;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<ReplayStore> replay;
  std::map<std::string, Client> clients;
  std::map<std::string, TrustEntry> trust;  // by issuer
  // Keys by a token's issuer (key_resolution.h): this server's own issuer
  // first, then every [[trust]] entry; and private_key_jwt clients by id.
  IssuerKeyResolver issuer_keys{"server"};
  IssuerKeyResolver client_keys{"server"};
  std::shared_ptr<HttpTransport> key_transport = MakeCurlTransport();  // remote key sets
  std::vector<std::string> own_audiences;  // union of the clients' audiences
  std::string dummy_secret_hash;           // for unknown clients: same cost
  RateLimiter token_rate;
  SkewTracker skew_seen;
  const CorrectedClock* corrected = nullptr;  // set when [clock] servers is set
  VerifiedCache verified_cache;               // [validate] cache_size / cache_bytes

  ServerContext(Config c, const Clock& clk, Logger& l, Metrics& m)
      : config(std::move(c)),
        clock(clk),
        log(l),
        metrics(m),
        token_rate(config.limits.token_rate),
        verified_cache({config.validate.cache_size, config.validate.cache_bytes}) {}
};

}  // namespace tock::server

#endif  // TOCK_SERVER_CONTEXT_H_
