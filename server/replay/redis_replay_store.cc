// Redis replay store: SET key 1 NX PX ttl, so several `tock serve` instances
// share one-time ids. Any failure is an error (fail closed), never a pass.
// Connections come from a pool (each used by one request at a time), every
// connect and reply is bounded by kRedisTimeout, and a circuit breaker
// answers "unreachable" at once for kBreakerOpen after a failure, so a
// blackholed Redis never piles requests up behind it.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "replay/circuit_breaker.h"
#include "replay/redis_connection.h"
#include "replay/replay_stores.h"

namespace tock::server {
namespace {

constexpr std::chrono::seconds kBreakerOpen{1};
// Idle connections kept; more may be open at once (one per worker thread
// in a Redis call), the surplus is closed when handed back.
constexpr std::size_t kMaxIdle = 16;

using SteadyClock = std::chrono::steady_clock;

class RedisReplayStore final : public ReplayStore {
 public:
  RedisReplayStore(RedisUrl url, const Clock& clock, RedisWarning warn)
      : url_(std::move(url)), clock_(clock), warn_(std::move(warn)), breaker_(kBreakerOpen) {}

  Result<void> Consume(std::string_view id, UnixSeconds expires_at) override {
    UnixSeconds now = clock_.Now();
    if (expires_at <= now) return {};
    long long ttl_ms = (expires_at - now) * 1000LL;
    std::string key = "tock:jti:" + std::string(id);
    Result<RedisConnection> c = Acquire();
    if (!c.ok()) return c.error();
    // Sent once: when the reply does not come (timeout, reset), Redis may or
    // may not have stored the key, so a second SET NX could answer "exists"
    // for our own first one, a false `replayed`. The caller gets 503.
    RedisReply reply(static_cast<redisReply*>(
        redisCommand(c->get(), "SET %b 1 NX PX %lld", key.data(), key.size(), ttl_ms)));
    if (!reply) return Broken(**c, "SET");
    Release(std::move(*c));
    if (reply->type == REDIS_REPLY_NIL) {
      return Error(ErrorCode::kReplayed, "token replayed: the token id (jti) \"" + std::string(id) +
                                             "\" was already used (recorded in Redis)");
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      return Answered("answered: " + std::string(reply->str, reply->len));
    }
    if (!(reply->type == REDIS_REPLY_STATUS && std::string(reply->str, reply->len) == "OK")) {
      return Answered("gave an unexpected reply to SET");
    }
    return {};
  }

  // Ping is /healthz's active check: unlike a request it asks Redis even
  // while the breaker is open, so health turns 200 as soon as Redis is back
  // and its success closes the breaker for requests too. One such check at
  // a time (the others get the breaker's answer), so a flood of /healthz
  // can hold at most one worker for the 250 ms timeout.
  Result<void> Ping() override {
    bool active = !ping_in_flight_.exchange(true);
    struct Done {
      std::atomic<bool>* flag;
      ~Done() {
        if (flag) *flag = false;
      }
    } done{active ? &ping_in_flight_ : nullptr};
    Result<RedisConnection> c = Acquire(active);
    if (!c.ok()) return c.error();
    RedisReply reply(static_cast<redisReply*>(redisCommand(c->get(), "PING")));
    if (!reply) return Broken(**c, "PING");
    Release(std::move(*c));
    if (reply->type == REDIS_REPLY_ERROR) {
      return Answered("answered PING with: " + std::string(reply->str, reply->len));
    }
    if (reply->type != REDIS_REPLY_STATUS) return Answered("did not answer PING");
    return {};
  }

  std::string_view Name() const override { return "redis"; }

 private:
  // Unreachable: the connection could not be had or used, for |reason|.
  Error Unreachable(const std::string& reason) const {
    return Error(ErrorCode::kNetworkError,
                 "replay store unreachable: Redis " + url_.shown + ": " + reason);
  }

  // Answered: Redis answered, but not what the store needs (|what| says so).
  Error Answered(const std::string& what) const {
    return Error(ErrorCode::kNetworkError,
                 "replay store unreachable: Redis " + url_.shown + " " + what);
  }

  // Broken reports a connection that failed mid-command (it is dropped, with
  // every idle one: they likely lead to the same dead server) and opens the
  // breaker.
  Error Broken(const redisContext& c, const std::string& command) {
    return OpenBreaker(BrokenReason(c, command));
  }

  Error OpenBreaker(const std::string& reason) {
    Error error = Unreachable(reason);
    {
      std::lock_guard<std::mutex> lock(idle_mutex_);
      idle_.clear();
    }
    breaker_.Failed(SteadyClock::now(), error.message());
    return error;
  }

  // Acquire: an idle connection that is still open, else a new one; refused
  // at once while the breaker is open, unless |active_check| (Ping).
  Result<RedisConnection> Acquire(bool active_check = false) {
    if (!active_check) {
      if (auto open = breaker_.Admit(SteadyClock::now()))
        return Error(ErrorCode::kNetworkError, *open);
    }
    {
      std::lock_guard<std::mutex> lock(idle_mutex_);
      while (!idle_.empty()) {
        RedisConnection c = std::move(idle_.back());
        idle_.pop_back();
        if (StillOpen(*c)) return c;
      }
    }
    RedisConnectResult connected = ConnectRedis(url_);
    if (connected.failure) {
      if (connected.failure->broken) return OpenBreaker(connected.failure->reason);
      breaker_.Succeeded();  // Redis answered (a refusal): reachable
      return Unreachable(connected.failure->reason);
    }
    if (!persistence_checked_.exchange(true)) {
      PersistenceCheck check = CheckPersistence(*connected.connection, url_.shown);
      if (check.connection_broken) {
        persistence_checked_ = false;
        return Broken(*connected.connection, "CONFIG GET");
      }
      if (check.warning && warn_) warn_(*check.warning);
    }
    return std::move(connected.connection);
  }

  // Release hands a connection whose command got its reply back to the pool.
  void Release(RedisConnection c) {
    breaker_.Succeeded();
    std::lock_guard<std::mutex> lock(idle_mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(c));
  }

  RedisUrl url_;
  const Clock& clock_;
  RedisWarning warn_;
  CircuitBreaker breaker_;
  std::atomic<bool> persistence_checked_{false};
  std::atomic<bool> ping_in_flight_{false};
  std::mutex idle_mutex_;  // guards idle_ only, never held during I/O
  std::vector<RedisConnection> idle_;
};

}  // namespace

Result<std::unique_ptr<ReplayStore>> MakeRedisReplayStore(const std::string& url,
                                                          const Clock& clock, RedisWarning warn) {
  Result<RedisUrl> parsed = ParseRedisUrl(url);
  if (!parsed.ok()) return parsed.error();
  return std::unique_ptr<ReplayStore>(
      std::make_unique<RedisReplayStore>(std::move(*parsed), clock, std::move(warn)));
}

}  // namespace tock::server
