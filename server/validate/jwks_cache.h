// JwksCache: a remote JWKS kept per the spec's precise rules (panva/jose's
// design): max age from Cache-Control clamped to [min, max], refresh on an
// unknown kid at most once per cooldown, one in-flight fetch shared by every
// request, stale-if-error up to max_stale, and time from the injected Clock.
// Fetches run on a background thread of the cache (stale while revalidate,
// RFC 5861): a request holding a usable set never waits for a refresh.
#ifndef TOCK_SERVER_VALIDATE_JWKS_CACHE_H_
#define TOCK_SERVER_VALIDATE_JWKS_CACHE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "tock/clock.h"
#include "tock/jwk_set.h"
#include "tock/key_loader.h"
#include "tock/result.h"

namespace tock::server {

struct JwksCacheSettings {
  std::int64_t default_max_age_s = 600;
  std::int64_t min_age_s = 60;
  std::int64_t max_age_s = 86400;
  std::int64_t cooldown_s = 30;
  std::int64_t fetch_timeout_s = 5;
  std::int64_t max_stale_s = 86400;
};

// JwksFetcher fetches |url| within |timeout_s| (tests inject their own).
using JwksFetcher =
    std::function<Result<FetchedDocument>(const std::string& url, double timeout_s)>;

// FetchOutcome is what a refresh did, for metrics and logs.
struct FetchEvent {
  bool ok = false;
  std::string message;  // the failure reason
};

class JwksCache {
 public:
  // |on_fetch| (may be empty) hears every fetch's outcome.
  JwksCache(std::string url, JwksCacheSettings settings, const Clock& clock, JwksFetcher fetcher,
            std::function<void(const FetchEvent&)> on_fetch = {});
  // Waits for an in-flight fetch (bounded by the fetcher's fetch_timeout).
  ~JwksCache();
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // Get returns the key set to judge a token whose header has |kid| (empty:
  // none). A set whose max age passed is returned at once while a refresh
  // runs in the background (within max_stale). Only a request that has no
  // usable set, or whose |kid| is unknown (and no cooldown runs), waits for
  // the one in-flight fetch, at most fetch_timeout. Fails with kNetworkError
  // only when no set was ever fetched or max_stale passed since the last
  // good fetch (the caller answers 503).
  Result<std::shared_ptr<const JwkSet>> Get(const std::string& kid);

  // WouldWait is true when Get(|kid|) would now wait for a fetch (no usable
  // set, or an unknown kid outside a cooldown): such a request goes to the
  // worker pool, every other one stays on its connection's I/O thread.
  bool WouldWait(const std::string& kid);

  const std::string& url() const { return url_; }

 private:
  bool HasKid(const std::string& kid) const;
  bool Usable(UnixSeconds now) const;
  void StartFetchLocked(bool for_unknown_kid);
  void WaitForFetchLocked(std::unique_lock<std::mutex>& lock);
  void RunFetch();

  std::string url_;
  JwksCacheSettings settings_;
  const Clock& clock_;
  JwksFetcher fetcher_;
  std::function<void(const FetchEvent&)> on_fetch_;

  std::mutex mutex_;
  std::condition_variable fetched_;
  bool fetching_ = false;
  std::uint64_t fetch_generation_ = 0;
  std::shared_ptr<const JwkSet> set_;
  UnixSeconds fetched_at_ = 0;
  UnixSeconds expires_at_ = 0;
  UnixSeconds cooldown_until_ = 0;
  std::string last_error_;
  std::thread fetch_thread_;  // the one in-flight fetch (joined before the next)
};

// DefaultJwksFetcher uses tock::FetchDocument.
JwksFetcher DefaultJwksFetcher();

// DiscoveryJwksFetcher treats the cache's url as an issuer: each fetch reads
// its jwks_uri from {issuer}/.well-known/openid-configuration (so an issuer
// that moves its keys is followed), then fetches that, both within the one
// timeout. A jwks_uri |allowed| refuses is a failed fetch.
JwksFetcher DiscoveryJwksFetcher(std::function<bool(const std::string&)> allowed);

}  // namespace tock::server

#endif  // TOCK_SERVER_VALIDATE_JWKS_CACHE_H_
