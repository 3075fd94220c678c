// Redis replay store: SET key 1 NX PX ttl, so several `tock serve` instances
// share one-time ids. Any failure is an error (fail closed), never a pass.
#include <hiredis/hiredis.h>

#include <mutex>

#include "replay/replay_stores.h"

namespace tock::server {
namespace {

constexpr timeval kTimeout{1, 0};

class RedisReplayStore final : public ReplayStore {
 public:
  RedisReplayStore(std::string host, int port, int db, std::string url, const Clock& clock)
      : host_(std::move(host)), port_(port), db_(db), url_(std::move(url)), clock_(clock) {}
  ~RedisReplayStore() override {
    if (ctx_) redisFree(ctx_);
  }

  Result<void> Consume(std::string_view id, UnixSeconds expires_at) override {
    UnixSeconds now = clock_.Now();
    if (expires_at <= now) return {};
    long long ttl_ms = (expires_at - now) * 1000LL;
    std::string key = "tock:jti:" + std::string(id);
    std::lock_guard<std::mutex> lock(mutex_);
    auto* reply =
        static_cast<redisReply*>(Command("SET %b 1 NX PX %lld", key.data(), key.size(), ttl_ms));
    if (!reply) return Drop();
    Result<void> result;
    if (reply->type == REDIS_REPLY_NIL) {
      result =
          Error(ErrorCode::kReplayed, "token replayed: the token id (jti) \"" + std::string(id) +
                                          "\" was already used (recorded in Redis)");
    } else if (reply->type == REDIS_REPLY_ERROR) {
      result =
          Error(ErrorCode::kNetworkError, "replay store unreachable: Redis " + url_ +
                                              " answered: " + std::string(reply->str, reply->len));
    } else if (!(reply->type == REDIS_REPLY_STATUS &&
                 std::string(reply->str, reply->len) == "OK")) {
      result = Error(ErrorCode::kNetworkError, "replay store unreachable: Redis " + url_ +
                                                   " gave an unexpected reply to SET");
    }
    freeReplyObject(reply);
    return result;
  }

  Result<void> Ping() override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto* reply = static_cast<redisReply*>(Command("PING"));
    if (!reply) return Drop();
    bool ok = reply->type == REDIS_REPLY_STATUS;
    freeReplyObject(reply);
    if (!ok)
      return Error(ErrorCode::kNetworkError,
                   "replay store unreachable: Redis " + url_ + " did not answer PING");
    return {};
  }

  std::string_view Name() const override { return "redis"; }

 private:
  // Command runs one command, reconnecting once when a kept connection turns
  // out to be dead (Redis restarted): the store recovers with Redis. nullptr
  // when Redis cannot be reached; Drop() then gives the reason.
  template <typename... Args>
  void* Command(const char* format, Args... args) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = ctx_ != nullptr;
      if (!Connect().ok()) return nullptr;
      void* reply = redisCommand(ctx_, format, args...);
      if (reply) last_reason_.clear();
      if (reply || !reused) return reply;
      redisFree(ctx_);
      ctx_ = nullptr;
    }
    return nullptr;
  }

  Result<void> Connect() {
    if (ctx_) return {};
    ctx_ = redisConnectWithTimeout(host_.c_str(), port_, kTimeout);
    if (!ctx_ || ctx_->err) return Drop();
    redisSetTimeout(ctx_, kTimeout);
    if (db_ != 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(ctx_, "SELECT %d", db_));
      bool ok = reply && reply->type == REDIS_REPLY_STATUS;
      if (reply) freeReplyObject(reply);
      if (!ok) return Drop();
    }
    return {};
  }

  // Drop forgets a broken connection (the next call reconnects) and reports.
  Error Drop() {
    std::string reason = ctx_ && ctx_->err ? std::string(ctx_->errstr) : last_reason_;
    if (reason.empty()) reason = "no connection";
    last_reason_ = reason;  // Command() may call Drop() twice for one failure
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
    return Error(ErrorCode::kNetworkError,
                 "replay store unreachable: Redis " + url_ + ": " + reason);
  }

  std::string host_;
  int port_;
  int db_;
  std::string url_;
  const Clock& clock_;
  std::mutex mutex_;
  redisContext* ctx_ = nullptr;
  std::string last_reason_;
};

}  // namespace

Result<std::unique_ptr<ReplayStore>> MakeRedisReplayStore(const std::string& url,
                                                          const Clock& clock) {
  std::string rest = url.substr(url.rfind("redis://", 0) == 0 ? 8 : 0);
  int db = 0;
  std::size_t slash = rest.find('/');
  try {
    if (slash != std::string::npos) {
      std::string db_text = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
      if (!db_text.empty()) db = std::stoi(db_text);
    }
    int port = 6379;
    std::size_t colon = rest.rfind(':');
    if (colon != std::string::npos) {
      port = std::stoi(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
    }
    if (rest.empty() || rest.find('@') != std::string::npos || port <= 0 || port > 65535 ||
        db < 0) {
      throw std::invalid_argument("url");
    }
    return std::unique_ptr<ReplayStore>(
        std::make_unique<RedisReplayStore>(rest, port, db, url, clock));
  } catch (const std::exception&) {
    return Error(ErrorCode::kUsage,
                 "[replay] url \"" + url +
                     "\" is not redis://HOST[:PORT][/DB] (passwords are not supported yet).");
  }
}

}  // namespace tock::server
