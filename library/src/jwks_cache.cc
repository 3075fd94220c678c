#include "tock/jwks_cache.h"

#include <algorithm>
#include <chrono>
#include <system_error>

#include "internal/discovery.h"
#include "internal/http_fetch.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1 << 20;

std::shared_ptr<HttpTransport> OrCurl(std::shared_ptr<HttpTransport> transport) {
  return transport ? std::move(transport) : MakeCurlTransport();
}

Result<JwksDocument> FetchVia(HttpTransport& transport, const std::string& url, double timeout_s) {
  Result<internal::HttpBody> got = internal::HttpGet(transport, url, timeout_s, kMaxDocumentBytes);
  if (!got.ok()) return std::move(got).error();
  return JwksDocument{std::move(got->body), got->max_age_s};
}

}  // namespace

JwksFetcher HttpJwksFetcher(std::shared_ptr<HttpTransport> transport) {
  return [transport = OrCurl(std::move(transport))](const std::string& url, double timeout_s) {
    return FetchVia(*transport, url, timeout_s);
  };
}

JwksFetcher DiscoveryJwksFetcher(std::function<bool(const std::string&)> allowed,
                                 std::shared_ptr<HttpTransport> transport) {
  return [allowed, transport = OrCurl(std::move(transport))](
             const std::string& issuer, double timeout_s) -> Result<JwksDocument> {
    const auto start = std::chrono::steady_clock::now();
    const std::string url = internal::DiscoveryUrl(issuer);
    Result<JwksDocument> metadata = FetchVia(*transport, url, timeout_s);
    if (!metadata.ok()) return metadata.error();
    Result<std::string> jwks_uri = internal::JwksUriOf(issuer, url, metadata->body);
    if (!jwks_uri.ok()) return jwks_uri.error();
    if (!allowed(*jwks_uri)) {
      return Error(ErrorCode::kNetworkError, "the discovered jwks_uri " + *jwks_uri +
                                                 " must be https:// (http:// only on loopback)");
    }
    std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
    return FetchVia(*transport, *jwks_uri, std::max(0.001, timeout_s - spent.count()));
  };
}

bool HoldsKey(const JwkSet& set, const Key& key) {
  const std::string thumbprint = key.Thumbprint();
  for (const Key* candidate : set.Candidates(key.kid().value_or(""), key.kid().has_value())) {
    if (candidate->kid() == key.kid() && candidate->Thumbprint() == thumbprint) return true;
  }
  return false;
}

JwksCache::JwksCache(std::string url, JwksCacheSettings settings, const Clock& clock,
                     JwksFetcher fetcher, std::function<void(const FetchEvent&)> on_fetch)
    : url_(std::move(url)),
      settings_(settings),
      clock_(clock),
      fetcher_(std::move(fetcher)),
      on_fetch_(std::move(on_fetch)) {}

JwksCache::~JwksCache() {
  if (fetch_thread_.joinable()) fetch_thread_.join();
}

bool JwksCache::HasKid(const std::string& kid) const {
  if (!set_) return false;
  for (const Key& key : set_->keys()) {
    if (key.kid() && *key.kid() == kid) return true;
  }
  return false;
}

// Usable: a set exists and, once its max age passed, max_stale has not
// passed since the last good fetch (stale-if-error's bound).
bool JwksCache::Usable(UnixSeconds now) const {
  return set_ && !(now >= expires_at_ && now - fetched_at_ > settings_.max_stale_s);
}

// StartFetchLocked starts the one fetch on the cache's own thread. Called
// with the lock held and no fetch in flight; the previous thread has then
// finished its work under the lock, so joining it here waits only for the
// thread's exit.
void JwksCache::StartFetchLocked(bool for_unknown_kid) {
  if (fetch_thread_.joinable()) fetch_thread_.join();
  fetching_ = true;
  UnixSeconds started = clock_.Now();
  if (for_unknown_kid) cooldown_until_ = started + settings_.cooldown_s;
  try {
    fetch_thread_ = std::thread([this] { RunFetch(); });
  } catch (const std::system_error& e) {
    fetching_ = false;
    cooldown_until_ = started + settings_.cooldown_s;
    last_error_ = std::string("cannot start a fetch thread: ") + e.what();
  }
}

// WaitForFetchLocked waits for the in-flight fetch to finish, at most
// fetch_timeout: a request never waits longer than one fetch may take.
void JwksCache::WaitForFetchLocked(std::unique_lock<std::mutex>& lock) {
  std::uint64_t generation = fetch_generation_;
  fetched_.wait_for(lock, std::chrono::seconds(settings_.fetch_timeout_s),
                    [&] { return fetch_generation_ != generation; });
}

// RunFetch is the body of the fetch thread: the fetch without the lock, the
// report, then the outcome under the lock.
void JwksCache::RunFetch() {
  Result<JwksDocument> doc = fetcher_(url_, static_cast<double>(settings_.fetch_timeout_s));
  std::shared_ptr<const JwkSet> fresh;
  std::optional<std::int64_t> max_age;
  FetchEvent event;
  if (doc.ok()) {
    Result<LoadedKeys> keys = LoadKeys(doc->body, KeyOrigin::kRemote);
    if (keys.ok()) {
      fresh = std::make_shared<const JwkSet>(std::move(keys->keys));
      max_age = doc->max_age_s;
      event.ok = true;
    } else {
      event.message = "the JWKS at " + url_ + " holds no usable key: " + keys.error().message();
    }
  } else {
    event.message = doc.error().message();
  }
  // The report first: whoever sees the new set also sees its fetch counted.
  if (on_fetch_) on_fetch_(event);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    UnixSeconds now = clock_.Now();
    if (fresh) {
      std::int64_t age = std::clamp(max_age.value_or(settings_.default_max_age_s),
                                    settings_.min_age_s, settings_.max_age_s);
      set_ = std::move(fresh);
      fetched_at_ = now;
      expires_at_ = now + age;
      last_error_.clear();
    } else {
      // A failed fetch starts the cooldown too: a dead upstream is not hammered.
      cooldown_until_ = now + settings_.cooldown_s;
      last_error_ = event.message;
    }
    fetching_ = false;
    ++fetch_generation_;
  }
  fetched_.notify_all();
}

HeldKeys JwksCache::Held() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return HeldKeys{set_, Usable(clock_.Now())};
}

Result<std::shared_ptr<const JwkSet>> JwksCache::Get(const std::string& kid) {
  std::unique_lock<std::mutex> lock(mutex_);
  UnixSeconds now = clock_.Now();
  bool cooling = now < cooldown_until_;
  if (Usable(now)) {
    if (!kid.empty() && !HasKid(kid) && (fetching_ || !cooling)) {
      // An unknown kid (a rotation upstream) may wait for the fetch.
      if (!fetching_) StartFetchLocked(true);
      WaitForFetchLocked(lock);
    } else if (now >= expires_at_ && !fetching_ && !cooling) {
      StartFetchLocked(false);  // stale while revalidate: answer with the set we have
    }
  } else if (fetching_ || !cooling) {
    // No set (or one past max_stale): nothing to answer with but a fetch.
    if (!fetching_) StartFetchLocked(false);
    WaitForFetchLocked(lock);
  }
  now = clock_.Now();
  if (!set_) {
    return Error(ErrorCode::kNetworkError,
                 "no key set for this issuer could be fetched from " + url_ +
                     (fetching_ ? ": the fetch did not finish within fetch_timeout (" +
                                      std::to_string(settings_.fetch_timeout_s) + "s)"
                      : last_error_.empty() ? std::string()
                                            : ": " + last_error_));
  }
  if (!Usable(now)) {
    return Error(ErrorCode::kNetworkError,
                 "the cached key set from " + url_ + " is older than max_stale (" +
                     std::to_string(settings_.max_stale_s) + "s) and refreshing it failed" +
                     (last_error_.empty() ? std::string() : ": " + last_error_));
  }
  return set_;
}

bool JwksCache::WouldWait(const std::string& kid) {
  std::lock_guard<std::mutex> lock(mutex_);
  UnixSeconds now = clock_.Now();
  bool cooling = now < cooldown_until_;
  if (!Usable(now)) return fetching_ || !cooling;
  return !kid.empty() && !HasKid(kid) && (fetching_ || !cooling);
}

}  // namespace tock
