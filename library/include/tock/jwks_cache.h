// JwksCache: a remote JWKS kept per the spec's precise rules (panva/jose's
// design): max age from Cache-Control clamped to [min, max], refresh on an
// unknown kid at most once per cooldown, one in-flight fetch shared by every
// request, stale-if-error up to max_stale, and time from the injected Clock.
// Fetches run on a background thread of the cache (stale while revalidate,
// RFC 5861): a request holding a usable set never waits for a refresh.
// tock::JwksResolver (tock/key_resolver.h) puts a cache behind KeyResolver.
#ifndef TOCK_JWKS_CACHE_H_
#define TOCK_JWKS_CACHE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "tock/clock.h"
#include "tock/http_transport.h"
#include "tock/jwk_set.h"
#include "tock/result.h"

namespace tock {

// JwksCacheSettings bound the cache, in seconds: the max age of a response
// without Cache-Control max-age, the clamp [min_age_s, max_age_s] of any max
// age, the cooldown between refreshes for an unknown kid or after a failure,
// one fetch's timeout, and how long past its last good fetch an expired set
// may still be used while refreshing fails (max_stale).
struct JwksCacheSettings {
  std::int64_t default_max_age_s = 600;
  std::int64_t min_age_s = 60;
  std::int64_t max_age_s = 86400;
  std::int64_t cooldown_s = 30;
  std::int64_t fetch_timeout_s = 5;
  std::int64_t max_stale_s = 86400;
};

// HeldKeys is a key set held right now, without fetching or waiting, and
// whether it may be used (a remote set within max_stale; a static set
// always). nullptr when there is none yet.
struct HeldKeys {
  std::shared_ptr<const JwkSet> keys;
  bool usable = false;
};

// JwksDocument is a fetched JWKS and its response's Cache-Control max-age
// in seconds, when it had one (and no no-store/no-cache).
struct JwksDocument {
  std::string body;
  std::optional<std::int64_t> max_age_s;
};

// JwksFetcher fetches |url| within |timeout_s| (tests inject their own).
using JwksFetcher = std::function<Result<JwksDocument>(const std::string& url, double timeout_s)>;

// FetchEvent is what a refresh did, for metrics and logs.
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

  // Held is what the cache holds now: the last good set (nullptr when none
  // was ever fetched) and whether it may still be used (within max_stale of
  // the last good fetch once its max age passed). It neither fetches nor
  // waits: for a cache of verified tokens, which must drop a token once its
  // issuer's set is unusable or lost its key (HoldsKey).
  HeldKeys Held() const;
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

  mutable std::mutex mutex_;
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

// HttpJwksFetcher fetches the cache's url through |transport| (GET, status
// 200 only, at most 1 MiB, redirects followed only to http/https and never
// from https down to http) and reads the response's Cache-Control max-age.
// Null |transport|: libcurl (MakeCurlTransport).
JwksFetcher HttpJwksFetcher(std::shared_ptr<HttpTransport> transport = nullptr);

// DiscoveryJwksFetcher treats the cache's url as an issuer: each fetch reads
// its jwks_uri from {issuer}/.well-known/openid-configuration (OpenID Connect
// Discovery 1.0; RFC 8414 metadata names it the same way), so an issuer that
// moves its keys is followed, then fetches that, both within the one
// timeout. A jwks_uri |allowed| refuses is a failed fetch.
JwksFetcher DiscoveryJwksFetcher(std::function<bool(const std::string&)> allowed,
                                 std::shared_ptr<HttpTransport> transport = nullptr);

// HoldsKey says whether |set| still holds |key| (same kid, same RFC 7638
// thumbprint): a token verified with a key its issuer has since removed
// must be verified again.
bool HoldsKey(const JwkSet& set, const Key& key);

}  // namespace tock

#endif  // TOCK_JWKS_CACHE_H_
