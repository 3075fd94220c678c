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
#include "tock/jwk_set.h"
#include "tock/replay_store.h"
#include "validate/jwks_cache.h"
#include "validate/skew_tracker.h"
#include "validate/verified_cache.h"

namespace tock::server {

// KeySource is a fixed key set (jwks_file) or a remote one (jwks_uri).
struct KeySource {
  std::shared_ptr<const JwkSet> fixed;
  std::unique_ptr<JwksCache> remote;
  bool present() const { return fixed || remote; }
  // Get returns the keys to try for a token whose header has |kid|.
  Result<std::shared_ptr<const JwkSet>> Get(const std::string& kid) const {
    if (fixed) return fixed;
    return remote->Get(kid);
  }
};

struct Client {
  ClientConfig config;
  KeySource keys;  // private_key_jwt
};

struct TrustEntry {
  TrustConfig config;
  KeySource keys;
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
  std::vector<std::string> own_audiences;   // union of the clients' audiences
  std::string dummy_secret_hash;            // for unknown clients: same cost
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
