// Redis replay store: SET key 1 NX PX ttl, so several `tock serve` instances
// share one-time ids. Any failure is an error (fail closed), never a pass.
#include <hiredis/hiredis.h>

#include <mutex>
#include <optional>
#include <string>

#include "replay/redis_url.h"
#include "replay/replay_stores.h"

namespace tock::server {
namespace {

constexpr timeval kTimeout{1, 0};

class RedisReplayStore final : public ReplayStore {
 public:
  RedisReplayStore(RedisUrl url, const Clock& clock) : url_(std::move(url)), clock_(clock) {}
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
          Error(ErrorCode::kNetworkError, "replay store unreachable: Redis " + url_.shown +
                                              " answered: " + std::string(reply->str, reply->len));
    } else if (!(reply->type == REDIS_REPLY_STATUS &&
                 std::string(reply->str, reply->len) == "OK")) {
      result = Error(ErrorCode::kNetworkError, "replay store unreachable: Redis " + url_.shown +
                                                   " gave an unexpected reply to SET");
    }
    freeReplyObject(reply);
    return result;
  }

  Result<void> Ping() override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto* reply = static_cast<redisReply*>(Command("PING"));
    if (!reply) return Drop();
    Result<void> result;
    if (reply->type == REDIS_REPLY_ERROR) {
      result = Error(ErrorCode::kNetworkError,
                     "replay store unreachable: Redis " + url_.shown +
                         " answered PING with: " + std::string(reply->str, reply->len));
    } else if (reply->type != REDIS_REPLY_STATUS) {
      result = Error(ErrorCode::kNetworkError,
                     "replay store unreachable: Redis " + url_.shown + " did not answer PING");
    }
    freeReplyObject(reply);
    return result;
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
    ctx_ = redisConnectWithTimeout(url_.host.c_str(), url_.port, kTimeout);
    if (!ctx_ || ctx_->err) return Drop();
    redisSetTimeout(ctx_, kTimeout);
    if (url_.password) {
      // AUTH [USER] PASSWORD as binary-safe arguments; the password never
      // goes into a message (Redis does not echo it either).
      const std::string& pass = *url_.password;
      auto* reply = static_cast<redisReply*>(
          url_.user.empty() ? redisCommand(ctx_, "AUTH %b", pass.data(), pass.size())
                            : redisCommand(ctx_, "AUTH %b %b", url_.user.data(), url_.user.size(),
                                           pass.data(), pass.size()));
      if (auto refused = Refusal(reply, "AUTH")) return Drop(*refused);
    }
    if (url_.db != 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(ctx_, "SELECT %d", url_.db));
      if (auto refused = Refusal(reply, "SELECT " + std::to_string(url_.db))) return Drop(*refused);
    }
    return {};
  }

  // Refusal frees |reply| of a set-up command; the reason when it was not OK
  // (empty for a broken connection: Drop then reports ctx_->errstr).
  std::optional<std::string> Refusal(redisReply* reply, const std::string& command) {
    if (!reply) return std::string();
    std::optional<std::string> reason;
    if (reply->type == REDIS_REPLY_ERROR) {
      reason = command + " was refused: " + std::string(reply->str, reply->len);
    } else if (reply->type != REDIS_REPLY_STATUS) {
      reason = command + " gave an unexpected reply";
    }
    freeReplyObject(reply);
    return reason;
  }

  // Drop forgets a broken connection (the next call reconnects) and reports
  // |reason|, else the connection's error, else the last reason.
  Error Drop(const std::string& reason_in = "") {
    std::string reason = !reason_in.empty()  ? reason_in
                         : ctx_ && ctx_->err ? std::string(ctx_->errstr)
                                             : last_reason_;
    if (reason.empty()) reason = "no connection";
    last_reason_ = reason;  // Command() may call Drop() twice for one failure
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
    return Error(ErrorCode::kNetworkError,
                 "replay store unreachable: Redis " + url_.shown + ": " + reason);
  }

  RedisUrl url_;
  const Clock& clock_;
  std::mutex mutex_;
  redisContext* ctx_ = nullptr;
  std::string last_reason_;
};

}  // namespace

Result<std::unique_ptr<ReplayStore>> MakeRedisReplayStore(const std::string& url,
                                                          const Clock& clock) {
  Result<RedisUrl> parsed = ParseRedisUrl(url);
  if (!parsed.ok()) return parsed.error();
  return std::unique_ptr<ReplayStore>(
      std::make_unique<RedisReplayStore>(std::move(*parsed), clock));
}

}  // namespace tock::server
